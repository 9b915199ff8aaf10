// Window store: aggregation, roll-ups, queries, late data, retention, baselines, share of
// voice, near-duplicate stories, top mentions. Time is event time only: no sleeps, no wall clock.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "engine/state/state.h"
#include "engine/window/bucket.h"
#include "engine/window/standalone.h"
#include "engine/window/window.h"

namespace yuqing::window {
namespace {

const std::int64_t T0 = 1714953600000;  // 2024-05-06T00:00:00Z, a Monday

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<StandaloneDb> db;
  std::unique_ptr<WindowStore> store;

  explicit Fixture(WindowOptions o = {}) {
    dir = std::filesystem::temp_directory_path() /
          ("yuqing-window-store-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    reopen(o);
    store->set_brands({{"acme", "Acme", {"zenith", "orbit"}}, {"zenith", "", {"acme"}}, {"orbit", "", {}}},
                      {"service", "quality", "price"});
  }
  ~Fixture() {
    store.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  void reopen(WindowOptions o = {}) {
    store.reset();
    db.reset();
    auto d = StandaloneDb::open(dir.string());
    EXPECT_TRUE(d.ok());
    db = std::move(*d);
    auto s = WindowStore::open(db->db(), db->buckets(), db->top(), o);
    EXPECT_TRUE(s.ok());
    store = std::move(*s);
  }
  BatchAggregator& agg() { return store->aggregator(); }
  void commit() {
    rocksdb::WriteBatch b;
    agg().flush(b);
    ASSERT_TRUE(db->commit(b).ok());
  }
  void add(std::uint32_t brand, std::int64_t t, std::int8_t label = 0, std::uint64_t story = 0, std::uint64_t author = 0) {
    WindowUpdate u;
    u.brand = brand;
    u.event_ms = t;
    u.label = label;
    u.score = label * 0.5f;
    u.reach = 10;
    u.author_hash = author;
    u.story = story;
    agg().add(u);
  }
  std::map<std::string, std::string> raw(Gran g) {
    std::map<std::string, std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(rocksdb::ReadOptions(), db->buckets()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view b;
      Gran gg{};
      std::uint32_t p = 0;
      if (parse_bucket_key(std::string_view(it->key().data(), it->key().size()), b, gg, p) && gg == g) {
        out[it->key().ToString()] = it->value().ToString();
      }
    }
    return out;
  }
};

// The engine's way: one StateStore, window families requested with their options; the window
// changes ride in the same WriteBatch as the source position.
TEST(Store, OpensOnStateStoreAndCommitsWithThePosition) {
  const auto dir = std::filesystem::temp_directory_path() / ("yuqing-window-state-" + std::to_string(::getpid()));
  {
    state::StateOptions so;
    so.extra_column_families = {std::string(kBucketsFamily), std::string(kTopFamily)};
    so.configure_column_family = configure_column_family;
    auto st = state::StateStore::open(dir.string(), so);
    ASSERT_TRUE(st.ok()) << st.error();
    auto ws = WindowStore::open(**st);
    ASSERT_TRUE(ws.ok()) << ws.error();
    (*ws)->set_brands({{"acme", "", {}}});
    WindowUpdate u;
    u.event_ms = T0;
    (*ws)->aggregator().add(u);
    rocksdb::WriteBatch b;
    (*ws)->aggregator().flush(b);
    (*st)->put_position(b, "file", state::SourcePosition{100, 1});
    ASSERT_TRUE((*st)->commit(b).ok());
    EXPECT_EQ((*ws)->total("acme", T0, T0 + kMinuteMs).mentions, 1u);
  }
  {
    state::StateOptions so;  // without the hook the store refuses to open, clearly
    so.extra_column_families = {std::string(kBucketsFamily), std::string(kTopFamily)};
    auto st = state::StateStore::open(dir.string(), so);
    ASSERT_TRUE(st.ok());
    EXPECT_FALSE(WindowStore::open(**st).ok());
  }
  std::filesystem::remove_all(dir);
}

TEST(Store, RefusesFamilyWithoutMergeOperator) {
  const auto dir = std::filesystem::temp_directory_path() / ("yuqing-window-nomerge-" + std::to_string(::getpid()));
  rocksdb::Options o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs{{"default", rocksdb::ColumnFamilyOptions()},
                                                   {"buckets", rocksdb::ColumnFamilyOptions()},
                                                   {"top_mentions", rocksdb::ColumnFamilyOptions()}};
  std::vector<rocksdb::ColumnFamilyHandle*> h;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir.string(), cfs, &h, &raw).ok());
  auto s = WindowStore::open(raw, h[1], h[2]);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("configure_column_family"), std::string::npos);
  for (auto* x : h) raw->DestroyColumnFamilyHandle(x);
  delete raw;
  std::filesystem::remove_all(dir);
}

