#pragma once
// Internal types shared by store.cpp and aggregator.cpp.

#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/window/bucket.h"
#include "engine/window/window.h"

namespace yuqing::window {

// The brand list of one configuration version. Immutable once published.
struct BrandTable {
  std::vector<BrandInfo> brands;
  std::vector<std::uint32_t> tags;  // 32-bit hash of each id (recent-story table)
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::string> aspects;
};

struct WindowStore::Impl {
  mutable std::mutex mu;  // guards `table` (the pointer, not the table)
  std::shared_ptr<const BrandTable> table = std::make_shared<BrandTable>();

  std::shared_ptr<const BrandTable> snapshot() const {
    std::lock_guard<std::mutex> lock(mu);
    return table;
  }
};

inline std::int64_t floor_to(std::int64_t t, std::int64_t unit) {
  const std::int64_t q = t / unit;
  return (q * unit > t ? q - 1 : q) * unit;
}

// Oldest retained instant of a granularity for a watermark (day aligned, never negative).
inline std::int64_t horizon(std::int64_t watermark_ms, std::int64_t retention_ms) {
  if (watermark_ms <= 0) return 0;
  const std::int64_t h = floor_to(watermark_ms - retention_ms, 86'400'000);
  return h < 0 ? 0 : h;
}

// Bucket values -> the counters of Counts (decode_counts: false for exactly the values
// Bucket::decode rejects; `out` untouched then).
bool decode_counts(std::string_view in, Counts& out);
Counts counts_of(const Bucket& b);

// A range of one granularity's buckets; tile() covers [a, b) (minute aligned) with the
// coarsest buckets: minute edges, hour edges, whole days (at most 5 pieces).
struct Piece {
  Gran g;
  std::int64_t from, to;  // aligned to g
};
struct Pieces {
  std::array<Piece, 8> v;
  int n = 0;
  void push_back(const Piece& p) { v[static_cast<std::size_t>(n++)] = p; }
  const Piece* begin() const { return v.data(); }
  const Piece* end() const { return v.data() + n; }
};
void tile(std::int64_t a, std::int64_t b, Pieces& out);
// The periods [p0, p1) of a piece a read looks at: buckets below the granularity's retention
// horizon (for the watermark `wm`) count as gone even before a compaction removes them, so
// answers do not depend on compaction timing. False: nothing to read.
bool piece_periods(const Piece& pc, const WindowOptions& o, std::int64_t wm, std::uint32_t& p0, std::uint32_t& p1);

// The baseline arithmetic shared by WindowStore::baseline and recent_baseline: `end_ms` and
// `length_ms` minute aligned, `history` >= 0 the start of the brand's data, value(e) the
// metric over [e - length_ms, e).
template <class Value>
Baseline baseline_from(const WindowOptions& o, std::int64_t end_ms, std::int64_t length_ms, std::int64_t history,
                       const Value& value) {
  Baseline out;
  std::vector<double> xs;
  for (int k = 1; k <= o.baseline_weeks; ++k) {
    const std::int64_t e = end_ms - std::int64_t{k} * 7 * 86'400'000;
    if (e - length_ms < history) break;
    xs.push_back(value(e));
  }
  if (static_cast<int>(xs.size()) >= o.baseline_min_seasonal) {
    double sum = 0;
    for (double x : xs) sum += x;
    const double mean = sum / static_cast<double>(xs.size());
    double ss = 0;
    for (double x : xs) ss += (x - mean) * (x - mean);
    out.kind = Baseline::Kind::seasonal;
    out.mean = mean;
    out.stddev = std::sqrt(ss / static_cast<double>(xs.size() - 1));
    out.samples = static_cast<int>(xs.size());
    return out;
  }
  xs.clear();
  for (int j = o.baseline_ewma_windows; j >= 1; --j) {  // oldest first
    const std::int64_t e = end_ms - std::int64_t{j} * length_ms;
    if (e - length_ms < history) continue;
    xs.push_back(value(e));
  }
  if (static_cast<int>(xs.size()) < o.baseline_min_ewma) {
    out.samples = static_cast<int>(xs.size());
    return out;
  }
  const double a = o.baseline_ewma_alpha;
  double mean = xs.front(), var = 0;
  for (std::size_t i = 1; i < xs.size(); ++i) {
    const double d = xs[i] - mean;
    mean += a * d;
    var = (1 - a) * (var + a * d * d);
  }
  out.kind = Baseline::Kind::ewma;
  out.mean = mean;
  out.stddev = std::sqrt(var);
  out.samples = static_cast<int>(xs.size());
  return out;
}

// The alert counters of one brand over [from_ms, to_ms) read from RocksDB (as total()).
Counts read_counts(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string_view brand, std::int64_t from_ms,
                   std::int64_t to_ms, const WindowOptions& o, std::int64_t wm);
// The brand's oldest hour and minute buckets (periods; -1 when there are none) and the start of
// its history for baselines from them (-1: no data at all).
void first_buckets(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string_view brand, std::int64_t& first_hour,
                   std::int64_t& first_minute);
std::int64_t history_start(std::int64_t first_hour, std::int64_t first_minute, std::int64_t wm, const WindowOptions& o);

// One bucket delta of a flush, for WindowStore::Recent (brand: index into the flush's table).
struct BucketDelta {
  std::uint32_t brand = 0;
  Gran g = Gran::minute;
  std::uint32_t period = 0;
  Counts counts;
};

// The alert reads' buckets in memory (recent.cpp). Worker thread only.
struct WindowStore::Recent {
  // Periods [lo, lo + cap) of one granularity of one brand, equal to RocksDB's buckets; no
  // bucket of that granularity exists at lo + cap or later. Older periods are not held.
  struct Ring {
    std::int64_t lo = 0;
    std::uint32_t cap = 0;      // a power of two; 0 = not loaded
    std::vector<Counts> slots;  // by period & (cap - 1); empty while every period is zero
    void slide_to(std::int64_t p);  // makes p < lo + cap (newer periods come in as zero)
    void add(std::int64_t p, const Counts& c);
    void sum(std::int64_t p0, std::int64_t p1, Counts& acc) const;  // p0 >= lo
  };
  struct Brand {
    std::array<Ring, 3> rings;  // minute, hour, day
    bool history_known = false;
    std::int64_t first_minute = -1, first_hour = -1;  // oldest bucket present; -1 none
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Brand, Hash, std::equal_to<>> brands;
  WindowStore::RecentStats stats;
  // The brand of the previous read: a detector's reads for one brand come in a row (a
  // baseline alone is up to 32 ranges), so they skip hashing the id. Nodes of `brands` do not
  // move; drop() forgets it.
  const std::string* last_id = nullptr;
  Brand* last = nullptr;

  // The brand's entry, created empty when not held.
  Brand& held(std::string_view brand) {
    if (last != nullptr && *last_id == brand) return *last;
    auto it = brands.find(brand);
    if (it == brands.end()) it = brands.emplace(std::string(brand), Brand{}).first;
    last_id = &it->first;
    last = &it->second;
    return it->second;
  }
  void drop();
  // Applies a committed flush's deltas (`order`: indexes into `deltas`, sorted by key, so one
  // brand's deltas are adjacent). Brands not held are left alone: they are read when needed.
  void apply(const BrandTable& table, const std::vector<BucketDelta>& deltas, const std::vector<std::uint32_t>& order);
};

// Top-mention ring values: varints and length-prefixed strings (docs/windows.md).
void encode_top(std::string& out, const TopMention& m);
bool decode_top(std::string_view in, TopMention& m);
std::string top_key(std::string_view brand, std::uint16_t slot);

}  // namespace yuqing::window
