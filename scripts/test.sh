#!/usr/bin/env bash
# Installs dependencies, builds the release configuration and runs every
# test: unit and property tests per layer, the conformance vectors, the node
# and RPC integration tests, the tests against the ampd binary (bad input,
# crash safety under kill -9) and the ethers.js end-to-end tests.
# With --asan, also builds the ASan+UBSan configuration and runs its tests
# (all but the crash and ethers runs, which exercise the same binary paths
# and take the longest).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
jobs=$(nproc)

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

if [ "${1:-}" = "--asan" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs" -LE "e2e|crash"
fi
