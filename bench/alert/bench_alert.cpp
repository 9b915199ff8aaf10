// bench_alert: alert evaluation per brand-tick (engine/alert Evaluator: every window detector
// of every brand at a minute boundary, the incident tracker, influencer ticks), paired with a
// reference in the same process (bench/common/paired.h):
//
//   BM_EvaluateVsReads         Evaluator::evaluate over in-memory windows  vs  the same window
//                              reads alone (the calls the evaluator makes, written out here,
//                              no detectors, no tracker). ratio = the share of a brand-tick
//                              that is reading windows; it drops when detector or tracker
//                              work grows. The gate's alert figure.
//   BM_EvaluateStoreVsMemory   Evaluator::evaluate over the real window store (RocksDB,
//                              engine/window, read like the engine's StoreWindowReader)  vs
//                              the same evaluation over in-memory windows. ratio = what the
//                              detector logic alone costs next to a real brand-tick.
//   BM_EvaluateRecentVsMemory  Evaluator::evaluate over the window store's recent buckets in
//                              memory (WindowStore::recent_total/recent_baseline, what the
//                              engine's StoreWindowReader reads since issue 5)  vs  the same
//                              evaluation over in-memory windows.
//
// Load: `yuqing gen` for the shipped 12 brands (seed 9, 60,000 mentions at 200 per minute of
// event time = 5 hours, the demo-crisis scenario: a safety crisis for lantu-auto at minute 1),
// matched with the shipped rules and scored with the shipped lexicons, then aggregated per
// brand and minute (memory) and written to a window store in a temporary directory (batches
// of 4,096). One item = one tick (all brands at one minute, in event-time order; each side's
// evaluator walks the ticks in order and restarts when they wrap); items_per_second counts
// brand-ticks.

#include <rocksdb/write_batch.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench/common/load.h"
#include "bench/common/paired.h"
#include "engine/alert/evaluator.h"
#include "engine/alert/policy.h"
#include "engine/match/matcher.h"
#include "engine/match/rule_set.h"
#include "engine/parse/parse.h"
#include "engine/sentiment/sentiment.h"
#include "engine/window/standalone.h"
#include "engine/window/window.h"

