#pragma once
// Window store: per-brand event-time buckets in RocksDB (minute, hour and day), the queries,
// baselines and share of voice built on them, and a bounded per-brand ring of top mentions.
// docs/windows.md describes the storage format, the approximations and the retention rules.
//
// Write path (the pipeline worker thread only):
//   BatchAggregator::add(update)            per (mention, matched brand); memory only
//   BatchAggregator::add_top_mention(...)   for mentions whose reach qualifies
//   BatchAggregator::flush(write_batch)     once per batch: ONE Merge per touched (brand,
//                                           minute), hour and day key, the watermark, ring
//                                           changes and range deletes for retention
// The caller commits that WriteBatch together with the source position (StateStore), which
// makes window state exactly-once across kill -9. Nothing is written per mention.
//
// Read path (any thread, e.g. HTTP handlers): WindowStore::query/baseline/compare/top_mentions
// read RocksDB (a consistent snapshot per call) and the brand table (shared_ptr swapped under a
// mutex, taken once per call / once per batch). They never block the writer for long.
//
// Time: everything is event time. "now" is the event-time watermark (the newest event time
// seen), so replaying last year's data behaves exactly like live data.

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/base/result.h"
#include "engine/mention/mention.h"

namespace yuqing::state {
class StateStore;
}

namespace yuqing::window {

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kDayMs = 86'400'000;
inline constexpr int kMaxAspects = 32;
inline constexpr int kCrisisCount = 6;  // safety, quality, legal, service, reputation, privacy
std::string_view crisis_name(int index);

// Column families the store needs. Request them at open AND give them the window options
// (merge operator, compression) through configure_column_family(); see docs/windows.md.
inline constexpr std::string_view kBucketsFamily = "buckets";
inline constexpr std::string_view kTopFamily = "top_mentions";
// Sets the merge operator and table options for the window families; leaves others alone.
void configure_column_family(std::string_view name, rocksdb::ColumnFamilyOptions& options);

// One per (mention, matched brand), built by the pipeline stage.
struct WindowUpdate {
  std::uint32_t brand = 0;          // index into the list given to set_brands()
  std::int64_t event_ms = 0;        // mention created_at (epoch ms, UTC)
  Platform platform = Platform::other;
  std::int8_t label = 0;            // -1 negative, 0 neutral, +1 positive
  float score = 0;                  // sentiment in [-1, 1]
  std::uint64_t reach = 0;          // followers + engagement
  std::uint64_t author_hash = 0;    // keyed hash of the author id; 0 = unknown
  std::uint64_t story = 0;          // simhash64() of the normalized text
  bool is_repost = false;           // parent_id present
  std::uint32_t aspect_mask = 0;    // bit per aspect index
  std::uint32_t negative_aspect_mask = 0;  // aspects hit in a negative clause
  std::uint8_t crisis_mask = 0;     // bit per crisis category (crisis_name())
};

// A mention kept in a brand's top-mentions ring (strings are copied; text cut to 280 bytes).
struct TopMentionView {
  std::string_view id, url, text, author_name;
  Platform platform = Platform::other;
  std::int64_t followers = 0;
  std::uint64_t reach = 0;
  float score = 0;
  std::int8_t label = 0;
  std::int64_t event_ms = 0;
  std::uint64_t author_hash = 0;  // for erase_author()
};
struct TopMention {
  std::string id, url, text, author_name;
  Platform platform = Platform::other;
  std::int64_t followers = 0;
  std::uint64_t reach = 0;
  float score = 0;
  std::int8_t label = 0;
  std::int64_t event_ms = 0;
  std::uint64_t author_hash = 0;
};

struct BrandInfo {
  std::string id;                        // stable string id: used in storage keys
  std::string name;                      // display name (may be empty)
  std::vector<std::string> competitors;  // brand ids
};

struct WindowOptions {
  std::int64_t allowed_lateness_ms = 10 * kMinuteMs;  // Default: 10 min behind the watermark
  std::int64_t minute_retention_ms = 90 * kDayMs;     // Default: 90 days of minute buckets
  std::int64_t hour_retention_ms = 400 * kDayMs;      // Default: 400 days of hour buckets
  std::int64_t day_retention_ms = 731 * kDayMs;       // Default: 2 years of day buckets
  // Events newer than wall clock + this are dropped (reason "future"); 0 = off (default, so
  // generated or replayed streams ahead of the wall clock work). Needs a clock when > 0.
  std::int64_t max_future_ms = 0;
  int near_duplicate_bits = 3;            // Hamming distance for "same story" (<= 3)
  std::int64_t story_memory_ms = kDayMs;  // a story seen within this is not new again
  std::size_t story_table_sets = 1 << 16; // x 4 ways x 16 B = 4 MiB recent-story table
  std::size_t top_ring_size = 200;        // top mentions kept per brand
  std::int64_t top_recent_ms = 7 * kDayMs;  // ring entries older than this are replaced first
  int baseline_weeks = 8;                 // seasonal samples looked at
  int baseline_min_seasonal = 3;          // fewer -> EWMA fallback
  int baseline_ewma_windows = 24;         // EWMA looks back this many windows
  int baseline_min_ewma = 6;              // fewer -> insufficient history
  double baseline_ewma_alpha = 0.3;
};

// One query step (or any range): the summed buckets plus derived values.
struct Point {
  std::int64_t from_ms = 0, to_ms = 0;
  std::uint64_t mentions = 0, stories = 0, reposts = 0;
  std::uint64_t positive = 0, neutral = 0, negative = 0, reach = 0;
  double avg_sentiment = 0;   // 0 when no mentions
  double negative_ratio = 0;  // negative / mentions, 0 when no mentions
  double unique_authors = 0;  // HyperLogLog estimate (p = 10, ~3% error)
  std::array<std::uint64_t, kPlatformCount> platform{};
  std::array<std::uint64_t, kMaxAspects> aspect{}, negative_aspect{};
  std::array<std::uint64_t, kCrisisCount> crisis{};
  int keys_read = 0;          // buckets read (minute + hour + day keys)
};

// The counters the alert detectors read (a Point without reach, platforms, aspects and unique
// authors), summed over a range. WindowStore::recent_total() serves them from memory.
struct Counts {
  std::uint64_t mentions = 0, stories = 0, negative = 0;
  std::int64_t sentiment_e4 = 0;  // sum of round(score * 10^4)
  std::array<std::uint64_t, kCrisisCount> crisis{};
  // Point::avg_sentiment, by the same arithmetic.
  double avg_sentiment() const {
    return mentions ? static_cast<double>(sentiment_e4) / 10000.0 / static_cast<double>(mentions) : 0;
  }
  Counts& operator+=(const Counts& o) {
    mentions += o.mentions;
    stories += o.stories;
    negative += o.negative;
    sentiment_e4 += o.sentiment_e4;
    for (std::size_t i = 0; i < crisis.size(); ++i) crisis[i] += o.crisis[i];
    return *this;
  }
  bool operator==(const Counts&) const = default;
};

enum class Metric { mentions, negatives, stories, reach };
std::optional<Metric> metric_from_name(std::string_view name);

struct Baseline {
  enum class Kind { seasonal, ewma, insufficient_history } kind = Kind::insufficient_history;
  double mean = 0, stddev = 0;
  int samples = 0;
};
std::string_view baseline_kind_name(Baseline::Kind k);

struct CompareRow {
  std::string brand;
  std::uint64_t mentions = 0, negatives = 0, prev_mentions = 0, prev_negatives = 0;
  double share = 0, negative_share = 0;            // of the compared set, in [0, 1]
  double prev_share = 0, prev_negative_share = 0;  // previous window of the same length
  double share_change = 0, negative_share_change = 0;  // share - prev_share (fraction points)
  double avg_sentiment = 0, negative_ratio = 0;
};

// "5m", "1h", "24h", "7d", "90s", "2w" -> milliseconds (minute multiples only); error text otherwise.
Result<std::int64_t, std::string> parse_window(std::string_view text);
// RFC 3339 ("2024-05-01T12:00:00Z", offsets allowed) or epoch milliseconds.
Result<std::int64_t, std::string> parse_time(std::string_view text);

// 64-bit SimHash of already-normalized text (normalize::Normalizer output): code-point
// trigram shingles (words for ASCII-only text), FNV-1a hashed. Near-duplicates differ in a few bits.
std::uint64_t simhash64(std::string_view normalized_text);
inline int hamming(std::uint64_t a, std::uint64_t b) { return __builtin_popcountll(a ^ b); }

class BatchAggregator;

class WindowStore {
 public:
  // On a StateStore opened with kBucketsFamily and kTopFamily in extra_column_families and
  // configure_column_family applied to them.
  static Result<std::unique_ptr<WindowStore>, std::string> open(state::StateStore& state, WindowOptions options = {});
  // On any DB with the two families (tests, tools).
  static Result<std::unique_ptr<WindowStore>, std::string> open(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* buckets,
                                                                rocksdb::ColumnFamilyHandle* top,
                                                                WindowOptions options = {});
  ~WindowStore();
  WindowStore(const WindowStore&) = delete;
  WindowStore& operator=(const WindowStore&) = delete;

