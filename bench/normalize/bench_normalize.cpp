// bench_normalize: the normalizer (engine/normalize: case, width and 繁→简 folding, white space,
// offset map) on the texts of generated mentions, each paired with a reference over the same
// bytes (bench/common/paired.h):
//
//   BM_NormalizeVsMemcpy   Normalizer::normalize per text  vs  memcpy of the text into a
//                          reused buffer (the floor: moving the bytes once)
//   BM_NormalizeVsDecode   the same subject vs a plain scalar UTF-8 decode of the text that
//                          sums the code points (written here, not the project's decoder):
//                          compute-bound like the normalizer, so the ratio moves less with
//                          memory traffic from neighbours. The gate's normalize figure.
//
// Texts: the `text` field of `yuqing gen` output for the shipped brands (seed 9, 20,000
// mentions: zh and en, 15% of zh in traditional characters, some full-width; median ~85
// bytes). items_per_second = texts/s on one core (subject only).

#include <cstring>
#include <string>
#include <vector>

#include "bench/common/load.h"
#include "bench/common/paired.h"
#include "engine/normalize/normalize.h"
#include "engine/parse/parse.h"

namespace yuqing::bench {
namespace {

struct Texts {
  std::vector<std::string> texts;
  std::size_t bytes = 0;
};

const Texts& texts() {
  static const Texts t = [] {
    Texts out;
    parse::MentionParser parser;
    for (const auto& line : generate_lines(LoadOptions{})) {
      auto m = parser.parse(line);
      if (!m) die("a generated line does not parse: " + m.error().detail);
      out.texts.emplace_back(m->text);
      out.bytes += m->text.size();
    }
    return out;
  }();
  return t;
}

// A plain UTF-8 decoder (no validation beyond the lead byte): the reference's work per byte.
std::uint32_t decode_sum(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < n;) {
    const unsigned c = p[i];
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xf0 && i + 3 < n) {
      cp = ((c & 0x07u) << 18) | ((p[i + 1] & 0x3fu) << 12) | ((p[i + 2] & 0x3fu) << 6) | (p[i + 3] & 0x3fu);
      len = 4;
    } else if (c >= 0xe0 && i + 2 < n) {
      cp = ((c & 0x0fu) << 12) | ((p[i + 1] & 0x3fu) << 6) | (p[i + 2] & 0x3fu);
      len = 3;
    } else if (c >= 0xc0 && i + 1 < n) {
      cp = ((c & 0x1fu) << 6) | (p[i + 1] & 0x3fu);
      len = 2;
    }
    sum += cp;
    i += len;
  }
  return sum;
}

constexpr std::size_t kSlice = 256;  // texts per slice (~50 µs of normalizing)

void set_bytes(benchmark::State& state, const Texts& t) {
  state.SetBytesProcessed(static_cast<std::int64_t>(static_cast<double>(state.iterations() * kSlice) *
                                                    static_cast<double>(t.bytes) / static_cast<double>(t.texts.size())));
}

void BM_NormalizeVsMemcpy(benchmark::State& state) {
  const Texts& t = texts();
  normalize::Normalizer norm;
  std::vector<char> buf(1 << 20);
  run_paired(
      state, t.texts.size(), kSlice, [&](std::size_t i) { benchmark::DoNotOptimize(norm.normalize(t.texts[i]).size()); },
      [&](std::size_t i) {
        std::memcpy(buf.data(), t.texts[i].data(), t.texts[i].size());
        benchmark::DoNotOptimize(buf.data());
        benchmark::ClobberMemory();
      });
  set_bytes(state, t);
}
BENCHMARK(BM_NormalizeVsMemcpy)->UseManualTime();

void BM_NormalizeVsDecode(benchmark::State& state) {
  const Texts& t = texts();
  normalize::Normalizer norm;
  run_paired(
      state, t.texts.size(), kSlice, [&](std::size_t i) { benchmark::DoNotOptimize(norm.normalize(t.texts[i]).size()); },
      [&](std::size_t i) { benchmark::DoNotOptimize(decode_sum(t.texts[i])); });
  set_bytes(state, t);
}
BENCHMARK(BM_NormalizeVsDecode)->UseManualTime();

}  // namespace
}  // namespace yuqing::bench

BENCHMARK_MAIN();
