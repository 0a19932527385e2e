#!/usr/bin/env bash
# Installs dependencies, builds ampd (release) and runs its main job: the
# conformance suite over every recorded vector, then a short demo of the
# state machine.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target amp

./build/release/bin/amp conformance tests/conformance/vectors/*.jsonl.gz
./build/release/bin/amp demo