TEST(Store, BucketMathAndOneMergePerKey) {
  Fixture f;
  // 3 mentions in minute 0, 1 in minute 1, 1 for another brand; labels and sentiment.
  f.add(0, T0 + 1000, -1);
  f.add(0, T0 + 2000, +1);
  f.add(0, T0 + 59'999, 0);
  f.add(0, T0 + kMinuteMs, -1);
  f.add(1, T0 + 5000, +1);
  f.commit();
  // minutes: acme x2, zenith x1; hours: 2; days: 2.
  EXPECT_EQ(f.agg().counters().merges.load(), 7u);
  EXPECT_EQ(f.agg().counters().updates.load(), 5u);
  const auto pts = f.store->query("acme", T0, T0 + 2 * kMinuteMs, kMinuteMs);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].mentions, 3u);
  EXPECT_EQ(pts[0].negative, 1u);
  EXPECT_EQ(pts[0].positive, 1u);
  EXPECT_EQ(pts[0].neutral, 1u);
  EXPECT_DOUBLE_EQ(pts[0].avg_sentiment, 0.0);
  EXPECT_NEAR(pts[0].negative_ratio, 1.0 / 3, 1e-9);
  EXPECT_EQ(pts[0].reach, 30u);
  EXPECT_EQ(pts[1].mentions, 1u);
  EXPECT_DOUBLE_EQ(pts[1].avg_sentiment, -0.5);
  EXPECT_EQ(f.store->total("zenith", T0, T0 + kHourMs).mentions, 1u);
  EXPECT_EQ(f.store->total("orbit", T0, T0 + kHourMs).mentions, 0u);
  EXPECT_EQ(f.store->watermark_ms(), T0 + kMinuteMs);
}

TEST(Store, BreakdownsAndUniqueAuthors) {
  Fixture f;
  for (int i = 0; i < 300; ++i) {
    WindowUpdate u;
    u.brand = 0;
    u.event_ms = T0 + i * 1000;
    u.platform = i % 2 ? Platform::weibo : Platform::reddit;
    u.label = -1;
    u.aspect_mask = 0b101;
    u.negative_aspect_mask = 0b001;
    u.crisis_mask = 0b10;
    u.author_hash = 1 + i % 100;  // 100 distinct authors
    f.agg().add(u);
  }
  f.commit();
  const Point p = f.store->total("acme", T0, T0 + kHourMs);
  EXPECT_EQ(p.mentions, 300u);
  EXPECT_EQ(p.platform[static_cast<int>(Platform::weibo)], 150u);
  EXPECT_EQ(p.platform[static_cast<int>(Platform::reddit)], 150u);
  EXPECT_EQ(p.aspect[0], 300u);
  EXPECT_EQ(p.aspect[1], 0u);
  EXPECT_EQ(p.aspect[2], 300u);
  EXPECT_EQ(p.negative_aspect[0], 300u);
  EXPECT_EQ(p.negative_aspect[2], 0u);
  EXPECT_EQ(p.crisis[1], 300u);
  EXPECT_NEAR(p.unique_authors, 100, 8);
}

TEST(Store, NothingVisibleUntilTheBatchIsCommitted) {
  Fixture f;
  f.add(0, T0);
  rocksdb::WriteBatch b;
  f.agg().flush(b);  // "crash" before commit: the batch is dropped
  EXPECT_EQ(f.store->total("acme", T0, T0 + kHourMs).mentions, 0u);
  f.reopen();
  f.store->set_brands({{"acme", "", {}}});
  EXPECT_EQ(f.store->watermark_ms(), 0);
  f.add(0, T0);
  f.commit();
  f.reopen();
  EXPECT_EQ(f.store->watermark_ms(), T0);  // persisted with the batch
  EXPECT_EQ(f.store->total("acme", T0, T0 + kHourMs).mentions, 1u);
}

