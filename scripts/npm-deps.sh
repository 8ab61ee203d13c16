#!/bin/sh
# Install the test-only npm peers (tests/package-lock.json) when they are
# missing or the lock file changed since the last install.
set -eu
cd "$(dirname "$0")/../tests"
stamp=node_modules/.mcpos-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then exit 0; fi
echo "npm: installing test peers" >&2
# `npm ci` refuses this lock: node-llama-cpp lists optional per-platform
# packages that were never published for 3.22.1 (linux-riscv64,
# mac-arm64-metal), so no lock can name them.  `npm install` follows the
# lock for everything else and skips those.
npm install --no-audit --no-fund --loglevel=error >/dev/null
cp package-lock.json "$stamp"
