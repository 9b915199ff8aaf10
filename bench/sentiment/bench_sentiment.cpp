// bench_sentiment: throughput of the sentiment scorer on generated ~200-byte mentions.
//
//   BM_Normalize        normalization alone (the reference: every scorer call includes it)
//   BM_Score/zh|en|mix  normalize + Hyperscan scan of the lexicon + longest match + rules
//                       + aspects + crisis terms (Scorer::score), project lexicons
//   BM_ScoreBrand       the same with a brand override table
//   BM_ScoreVsNormalize BM_Score/mix and BM_Normalize/mix alternately in one run (ratio =
//                       normalize time / score time; bench/common/paired.h)
//
// Mentions are built from a fixed seed out of hand-written review phrases, filler and
// punctuation until they reach 180-220 bytes; a few are in traditional characters or
// full-width. items_per_second = mentions/s on one core.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "bench/common/paired.h"
#include "engine/normalize/normalize.h"
#include "engine/sentiment/sentiment.h"

namespace yuqing::sentiment {
namespace {

const char* kZh[] = {"这家店的菜很好吃", "服务态度太差了", "快递很快", "包装也很用心", "等了两个小时还没送到",
                     "性价比很高", "不是很喜欢这个颜色", "但是", "虽然价格有点贵", "味道一般", "房间干净整洁",
                     "隔音效果差", "客服不理人", "[哈哈]", "[怒]", "😍", "今天", "我们", "朋友推荐的", "下次还会再来",
                     "質量太差了", "ＧＯＯＤ", "手机充电时爆炸了", "已经投诉", "真的", "一点都不好吃", "绝了", "翻车了",
                     "！", "，", "。", "？"};
const char* kEn[] = {"I love this phone", "the camera is amazing", "worst customer service ever", "not good at all",
                     "but", "the delivery was fast", "the room was dirty", "really happy with my purchase", "sooo good",
                     "TERRIBLE", "never buying again", ":)", "😡", "the staff were friendly", "although the screen is great",
                     "the battery is awful", "today", "my friend said", "lawsuit", "privacy leak", "!", ", ", ". ", "?"};

std::vector<std::string> make_mentions(int which, std::size_t count) {
  std::mt19937 rng(42);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    const int lang = which == 2 ? static_cast<int>(rng() % 2) : which;
    std::string m;
    while (m.size() < 180) {
      if (lang == 0) m += kZh[rng() % std::size(kZh)];
      else {
        m += kEn[rng() % std::size(kEn)];
        m += ' ';
      }
    }
    if (m.size() > 220) m.resize(220);
    // Cut back to a UTF-8 boundary.
    while (!m.empty() && (static_cast<unsigned char>(m.back()) & 0xc0) == 0x80) m.pop_back();
    if (!m.empty() && static_cast<unsigned char>(m.back()) >= 0xc0) m.pop_back();
    out.push_back(std::move(m));
  }
  return out;
}

const Lexicon& lexicon() {
  static const LexiconPtr lex = [] {
    const char* env = std::getenv("YUQING_SOURCE_DIR");
    auto r = load_lexicon(std::filesystem::path(env != nullptr ? env : YUQING_SOURCE_DIR_DEFAULT) / "rules");
    if (!r) std::abort();
    return r.value();
  }();
  return *lex;
}

void set_counters(benchmark::State& state, const std::vector<std::string>& ms) {
  std::size_t bytes = 0;
  for (const auto& m : ms) bytes += m.size();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes / ms.size()));
}

void BM_Normalize(benchmark::State& state) {
  const auto ms = make_mentions(static_cast<int>(state.range(0)), 4096);
  normalize::Normalizer norm;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(norm.normalize(ms[i++ & 4095]).size());
  }
  set_counters(state, ms);
}

void BM_Score(benchmark::State& state) {
  const auto ms = make_mentions(static_cast<int>(state.range(0)), 4096);
  const Lexicon& lex = lexicon();
  Scorer scorer;
  Mention m;
  std::size_t i = 0;
  for (auto _ : state) {
    m.text = ms[i++ & 4095];
    benchmark::DoNotOptimize(scorer.score(m, lex).score);
  }
  set_counters(state, ms);
}

void BM_ScoreBrand(benchmark::State& state) {
  const auto ms = make_mentions(2, 4096);
  const Lexicon& lex = lexicon();
  const BrandOverrides brand = BrandOverrides::build(lex, {{"cheap", 1.5}, {"便宜", 1.5}, {"爆炸", -3}});
  Scorer scorer;
  Mention m;
  std::size_t i = 0;
  for (auto _ : state) {
    m.text = ms[i++ & 4095];
    benchmark::DoNotOptimize(scorer.score(m, lex, &brand).score);
  }
  set_counters(state, ms);
}

// The scorer and normalization alone alternately on the same mixed mentions
// (bench/common/paired.h): ratio = normalize time / score time, the share of a score that is
// the normalization every score includes. The gate's sentiment figure.
void BM_ScoreVsNormalize(benchmark::State& state) {
  const auto ms = make_mentions(2, 4096);
  const Lexicon& lex = lexicon();
  Scorer scorer;
  normalize::Normalizer norm;
  Mention m;
  bench::run_paired(
      state, ms.size(), 16,
      [&](std::size_t i) {
        m.text = ms[i];
        benchmark::DoNotOptimize(scorer.score(m, lex).score);
      },
      [&](std::size_t i) { benchmark::DoNotOptimize(norm.normalize(ms[i]).size()); });
}
BENCHMARK(BM_ScoreVsNormalize)->UseManualTime();

// range(0): 0 = zh, 1 = en, 2 = mixed (half and half)
BENCHMARK(BM_Normalize)->Arg(0)->Arg(1)->Arg(2);
BENCHMARK(BM_Score)->Arg(0)->Arg(1)->Arg(2);
BENCHMARK(BM_ScoreBrand);

}  // namespace
}  // namespace yuqing::sentiment

BENCHMARK_MAIN();
