// WindowStore::Recent: the alert detectors' reads served from memory. Per brand and
// granularity a ring of the most recent buckets' counters, equal to RocksDB's committed
// buckets: read from RocksDB when first needed (or when a read reaches further back than what
// is held), then kept up to date from the deltas each flush writes, applied once the batch is
// committed (BatchAggregator::committed). Everything is forgotten whenever buckets change any
// other way (retention range deletes, a changelog restore behind an ownership change, a flush
// whose commit was never confirmed). Worker thread only; nothing here runs per mention.
#include <algorithm>

#include "engine/window/internal.h"

namespace yuqing::window {
namespace {

std::size_t ring_index(Gran g) { return g == Gran::minute ? 0 : g == Gran::hour ? 1 : 2; }

// Ring sizes (periods, powers of two): a ring starts at the minimum and grows (read again)
// when reads reach further back, up to the maximum; beyond that they are answered from
// RocksDB. The shipped policy reads ~4.2 h back (an EWMA baseline of 24 x 10 min): 512
// minutes per brand with data (40 KiB).
constexpr std::array<std::uint32_t, 3> kMinCap = {64, 16, 8};
constexpr std::array<std::uint32_t, 3> kMaxCap = {2048, 512, 128};

}  // namespace

void WindowStore::Recent::Ring::slide_to(std::int64_t p) {
  const std::int64_t next_lo = p - cap + 1;
  if (!slots.empty()) {
    if (next_lo >= lo + cap) {
      std::fill(slots.begin(), slots.end(), Counts{});
    } else {
      for (std::int64_t q = lo + cap; q <= p; ++q) slots[static_cast<std::size_t>(q) & (cap - 1)] = Counts{};
    }
  }
  lo = next_lo;
}

void WindowStore::Recent::Ring::add(std::int64_t p, const Counts& c) {
  if (cap == 0 || p < lo) return;  // not held: read from RocksDB when needed
  if (p >= lo + cap) slide_to(p);
  if (slots.empty()) slots.assign(cap, Counts{});
  slots[static_cast<std::size_t>(p) & (cap - 1)] += c;
}

void WindowStore::Recent::Ring::sum(std::int64_t p0, std::int64_t p1, Counts& acc) const {
  if (slots.empty()) return;
  p1 = std::min(p1, lo + cap);
  for (std::int64_t p = p0; p < p1; ++p) acc += slots[static_cast<std::size_t>(p) & (cap - 1)];
}

void WindowStore::Recent::drop() {
  last_id = nullptr;
  last = nullptr;
  brands.clear();
  ++stats.drops;
}

void WindowStore::Recent::apply(const BrandTable& table, const std::vector<BucketDelta>& deltas,
                                const std::vector<std::uint32_t>& order) {
  if (brands.empty()) return;
  Brand* cur = nullptr;
  std::uint32_t cur_index = 0xffffffffu;
  for (const auto i : order) {
    const BucketDelta& d = deltas[i];
    if (d.brand != cur_index) {
      cur_index = d.brand;
      const auto it = brands.find(std::string_view(table.brands[d.brand].id));
      cur = it == brands.end() ? nullptr : &it->second;
    }
    if (cur == nullptr) continue;
    cur->rings[ring_index(d.g)].add(d.period, d.counts);
    if (cur->history_known && d.g != Gran::day) {
      std::int64_t& first = d.g == Gran::minute ? cur->first_minute : cur->first_hour;
      if (first < 0 || d.period < first) first = d.period;
    }
  }
}

namespace {

// Reads periods [lo, ...) of one brand and granularity into `ring` (which holds [lo, lo+cap)).
void load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string_view brand, Gran g, std::int64_t lo,
          std::uint32_t cap, WindowStore::Recent::Ring& ring) {
  ring.lo = lo;
  ring.cap = cap;
  ring.slots.clear();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  std::string_view b;
  Gran kg{};
  std::uint32_t period = 0;
  for (it->Seek(bucket_key(brand, g, static_cast<std::uint32_t>(lo))); it->Valid(); it->Next()) {
    if (!parse_bucket_key(std::string_view(it->key().data(), it->key().size()), b, kg, period) || b != brand ||
        kg != g) {
      break;
    }
    Counts c;
    if (!decode_counts(std::string_view(it->value().data(), it->value().size()), c)) continue;  // as a read skips it
    if (c == Counts{}) continue;
    if (period >= ring.lo + cap) ring.slide_to(period);  // newer than the watermark (restored state)
    if (ring.slots.empty()) ring.slots.assign(cap, Counts{});
    ring.slots[period & (cap - 1)] = c;
  }
}

}  // namespace

