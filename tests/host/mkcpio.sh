#!/bin/sh
# tests/host/mkcpio.sh - mkcpio end to end: reproducible bytes, GNU cpio
# agrees with what was written, every bad input is refused with its line
# and leaves no output behind.  Needs GNU cpio (Debian package cpio).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

MKCPIO=$PWD/build/host/mkcpio
if [ ! -x "$MKCPIO" ] && ! make -s build/host/mkcpio >/dev/null; then
	not_ok "mkcpio: build/host/mkcpio builds"
	tap_done
fi
if ! command -v cpio >/dev/null; then
	skip "mkcpio: GNU cpio" "cpio is not installed (Debian package cpio)"
	tap_done
fi

T=$(mktemp -d /tmp/mkcpio-test.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# ---- inputs ------------------------------------------------------------------
mkdir src
printf 'hello, initramfs\n' > src/hello.txt
: > src/empty
seq 1 1000 > src/odd.bin                  # 3893 bytes: not a multiple of 4
printf 'spaced out\n' > 'src/a b.txt'

cat > good <<'EOF'
# a manifest with every kind of entry
dir   /bin            0755 0 0
file  /bin/hello      ${SRC}/hello.txt 0755 0 0
file  /bin/empty      ${SRC}/empty     0600 1000 1000
file  /bin/odd        ${SRC}/odd.bin   0644 0 0     # odd size
dir   /etc            0755 0 0
file  /etc/spaced     ${SPACED}        0640 0 0
slink /init           /bin/hello       0777 0 0
slink /bin/rel        hello            0777 0 0
dir   /dev            0755 0 0
nod   /dev/console    0600 0 5 c 5 1
nod   /dev/sda        0660 0 6 b 8 0
pipe  /dev/initctl    0600 0 0
sock  /dev/log        0666 0 0
dir   /tmp            1777 0 0
file  /bin/suid       ${SRC}/hello.txt 4755 0 0
EOF
DEFS="-D SRC=src"
mk() { "$MKCPIO" $DEFS -D "SPACED=src/a b.txt" "$@"; }

# ---- reproducibility -----------------------------------------------------------
check "mkcpio: writes an archive" mk -e 1700000000 -o one.cpio good
second_run_same() { mk -e 1700000000 -o two.cpio good && cmp one.cpio two.cpio; }
check "mkcpio: a second run gives the same bytes" second_run_same
stdout_same() { mk -e 1700000000 good > three.cpio && cmp one.cpio three.cpio; }
check "mkcpio: stdout gets the same bytes as -o" stdout_same
mk -e 1700000001 -o later.cpio good
check "mkcpio: a different -e gives different bytes" sh -c '! cmp -s one.cpio later.cpio'
SOURCE_DATE_EPOCH=1700000000 mk -o env.cpio good
check "mkcpio: SOURCE_DATE_EPOCH is the default epoch" cmp one.cpio env.cpio
SOURCE_DATE_EPOCH=5 mk -e 1700000000 -o env2.cpio good
check "mkcpio: -e wins over SOURCE_DATE_EPOCH" cmp one.cpio env2.cpio
(unset SOURCE_DATE_EPOCH; mk -o zero.cpio good)
mk -e 0 -o zero2.cpio good
check "mkcpio: without -e or SOURCE_DATE_EPOCH the epoch is 0" cmp zero.cpio zero2.cpio
# No root needed: an ordinary user gets the same bytes, root-owned entries
# and all.  (Only tried when running as root, with a user to become.)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T" && chmod -R a+rX "$T"
	as_nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$MKCPIO" -D SRC=src -D "SPACED=src/a b.txt" -e 1700000000 good > nobody.cpio &&
		cmp one.cpio nobody.cpio
	}
	check "mkcpio: an unprivileged user gets the same bytes" as_nobody
	chmod 700 "$T"
else
	skip "mkcpio: an unprivileged user gets the same bytes" "not root, or no setpriv"
fi
touch src/hello.txt src/odd.bin
chmod 600 src/odd.bin
mk -e 1700000000 -o touched.cpio good
check "mkcpio: host mtimes and modes do not matter" cmp one.cpio touched.cpio
check "mkcpio: no .tmp file is left after success" test ! -e one.cpio.tmp
check "mkcpio: the archive is 4-byte aligned" test $(( $(wc -c < one.cpio) % 4 )) = 0

