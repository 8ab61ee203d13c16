#!/bin/sh
# Fetch Debian's stock kernels (the bench baseline) into the cache:
#   $MCPOS_CACHE/stock/x86_64/kernel   linux-image-*-cloud-amd64 vmlinuz
#   $MCPOS_CACHE/stock/aarch64/kernel  linux-image-*-arm64 vmlinuz (gzip'd Image)
#   $MCPOS_CACHE/stock/aarch64/bcm2711-rpi-4-b.dtb
# Prints the directory.  Packages are downloaded, never installed.
set -eu
cache=${MCPOS_CACHE:-$HOME/.cache/mcpos}/stock
mkdir -p "$cache"
fetch() { # arch meta-package
	arch=$1 meta=$2
	[ -f "$cache/$arch/kernel" ] && return 0
	pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
	if [ -z "$pkg" ]; then apt-get update -q >/dev/null; pkg=$(apt-cache depends "$meta" | awk '/Depends: linux-image-/ {print $2; exit}'); fi
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q "$pkg" >/dev/null)
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	mkdir -p "$cache/$arch"
	cp "$tmp"/x/boot/vmlinuz-* "$cache/$arch/kernel"
	find "$tmp/x" -name bcm2711-rpi-4-b.dtb -exec cp {} "$cache/$arch/" \;
	basename "$tmp"/*.deb > "$cache/$arch/package"
	rm -rf "$tmp"
}
fetch x86_64 linux-image-cloud-amd64
dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64; apt-get update -q >/dev/null; }
fetch aarch64 linux-image-arm64:arm64
echo "$cache"
