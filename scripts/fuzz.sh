#!/usr/bin/env bash
# Fuzzing, opt-in (not part of CI: the clang build alone takes ~6 min on 2 cores; CI replays the
# seed corpora and saved crashes in the normal build instead, as fuzz_replay_* tests).
#
#   scripts/fuzz.sh [SECONDS] [TARGET ...]     default: 60 s each, every target
#
# Targets: mention_parse query rules_yaml alert_policy lexicon http (tests/fuzz/fuzz_*.cpp).
# Builds them with clang 16 + libFuzzer + ASan/UBSan in build-fuzz (installs clang-16 and
# libclang-rt-16-dev when missing: clang 14 cannot compile the engine, see docs/reliability.md),
# runs each in turn from its seeds (tests/fuzz/corpus/T and tests/fuzz/regressions/T), keeps what
# it learns in build-fuzz/fuzz-corpus/T, writes crashing inputs to build-fuzz/fuzz-artifacts/T/,
# and prints one line per target. Exit 1 when any target crashed.
# To keep a crash as a regression test: fix it, then copy the input to tests/fuzz/regressions/T/.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS="${1:-60}"
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(mention_parse query rules_yaml alert_policy lexicon http)

if ! command -v clang++-16 >/dev/null || [ ! -d /usr/lib/llvm-16/lib/clang/16/lib/linux ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "fuzz: installing clang-16 libclang-rt-16-dev" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang-16 libclang-rt-16-dev >&2
fi

B=build-fuzz
if [ ! -f "$B/CMakeCache.txt" ]; then
  CC=clang-16 CXX=clang++-16 cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DYUQING_FUZZ=ON -DYUQING_BUILD_BENCH=OFF >&2
fi
cmake --build "$B" -j "$(nproc)" --target "${TARGETS[@]/#/fuzz_}" >&2

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
for s in /usr/lib/llvm-16/bin/llvm-symbolizer /usr/lib/llvm-14/bin/llvm-symbolizer; do
  [ -x "$s" ] && export ASAN_SYMBOLIZER_PATH="$s" && break
done

failed=0
summary=()
for t in "${TARGETS[@]}"; do
  work="$B/fuzz-corpus/$t"
  art="$B/fuzz-artifacts/$t"
  mkdir -p "$work" "$art"
  seeds=(tests/fuzz/corpus/"$t")
  [ -d tests/fuzz/regressions/"$t" ] && seeds+=(tests/fuzz/regressions/"$t")
  log="$B/fuzz-$t.log"
  echo "fuzz: $t for ${SECS}s (log: $log)" >&2
  rc=0
  "$B/tests/fuzz/fuzz_$t" "$work" "${seeds[@]}" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$art/" >"$log" 2>&1 || rc=$?
  execs=$(grep -m1 '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  speed=$(grep -m1 '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' | awk '{print $2}')
  crashes=$(find "$art" -type f | wc -l)
  status=ok
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    status="CRASH (exit $rc; inputs in $art)"
    failed=1
    grep -E 'ERROR:|SUMMARY:|fuzz check failed|runtime error' "$log" | head -5 >&2 || true
  fi
  summary+=("$(printf '%-14s %6ss %12s execs %8s/s  cov %6s  corpus %5s  %s' "$t" "$SECS" "${execs:-?}" \
    "${speed:-?}" "${cov:-?}" "$(find "$work" -type f | wc -l)" "$status")")
done
printf '%s\n' "${summary[@]}"
exit "$failed"