// Hour and day roll-ups equal the sum of their minutes, and queries over unaligned ranges
// (tiled with day, hour and minute keys) equal a brute-force count.
TEST(Store, RollupsEqualSumOfMinutesAndQueriesTile) {
  Fixture f;
  std::mt19937_64 rng(3);
  std::vector<std::int64_t> times;
  for (int batch = 0; batch < 20; ++batch) {
    for (int i = 0; i < 500; ++i) {
      const std::int64_t t = T0 + static_cast<std::int64_t>(rng() % (3 * kDayMs));
      times.push_back(t);
      f.add(0, t, static_cast<std::int8_t>(rng() % 3) - 1, 0, rng() % 50 + 1);
    }
    f.commit();
  }
  std::map<std::uint32_t, Bucket> hours, days;
  for (auto& [k, v] : f.raw(Gran::minute)) {
    std::string_view b;
    Gran g{};
    std::uint32_t p = 0;
    ASSERT_TRUE(parse_bucket_key(k, b, g, p));
    Bucket x;
    ASSERT_TRUE(x.decode(v));
    hours[p / 60].merge(x);
    days[p / 1440].merge(x);
  }
  const auto check = [&](Gran g, std::map<std::uint32_t, Bucket>& want) {
    const auto got = f.raw(g);
    ASSERT_EQ(got.size(), want.size());
    for (auto& [p, b] : want) {
      std::string enc;
      b.encode(enc);
      EXPECT_EQ(got.at(bucket_key("acme", g, p)), enc);
    }
  };
  check(Gran::hour, hours);
  check(Gran::day, days);
  // (The in-batch story table does not matter here: story = 0 counts every mention.)
  for (auto [from, to, step] : {std::tuple{T0 + 17 * kMinuteMs + 10 * kHourMs, T0 + 2 * kDayMs + 3 * kHourMs + 41 * kMinuteMs, kHourMs * 5},
                                std::tuple{T0, T0 + 3 * kDayMs, kDayMs},
                                std::tuple{T0 + 7 * kMinuteMs, T0 + 3 * kDayMs - 7 * kMinuteMs, 7 * kHourMs + 13 * kMinuteMs}}) {
    const auto pts = f.store->query("acme", from, to, step);
    std::uint64_t sum = 0;
    for (const auto& p : pts) {
      std::uint64_t want = 0;
      for (auto t : times) want += (t >= p.from_ms && t < p.to_ms);
      EXPECT_EQ(p.mentions, want) << p.from_ms;
      sum += p.mentions;
    }
    std::uint64_t all = 0;
    for (auto t : times) all += (t >= from && t < to);
    EXPECT_EQ(sum, all);
  }
  // A 3-day query reads a handful of keys, not 4,320 minutes.
  EXPECT_LE(f.store->total("acme", T0, T0 + 3 * kDayMs).keys_read, 3);
  EXPECT_LE(f.store->total("acme", T0 + 30 * kMinuteMs, T0 + 3 * kDayMs - 30 * kMinuteMs).keys_read, 2 * 30 + 2 * 23 + 1);
}

TEST(Store, LateDataLandsAndIsCounted) {
  WindowOptions o;
  o.allowed_lateness_ms = 10 * kMinuteMs;
  Fixture f(o);
  f.add(0, T0 + kHourMs);
  f.add(0, T0 + kHourMs - 5 * kMinuteMs);   // within lateness
  f.add(0, T0 + kHourMs - 11 * kMinuteMs);  // late, still lands
  f.add(0, T0 - 3 * kDayMs);                // very late, still retained
  f.commit();
  EXPECT_EQ(f.agg().counters().late.load(), 2u);
  EXPECT_EQ(f.agg().counters().dropped_beyond_retention.load(), 0u);
  EXPECT_EQ(f.store->total("acme", T0 - 4 * kDayMs, T0 + 2 * kHourMs).mentions, 4u);
  EXPECT_EQ(f.store->total("acme", T0 - 3 * kDayMs, T0 - 3 * kDayMs + kMinuteMs).mentions, 1u);
  // Lateness is measured against event time, so a replay far in the past is not late.
  Fixture g(o);
  g.add(0, T0 - 400 * kDayMs);
  g.add(0, T0 - 400 * kDayMs + kMinuteMs);
  g.commit();
  EXPECT_EQ(g.agg().counters().late.load(), 0u);
}

