#!/bin/sh
# tests/run.sh - run every test program and count the results.
#
# Each program prints "ok <name>" / "not ok <name>" lines (tests/unit/check.h,
# tests/lib/tap.mjs, tests/lib/tap.sh); "ok <name> # SKIP <why>" is a skip.
# A program that exits non-zero without reporting a failure counts as one
# failure, so a crash is never lost.  The last line is the summary:
#     N passed, M failed, K skipped
#
# Environment (set by `make check`):
#   UNIT_TESTS    names of unit-test programs in build/test/{san,x86_64,aarch64}
#   FUZZ_TARGETS  names of libFuzzer programs in build/fuzz
#   FUZZ_SECONDS  time per fuzz target (default 15)
#   SUITES        which suites to run (default: unit fuzz host node qemu)
set -u
cd "$(dirname "$0")/.."
LOGDIR=build/test/logs
mkdir -p "$LOGDIR"
SUMMARY=$LOGDIR/summary
: > "$SUMMARY"
SUITES=${SUITES:-unit fuzz host node qemu}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}

# run_prog LABEL TIMEOUT_S CMD...: run one test program, echo and tally its lines.
run_prog() {
	label=$1; limit=$2; shift 2
	log="$LOGDIR/$(echo "$label" | tr '/ ' '__').log"
	start=$(date +%s)
	timeout -k 10 "$limit" "$@" > "$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	# Prefix names with the label so the same test under two builds differs.
	sed -e "s|^ok |ok $label: |" -e "s|^not ok |not ok $label: |" "$log" |
		grep -E '^(ok|not ok|#)' || true
	nok=$(grep -c '^not ok ' "$log")
	if [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then why="timed out after ${limit}s"; else why="exited $rc"; fi
		echo "not ok $label: program $why"
		echo "#   last lines of $log:"; tail -n 15 "$log" | sed 's/^/#   /'
		echo "not ok $label" >> "$SUMMARY"
	elif [ "$nok" != 0 ]; then
		echo "#   log: $log (${secs}s)"
	fi
	grep -E '^(ok|not ok) ' "$log" >> "$SUMMARY"
	# A program that ran no test at all is suspicious: count it as failed.
	if [ "$rc" = 0 ] && ! grep -qE '^(ok|not ok) ' "$log"; then
		echo "not ok $label: ran no test"
		echo "not ok $label: ran no test" >> "$SUMMARY"
	fi
}

for suite in $SUITES; do
	case $suite in
	unit)
		for t in ${UNIT_TESTS:-}; do
			run_prog "san/$t" 300 "build/test/san/$t"
			run_prog "x86_64/$t" 300 "build/test/x86_64/$t"
			run_prog "aarch64/$t" 600 qemu-aarch64-static "build/test/aarch64/$t"
		done ;;
	fuzz)
		for f in ${FUZZ_TARGETS:-}; do
			corpus=build/fuzz/corpus/$f
			rm -rf "$corpus"; mkdir -p "$corpus"
			[ -d "fuzz/seeds/$f" ] && cp fuzz/seeds/"$f"/* "$corpus"/ 2>/dev/null
			run_prog "fuzz/$f" $((FUZZ_SECONDS + 120)) sh -c \
				"build/fuzz/$f -max_total_time=$FUZZ_SECONDS -timeout=10 -rss_limit_mb=2048 -artifact_prefix=build/fuzz/$f- $corpus >build/fuzz/$f.log 2>&1 && echo 'ok $f: no crash in ${FUZZ_SECONDS}s' || { tail -n 30 build/fuzz/$f.log; echo 'not ok $f: crash, see build/fuzz/$f.log'; }"
		done ;;
	host)
		for s in tests/host/*.sh; do
			[ -e "$s" ] || continue
			run_prog "host/$(basename "$s" .sh)" 600 sh "$s"
		done ;;
	node)
		# Node test programs that need no VM: the LLM reference comparison,
		# tokenizers, mcpd through the SDK client.
		# A test program is a .mjs that reports through tests/lib/tap.mjs;
		# the other modules beside it are helpers.
		for s in tests/llm/*.mjs tests/tok/*.mjs tests/mcpd/*.mjs; do
			[ -e "$s" ] && grep -q "lib/tap.mjs" "$s" || continue
			run_prog "$(basename "$(dirname "$s")")/$(basename "$s" .mjs)" 900 node "$s"
		done ;;
	qemu)
		for a in ${TEST_ARCHES:-x86_64 aarch64}; do
			for s in tests/qemu/*.mjs; do
				[ -e "$s" ] || continue
				run_prog "qemu-$a/$(basename "$s" .mjs)" 900 env ARCH="$a" node "$s"
			done
		done ;;
	*)
		echo "not ok run.sh: unknown suite $suite"; echo "not ok run.sh" >> "$SUMMARY" ;;
	esac
done

passed=$(grep -c '^ok ' "$SUMMARY" | tr -d ' ')
skipped=$(grep -c '^ok .*# SKIP' "$SUMMARY" | tr -d ' ')
failed=$(grep -c '^not ok ' "$SUMMARY" | tr -d ' ')
passed=$((passed - skipped))
if [ "$skipped" != 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