Counts WindowStore::recent_total(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const {
  from_ms = floor_to(from_ms, kMinuteMs);
  to_ms = floor_to(to_ms, kMinuteMs);
  if (to_ms <= from_ms) return {};
  Recent& r = *recent_;
  Recent::Brand& held = r.held(brand);
  const std::int64_t wm = watermark_ms();
  Pieces pieces;
  tile(from_ms, to_ms, pieces);
  Counts acc;
  for (const auto& pc : pieces) {
    std::uint32_t p0 = 0, p1 = 0;
    if (!piece_periods(pc, options_, wm, p0, p1)) continue;
    const std::size_t gi = ring_index(pc.g);
    Recent::Ring& ring = held.rings[gi];
    if (ring.cap == 0 || p0 < ring.lo) {
      // Not held (yet): hold the periods from p0 to the newest (and some more for reads that
      // reach back a little further next time), unless that is more than a ring holds.
      std::int64_t top = wm / gran_ms(pc.g) + 1;
      if (ring.cap != 0) top = std::max(top, ring.lo + ring.cap);
      const std::int64_t need = top - p0;
      if (need > kMaxCap[gi]) {
        ++r.stats.misses;
        return read_counts(db_, buckets_, brand, from_ms, to_ms, options_, wm);
      }
      std::uint32_t cap = kMinCap[gi];
      while (cap < need + need / 2 && cap < kMaxCap[gi]) cap <<= 1;
      load(db_, buckets_, brand, pc.g, std::max<std::int64_t>(0, top - cap), cap, ring);
      ++r.stats.loads;
      if (p0 < ring.lo) {  // buckets far ahead of the watermark moved the ring past p0
        ++r.stats.misses;
        return read_counts(db_, buckets_, brand, from_ms, to_ms, options_, wm);
      }
    }
    ring.sum(p0, p1, acc);
  }
  ++r.stats.hits;
  return acc;
}

Baseline WindowStore::recent_baseline(std::string_view brand, Metric metric, std::int64_t end_ms,
                                      std::int64_t length_ms) const {
  if (metric == Metric::reach) return baseline(brand, metric, end_ms, length_ms);  // not in Counts
  end_ms = floor_to(end_ms, kMinuteMs);
  length_ms = std::max(kMinuteMs, floor_to(length_ms, kMinuteMs));
  Recent& r = *recent_;
  Recent::Brand& held = r.held(brand);
  if (!held.history_known) {
    first_buckets(db_, buckets_, brand, held.first_hour, held.first_minute);
    held.history_known = true;
  }
  const std::int64_t history = history_start(held.first_hour, held.first_minute, watermark_ms(), options_);
  if (history < 0) return Baseline{};  // no data at all
  return baseline_from(options_, end_ms, length_ms, history, [&](std::int64_t e) {
    const Counts c = recent_total(brand, e - length_ms, e);
    return static_cast<double>(metric == Metric::mentions ? c.mentions : metric == Metric::negatives ? c.negative
                                                                                                      : c.stories);
  });
}

WindowStore::RecentStats WindowStore::recent_stats() const {
  RecentStats s = recent_->stats;
  s.brands = recent_->brands.size();
  s.bytes = 0;
  for (const auto& [id, b] : recent_->brands) {
    for (const auto& ring : b.rings) s.bytes += ring.slots.capacity() * sizeof(Counts);
  }
  return s;
}

}  // namespace yuqing::window
