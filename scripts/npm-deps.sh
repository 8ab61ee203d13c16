#!/bin/sh
# Install the test-only npm peers (tests/package-lock.json) when they are
# missing or the lock file changed since the last install.
set -eu
cd "$(dirname "$0")/../tests"
stamp=node_modules/.mcpos-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then exit 0; fi
echo "npm: installing test peers" >&2
npm ci --no-audit --no-fund --loglevel=error >/dev/null
cp package-lock.json "$stamp"
