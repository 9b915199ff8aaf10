// bench_parse: the parse stage (engine/parse, simdjson On-Demand + validation) on generated
// mention lines, each paired with a reference over the same bytes (bench/common/paired.h):
//
//   BM_ParseVsSimdjson         MentionParser::parse per line  vs  simdjson DOM parse of the
//                              same line alone (pre-padded; validates and builds the tape,
//                              reads no field). ratio = how close parsing a mention gets to
//                              simdjson's own speed. The gate's parse figure.
//   BM_ParseVsMemchr           the same subject vs memchr('\n') over the line's bytes (the
//                              cost of just touching the bytes; informative, memory-bound)
//   BM_ParseBadVsSimdjson      5% bad lines (every reject kind the generator makes, incl.
//                              70 KB lines) vs simdjson on the same lines
//
// Lines: `yuqing gen` output for the shipped brands, seed 9, 20,000 lines (~425 bytes).
// items_per_second = lines/s on one core (subject only); bytes_per_second likewise. The label
// is the simdjson kernel the parser chose.

#include <simdjson.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bench/common/load.h"
#include "bench/common/paired.h"
#include "engine/parse/parse.h"

namespace yuqing::bench {
namespace {

struct Lines {
  std::vector<std::string> raw;
  std::vector<simdjson::padded_string> padded;
  std::size_t bytes = 0;
  double accepted = 0;  // share of lines the parser accepts
};

const Lines& lines(double bad_share) {
  static std::map<double, Lines> cache;
  Lines& l = cache[bad_share];
  if (l.raw.empty()) {
    LoadOptions o;
    o.bad_share = bad_share;
    l.raw = generate_lines(o);
    parse::MentionParser parser;
    for (const auto& s : l.raw) {
      l.padded.emplace_back(s);
      l.bytes += s.size();
      l.accepted += parser.parse(s).ok() ? 1 : 0;
    }
    l.accepted /= static_cast<double>(l.raw.size());
  }
  return l;
}

constexpr std::size_t kSlice = 64;  // lines per slice (~30 µs of parsing)

// The label names the simdjson kernel the parser runs (engine/parse/README.md, "Kernels";
// YUQING_PARSE_KERNEL=fallback|haswell|icelake to compare).
void set_counters(benchmark::State& state, const Lines& l, const parse::MentionParser& parser) {
  state.SetLabel("kernel " + std::string(parser.kernel()));
  state.SetBytesProcessed(static_cast<std::int64_t>(static_cast<double>(state.iterations() * kSlice) *
                                                    static_cast<double>(l.bytes) / static_cast<double>(l.raw.size())));
  state.counters["accepted"] = l.accepted;
}

void BM_ParseVsSimdjson(benchmark::State& state) {
  const Lines& l = lines(0);
  parse::MentionParser parser;
  simdjson::dom::parser dom;
  run_paired(
      state, l.raw.size(), kSlice, [&](std::size_t i) { benchmark::DoNotOptimize(parser.parse(l.raw[i]).ok()); },
      [&](std::size_t i) {
        auto doc = dom.parse(l.padded[i]);
        benchmark::DoNotOptimize(doc.error());
      });
  set_counters(state, l, parser);
}
BENCHMARK(BM_ParseVsSimdjson)->UseManualTime();

void BM_ParseVsMemchr(benchmark::State& state) {
  const Lines& l = lines(0);
  parse::MentionParser parser;
  run_paired(
      state, l.raw.size(), kSlice, [&](std::size_t i) { benchmark::DoNotOptimize(parser.parse(l.raw[i]).ok()); },
      [&](std::size_t i) {
        const void* p = std::memchr(l.raw[i].data(), '\n', l.raw[i].size());
        benchmark::DoNotOptimize(p);
      });
  set_counters(state, l, parser);
}
BENCHMARK(BM_ParseVsMemchr)->UseManualTime();

void BM_ParseBadVsSimdjson(benchmark::State& state) {
  const Lines& l = lines(0.05);
  parse::MentionParser parser;
  simdjson::dom::parser dom;
  run_paired(
      state, l.raw.size(), kSlice, [&](std::size_t i) { benchmark::DoNotOptimize(parser.parse(l.raw[i]).ok()); },
      [&](std::size_t i) {
        auto doc = dom.parse(l.padded[i]);
        benchmark::DoNotOptimize(doc.error());
      });
  set_counters(state, l, parser);
}
BENCHMARK(BM_ParseBadVsSimdjson)->UseManualTime();

}  // namespace
}  // namespace yuqing::bench

BENCHMARK_MAIN();
