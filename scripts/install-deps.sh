#!/usr/bin/env bash
# Installs every build and test dependency of ampd on Debian 12 (bookworm).
# Safe to re-run; does nothing that is already done.
set -euo pipefail

packages=(
  ca-certificates g++ cmake ninja-build pkg-config make git
  libcrypto++-dev libsecp256k1-dev nlohmann-json3-dev libfmt-dev libspdlog-dev
  libcli11-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev
  librocksdb-dev libcpp-httplib-dev libsimdjson-dev libgoogle-perftools-dev libboost-dev
  python3 curl
)
# Node.js and npm run the ethers end-to-end tests. A machine that already has
# them (e.g. from NodeSource) keeps its own; Debian's packages otherwise.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
