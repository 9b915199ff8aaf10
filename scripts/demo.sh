#!/usr/bin/env bash
# One command for a new user: install what is missing, build Release, and run the engine on the
# built-in demo stream (a crisis spike for one brand), state in ./yuqing-state, HTTP on
# 127.0.0.1:8080. Extra arguments go to `yuqing run`. Ctrl-C drains, commits and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh Release
exec build/yuqing run "$@"
