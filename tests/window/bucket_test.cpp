// Bucket codec, HyperLogLog, merge operator associativity, keys, SimHash, parsing.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "engine/window/bucket.h"
#include "engine/window/standalone.h"
#include "engine/window/window.h"

namespace yuqing::window {
namespace {

struct TmpDir {
  std::filesystem::path path;
  TmpDir() {
    path = std::filesystem::temp_directory_path() /
           ("yuqing-window-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TmpDir() { std::filesystem::remove_all(path); }
};

Bucket random_bucket(std::mt19937_64& rng, int mentions) {
  Bucket b;
  for (int i = 0; i < mentions; ++i) {
    ++b.mentions;
    const int label = static_cast<int>(rng() % 3) - 1;
    if (label < 0) ++b.negative; else if (label > 0) ++b.positive; else ++b.neutral;
    if (rng() % 4 == 0) ++b.reposts; else ++b.stories;
    b.reach += rng() % 100000;
    b.sentiment_e4 += static_cast<std::int64_t>(rng() % 20001) - 10000;
    ++b.platform[rng() % kPlatformCount];
    const auto a = rng() % 32;
    ++b.aspect[a];
    if (rng() % 2) ++b.negative_aspect[a];
    ++b.crisis[rng() % 6];
    b.authors.add_hash(mix64(rng() % 5000 + 1));
  }
  return b;
}

TEST(Varint, RoundTripsAndZigzag) {
  for (std::uint64_t v : {0ULL, 1ULL, 127ULL, 128ULL, 300ULL, 1ULL << 35, ~0ULL}) {
    std::string s;
    put_varint(s, v);
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    std::uint64_t got = 0;
    ASSERT_TRUE(get_varint(p, p + s.size(), got));
    EXPECT_EQ(got, v);
  }
  for (std::int64_t v : {0LL, -1LL, 1LL, -123456789LL, 123456789LL}) EXPECT_EQ(unzigzag(zigzag(v)), v);
}

TEST(BucketCodec, RoundTripIsCanonical) {
  std::mt19937_64 rng(1);
  for (int n : {0, 1, 3, 50, 2000}) {
    Bucket b = random_bucket(rng, n);
    std::string a;
    b.encode(a);
    Bucket c;
    ASSERT_TRUE(c.decode(a)) << n;
    std::string again;
    c.encode(again);
    EXPECT_EQ(a, again) << n;
    EXPECT_EQ(c.mentions, b.mentions);
    EXPECT_EQ(c.sentiment_e4, b.sentiment_e4);
    EXPECT_EQ(c.aspect, b.aspect);
  }
}

// The aggregator reuses accumulators through reset(): a reset bucket must be indistinguishable
// from a new one (a counter added to Bucket but forgotten in reset() would leak from one
// brand-minute into the next).
TEST(BucketCodec, ResetBucketEqualsANewOne) {
  std::mt19937_64 rng(3);
  std::string fresh;
  Bucket{}.encode(fresh);
  for (int n : {1, 50, 2000}) {
    Bucket b = random_bucket(rng, n);
    b.reset();
    std::string again;
    b.encode(again);
    EXPECT_EQ(again, fresh) << n;
    EXPECT_EQ(b.authors.estimate(), 0.0) << n;
  }
}

TEST(BucketCodec, SmallBucketIsSmall) {
  Bucket b;
  b.mentions = b.stories = b.neutral = 1;
  b.reach = 1200;
  b.platform[0] = 1;
  b.authors.add_hash(mix64(42));
  std::string s;
  b.encode(s);
  EXPECT_LE(s.size(), 24u);
}

TEST(BucketCodec, RejectsGarbage) {
  Bucket b;
  EXPECT_FALSE(b.decode(""));
  EXPECT_FALSE(b.decode("\x07garbage"));
  std::string ok;
  Bucket().encode(ok);
  EXPECT_TRUE(b.decode(ok));
  EXPECT_FALSE(b.decode(ok + "x"));  // trailing bytes
}

TEST(Hll, EstimatesWithinErrorAndMergesLikeUnion) {
  for (std::uint64_t n : {10ULL, 200ULL, 5000ULL, 100000ULL}) {
    Hll a, b, all;
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto h = mix64(i + 1);
      (i % 2 ? a : b).add_hash(h);
      all.add_hash(h);
      all.add_hash(h);  // duplicates do not count
    }
    a.merge(b);
    a.normalize();
    all.normalize();
    std::string ea, eall;
    a.encode(ea);
    all.encode(eall);
    EXPECT_EQ(ea, eall) << n;
    EXPECT_NEAR(all.estimate(), static_cast<double>(n), static_cast<double>(n) * 0.1 + 1) << n;
  }
}

TEST(Keys, LayoutAndParse) {
  const std::string k = bucket_key("acme", Gran::hour, 0x01020304);
  EXPECT_EQ(k, std::string("acme\0h\x01\x02\x03\x04", 10));
  std::string_view brand;
  Gran g{};
  std::uint32_t p = 0;
  ASSERT_TRUE(parse_bucket_key(k, brand, g, p));
  EXPECT_EQ(brand, "acme");
  EXPECT_EQ(g, Gran::hour);
  EXPECT_EQ(p, 0x01020304u);
  EXPECT_FALSE(parse_bucket_key(kWatermarkKey, brand, g, p));
  // Periods sort numerically; a brand's keys sort before a longer brand id sharing its prefix.
  EXPECT_LT(bucket_key("a", Gran::minute, 255), bucket_key("a", Gran::minute, 256));
  EXPECT_LT(bucket_key("a", Gran::minute, 0xffffffff), bucket_key("a-b", Gran::day, 0));
}

// Random updates written as Merge operands in random groupings, with flushes and compactions
// in between (so RocksDB does partial and full merges in different orders): the value read
// back equals the value of all updates merged at once, byte for byte.
TEST(MergeOperator, RandomSplitsGiveEqualResults) {
  std::mt19937_64 rng(7);
  std::vector<Bucket> parts;
  Bucket expected;
  for (int i = 0; i < 300; ++i) {
    parts.push_back(random_bucket(rng, 1 + static_cast<int>(rng() % 5)));
    expected.merge(parts.back());
  }
  std::string want;
  expected.encode(want);
  for (int trial = 0; trial < 4; ++trial) {
    TmpDir dir;
    auto db = StandaloneDb::open(dir.path.string());
    ASSERT_TRUE(db.ok()) << db.error();
    std::shuffle(parts.begin(), parts.end(), rng);
    std::size_t i = 0;
    while (i < parts.size()) {
      // A group: pre-merged in memory (like a batch), then one Merge.
      const std::size_t n = 1 + rng() % 20;
      Bucket g;
      for (std::size_t j = 0; j < n && i < parts.size(); ++j, ++i) g.merge(parts[i]);
      std::string v;
      g.encode(v);
      ASSERT_TRUE((*db)->db()->Merge(rocksdb::WriteOptions(), (*db)->buckets(), "k", v).ok());
      if (rng() % 5 == 0) {
        ASSERT_TRUE((*db)->db()->Flush(rocksdb::FlushOptions(), (*db)->buckets()).ok());
      }
      if (rng() % 11 == 0) {
        ASSERT_TRUE((*db)->db()->CompactRange(rocksdb::CompactRangeOptions(), (*db)->buckets(), nullptr, nullptr).ok());
      }
    }
    std::string got;
    ASSERT_TRUE((*db)->db()->Get(rocksdb::ReadOptions(), (*db)->buckets(), "k", &got).ok());
    EXPECT_EQ(got, want) << "trial " << trial;
    ASSERT_TRUE((*db)->db()->CompactRange(rocksdb::CompactRangeOptions(), (*db)->buckets(), nullptr, nullptr).ok());
    ASSERT_TRUE((*db)->db()->Get(rocksdb::ReadOptions(), (*db)->buckets(), "k", &got).ok());
    EXPECT_EQ(got, want) << "trial " << trial << " after compaction";
  }
}

TEST(MergeOperator, SkipsUndecodableOperandInsteadOfFailing) {
  TmpDir dir;
  auto db = StandaloneDb::open(dir.path.string());
  ASSERT_TRUE(db.ok());
  Bucket b;
  b.mentions = 2;
  std::string v;
  b.encode(v);
  auto* d = (*db)->db();
  ASSERT_TRUE(d->Merge(rocksdb::WriteOptions(), (*db)->buckets(), "k", v).ok());
  ASSERT_TRUE(d->Merge(rocksdb::WriteOptions(), (*db)->buckets(), "k", "not a bucket").ok());
  ASSERT_TRUE(d->Merge(rocksdb::WriteOptions(), (*db)->buckets(), "k", v).ok());
  std::string got;
  ASSERT_TRUE(d->Get(rocksdb::ReadOptions(), (*db)->buckets(), "k", &got).ok());
  Bucket r;
  ASSERT_TRUE(r.decode(got));
  EXPECT_EQ(r.mentions, 4u);
  EXPECT_GE(corrupt_operands(), 1u);
}

TEST(SimHash, NearDuplicatesAreCloseOthersFar) {
  const std::uint64_t a = simhash64("acme coffee made me sick this morning, never buying their cold brew again");
  const std::uint64_t b = simhash64("acme coffee made me sick this morning, never buying their cold brew again!!");
  const std::uint64_t c = simhash64("rt acme coffee made me sick this morning, never buying their cold brew again");
  const std::uint64_t d = simhash64("the new phone from zenith has a great camera and the battery lasts two days");
  EXPECT_LE(hamming(a, b), 3);
  EXPECT_LE(hamming(a, c), 12);  // a prefix moves a few bits (reposts are collapsed by parent_id anyway)
  EXPECT_GT(hamming(a, d), 16);
  const std::uint64_t z1 = simhash64("喝了这家的咖啡之后拉肚子，再也不买了，大家小心");
  const std::uint64_t z2 = simhash64("喝了这家的咖啡之后拉肚子，再也不买了，大家小心！");
  const std::uint64_t z3 = simhash64("这款手机的拍照效果很好，电池也很耐用，推荐购买");
  EXPECT_LE(hamming(z1, z2), 3);
  EXPECT_GT(hamming(z1, z3), 16);
  EXPECT_EQ(simhash64(""), 0u);
}

// Stored stories keep their meaning across versions: the fingerprints of these texts are the
// ones the engine has always computed (pinned when the vote counting was rewritten).
TEST(SimHash, FingerprintsAreStable) {
  EXPECT_EQ(simhash64("acme coffee made me sick this morning, never buying their cold brew again"), 0xbc0bd7a721d80620ULL);
  EXPECT_EQ(simhash64("喝了这家的咖啡之后拉肚子，再也不买了，大家小心"), 0xe9341f39e4b21c93ULL);
  EXPECT_EQ(simhash64("a"), 0x82a2a958a9bece5bULL);
  EXPECT_EQ(simhash64("喝"), 0x1bccc7701094d9fdULL);
  EXPECT_EQ(simhash64("手机"), 0x90bdd987c4d3bb91ULL);
  EXPECT_EQ(simhash64("rt @x: ok"), 0x0282f9d1518adf05ULL);
}

TEST(Parse, Windows) {
  EXPECT_EQ(*parse_window("5m"), 5 * kMinuteMs);
  EXPECT_EQ(*parse_window("1h"), kHourMs);
  EXPECT_EQ(*parse_window("24h"), kDayMs);
  EXPECT_EQ(*parse_window("7d"), 7 * kDayMs);
  EXPECT_EQ(*parse_window("2w"), 14 * kDayMs);
  EXPECT_EQ(*parse_window("120s"), 2 * kMinuteMs);
  for (const char* bad : {"", "h", "0h", "-1h", "5x", "90s", "1.5h", "99999999d"}) {
    EXPECT_FALSE(parse_window(bad).ok()) << bad;
  }
  EXPECT_NE(parse_window("5x").error().find("unknown unit"), std::string::npos);
}

TEST(Parse, Times) {
  EXPECT_EQ(*parse_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_time("2024-05-01T12:00:00Z"), 1714564800000);
  EXPECT_EQ(*parse_time("2024-05-01T20:00:00+08:00"), 1714564800000);
  EXPECT_EQ(*parse_time("2024-05-01T12:00:00.250Z"), 1714564800250);
  EXPECT_EQ(*parse_time("1714564800000"), 1714564800000);
  for (const char* bad : {"", "yesterday", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_time(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace yuqing::window