# ---- GNU cpio reads it ---------------------------------------------------------
grep -v '^#' good | awk 'NF { sub("^/", "", $2); print $2 }' > want.paths
cpio -it --quiet < one.cpio > got.paths 2> cpio.err
check "mkcpio: cpio -it lists exactly the manifest's paths, in order" cmp want.paths got.paths
check "mkcpio: cpio -it has no complaint" test ! -s cpio.err
cpio -itvn --quiet < one.cpio > got.long 2>/dev/null
check "mkcpio: cpio sees the device numbers" grep -q '^crw------- .* 5, *1 .* dev/console$' got.long
check "mkcpio: cpio sees the owners" grep -q '^-rw------- .* 1000 *1000 .* bin/empty$' got.long

# An unprivileged extraction: no device nodes (mknod needs privilege), and
# ownership left to whoever extracts.
grep -v '^nod' good > nonod
mk -e 1700000000 -o nonod.cpio nonod
mkdir x
(cd x && cpio -idv --no-preserve-owner --quiet < ../nonod.cpio) 2> extract.err
check "mkcpio: cpio -idv extracts it" test -d x/bin -a -d x/tmp
check "mkcpio: file contents survive" sh -c \
	'cmp x/bin/hello src/hello.txt && cmp x/bin/empty src/empty && cmp x/bin/odd src/odd.bin && cmp x/etc/spaced "src/a b.txt" && cmp x/bin/suid src/hello.txt'
check "mkcpio: symlink targets survive" sh -c \
	'[ "$(readlink x/init)" = /bin/hello ] && [ "$(readlink x/bin/rel)" = hello ]'
check "mkcpio: modes come from the manifest" sh -c \
	'[ "$(stat -c %a x/bin/hello x/bin/empty x/etc/spaced x/bin/odd | tr "\n" " ")" = "755 600 640 644 " ]'
check "mkcpio: a pipe and a socket are extracted as such" sh -c \
	'[ -p x/dev/initctl ] && [ -S x/dev/log ]'

# ---- mkcpio -l --------------------------------------------------------------------
cat > want.list <<'EOF'
040755 0 0 0 1700000000 bin
100755 0 0 17 1700000000 bin/hello
100600 1000 1000 0 1700000000 bin/empty
100644 0 0 3893 1700000000 bin/odd
040755 0 0 0 1700000000 etc
100640 0 0 11 1700000000 etc/spaced
120777 0 0 10 1700000000 init -> /bin/hello
120777 0 0 5 1700000000 bin/rel -> hello
040755 0 0 0 1700000000 dev
020600 0 5 0 1700000000 dev/console
060660 0 6 0 1700000000 dev/sda
010600 0 0 0 1700000000 dev/initctl
140666 0 0 0 1700000000 dev/log
041777 0 0 0 1700000000 tmp
104755 0 0 17 1700000000 bin/suid
EOF
"$MKCPIO" -l one.cpio > got.list
check "mkcpio: -l lists mode uid gid size mtime path -> target" cmp want.list got.list
(cd x && find . -mindepth 1 | sort | cpio -o -H newc --quiet > ../gnu.cpio)
check "mkcpio: -l reads GNU cpio's newc archives" sh -c \
	'"$0" -l gnu.cpio | grep -q " bin/odd$"' "$MKCPIO"
(cd x && find . -mindepth 1 | sort | cpio -o -H crc --quiet > ../gnucrc.cpio)
check "mkcpio: -l reads GNU cpio's crc archives" sh -c \
	'"$0" -l gnucrc.cpio | grep -q "^100644 .* 3893 .* bin/odd$"' "$MKCPIO"
printf 'x' > "$(printf 'x/tab\tname')"
(cd x && printf 'tab\tname\0' | cpio -o0 -H newc --quiet > ../tab.cpio)
escaped() { "$MKCPIO" -l - < tab.cpio | grep -qx '100644 [0-9]* [0-9]* 1 [0-9]* tab\\011name'; }
check "mkcpio: -l reads stdin and escapes control characters" escaped