  // Replaces the brand list (rules reload). WindowUpdate::brand indexes this list from the
  // next batch on (the aggregator picks it up after its next flush). Aspect names: by bit.
  void set_brands(std::vector<BrandInfo> brands, std::vector<std::string> aspect_names = {});
  std::vector<BrandInfo> brands() const;
  std::vector<std::string> aspect_names() const;
  bool has_brand(std::string_view id) const;

  // The single writer. Owned by the store; use from the worker thread only.
  BatchAggregator& aggregator() { return *aggregator_; }

  // Newest event time committed by flush (0 before any data). Any thread.
  std::int64_t watermark_ms() const { return watermark_.load(std::memory_order_acquire); }

  // Points for [from, from+step), ... up to `to` (bounds floored to the minute; step a
  // multiple of a minute). Each step is tiled with the coarsest buckets (day, hour, minute).
  std::vector<Point> query(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms, std::int64_t step_ms) const;
  Point total(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const;

  // Baseline of `metric` for the window [end - length, end): same hour-of-week over past weeks
  // when enough of them have data history, else an EWMA of the preceding windows, else
  // Kind::insufficient_history. History starts at the brand's oldest retained hour bucket.
  Baseline baseline(std::string_view brand, Metric metric, std::int64_t end_ms, std::int64_t length_ms) const;

  // Share of voice within `brands` over [end - length, end) and vs the window before it.
  std::vector<CompareRow> compare(const std::vector<std::string>& brands, std::int64_t end_ms, std::int64_t length_ms) const;
  // compare({brand} + its competitors); the brand's row is first.
  std::vector<CompareRow> share_of_voice(std::string_view brand, std::int64_t end_ms, std::int64_t length_ms) const;

  // The alert detectors' reads. Worker thread only (the thread that flushes), between a batch's
  // flush and the next one's: the same figures as total() and baseline() give for the
  // committed state, from the brands' recent minute, hour and day buckets kept in memory
  // (loaded from RocksDB on first use, then kept up to date from the deltas each flush writes,
  // applied once BatchAggregator::committed() says the batch is in RocksDB). Ranges older than
  // what is kept (e.g. the seasonal baseline's past weeks) are read from RocksDB, counters only.
  Counts recent_total(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const;
  Baseline recent_baseline(std::string_view brand, Metric metric, std::int64_t end_ms, std::int64_t length_ms) const;
  struct RecentStats {
    std::uint64_t hits = 0;       // recent_total() ranges served from memory
    std::uint64_t misses = 0;     // ... read from RocksDB (older than what is kept)
    std::uint64_t loads = 0;      // a brand's buckets of one granularity read into memory
    std::uint64_t drops = 0;      // everything forgotten (retention, ownership change, ...)
    std::uint64_t brands = 0;     // brands held now
    std::uint64_t bytes = 0;      // bucket memory held now
  };
  RecentStats recent_stats() const;

  // Top mentions by reach (desc) from the persisted ring; label filter: nullopt = any.
  std::vector<TopMention> top_mentions(std::string_view brand, std::optional<std::int8_t> label, std::size_t limit,
                                       std::int64_t since_ms = 0) const;

  // Erases what is erasable for an author (top-mention ring entries) into `batch`; returns how
  // many entries. Unique-author sketches cannot forget one author (docs/windows.md). Worker thread.
  std::size_t erase_author(std::uint64_t author_hash, rocksdb::WriteBatch& batch);

  const WindowOptions& options() const { return options_; }
  rocksdb::DB* db() const { return db_; }

  struct Impl;
  struct Recent;

 private:
  WindowStore() = default;
  friend class BatchAggregator;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* buckets_ = nullptr;
  rocksdb::ColumnFamilyHandle* top_ = nullptr;
  WindowOptions options_;
  std::atomic<std::int64_t> watermark_{0};
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Recent> recent_;  // the alert reads' buckets in memory (worker thread)
  std::unique_ptr<BatchAggregator> aggregator_;
};

// Per-batch in-memory aggregation. Counters are written by the worker and may be read by a
// metrics scrape from any thread.
class BatchAggregator {
 public:
  explicit BatchAggregator(WindowStore& store);
  ~BatchAggregator();
  BatchAggregator(const BatchAggregator&) = delete;
  BatchAggregator& operator=(const BatchAggregator&) = delete;

  void add(const WindowUpdate& update);
  // True when a mention with this reach would enter the brand's ring (cheap; call first).
  bool top_mention_qualifies(std::uint32_t brand, std::uint64_t reach) const;
  void add_top_mention(std::uint32_t brand, const TopMentionView& mention);
  // Adds this batch's changes to `batch` and resets. Call once per batch, before commit.
  void flush(rocksdb::WriteBatch& batch);
  // The WriteBatch of the last flush is committed: its bucket deltas reach the memory behind
  // WindowStore::recent_total(). (A flush while the previous one was never confirmed makes
  // that memory forget everything: it is read again from RocksDB.)
  void committed();

  // Forgets what was read from the store: the top-mention rings and the recent buckets of the
  // alert reads (call between batches when the state of some brands was replaced underneath,
  // e.g. restored from the aggregate role's changelog).
  void drop_cached_state();

  // Wall clock for max_future_ms only (tests inject one). Default: system clock.
  void set_wall_clock(std::int64_t (*now_ms)());

  struct Counters {
    std::atomic<std::uint64_t> updates{0};        // accepted updates
    std::atomic<std::uint64_t> late{0};           // yuqing_late_events_total
    std::atomic<std::uint64_t> dropped_beyond_retention{0};  // {reason="beyond_retention"}
    std::atomic<std::uint64_t> dropped_future{0};            // {reason="future"}
    std::atomic<std::uint64_t> dropped_unknown_brand{0};     // {reason="unknown_brand"}
    std::atomic<std::uint64_t> near_duplicates{0};  // updates collapsed into a known story
    std::atomic<std::uint64_t> flushes{0};
    std::atomic<std::uint64_t> merges{0};           // Merge operations written
  };
  const Counters& counters() const { return counters_; }

  struct Impl;

 private:
  friend class WindowStore;
  WindowStore& store_;
  Counters counters_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yuqing::window
