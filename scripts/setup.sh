#!/usr/bin/env bash
# Installs the Debian 12 packages yuqing needs (only the missing ones) and builds it.
# Usage: scripts/setup.sh [Release|Debug]   (build dir: ./build)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config ninja-build
  librdkafka-dev libboost1.81-dev libboost-json1.81-dev librocksdb-dev libsimdjson-dev
  libhyperscan-dev prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev libopencc-dev libopencc-data libcli11-dev libspdlog-dev libfmt-dev
  libre2-dev zlib1g-dev libssl-dev curl python3-jsonschema kcat prometheus libpugixml-dev
  prometheus-alertmanager chromium fonts-wqy-microhei
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

BUILD_TYPE="${1:-Release}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >&2
cmake --build build -j "$(nproc)" >&2
