# tests/lib/tap.sh - helpers for shell test scripts (source it).
# Prints the "ok"/"not ok" lines that tests/run.sh counts.
tap_failed=0
ok()      { echo "ok $*"; }
not_ok()  { echo "not ok $*"; tap_failed=1; }
skip()    { name=$1; shift; echo "ok $name # SKIP $*"; }
diag()    { echo "# $*"; }
# check NAME CMD...: ok if CMD succeeds.
check()   { name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
tap_done() { exit "$tap_failed"; }