TEST(Store, RetentionDropsCountsAndDeletes) {
  WindowOptions o;
  o.minute_retention_ms = 2 * kDayMs;
  o.hour_retention_ms = 5 * kDayMs;
  o.day_retention_ms = 10 * kDayMs;
  Fixture f(o);
  f.add(0, T0);
  f.add(0, T0 + 30 * kMinuteMs, -1);
  f.add(2, T0 + 1);
  f.commit();
  ASSERT_EQ(f.raw(Gran::minute).size(), 3u);
  // Advance the watermark 3 days: minutes of day 0 fall out (horizon = day 1), hours stay.
  f.add(0, T0 + 3 * kDayMs + kHourMs);
  f.add(0, T0 + 10);  // beyond minute retention now: counted and dropped
  f.commit();
  EXPECT_EQ(f.agg().counters().dropped_beyond_retention.load(), 1u);
  const auto minutes = f.raw(Gran::minute);
  EXPECT_EQ(minutes.size(), 1u);  // only the new one; brand "orbit" was cleaned up too
  EXPECT_EQ(f.raw(Gran::hour).size(), 3u);
  // The hour roll-up still answers hour-aligned queries over the old day.
  EXPECT_EQ(f.store->total("acme", T0, T0 + kHourMs).mentions, 2u);
  // An unaligned range needs the dropped minutes: only the retained parts are counted.
  EXPECT_EQ(f.store->total("acme", T0 + kMinuteMs, T0 + kHourMs).mentions, 0u);
  // 12 days later everything of day 0 is gone, at every granularity.
  f.add(0, T0 + 12 * kDayMs);
  f.commit();
  EXPECT_EQ(f.store->total("acme", T0, T0 + kDayMs).mentions, 0u);
  for (auto g : {Gran::minute, Gran::hour, Gran::day}) {
    for (auto& [k, v] : f.raw(g)) {
      std::string_view b;
      Gran gg{};
      std::uint32_t p = 0;
      ASSERT_TRUE(parse_bucket_key(k, b, gg, p));
      EXPECT_GE(static_cast<std::int64_t>(p) * gran_ms(g), T0 + 2 * kDayMs) << static_cast<char>(g);
    }
  }
}

TEST(Store, DiskStaysBoundedOnALongRun) {
  WindowOptions o;
  o.minute_retention_ms = 3 * kDayMs;
  o.hour_retention_ms = 6 * kDayMs;
  o.day_retention_ms = 12 * kDayMs;
  Fixture f(o);
  for (int day = 0; day < 40; ++day) {
    for (int i = 0; i < 24 * 6; ++i) f.add(static_cast<std::uint32_t>(i % 3), T0 + day * kDayMs + i * 10 * kMinuteMs);
    f.commit();
  }
  EXPECT_LE(f.raw(Gran::minute).size(), 3u * 144 * 4);
  EXPECT_LE(f.raw(Gran::hour).size(), 3u * 24 * 7);
  EXPECT_LE(f.raw(Gran::day).size(), 3u * 13);
}

TEST(Store, FutureGuardUsesInjectedClock) {
  WindowOptions o;
  o.max_future_ms = kHourMs;
  Fixture f(o);
  f.agg().set_wall_clock([] { return T0; });
  f.add(0, T0 + 30 * kMinuteMs);
  f.add(0, T0 + 2 * kHourMs);  // from the future: dropped, watermark untouched
  f.commit();
  EXPECT_EQ(f.agg().counters().dropped_future.load(), 1u);
  EXPECT_EQ(f.store->watermark_ms(), T0 + 30 * kMinuteMs);
}

