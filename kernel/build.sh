#!/bin/sh
# kernel/build.sh ARCH OUT_DIR
#
# Build (or fetch from the cache) the mcpos kernel for ARCH (x86_64|aarch64)
# from Debian's linux-source-6.1 and our config fragments, and copy the
# result to OUT_DIR/kernel (plus OUT_DIR/vmlinux on x86_64 for PVH boot).
#
# The cache (MCPOS_CACHE, default ~/.cache/mcpos) is keyed by a hash of the
# fragments, this script and the exact linux-source package version, so a
# fresh clone reuses a kernel built by an earlier run and any config change
# rebuilds.  The build tree stays in the cache: out-of-tree modules (mcp.ko)
# build against it.  Prints the build time, or "cached".
set -eu
arch=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
cache=${MCPOS_CACHE:-$HOME/.cache/mcpos}
jobs=${JOBS:-$(nproc)}

case $arch in
x86_64)  karch=x86;   cross="";                     image=arch/x86/boot/bzImage ;;
aarch64) karch=arm64; cross=aarch64-linux-gnu-;     image=arch/arm64/boot/Image ;;
*) echo "kernel/build.sh: unknown ARCH '$arch' (x86_64|aarch64)" >&2; exit 2 ;;
esac

srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1)
key=$(cat "$here/config/common.config" "$here/config/$arch.config" "$here/build.sh" |
	{ cat; echo "$srcver"; } | sha256sum | cut -c1-16)
tree=$cache/kernel/$arch-$key
mkdir -p "$out"

if [ -f "$tree/.mcpos-done" ]; then
	echo "kernel $arch: cached ($tree)"
else
	src=$cache/src/linux-source-6.1-$srcver
	if [ ! -f "$src/.mcpos-unpacked" ]; then
		echo "kernel: unpacking linux-source-6.1 $srcver"
		rm -rf "$src" && mkdir -p "$src"
		tar -xf /usr/src/linux-source-6.1.tar.xz -C "$src" --strip-components=1
		touch "$src/.mcpos-unpacked"
	fi
	rm -rf "$tree" && mkdir -p "$tree"
	start=$(date +%s)
	mk() { make -s -C "$src" O="$tree" ARCH=$karch CROSS_COMPILE=$cross \
		KBUILD_BUILD_TIMESTAMP="@${SOURCE_DATE_EPOCH:-1700000000}" \
		KBUILD_BUILD_USER=mcpos KBUILD_BUILD_HOST=mcpos "$@"; }
	mk tinyconfig >/dev/null
	cat "$here/config/common.config" "$here/config/$arch.config" > "$tree/mcpos.fragment"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$tree" "$tree/.config" "$tree/mcpos.fragment" >/dev/null
	mk olddefconfig >/dev/null
	# Every option we asked for must be what we got: a typo or an unmet
	# dependency would otherwise vanish silently.
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qx "$line" "$tree/.config" || { echo "kernel $arch: asked $line, got: $(grep "^${line%%=*}=" "$tree/.config" || echo unset)" >&2; bad=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#"# "}; opt=${opt%" is not set"}
			if grep -q "^$opt=" "$tree/.config"; then echo "kernel $arch: asked $opt off, got $(grep "^$opt=" "$tree/.config")" >&2; bad=1; fi ;;
		esac
	done < "$tree/mcpos.fragment"
	[ $bad = 0 ] || { echo "kernel $arch: config fragment not satisfied" >&2; exit 1; }
	echo "kernel $arch: building with $jobs jobs in $tree"
	mk -j"$jobs" all >"$tree/build.log" 2>&1 || { tail -n 40 "$tree/build.log" >&2; exit 1; }
	secs=$(( $(date +%s) - start ))
	echo "$secs" > "$tree/.build-seconds"
	touch "$tree/.mcpos-done"
	echo "kernel $arch: built in ${secs}s"
fi
cp "$tree/$image" "$out/kernel"
[ "$arch" = x86_64 ] && cp "$tree/vmlinux" "$out/vmlinux"
echo "$tree" > "$out/kernel-tree"
exit 0