# list_refused NAME FILE MESSAGE: -l FILE exits 1, says MESSAGE, prints nothing.
list_refused() {
	"$MKCPIO" -l "$2" > list.out 2> list.err
	rc=$?
	if [ "$rc" = 1 ] && [ ! -s list.out ] && grep -qF "$3" list.err; then
		ok "mkcpio: -l refuses $1"
	else
		not_ok "mkcpio: -l refuses $1"
		diag "exit $rc, stderr: $(cat list.err)"
	fi
}
size=$(wc -c < one.cpio)
head -c $((size - 200)) one.cpio > cut.cpio
list_refused "a truncated archive" cut.cpio "truncated"
head -c $((size - 124)) one.cpio > notrailer.cpio
list_refused "an archive without a trailer" notrailer.cpio "ends without a TRAILER!!! entry"
{ printf 'X'; tail -c +2 one.cpio; } > magic.cpio
list_refused "a bad magic" magic.cpio "magic.cpio: offset 0: bad magic"
: > empty.cpio
list_refused "an empty file" empty.cpio "truncated"
{ cat one.cpio; printf 'junk'; } > junk.cpio
list_refused "junk after the trailer" junk.cpio "data after TRAILER!!! is not a newc archive"
gzip -n < one.cpio > one.cpio.gz
{ cat one.cpio one.cpio.gz; } > mixed.cpio
list_refused "a compressed archive after the trailer" mixed.cpio "not a newc archive (compressed?)"
cat one.cpio one.cpio > twice.cpio
twice_listed() { "$MKCPIO" -l twice.cpio > twice.list && cat want.list want.list | cmp - twice.list; }
check "mkcpio: -l reads concatenated archives, as the kernel does" twice_listed
list_refused "a missing file" nonexistent.cpio "nonexistent.cpio: No such file or directory"

# ---- errors in the manifest ----------------------------------------------------
cp one.cpio kept.ref
# expect_error NAME LINE MESSAGE: the manifest in ./bad must make mkcpio
# exit 1 saying exactly "bad:LINE: MESSAGE", and leave -o's file untouched.
expect_error() {
	cp kept.ref kept.cpio
	mk -e 1 -o kept.cpio bad > /dev/null 2> err
	rc=$?
	want="bad:$2: $3"
	if [ "$rc" = 1 ] && [ "$(cat err)" = "$want" ] && cmp -s kept.cpio kept.ref &&
	   [ ! -e kept.cpio.tmp ]; then
		ok "mkcpio: error: $1"
	else
		not_ok "mkcpio: error: $1"
		diag "exit $rc (want 1), stderr: $(cat err)"
		diag "wanted: $want"
	fi
	rm -f new.cpio
	mk -e 1 -o new.cpio bad > /dev/null 2>&1
	check "mkcpio: no output left after: $1" test ! -e new.cpio -a ! -e new.cpio.tmp
	# stdout gets nothing either: sources are checked before writing.
	mk -e 1 bad > out.stdout 2>/dev/null
	check "mkcpio: nothing on stdout after: $1" test ! -s out.stdout
}
# bad LINES...: the manifest ./bad, one argument a line.
bad() { printf '%s\n' "$@" > bad; }

