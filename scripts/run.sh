#!/usr/bin/env bash
# Installs dependencies, builds ampd (release) and starts the development
# node on http://127.0.0.1:8545 with its embedded data directory and the dev
# genesis (20 funded, unlocked accounts of the standard test mnemonic).
# Extra arguments go to ampd, e.g. ./scripts/run.sh --http 0.0.0.0:8545
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target ampd amp

exec ./build/release/bin/ampd --dev "$@"
