#!/usr/bin/env bash
# Runs the ethers.js end-to-end tests (tests/e2e) against an ampd binary.
# Builds nothing: AMPD_BIN names the binary (default build/release/bin/ampd).
# Installs the npm dependencies from the lockfile (npm ci) unless the
# installed ones already match it. Extra arguments go to `node --test`
# (e.g. --test-name-pattern=supply).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export AMPD_BIN="${AMPD_BIN:-$root/build/release/bin/ampd}"

if [ ! -x "$AMPD_BIN" ]; then
  echo "e2e: no ampd binary at $AMPD_BIN (build it, or set AMPD_BIN)" >&2
  exit 2
fi
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "e2e: $tool is not installed (apt-get install nodejs npm)" >&2
    exit 2
  fi
done

cd "$root/tests/e2e"
# npm ci starts from scratch every time; skip it when node_modules was
# installed from this very lockfile.
stamp=node_modules/.ampd-e2e-lock
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

# Each test file runs its own node on its own data directory; two at a time
# keeps a 2-core machine busy while nodes wait on fdatasync (the option
# exists from Node 20.10; older versions run one file at a time).
concurrency=()
if node -e 'const [a, b] = process.versions.node.split(".").map(Number);
            process.exit(a > 20 || (a === 20 && b >= 10) ? 0 : 1)'; then
  concurrency=(--test-concurrency=2)
fi
exec node --test "${concurrency[@]}" "$@" ./*.test.mjs
