#!/usr/bin/env bash
# The same set-up as scripts/demo.sh, then the whole test suite through ctest.
# Extra arguments go to ctest (e.g. -L unit, -R parse).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh Release
cd build
exec ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@"