TEST(Store, NearDuplicateStoriesCollapse) {
  Fixture f;
  const std::uint64_t s = simhash64("acme coffee made me sick this morning never again");
  f.add(0, T0, -1, s);
  f.add(0, T0 + 1000, -1, s ^ 0b101);  // 2 bits away: same story
  f.add(0, T0 + 2000, -1, ~s);         // different story
  WindowUpdate r;
  r.brand = 0;
  r.event_ms = T0 + 3000;
  r.story = 12345;
  r.is_repost = true;  // reposts never count as stories
  f.agg().add(r);
  f.add(1, T0 + 4000, 0, s);  // same text, other brand: its own story there
  f.commit();
  f.add(0, T0 + 5 * kMinuteMs, -1, s ^ 1);  // next batch, still remembered
  f.add(0, T0 + 2 * kDayMs, -1, s);         // beyond story memory (1 day): new again
  f.commit();
  const Point p = f.store->total("acme", T0, T0 + 3 * kDayMs);
  EXPECT_EQ(p.mentions, 6u);
  EXPECT_EQ(p.reposts, 1u);
  EXPECT_EQ(p.stories, 3u);
  EXPECT_EQ(f.store->total("zenith", T0, T0 + kDayMs).stories, 1u);
  EXPECT_EQ(f.agg().counters().near_duplicates.load(), 2u);
}

TEST(Store, BrandReorderIsHarmless) {
  Fixture f;
  f.add(0, T0);  // acme is index 0
  f.commit();
  f.store->set_brands({{"orbit", "", {}}, {"acme", "", {}}});
  f.add(1, T0 + 1);  // acme is index 1 now
  f.add(7, T0 + 2);  // unknown index: counted, dropped
  f.commit();
  EXPECT_EQ(f.store->total("acme", T0, T0 + kHourMs).mentions, 2u);
  EXPECT_EQ(f.agg().counters().dropped_unknown_brand.load(), 1u);
  EXPECT_FALSE(f.store->has_brand("zenith"));
}

// Hourly counts for `weeks` weeks with a weekly pattern: baselines for a Monday 10:00 hour.
TEST(Store, BaselineSeasonalEwmaAndInsufficient) {
  Fixture f;
  const std::int64_t end = T0 + 5 * 7 * kDayMs + 11 * kHourMs;  // Monday 11:00, week 5
  // Weeks 0..4: Monday 10:00-11:00 has 10, 12, 14, 10, 14 mentions; other hours 2 each.
  const int monday10[5] = {10, 12, 14, 10, 14};
  for (int w = 0; w < 5; ++w) {
    for (int h = 0; h < 7 * 24; ++h) {
      const std::int64_t hs = T0 + w * 7 * kDayMs + h * kHourMs;
      const int n = h == 10 ? monday10[w] : 2;
      for (int i = 0; i < n; ++i) f.add(0, hs + i * kMinuteMs, i % 2 ? -1 : 0);
    }
    f.commit();
  }
  Baseline b = f.store->baseline("acme", Metric::mentions, end, kHourMs);
  EXPECT_EQ(b.kind, Baseline::Kind::seasonal);
  EXPECT_EQ(b.samples, 5);
  EXPECT_NEAR(b.mean, 12.0, 1e-9);
  EXPECT_NEAR(b.stddev, 2.0, 1e-9);  // sample stddev of 10,12,14,10,14
  Baseline neg = f.store->baseline("acme", Metric::negatives, end, kHourMs);
  EXPECT_NEAR(neg.mean, 6.0, 1e-9);

  // zenith: only 10 hours of history -> EWMA of the preceding hours (all 4 per hour).
  for (int h = 0; h < 10; ++h) {
    for (int i = 0; i < 4; ++i) f.add(1, end - 10 * kHourMs + h * kHourMs + i * kMinuteMs);
  }
  f.commit();
  b = f.store->baseline("zenith", Metric::mentions, end + kHourMs, kHourMs);
  EXPECT_EQ(b.kind, Baseline::Kind::ewma);
  EXPECT_EQ(b.samples, 10);
  EXPECT_NEAR(b.mean, 4.0, 1e-9);
  EXPECT_NEAR(b.stddev, 0.0, 1e-9);

  // orbit: 2 hours of history -> insufficient, never a made-up number.
  f.add(2, end - 2 * kHourMs);
  f.commit();
  b = f.store->baseline("orbit", Metric::mentions, end, kHourMs);
  EXPECT_EQ(b.kind, Baseline::Kind::insufficient_history);
  EXPECT_EQ(b.samples, 1);
  b = f.store->baseline("nobody", Metric::mentions, end, kHourMs);
  EXPECT_EQ(b.kind, Baseline::Kind::insufficient_history);
  EXPECT_EQ(b.samples, 0);
}

