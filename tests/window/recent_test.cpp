// WindowStore::recent_total / recent_baseline (the alert detectors' reads from memory) against
// total() / baseline() on RocksDB: equal at every point the engine reads them (after a batch's
// flush, before its commit) and after it, through late data (inside and far behind what is
// held in memory), retention, a brand table change, a flush whose commit was never confirmed
// and state replaced underneath (a changelog restore behind an ownership change).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "engine/window/standalone.h"
#include "engine/window/window.h"

namespace yuqing::window {
namespace {

const std::int64_t T0 = 1714953600000;  // 2024-05-06T00:00:00Z, a Monday

struct Db {
  std::filesystem::path dir;
  std::unique_ptr<StandaloneDb> db;
  explicit Db(const std::string& name) {
    dir = std::filesystem::temp_directory_path() /
          ("yuqing-window-recent-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    auto d = StandaloneDb::open(dir.string());
    EXPECT_TRUE(d.ok());
    db = std::move(*d);
  }
  ~Db() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  std::unique_ptr<WindowStore> store(WindowOptions o = {}) {
    auto s = WindowStore::open(db->db(), db->buckets(), db->top(), o);
    EXPECT_TRUE(s.ok());
    auto out = std::move(*s);
    out->set_brands({{"acme", "", {}}, {"zenith", "", {}}, {"orbit", "", {}}, {"quiet", "", {}}});
    return out;
  }
};

// One brand's reads compared; returns the number of ranges compared.
int expect_equal(const WindowStore& s, std::string_view brand, std::int64_t from, std::int64_t to) {
  const Point p = s.total(brand, from, to);
  const Counts c = s.recent_total(brand, from, to);
  EXPECT_EQ(c.mentions, p.mentions) << brand << " [" << from << ", " << to << ")";
  EXPECT_EQ(c.negative, p.negative) << brand << " [" << from << ", " << to << ")";
  EXPECT_EQ(c.stories, p.stories) << brand << " [" << from << ", " << to << ")";
  EXPECT_EQ(c.avg_sentiment(), p.avg_sentiment) << brand << " [" << from << ", " << to << ")";
  for (int i = 0; i < kCrisisCount; ++i) {
    EXPECT_EQ(c.crisis[static_cast<std::size_t>(i)], p.crisis[static_cast<std::size_t>(i)]) << brand << " crisis " << i;
  }
  return 1;
}

void expect_equal_baseline(const WindowStore& s, std::string_view brand, Metric m, std::int64_t end, std::int64_t len) {
  const Baseline a = s.baseline(brand, m, end, len);
  const Baseline b = s.recent_baseline(brand, m, end, len);
  EXPECT_EQ(static_cast<int>(a.kind), static_cast<int>(b.kind)) << brand << " at " << end;
  EXPECT_EQ(a.mean, b.mean) << brand << " at " << end;
  EXPECT_EQ(a.stddev, b.stddev) << brand << " at " << end;
  EXPECT_EQ(a.samples, b.samples) << brand << " at " << end;
}

// What the alert evaluator reads at `now`, and some more (long, aligned and old ranges).
void compare_all(const WindowStore& s, std::int64_t now) {
  for (const char* brand : {"acme", "zenith", "orbit", "quiet", "unknown"}) {
    for (std::int64_t w : {kMinuteMs, 10 * kMinuteMs, 30 * kMinuteMs, kHourMs}) {
      expect_equal(s, brand, now - w, now);
      expect_equal(s, brand, now - 2 * w, now - w);
    }
    expect_equal(s, brand, now - 4 * kHourMs, now + kHourMs);                     // past the watermark
    expect_equal(s, brand, now - now % kHourMs - 3 * kHourMs, now - now % kHourMs);  // whole hours
    expect_equal(s, brand, now - 30 * kHourMs, now - 20 * kHourMs);               // older than held
    expect_equal(s, brand, now - 3 * kDayMs, now);                                // days, retention
    expect_equal_baseline(s, brand, Metric::negatives, now, 10 * kMinuteMs);
    expect_equal_baseline(s, brand, Metric::mentions, now, kHourMs);
    expect_equal_baseline(s, brand, Metric::stories, now - 7 * kMinuteMs, 30 * kMinuteMs);
  }
}

WindowUpdate update(std::mt19937_64& rng, std::uint32_t brand, std::int64_t t) {
  WindowUpdate u;
  u.brand = brand;
  u.event_ms = t;
  u.label = static_cast<std::int8_t>(static_cast<int>(rng() % 3) - 1);
  u.score = static_cast<float>(static_cast<double>(rng() % 2001) / 1000.0 - 1.0);
  u.reach = rng() % 1000;
  u.author_hash = rng() % 500 + 1;
  u.story = rng() % 4 == 0 ? 0 : (rng() % 64) * 0x9e3779b97f4a7c15ULL;
  u.is_repost = rng() % 5 == 0;
  u.crisis_mask = static_cast<std::uint8_t>(rng() % 8 == 0 ? rng() % 64 : 0);
  u.aspect_mask = static_cast<std::uint32_t>(rng() % 8);
  return u;
}

TEST(Recent, EqualsRocksDbThroughLateDataRetentionAndReloads) {
  Db d("stream");
  WindowOptions o;
  o.minute_retention_ms = kDayMs;  // retention passes and horizons within the run
  o.hour_retention_ms = 2 * kDayMs;
  o.day_retention_ms = 3 * kDayMs;
  o.baseline_min_ewma = 2;
  auto s = d.store(o);
  std::mt19937_64 rng(7);
  std::int64_t t = T0 + 13 * kMinuteMs;
  int batches = 0;
  for (; t < T0 + 4 * kDayMs; t += 7 * kMinuteMs + static_cast<std::int64_t>(rng() % 60'000)) {
    auto& agg = s->aggregator();
    for (int i = 0; i < 60; ++i) {
      const auto brand = static_cast<std::uint32_t>(rng() % 3);  // "quiet" never has data
      std::int64_t at = t + static_cast<std::int64_t>(rng() % (7 * kMinuteMs));
      const auto r = rng() % 100;
      if (r < 10) at -= static_cast<std::int64_t>(rng() % (20 * kMinuteMs));  // a little late
      else if (r < 13) at -= 2 * kHourMs + static_cast<std::int64_t>(rng() % (20 * kHourMs));  // behind what is held
      agg.add(update(rng, brand, at));
    }
    rocksdb::WriteBatch b;
    agg.flush(b);
    // The engine reads here: the batch is in the WriteBatch, not yet in RocksDB.
    if (batches % 3 == 0) compare_all(*s, t);
    ASSERT_TRUE(d.db->commit(b).ok());
    agg.committed();
    if (batches % 5 == 0) compare_all(*s, t + 7 * kMinuteMs);
    if (batches == 200) {  // a rules reload reorders the brands: deltas follow ids, not indexes
      s->set_brands({{"orbit", "", {}}, {"quiet", "", {}}, {"acme", "", {}}, {"zenith", "", {}}});
    }
    ++batches;
  }
  compare_all(*s, t);
  const auto st = s->recent_stats();
  EXPECT_GT(st.hits, 10 * st.misses);  // most reads were served from memory
  EXPECT_GT(st.drops, 2u);             // a retention pass per event-time day
  EXPECT_GT(st.loads, 0u);
  EXPECT_LT(st.bytes, 4u * 3 * (2048 + 512 + 128) * sizeof(Counts));
}

TEST(Recent, ReadsEqualAfterStateIsReplacedUnderneath) {
  Db d("restore");
  auto a = d.store();
  auto b = d.store();  // another writer of the same buckets: the changelog restore of a partition
  std::mt19937_64 rng(11);
  const auto batch = [&](WindowStore& s, std::int64_t t, bool confirm) {
    for (int i = 0; i < 40; ++i) s.aggregator().add(update(rng, static_cast<std::uint32_t>(rng() % 3), t + static_cast<std::int64_t>(rng() % kHourMs)));
    rocksdb::WriteBatch wb;
    s.aggregator().flush(wb);
    ASSERT_TRUE(d.db->commit(wb).ok());
    if (confirm) s.aggregator().committed();
  };
  for (int i = 0; i < 5; ++i) batch(*a, T0 + i * kHourMs, true);
  compare_all(*a, T0 + 5 * kHourMs);
  // State of the brands replaced underneath (here: added to by another writer).
  for (int i = 0; i < 5; ++i) batch(*b, T0 + i * kHourMs, true);
  EXPECT_NE(a->recent_total("acme", T0, T0 + 5 * kHourMs).mentions, a->total("acme", T0, T0 + 5 * kHourMs).mentions)
      << "the test should make memory stale";
  a->aggregator().drop_cached_state();  // what BrandAggregator::on_ownership_changed does
  compare_all(*a, T0 + 5 * kHourMs);
  // A flush whose commit is never confirmed: the next flush forgets what is held.
  batch(*a, T0 + 5 * kHourMs, false);
  for (int i = 0; i < 3; ++i) {
    a->aggregator().add(update(rng, 0, T0 + 6 * kHourMs + i));
    rocksdb::WriteBatch wb;
    a->aggregator().flush(wb);
    compare_all(*a, T0 + 7 * kHourMs);
    ASSERT_TRUE(d.db->commit(wb).ok());
    a->aggregator().committed();
    compare_all(*a, T0 + 7 * kHourMs);
  }
}

TEST(Recent, StartUpReadsWhatAnEarlierRunWrote) {
  Db d("restart");
  std::mt19937_64 rng(3);
  {
    auto s = d.store();
    for (int i = 0; i < 30; ++i) {
      for (int k = 0; k < 50; ++k) s->aggregator().add(update(rng, static_cast<std::uint32_t>(rng() % 3), T0 + i * 5 * kMinuteMs + k * 1000));
      rocksdb::WriteBatch wb;
      s->aggregator().flush(wb);
      ASSERT_TRUE(d.db->commit(wb).ok());
      s->aggregator().committed();
    }
  }
  auto s = d.store();  // a restart: nothing in memory, everything read on first use
  compare_all(*s, T0 + 150 * kMinuteMs);
  for (int k = 0; k < 50; ++k) s->aggregator().add(update(rng, static_cast<std::uint32_t>(rng() % 3), T0 + 140 * kMinuteMs + k * 1000));
  rocksdb::WriteBatch wb;
  s->aggregator().flush(wb);
  ASSERT_TRUE(d.db->commit(wb).ok());
  s->aggregator().committed();
  compare_all(*s, T0 + 150 * kMinuteMs);
}

}  // namespace
}  // namespace yuqing::window