bad 'dir /a 0755 0 0' 'dir b 0755 0 0'
expect_error "relative path" 2 "PATH 'b' is not absolute"
bad 'dir /a 0755 0 0' 'dir /a/../b 0755 0 0'
expect_error "'..' component" 2 "PATH '/a/../b' has a '..' component"
bad 'dir /a//b 0755 0 0'
expect_error "empty component" 1 "PATH '/a//b' has an empty component"
long=$(head -c 4095 /dev/zero | tr '\0' x)
bad "pipe /$long 0644 0 0"
expect_error "path of 4096 bytes" 1 "PATH '/$(echo "$long" | cut -c 1-199)...' is too long (4096 bytes, at most 4095)"
bad 'dir /a 0758 0 0'
expect_error "bad mode" 1 "bad MODE '0758': expected octal digits"
bad 'dir /a 017777 0 0'
expect_error "mode above 07777" 1 "bad MODE '017777': more than 07777"
bad 'dir /a 0755 0 root'
expect_error "bad gid" 1 "bad GID 'root': expected a decimal number"
bad 'dir /a 0755 4294967296 0'
expect_error "uid too big" 1 "bad UID '4294967296': more than 4294967295"
bad 'nod /c 0600 0 0 d 1 1'
expect_error "bad device type" 1 "bad device type 'd': expected c or b"
bad '' '# x' 'link /a /b 0777 0 0'
expect_error "unknown kind" 3 "unknown kind 'link' (expected dir, file, slink, nod, pipe or sock)"
bad 'file /a src/empty 0644 0'
expect_error "too few fields" 1 "too few fields for file: expected 'file PATH SOURCE MODE UID GID'"
bad 'slink /a b 0777 0 0 0'
expect_error "too many fields" 1 "too many fields for slink: expected 'slink PATH TARGET MODE UID GID'"
bad 'file /a ${NOPE}/x 0644 0 0'
expect_error "undefined variable" 1 'undefined variable ${NOPE}'
bad 'dir /a 0755 0 0' 'file /a/b/c src/empty 0644 0 0'
expect_error "undeclared parent" 2 "parent directory /a/b of /a/b/c is not declared before this line"
bad 'file /a src/empty 0644 0 0' 'file /a/b src/empty 0644 0 0'
expect_error "parent not a dir" 2 "parent /a of /a/b is a file (line 1), not a dir"
bad 'dir /a 0755 0 0' 'pipe /b 0644 0 0' 'dir /a 0755 0 0'
expect_error "duplicate path" 3 "duplicate path /a (first on line 1)"
bad 'dir /a 0755 0 0' 'file /a/b src/missing 0644 0 0'
expect_error "missing SOURCE" 2 "SOURCE src/missing: No such file or directory"
bad 'file /a src 0644 0 0'
expect_error "SOURCE is a directory" 1 "SOURCE src is not a regular file"
bad 'file /a /dev/null 0644 0 0'
expect_error "SOURCE is a device" 1 "SOURCE /dev/null is not a regular file"
mkfifo src/fifo
bad 'file /a src/fifo 0644 0 0'
expect_error "SOURCE is a FIFO (and nothing blocks)" 1 "SOURCE src/fifo is not a regular file"
if truncate -s 4294967296 src/huge 2>/dev/null; then
	bad 'dir /a 0755 0 0' 'file /a/huge src/huge 0644 0 0'
	expect_error "SOURCE over 4 GiB" 2 "SOURCE src/huge is too big for cpio (4294967296 bytes, at most 4294967295)"
	rm -f src/huge
else
	skip "mkcpio: error: SOURCE over 4 GiB" "cannot make a sparse file here"
fi

# ---- usage errors: exit 2 -------------------------------------------------------------
# usage_error NAME ARGS...: mkcpio ARGS exits 2 and writes nothing.
usage_error() {
	name=$1; shift
	"$MKCPIO" "$@" > out.stdout 2> err
	rc=$?
	if [ "$rc" = 2 ] && [ -s err ] && [ ! -s out.stdout ]; then
		ok "mkcpio: usage: $name"
	else
		not_ok "mkcpio: usage: $name"
		diag "exit $rc (want 2), stderr: $(cat err)"
	fi
}
usage_error "no manifest"
usage_error "two manifests" good good
usage_error "unknown option" -x good
usage_error "-D without =" -D SRC good
usage_error "-D with a bad name" -D 1X=y good
usage_error "-e not a number" -e 12x good
usage_error "-e too big" -e 4294967296 good
usage_error "-l with -o" -l -o x one.cpio
SOURCE_DATE_EPOCH=yesterday "$MKCPIO" -D SRC=src good > out.stdout 2> err
rc=$?
bad_env_refused() {
	[ "$rc" = 2 ] && grep -q "SOURCE_DATE_EPOCH yesterday" err && [ ! -s out.stdout ]
}
check "mkcpio: usage: a bad SOURCE_DATE_EPOCH is refused" bad_env_refused
check "mkcpio: -h prints the usage" sh -c '"$0" -h | grep -q "^usage: mkcpio"' "$MKCPIO"

# ---- output errors -------------------------------------------------------------------
mk -e 1 -o nodir/out.cpio good 2> err
rc=$?
check "mkcpio: an output in a missing directory is an error" sh -c \
	"[ $rc = 1 ] && grep -qF 'nodir/out.cpio.tmp: No such file or directory' err"
if [ -w /dev/full ]; then
	mk -e 1 good > /dev/full 2> err
	rc=$?
	check "mkcpio: a full disk is an error" sh -c \
		"[ $rc = 1 ] && grep -qF 'stdout: No space left on device' err"
else
	skip "mkcpio: a full disk is an error" "no /dev/full"
fi

tap_done