TEST(Store, ShareOfVoiceAndChange) {
  Fixture f;
  const std::int64_t end = T0 + 2 * kDayMs;
  // previous day: acme 10 (2 neg), zenith 30 (3 neg), orbit 10 (5 neg)
  // current day:  acme 30 (6 neg), zenith 10 (1 neg), orbit 10 (3 neg)
  const auto put = [&](std::uint32_t b, std::int64_t day_start, int n, int neg) {
    for (int i = 0; i < n; ++i) f.add(b, day_start + i * kMinuteMs, i < neg ? -1 : 1);
  };
  put(0, T0, 10, 2);
  put(1, T0, 30, 3);
  put(2, T0, 10, 5);
  put(0, T0 + kDayMs, 30, 6);
  put(1, T0 + kDayMs, 10, 1);
  put(2, T0 + kDayMs, 10, 3);
  f.commit();
  const auto rows = f.store->share_of_voice("acme", end, kDayMs);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].brand, "acme");
  EXPECT_EQ(rows[1].brand, "zenith");
  EXPECT_EQ(rows[2].brand, "orbit");
  EXPECT_NEAR(rows[0].share, 0.6, 1e-9);
  EXPECT_NEAR(rows[0].prev_share, 0.2, 1e-9);
  EXPECT_NEAR(rows[0].share_change, 0.4, 1e-9);
  EXPECT_NEAR(rows[0].negative_share, 0.6, 1e-9);       // 6 of 10
  EXPECT_NEAR(rows[0].prev_negative_share, 0.2, 1e-9);  // 2 of 10
  EXPECT_NEAR(rows[0].negative_ratio, 0.2, 1e-9);
  EXPECT_NEAR(rows[1].share_change, 0.2 - 0.6, 1e-9);
  const auto two = f.store->compare({"zenith", "orbit"}, end, kDayMs);
  EXPECT_NEAR(two[0].share, 0.5, 1e-9);
  EXPECT_NEAR(two[0].prev_share, 0.75, 1e-9);
}

TEST(Store, TopMentionsRingIsBoundedFilteredAndErasable) {
  WindowOptions o;
  o.top_ring_size = 5;
  Fixture f(o);
  f.add(0, T0);
  for (int i = 0; i < 12; ++i) {
    const std::uint64_t reach = 100 + static_cast<std::uint64_t>(i) * 10;
    if (!f.agg().top_mention_qualifies(0, reach)) continue;
    TopMentionView v;
    const std::string id = "m" + std::to_string(i);
    const std::string text(400, 'x');
    const std::string url = "https://example.com/" + std::to_string(i);  // views need a live string
    v.id = id;
    v.text = text;
    v.url = url;
    v.author_name = "author";
    v.reach = reach;
    v.label = i % 2 ? -1 : 1;
    v.event_ms = T0 + i;
    v.author_hash = i == 11 ? 777 : 1;
    f.agg().add_top_mention(0, v);
  }
  EXPECT_FALSE(f.agg().top_mention_qualifies(0, 50));
  f.commit();
  auto all = f.store->top_mentions("acme", std::nullopt, 20);
  ASSERT_EQ(all.size(), 5u);  // bounded
  EXPECT_EQ(all[0].id, "m11");  // highest reach first
  EXPECT_EQ(all[4].id, "m7");
  EXPECT_EQ(all[0].text.size(), 280u);
  auto neg = f.store->top_mentions("acme", std::int8_t{-1}, 2);
  ASSERT_EQ(neg.size(), 2u);
  EXPECT_EQ(neg[0].id, "m11");
  EXPECT_EQ(neg[1].id, "m9");
  rocksdb::WriteBatch b;
  EXPECT_EQ(f.store->erase_author(777, b), 1u);
  ASSERT_TRUE(f.db->commit(b).ok());
  all = f.store->top_mentions("acme", std::nullopt, 20);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].id, "m10");
  // The ring survives a restart (persisted with the batch).
  f.reopen(o);
  f.store->set_brands({{"acme", "", {}}});
  EXPECT_EQ(f.store->top_mentions("acme", std::nullopt, 20).size(), 4u);
  EXPECT_TRUE(f.agg().top_mention_qualifies(0, 1));  // a free slot again
}

}  // namespace
}  // namespace yuqing::window
