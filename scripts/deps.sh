#!/bin/sh
# Install the Debian packages the build and the tests need, and nothing
# else.  Idempotent: a package that is already installed is not touched,
# and apt-get runs only when something is missing.
#
#   scripts/deps.sh            everything (build, kernel, qemu, node)
#   scripts/deps.sh build ...  only the named groups
set -eu

pkgs_build="make gcc libc6-dev musl-tools gcc-aarch64-linux-gnu musl-dev:arm64 clang libclang-rt-14-dev cpio gzip lz4 zstd file"
pkgs_kernel="linux-source-6.1 bc bison flex libelf-dev libssl-dev xz-utils kmod"
pkgs_qemu="qemu-system-x86 qemu-system-arm qemu-user-static"
pkgs_node="nodejs npm"

groups="${*:-build kernel qemu node}"
want=""
for g in $groups; do
	eval "want=\"\$want \$pkgs_$g\""
done

missing=""
for p in $want; do
	# dpkg-query prints "install ok installed" for a package that is there.
	status=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

# node from another source (e.g. nodesource) counts as installed.
case " $groups " in *" node "*)
	if command -v node >/dev/null && command -v npm >/dev/null; then
		missing=$(echo "$missing" | sed 's/ nodejs//; s/ npm//')
	fi ;;
esac

[ -z "$(echo "$missing" | tr -d ' ')" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root to install)" >&2
	exit 1
fi
case "$missing" in *:arm64*)
	dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64 ;;
esac
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
