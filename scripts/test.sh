#!/usr/bin/env bash
# Installs dependencies, builds the release configuration and runs every
# test: unit and property tests, and the conformance vectors.
# With --asan, also builds and runs the ASan+UBSan configuration.
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
  ctest --preset asan -j "$jobs"
fi
