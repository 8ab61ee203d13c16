#!/bin/sh
# The initramfs: reproducible (two builds byte-identical), within its size
# budget (<= 1 MiB compressed, without a model and without BusyBox), and
# holding exactly the protocol-first layout.
. tests/lib/tap.sh
MKCPIO=build/host/mkcpio
work=$(mktemp -d /tmp/mcpos-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
for arch in x86_64 aarch64; do
	img=build/image/$arch/initramfs
	if [ ! -f "$img" ]; then not_ok "image $arch: $img missing (make image ARCH=$arch)"; continue; fi
	# The programs themselves build reproducibly: a second build in another
	# directory gives the same bytes.
	if make --no-print-directory -s BUILD="$work/b2" ARCH=$arch programs >/dev/null 2>&1; then
		diff=""
		for p in "$work/b2/$arch"/*; do cmp -s "$p" "build/$arch/$(basename "$p")" || diff="$diff $(basename "$p")"; done
		check "image $arch: programs rebuild byte-identical${diff:+ (differ:$diff)}" test -z "$diff"
	else
		not_ok "image $arch: programs rebuild"
	fi
	# Two independent builds of the archive from the same inputs.
	$MKCPIO -o "$work/a.cpio" -D BUILD=build -D ARCH=$arch -e "${SOURCE_DATE_EPOCH:-1700000000}" image/rootfs.manifest &&
	$MKCPIO -o "$work/b.cpio" -D BUILD=build -D ARCH=$arch -e "${SOURCE_DATE_EPOCH:-1700000000}" image/rootfs.manifest
	check "image $arch: two builds give byte-identical archives" cmp -s "$work/a.cpio" "$work/b.cpio"
	check "image $arch: the image's archive is that same archive" cmp -s "$work/a.cpio" "build/image/$arch/initramfs.cpio"
	gzip -9 -n -c "$work/a.cpio" > "$work/a.gz"; gzip -9 -n -c "$work/b.cpio" > "$work/b.gz"
	check "image $arch: compressed twice, still byte-identical" cmp -s "$work/a.gz" "$work/b.gz"
	size=$(stat -c %s "$img")
	diag "initramfs $arch: $size bytes compressed, $(stat -c %s "build/image/$arch/initramfs.cpio") uncompressed"
	check "image $arch: initramfs <= 1 MiB compressed ($size bytes)" test "$size" -le 1048576
	$MKCPIO -l "build/image/$arch/initramfs.cpio" > "$work/list" || not_ok "image $arch: archive lists"
	missing=""
	for d in bin sbin lib lib/modules etc dev proc sys tmp var run mnt/models sbin/init sbin/mcpd init dev/console; do
		grep -q " $d\( ->.*\)\?$" "$work/list" || missing="$missing $d"
	done
	check "image $arch: protocol-first layout present${missing:+ (missing:$missing)}" test -z "$missing"
	check "image $arch: no shell or BusyBox in the image" sh -c "! grep -qE ' (bin/sh|bin/busybox)$' '$work/list'"
	# The binaries are static and of the right architecture.
	want=$([ $arch = x86_64 ] && echo x86-64 || echo aarch64)
	check "image $arch: init and mcpd are static $want executables" sh -c \
		"file build/$arch/init build/$arch/mcpd 2>/dev/null | grep -c 'statically linked' | grep -qx 2 && file build/$arch/init | grep -q '$want'"
done
tap_done