namespace yuqing::bench {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kLead = 10;  // table minutes before the first line (late arrivals)

// Per brand, prefix sums per minute: sum[m] = total over minutes [0, m).
struct BrandSeries {
  std::vector<double> mentions{0}, negative{0}, sentiment{0}, reposts{0};
  std::array<std::vector<double>, alert::kCrisisCategories.size()> crisis;
};

struct Load {
  std::vector<alert::BrandRef> brands;
  std::map<std::string, std::size_t, std::less<>> index;
  std::int64_t t0 = 0;      // event time of minute 0 of the tables
  std::int64_t minutes = 0;
  std::vector<BrandSeries> series;
  std::shared_ptr<const alert::Policy> policy;
  // The window store (RocksDB in a temporary directory, removed at exit).
  std::filesystem::path dir;
  std::unique_ptr<window::StandaloneDb> db;
  std::unique_ptr<window::WindowStore> store;
  ~Load() {
    store.reset();
    db.reset();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

// Built on first use; released by main() before exit (RocksDB must close before static
// destruction, which would otherwise crash the process on the way out).
std::unique_ptr<Load> g_load;

const Load& load() {
  if (g_load) return *g_load;
  g_load = std::make_unique<Load>();
  Load& l = *g_load;
  const auto rules_dir = source_dir() / "rules";
  auto policy = alert::load_policy(rules_dir / "alerts.yaml");
  if (!policy) die(policy.error().front());
  l.policy = *policy;
  auto rules = match::load_rule_set(rules_dir);
  if (!rules) die(rules.error().to_string());
  auto lexicon = sentiment::load_lexicon(rules_dir);
  if (!lexicon) die(lexicon.error().front());

  std::vector<window::BrandInfo> store_brands;
  for (const auto& b : shipped_brands()) {
    if (!b.enabled) continue;
    l.index.emplace(b.id, l.brands.size());
    l.brands.push_back({b.id, b.lang, b.competitors});
    store_brands.push_back({b.id, b.name, b.competitors});
  }
  std::vector<int> rule_brand((*rules)->rule_count(), -1);
  for (std::size_t r = 0; r < (*rules)->rule_count(); ++r) {
    const auto it = l.index.find((*rules)->rule(r).id);
    if (it != l.index.end()) rule_brand[r] = static_cast<int>(it->second);
  }

  char tmpl[] = "/tmp/bench_alert.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) die("cannot make a temporary directory");
  l.dir = tmpl;
  auto db = window::StandaloneDb::open((l.dir / "state").string());
  if (!db) die(db.error());
  l.db = std::move(*db);
  auto store = window::WindowStore::open(l.db->db(), l.db->buckets(), l.db->top());
  if (!store) die(store.error());
  l.store = std::move(*store);
  l.store->set_brands(store_brands);

  LoadOptions o;
  o.count = 60000;
  o.per_minute = 200;
  o.scenario = "demo-crisis.yaml";
  const auto lines = generate_lines(o);

  parse::MentionParser parser;
  match::Matcher matcher;
  sentiment::Scorer scorer;
  struct Row {
    std::size_t brand;
    std::int64_t minute;
    int label;
    double score;
    bool repost;
    std::uint32_t crisis;
  };
  std::vector<Row> rows;
  std::int64_t first = -1;
  std::int64_t last = 0;
  auto& agg = l.store->aggregator();
  std::size_t in_batch = 0;
  auto flush = [&] {
    rocksdb::WriteBatch batch;
    agg.flush(batch);
    if (!l.db->commit(batch).ok()) die("window store commit failed");
    in_batch = 0;
  };
  for (const auto& line : lines) {
    auto m = parser.parse(line);
    if (!m) die("a generated line does not parse: " + m.error().detail);
    const auto& matched = matcher.match(*m, **rules);
    if (matched.brands.empty()) continue;
    const auto& s = scorer.score(*m, **lexicon);
    const int label = s.label == sentiment::Label::negative ? -1 : s.label == sentiment::Label::positive ? 1 : 0;
    if (first < 0) first = m->created_at_ms - kLead * kMinute;
    last = std::max(last, m->created_at_ms);
    window::WindowUpdate u;
    u.event_ms = m->created_at_ms;
    u.platform = m->platform;
    u.label = static_cast<std::int8_t>(label);
    u.score = s.score;
    u.reach = static_cast<std::uint64_t>(std::max<std::int64_t>(0, m->author.followers));
    u.author_hash = std::hash<std::string_view>{}(m->author.id) | 1;
    u.story = window::simhash64(matcher.normalized());
    u.is_repost = !m->parent_id.empty();
    u.crisis_mask = static_cast<std::uint8_t>(s.crisis_mask);
    for (const auto& b : matched.brands) {
      const int brand = rule_brand[b.rule];
      if (brand < 0) continue;
      u.brand = static_cast<std::uint32_t>(brand);
      agg.add(u);
      rows.push_back({static_cast<std::size_t>(brand), (m->created_at_ms - first) / kMinute, label, s.score,
                      u.is_repost, s.crisis_mask});
    }
    if (++in_batch == 4096) flush();
  }
  flush();

  l.t0 = first - first % kMinute;
  l.minutes = (last - l.t0) / kMinute + 1;
  const auto n = static_cast<std::size_t>(l.minutes);
  std::vector<std::vector<double>> per(l.brands.size() * 4, std::vector<double>(n, 0));
  std::vector<std::vector<double>> crisis(l.brands.size() * alert::kCrisisCategories.size(), std::vector<double>(n, 0));
  for (const auto& r : rows) {
    const auto m = static_cast<std::size_t>(std::clamp<std::int64_t>(r.minute, 0, l.minutes - 1));
    per[r.brand * 4][m] += 1;
    per[r.brand * 4 + 1][m] += r.label < 0 ? 1 : 0;
    per[r.brand * 4 + 2][m] += r.score;
    per[r.brand * 4 + 3][m] += r.repost ? 1 : 0;
    for (std::size_t c = 0; c < alert::kCrisisCategories.size(); ++c) {
      crisis[r.brand * alert::kCrisisCategories.size() + c][m] += (r.crisis >> c) & 1u;
    }
  }
  auto prefix = [](const std::vector<double>& v, std::vector<double>& out) {
    out.assign(1, 0);
    for (const double x : v) out.push_back(out.back() + x);
  };
  l.series.resize(l.brands.size());
  for (std::size_t b = 0; b < l.brands.size(); ++b) {
    auto& s = l.series[b];
    prefix(per[b * 4], s.mentions);
    prefix(per[b * 4 + 1], s.negative);
    prefix(per[b * 4 + 2], s.sentiment);
    prefix(per[b * 4 + 3], s.reposts);
    for (std::size_t c = 0; c < s.crisis.size(); ++c) prefix(crisis[b * s.crisis.size() + c], s.crisis[c]);
  }
  return l;
}

// Windows from the prefix sums (bench code, fixed: the reference side's work).
class MemoryReader final : public alert::WindowReader {
 public:
  explicit MemoryReader(const Load& l) : l_(l) {}

  alert::WindowStats stats(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const override {
    alert::WindowStats s;
    const BrandSeries* b = find(brand);
    if (b == nullptr) return s;
    const std::size_t from = minute(from_ms);
    const std::size_t to = minute(to_ms);
    s.mentions = b->mentions[to] - b->mentions[from];
    s.negative = b->negative[to] - b->negative[from];
    s.sentiment_sum = b->sentiment[to] - b->sentiment[from];
    for (std::size_t c = 0; c < s.crisis.size(); ++c) s.crisis[c] = b->crisis[c][to] - b->crisis[c][from];
    return s;
  }
  // EWMA (alpha 0.3) of the negatives of the 24 windows before; insufficient under 6.
  alert::Baseline negative_baseline(std::string_view brand, std::int64_t window_ms, std::int64_t end_ms) const override {
    alert::Baseline out;
    const BrandSeries* b = find(brand);
    if (b == nullptr) return out;
    int samples = 0;
    double mean = 0;
    double var = 0;
    for (int k = 24; k >= 1; --k) {
      const std::int64_t to = end_ms - k * window_ms;
      if (to - window_ms < l_.t0) continue;
      const double x = b->negative[minute(to)] - b->negative[minute(to - window_ms)];
      if (samples++ == 0) {
        mean = x;
        continue;
      }
      const double d = x - mean;
      mean += 0.3 * d;
      var = 0.7 * (var + 0.3 * d * d);
    }
    out.sufficient = samples >= 6;
    out.mean = mean;
    out.stddev = std::sqrt(var);
    return out;
  }
  double max_story_reposts(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const override {
    const BrandSeries* b = find(brand);
    return b == nullptr ? 0 : b->reposts[minute(to_ms)] - b->reposts[minute(from_ms)];
  }

 private:
  const BrandSeries* find(std::string_view brand) const {
    const auto it = l_.index.find(brand);
    return it == l_.index.end() ? nullptr : &l_.series[it->second];
  }
  std::size_t minute(std::int64_t t) const {
    return static_cast<std::size_t>(std::clamp<std::int64_t>((t - l_.t0) / kMinute, 0, l_.minutes));
  }
  const Load& l_;
};

// The engine's StoreWindowReader (engine/analyze), repeated here so the benchmark does not
// link the whole analysis stage.
class StoreReader final : public alert::WindowReader {
 public:
  explicit StoreReader(const window::WindowStore& store) : store_(store) {}
  alert::WindowStats stats(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const override {
    const auto p = store_.total(brand, from_ms, to_ms);
    alert::WindowStats s;
    s.mentions = static_cast<double>(p.mentions);
    s.negative = static_cast<double>(p.negative);
    s.sentiment_sum = p.avg_sentiment * static_cast<double>(p.mentions);
    for (std::size_t c = 0; c < s.crisis.size(); ++c) s.crisis[c] = static_cast<double>(p.crisis[c]);
    return s;
  }
  alert::Baseline negative_baseline(std::string_view brand, std::int64_t window_ms, std::int64_t end_ms) const override {
    const auto b = store_.baseline(brand, window::Metric::negatives, end_ms, window_ms);
    alert::Baseline out;
    out.sufficient = b.kind != window::Baseline::Kind::insufficient_history;
    out.mean = b.mean;
    out.stddev = b.stddev;
    return out;
  }
  double max_story_reposts(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const override {
    const auto p = store_.total(brand, from_ms, to_ms);
    return static_cast<double>(p.mentions - std::min(p.mentions, p.stories));
  }

 private:
  const window::WindowStore& store_;
};

// The engine's StoreWindowReader since issue 5: the store's recent buckets in memory.
class RecentReader final : public alert::WindowReader {
 public:
  explicit RecentReader(const window::WindowStore& store) : store_(store) {}
  alert::WindowStats stats(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const override {
    const auto p = store_.recent_total(brand, from_ms, to_ms);
    alert::WindowStats s;
    s.mentions = static_cast<double>(p.mentions);
    s.negative = static_cast<double>(p.negative);
    s.sentiment_sum = p.avg_sentiment() * static_cast<double>(p.mentions);
    for (std::size_t c = 0; c < s.crisis.size(); ++c) s.crisis[c] = static_cast<double>(p.crisis[c]);
    return s;
  }
  alert::Baseline negative_baseline(std::string_view brand, std::int64_t window_ms, std::int64_t end_ms) const override {
    const auto b = store_.recent_baseline(brand, window::Metric::negatives, end_ms, window_ms);
    alert::Baseline out;
    out.sufficient = b.kind != window::Baseline::Kind::insufficient_history;
    out.mean = b.mean;
    out.stddev = b.stddev;
    return out;
  }
  double max_story_reposts(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const override {
    const auto p = store_.recent_total(brand, from_ms, to_ms);
    return static_cast<double>(p.mentions - std::min(p.mentions, p.stories));
  }

 private:
  const window::WindowStore& store_;
};

// The window reads Evaluator::evaluate makes for one tick, without the detectors.
double reads_only(const Load& l, const alert::WindowReader& w, std::int64_t now) {
  using alert::Detector;
  double sink = 0;
  for (const auto& brand : l.brands) {
    auto p = [&](Detector d) -> const alert::DetectorPolicy& { return l.policy->detector(brand.id, d); };
    if (const auto& d = p(Detector::negative_volume_spike); d.enabled) {
      sink += w.stats(brand.id, now - d.window_ms, now).negative + w.negative_baseline(brand.id, d.window_ms, now).mean;
    }
    if (const auto& d = p(Detector::negative_ratio); d.enabled) sink += w.stats(brand.id, now - d.window_ms, now).negative;
    if (const auto& d = p(Detector::sentiment_drop); d.enabled) {
      sink += w.stats(brand.id, now - d.window_ms, now).sentiment_sum +
              w.stats(brand.id, now - 2 * d.window_ms, now - d.window_ms).sentiment_sum;
    }
    if (const auto& d = p(Detector::crisis_term_burst); d.enabled) sink += w.stats(brand.id, now - d.window_ms, now).crisis[0];
    if (const auto& d = p(Detector::share_of_voice_swing); d.enabled && !brand.competitors.empty()) {
      sink += w.stats(brand.id, now - d.window_ms, now).mentions +
              w.stats(brand.id, now - 2 * d.window_ms, now - d.window_ms).mentions;
      for (const auto& c : brand.competitors) {
        sink += w.stats(c, now - d.window_ms, now).mentions + w.stats(c, now - 2 * d.window_ms, now - d.window_ms).mentions;
      }
    }
    if (const auto& d = p(Detector::story_velocity); d.enabled) {
      sink += w.stats(brand.id, now - d.window_ms, now).negative + w.max_story_reposts(brand.id, now - d.window_ms, now);
    }
  }
  return sink;
}

// Ticks: every minute boundary from the second minute of data on.
std::int64_t tick(const Load& l, std::size_t i) { return l.t0 + (kLead + 1 + static_cast<std::int64_t>(i)) * kMinute; }
std::size_t tick_count(const Load& l) { return static_cast<std::size_t>(l.minutes - kLead - 1); }

// Runs the evaluator over ticks in order, restarting it when the ticks wrap.
struct EvalRun {
  alert::Evaluator evaluator;
  std::size_t next = 0;  // next tick
  std::size_t ticks = 0;
  std::size_t changes = 0;
  void step(const Load& l, const alert::WindowReader& w) {
    if (next == 0) evaluator = alert::Evaluator();
    changes += evaluator.evaluate(l.brands, *l.policy, w, tick(l, next)).size();
    ++ticks;
    if (++next == tick_count(l)) next = 0;
  }
};

void BM_EvaluateVsReads(benchmark::State& state) {
  const Load& l = load();
  MemoryReader mem(l);
  EvalRun run;
  run_paired(
      state, tick_count(l), 8, [&](std::size_t) { run.step(l, mem); },
      [&](std::size_t i) { benchmark::DoNotOptimize(reads_only(l, mem, tick(l, i))); },
      static_cast<double>(l.brands.size()));
  state.counters["brands"] = static_cast<double>(l.brands.size());
  state.counters["changes_per_tick"] = static_cast<double>(run.changes) / static_cast<double>(run.ticks);
}
BENCHMARK(BM_EvaluateVsReads)->UseManualTime();

void BM_EvaluateStoreVsMemory(benchmark::State& state) {
  const Load& l = load();
  MemoryReader mem(l);
  StoreReader store(*l.store);
  EvalRun on_store;
  EvalRun on_memory;
  run_paired(
      state, tick_count(l), 1, [&](std::size_t) { on_store.step(l, store); },
      [&](std::size_t) { on_memory.step(l, mem); }, static_cast<double>(l.brands.size()));
  state.counters["brands"] = static_cast<double>(l.brands.size());
}
BENCHMARK(BM_EvaluateStoreVsMemory)->UseManualTime();

void BM_EvaluateRecentVsMemory(benchmark::State& state) {
  const Load& l = load();
  MemoryReader mem(l);
  RecentReader recent(*l.store);
  EvalRun on_recent;
  EvalRun on_memory;
  run_paired(
      state, tick_count(l), 8, [&](std::size_t) { on_recent.step(l, recent); },
      [&](std::size_t) { on_memory.step(l, mem); }, static_cast<double>(l.brands.size()));
  state.counters["brands"] = static_cast<double>(l.brands.size());
  state.counters["changes_per_tick"] = static_cast<double>(on_recent.changes) / static_cast<double>(on_recent.ticks);
  state.counters["changes_per_tick_memory"] = static_cast<double>(on_memory.changes) / static_cast<double>(on_memory.ticks);
}
BENCHMARK(BM_EvaluateRecentVsMemory)->UseManualTime();

}  // namespace
}  // namespace yuqing::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  yuqing::bench::g_load.reset();
  return 0;
}
