// BatchAggregator: per-batch in-memory aggregation, the recent-story table, the top-mention
// rings, lateness/retention accounting and the one-WriteBatch flush.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "engine/base/log.h"
#include "engine/window/internal.h"

namespace yuqing::window {
namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void relaxed_add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// Lossy set-associative table of recent stories, shared by all brands (bounded memory). Each
// story is filed under its four 16-bit blocks: two SimHashes within 3 bits share at least one
// block exactly, so one of the four probes finds it (unless it was evicted).
class StoryTable {
 public:
  explicit StoryTable(std::size_t sets) : mask_(sets - 1), slots_(sets * kWays) {}

  // True when a near-duplicate of `story` for `tag` was seen within `memory_min` minutes.
  // Records the story either way (refreshing the time of a match).
  bool seen(std::uint32_t tag, std::uint64_t story, std::int32_t minute, int bits, std::int32_t memory_min) {
    // The four sets are found once (probe, then file under them) and fetched together: they
    // are random lines of a 4 MiB table, so each is a likely cache miss.
    std::array<Slot*, 4> sets;
    for (int b = 0; b < 4; ++b) {
      sets[static_cast<std::size_t>(b)] = set_for(tag, b, story);
      __builtin_prefetch(sets[static_cast<std::size_t>(b)]);
    }
    for (Slot* set : sets) {
      for (int w = 0; w < kWays; ++w) {
        Slot& s = set[w];
        if (s.tag == tag && std::abs(s.minute - minute) <= memory_min && hamming(s.story, story) <= bits) {
          s.minute = std::max(s.minute, minute);
          return true;
        }
      }
    }
    for (Slot* set : sets) {
      Slot* victim = &set[0];
      for (int w = 1; w < kWays; ++w) {
        if (set[w].tag == 0 || set[w].minute < victim->minute) victim = &set[w];
        if (victim->tag == 0) break;
      }
      *victim = Slot{tag, minute, story};
    }
    return false;
  }

 private:
  static constexpr int kWays = 4;
  struct Slot {
    std::uint32_t tag = 0;  // brand tag; 0 = empty
    std::int32_t minute = 0;
    std::uint64_t story = 0;
  };
  Slot* set_for(std::uint32_t tag, int block, std::uint64_t story) {
    const std::uint64_t v = (story >> (16 * block)) & 0xffff;
    const std::uint64_t h = mix64((std::uint64_t{tag} << 32) ^ (v << 2) ^ static_cast<std::uint64_t>(block));
    return &slots_[(h & mask_) * kWays];
  }
  std::size_t mask_;
  std::vector<Slot> slots_;
};

// A brand's top-mention ring. Besides the slots it keeps what the per-mention check needs:
// how many slots are used, and, once full, the slots with the oldest event time and the lowest
// reach (recomputed lazily after a change), so qualifying a mention does not scan the ring.
// Slots changed since the last flush are listed once; the flush writes their final state.
struct Ring {
  std::vector<TopMention> slots;  // size <= capacity; empty id = free slot
  std::vector<bool> used;
  const std::string* brand = nullptr;  // the key of this ring in Impl::rings
  std::size_t used_count = 0;
  std::size_t first_free = 0;  // no free slot below this index
  bool mins_valid = false;     // the two argmins below describe the current slots
  std::size_t oldest = 0;      // first used slot with the smallest event_ms
  std::size_t weakest = 0;     // first used slot with the smallest reach
  std::vector<std::uint8_t> dirty;    // by slot: listed in `changed`
  std::vector<std::uint16_t> changed; // slots to write at the next flush

  void mark(std::size_t i) {
    mins_valid = false;
    if (!dirty[i]) {
      dirty[i] = 1;
      changed.push_back(static_cast<std::uint16_t>(i));
    }
  }
  void take(std::size_t i) {
    if (!used[i]) ++used_count;
    used[i] = true;
    mark(i);
  }
  void release(std::size_t i) {
    if (used[i]) --used_count;
    used[i] = false;
    slots[i] = TopMention{};
    first_free = std::min(first_free, i);
    mark(i);
  }
  std::size_t free_slot() {
    while (first_free < slots.size() && used[first_free]) ++first_free;
    return first_free;
  }
  bool full() const { return used_count == slots.size(); }
  // For a full, non-empty ring.
  void refresh_mins() {
    if (mins_valid) return;
    oldest = weakest = 0;
    for (std::size_t i = 1; i < slots.size(); ++i) {
      if (slots[i].event_ms < slots[oldest].event_ms) oldest = i;
      if (slots[i].reach < slots[weakest].reach) weakest = i;
    }
    mins_valid = true;
  }
};

struct Acc {
  std::uint32_t brand;
  std::uint32_t period;
  Bucket b;
};

}  // namespace

struct BatchAggregator::Impl {
  explicit Impl(const WindowOptions& o) : stories(o.story_table_sets) {}

  std::shared_ptr<const BrandTable> table;  // snapshot for the current batch
  std::unordered_map<std::uint64_t, std::uint32_t> index;  // brand << 32 | minute -> accs[i]
  std::vector<Acc> accs;
  std::size_t live = 0;  // accs[0..live) in use (the rest are reused allocations)
  struct Last {
    std::uint64_t batch = 0;  // valid while equal to batch_no
    std::uint32_t acc = 0;
  };
  std::vector<Last> last;     // by brand index: the accumulator of its latest update
  std::uint64_t batch_no = 1; // advanced by each flush
  std::int64_t watermark = 0;
  std::int64_t committed_watermark = 0;
  std::int64_t retention_day = -1;  // last day a retention pass ran for (persisted)
  StoryTable stories;
  std::unordered_map<std::string, Ring> rings;  // by brand id (loaded lazily)
  std::vector<Ring*> ring_by_index;             // for the current table
  std::vector<Ring*> rings_changed;             // rings with slots to write at the next flush
  // Slot writes of rings forgotten before the flush (drop_cached_state): key, value ("" = delete).
  std::vector<std::pair<std::string, std::string>> orphan_writes;
  std::int64_t (*now_ms)() = &system_now_ms;
  // Flush scratch, reused across batches.
  std::shared_ptr<const BrandTable> rank_of;  // the table `rank` was computed for (held: no reuse of its address)
  std::vector<std::uint32_t> rank;      // brand index -> position of its id in sorted order
  std::vector<std::uint32_t> acc_order; // accs[0..live) by key order (brand id, minute)
  std::vector<std::string> acc_bytes;   // encoded value of accs[acc_order[i]]
  Bucket rollup;
  std::vector<std::pair<std::string, std::string>> out_storage;
  std::vector<BucketDelta> deltas;  // the counters of out_storage[i], for WindowStore::Recent
  std::vector<std::uint32_t> out;  // indexes into out_storage (it may grow while filling)
  std::string top_key_scratch, top_value_scratch;
  // The last flush, until committed() (its deltas are deltas[out[...]]).
  bool staged = false;
  bool staged_retention = false;  // it range-deleted old buckets
  std::shared_ptr<const BrandTable> staged_table;

  Acc& acc(std::uint32_t brand, std::uint32_t minute) {
    // A brand's updates in a batch mostly fall in the minute of its previous one: check that
    // first, then the map.
    if (brand >= last.size()) last.resize(brand + 1);
    Last& l = last[brand];
    if (l.batch == batch_no && accs[l.acc].period == minute) return accs[l.acc];
    const std::uint64_t key = (std::uint64_t{brand} << 32) | minute;
    auto [it, inserted] = index.try_emplace(key, static_cast<std::uint32_t>(live));
    l = Last{batch_no, it->second};
    if (!inserted) return accs[it->second];
    if (live == accs.size()) accs.emplace_back();
    Acc& a = accs[live++];
    a.brand = brand;
    a.period = minute;
    a.b.reset();
    return a;
  }
};

namespace {

std::string meta_i64(std::int64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
  return s;
}

Ring& load_ring(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* top, std::unordered_map<std::string, Ring>& rings,
                const std::string& brand, std::size_t capacity) {
  auto [it, inserted] = rings.try_emplace(brand);
  Ring& r = it->second;
  if (!inserted) return r;
  r.brand = &it->first;
  r.slots.resize(capacity);
  r.used.assign(capacity, false);
  r.dirty.assign(capacity, 0);
  std::string prefix = brand;
  prefix.push_back('\0');
  std::unique_ptr<rocksdb::Iterator> iter(db->NewIterator(rocksdb::ReadOptions(), top));
  for (iter->Seek(prefix); iter->Valid() && iter->key().starts_with(prefix); iter->Next()) {
    if (iter->key().size() != prefix.size() + 2) continue;
    const auto* k = reinterpret_cast<const unsigned char*>(iter->key().data()) + prefix.size();
    const std::size_t slot = (std::size_t{k[0]} << 8) | k[1];
    if (slot >= capacity) continue;  // ring shrank; the entry stays until erased
    if (decode_top(std::string_view(iter->value().data(), iter->value().size()), r.slots[slot]) && !r.used[slot]) {
      r.used[slot] = true;
      ++r.used_count;
    }
  }
  return r;
}

}  // namespace

BatchAggregator::BatchAggregator(WindowStore& store) : store_(store), impl_(std::make_unique<Impl>(store.options())) {
  impl_->watermark = impl_->committed_watermark = store.watermark_ms();
  std::string v;
  if (store.db_->Get(rocksdb::ReadOptions(), store.buckets_, rocksdb::Slice(kRetentionKey.data(), kRetentionKey.size()), &v)
          .ok() &&
      v.size() == 8) {
    std::int64_t d = 0;
    for (int i = 7; i >= 0; --i) d = (d << 8) | static_cast<unsigned char>(v[static_cast<std::size_t>(i)]);
    impl_->retention_day = d;
  }
}

BatchAggregator::~BatchAggregator() = default;

void BatchAggregator::drop_cached_state() {
  Impl& m = *impl_;
  // Slots changed since the last flush still go into the next one (as before the rings kept
  // their writes apart from the slots).
  for (Ring* r : m.rings_changed) {
    for (const std::uint16_t i : r->changed) {
      std::string value;
      if (r->used[i]) encode_top(value, r->slots[i]);
      m.orphan_writes.emplace_back(top_key(*r->brand, i), std::move(value));
    }
  }
  m.rings.clear();
  m.rings_changed.clear();
  std::fill(m.ring_by_index.begin(), m.ring_by_index.end(), nullptr);
  store_.recent_->drop();
}

void BatchAggregator::committed() {
  Impl& m = *impl_;
  if (!m.staged) return;
  if (m.staged_retention) {
    store_.recent_->drop();  // buckets were range-deleted: the first buckets moved
  } else if (m.staged_table) {
    store_.recent_->apply(*m.staged_table, m.deltas, m.out);
  }
  m.staged = false;
  m.staged_table.reset();
}

void BatchAggregator::set_wall_clock(std::int64_t (*now_ms)()) { impl_->now_ms = now_ms ? now_ms : &system_now_ms; }

void BatchAggregator::add(const WindowUpdate& u) {
  Impl& m = *impl_;
  const WindowOptions& o = store_.options_;
  if (!m.table) {
    m.table = store_.impl_->snapshot();
    m.ring_by_index.assign(m.table->brands.size(), nullptr);
  }
  if (u.brand >= m.table->brands.size()) {
    relaxed_add(counters_.dropped_unknown_brand);
    return;
  }
  if (o.max_future_ms > 0 && u.event_ms > m.now_ms() + o.max_future_ms) {
    relaxed_add(counters_.dropped_future);
    return;
  }
  // Lateness and retention against the event-time watermark before this update.
  if (u.event_ms < horizon(m.watermark, o.minute_retention_ms) || u.event_ms < 0 ||
      u.event_ms / kMinuteMs > 0xffffffffLL) {
    relaxed_add(counters_.dropped_beyond_retention);
    return;
  }
  if (u.event_ms < m.watermark - o.allowed_lateness_ms) relaxed_add(counters_.late);
  if (u.event_ms > m.watermark) m.watermark = u.event_ms;

  const auto minute = static_cast<std::uint32_t>(u.event_ms / kMinuteMs);
  Bucket& b = m.acc(u.brand, minute).b;
  ++b.mentions;
  if (u.label < 0) ++b.negative;
  else if (u.label > 0) ++b.positive;
  else ++b.neutral;
  b.sentiment_e4 += std::lround(std::clamp(u.score, -1.0f, 1.0f) * 10000.0f);
  b.reach += u.reach;
  const auto p = static_cast<std::size_t>(u.platform);
  if (p < b.platform.size()) ++b.platform[p];
  for (std::uint32_t mask = u.aspect_mask | u.negative_aspect_mask; mask != 0; mask &= mask - 1) {
    const int i = __builtin_ctz(mask);
    if (u.aspect_mask & (1u << i)) ++b.aspect[static_cast<std::size_t>(i)];
    if (u.negative_aspect_mask & (1u << i)) ++b.negative_aspect[static_cast<std::size_t>(i)];
  }
  for (std::uint32_t mask = u.crisis_mask & ((1u << kCrisisCount) - 1); mask != 0; mask &= mask - 1) {
    ++b.crisis[static_cast<std::size_t>(__builtin_ctz(mask))];
  }
  if (u.author_hash != 0) b.authors.add_hash(mix64(u.author_hash));
  if (u.is_repost) {
    ++b.reposts;
  } else if (u.story == 0) {
    ++b.stories;  // no text to compare: its own story
  } else if (m.stories.seen(m.table->tags[u.brand], u.story, static_cast<std::int32_t>(minute), o.near_duplicate_bits,
                            static_cast<std::int32_t>(o.story_memory_ms / kMinuteMs))) {
    relaxed_add(counters_.near_duplicates);
  } else {
    ++b.stories;
  }
  relaxed_add(counters_.updates);
}

bool BatchAggregator::top_mention_qualifies(std::uint32_t brand, std::uint64_t reach) const {
  Impl& m = *impl_;
  if (!m.table) {
    m.table = store_.impl_->snapshot();
    m.ring_by_index.assign(m.table->brands.size(), nullptr);
  }
  if (brand >= m.table->brands.size()) return false;
  Ring*& r = m.ring_by_index[brand];
  if (!r) r = &load_ring(store_.db_, store_.top_, m.rings, m.table->brands[brand].id, store_.options_.top_ring_size);
  // Some slot is free, stale or of lower reach.
  if (!r->full()) return true;
  if (r->slots.empty()) return false;
  r->refresh_mins();
  const std::int64_t stale = m.watermark - store_.options_.top_recent_ms;
  return r->slots[r->oldest].event_ms < stale || r->slots[r->weakest].reach < reach;
}

void BatchAggregator::add_top_mention(std::uint32_t brand, const TopMentionView& v) {
  Impl& m = *impl_;
  if (!top_mention_qualifies(brand, v.reach)) return;
  Ring& r = *m.ring_by_index[brand];
  // Free slot first (the lowest), then the oldest stale entry, then the lowest reach (if lower
  // than ours); ties go to the lowest slot.
  const std::int64_t stale = m.watermark - store_.options_.top_recent_ms;
  std::size_t pick = r.slots.size();
  if (!r.full()) {
    pick = r.free_slot();
  } else if (!r.slots.empty()) {
    r.refresh_mins();
    if (r.slots[r.oldest].event_ms < stale) pick = r.oldest;
    else if (r.slots[r.weakest].reach < v.reach) pick = r.weakest;
  }
  if (pick == r.slots.size()) return;
  if (r.changed.empty()) m.rings_changed.push_back(&r);
  TopMention& t = r.slots[pick];
  r.take(pick);
  t.id.assign(v.id);
  t.url.assign(v.url);
  // Cut to 280 bytes on a UTF-8 boundary.
  std::size_t n = std::min<std::size_t>(v.text.size(), 280);
  while (n > 0 && n < v.text.size() && (static_cast<unsigned char>(v.text[n]) & 0xc0) == 0x80) --n;
  t.text.assign(v.text.substr(0, n));
  t.author_name.assign(v.author_name.substr(0, 200));
  t.platform = v.platform;
  t.followers = v.followers;
  t.reach = v.reach;
  t.score = v.score;
  t.label = v.label;
  t.event_ms = v.event_ms;
  t.author_hash = v.author_hash;
}

void BatchAggregator::flush(rocksdb::WriteBatch& batch) {
  Impl& m = *impl_;
  const WindowOptions& o = store_.options_;
  auto* cf = store_.buckets_;
  std::uint64_t merges = 0;
  // The previous flush was never confirmed committed: what Recent holds may differ from RocksDB.
  if (m.staged) store_.recent_->drop();
  m.staged = true;
  m.staged_retention = false;
  m.staged_table.reset();
  m.out.clear();
  if (m.live > 0) {
    // Roll-ups: sum the batch's minutes into their hours and days, then one Merge per key.
    // Keys go into the WriteBatch sorted: the memtable's skip list reuses its insert position
    // for ascending keys, which makes the write several times cheaper than random order.
    // They are produced in that order: brands by id, then day, hour and minute keys ('d' <
    // 'h' < 'm'), each by period. A day or hour with a single minute of the batch (the usual
    // case with many brands: a batch spans seconds of event time) has that minute's counters,
    // so its value is the minute's bytes (the encoding is canonical).
    if (m.rank_of != m.table) {
      const auto& brands = m.table->brands;
      std::vector<std::uint32_t> by_id(brands.size());
      for (std::uint32_t i = 0; i < by_id.size(); ++i) by_id[i] = i;
      std::sort(by_id.begin(), by_id.end(), [&](std::uint32_t x, std::uint32_t y) { return brands[x].id < brands[y].id; });
      m.rank.assign(brands.size(), 0);
      for (std::uint32_t r = 0; r < by_id.size(); ++r) m.rank[by_id[r]] = r;
      m.rank_of = m.table;
    }
    auto& order = m.acc_order;
    order.resize(m.live);
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&m](std::uint32_t x, std::uint32_t y) {
      const Acc& a = m.accs[x];
      const Acc& b = m.accs[y];
      if (a.brand != b.brand) return m.rank[a.brand] != m.rank[b.brand] ? m.rank[a.brand] < m.rank[b.brand] : a.brand < b.brand;
      return a.period < b.period;
    });
    auto& out = m.out;
    out.clear();
    std::size_t used = 0;
    const auto slot = [&](std::uint32_t brand, Gran g, std::uint32_t period) -> std::string& {
      if (used == m.out_storage.size()) {
        m.out_storage.emplace_back();
        m.deltas.emplace_back();
      }
      auto& kv = m.out_storage[used];
      bucket_key(kv.first, m.table->brands[brand].id, g, period);
      m.deltas[used].brand = brand;
      m.deltas[used].g = g;
      m.deltas[used].period = period;
      out.push_back(static_cast<std::uint32_t>(used++));
      return kv.second;
    };
    auto& enc = m.acc_bytes;  // by position in `order`: the minute's encoded value
    if (enc.size() < order.size()) enc.resize(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      enc[i].clear();
      m.accs[order[i]].b.encode(enc[i]);
    }
    // Emits the keys of granularity g for the minutes order[g0..g1) of one brand.
    const auto emit_rollup = [&](std::size_t g0, std::size_t g1, Gran g, std::uint32_t minutes_per) {
      for (std::size_t i = g0; i < g1;) {
        const std::uint32_t period = m.accs[order[i]].period / minutes_per;
        std::size_t j = i + 1;
        while (j < g1 && m.accs[order[j]].period / minutes_per == period) ++j;
        const std::uint32_t brand = m.accs[order[i]].brand;
        std::string& value = slot(brand, g, period);
        BucketDelta& d = m.deltas[used - 1];
        if (j == i + 1) {
          value = enc[i];
          d.counts = counts_of(m.accs[order[i]].b);
        } else {
          Bucket& sum = m.rollup;
          sum = Bucket{};
          for (std::size_t k = i; k < j; ++k) sum.merge(m.accs[order[k]].b);
          value.clear();
          sum.encode(value);
          d.counts = counts_of(sum);
        }
        i = j;
      }
    };
    for (std::size_t g0 = 0; g0 < order.size();) {
      std::size_t g1 = g0 + 1;
      while (g1 < order.size() && m.accs[order[g1]].brand == m.accs[order[g0]].brand) ++g1;
      emit_rollup(g0, g1, Gran::day, 1440);
      emit_rollup(g0, g1, Gran::hour, 60);
      emit_rollup(g0, g1, Gran::minute, 1);
      g0 = g1;
    }
    const auto& st = m.out_storage;
    for (auto i : out) batch.Merge(cf, st[i].first, st[i].second);
    merges = out.size();
    m.staged_table = m.table;
  }
  if (m.watermark != m.committed_watermark) {
    batch.Put(cf, rocksdb::Slice(kWatermarkKey.data(), kWatermarkKey.size()), meta_i64(m.watermark));
  }
  // Retention: once per event-time day, range-delete every brand's buckets below the horizons
  // (brands found by a skip scan, so brands no longer configured are cleaned up too).
  const std::int64_t today = m.watermark / kDayMs;
  if (m.watermark > 0 && today > m.retention_day) {
    const std::int64_t hm = horizon(m.watermark, o.minute_retention_ms) / kMinuteMs;
    const std::int64_t hh = horizon(m.watermark, o.hour_retention_ms) / kHourMs;
    const std::int64_t hd = horizon(m.watermark, o.day_retention_ms) / kDayMs;
    std::unique_ptr<rocksdb::Iterator> it(store_.db_->NewIterator(rocksdb::ReadOptions(), cf));
    std::string lo, hi;
    for (it->Seek(rocksdb::Slice("\x01", 1)); it->Valid();) {
      std::string_view brand;
      Gran g{};
      std::uint32_t period = 0;
      const std::string_view k(it->key().data(), it->key().size());
      if (!parse_bucket_key(k, brand, g, period)) {
        it->Next();
        continue;
      }
      const std::string b(brand);
      for (auto [gg, cut] : {std::pair{Gran::minute, hm}, std::pair{Gran::hour, hh}, std::pair{Gran::day, hd}}) {
        if (cut <= 0) continue;
        bucket_key(lo, b, gg, 0);
        bucket_key(hi, b, gg, static_cast<std::uint32_t>(cut));
        batch.DeleteRange(cf, lo, hi);
      }
      std::string next = b;
      next.push_back('\x01');
      it->Seek(next);
    }
    // Top-mention rings keep their entries until replaced; entries older than minute
    // retention are dropped here so no mention outlives its buckets.
    for (auto& [brand, ring] : m.rings) {
      for (std::size_t i = 0; i < ring.slots.size(); ++i) {
        if (ring.used[i] && ring.slots[i].event_ms < hm * kMinuteMs) {
          if (ring.changed.empty()) m.rings_changed.push_back(&ring);
          ring.release(i);
        }
      }
    }
    m.staged_retention = true;
    m.retention_day = today;
    batch.Put(cf, rocksdb::Slice(kRetentionKey.data(), kRetentionKey.size()), meta_i64(today));
  }
  for (const auto& [k, v] : m.orphan_writes) {
    if (v.empty()) batch.Delete(store_.top_, k);
    else batch.Put(store_.top_, k, v);
  }
  m.orphan_writes.clear();
  // Ring slots changed in this batch, each once in its final state, in key order (brand id,
  // then slot) like the buckets above.
  std::sort(m.rings_changed.begin(), m.rings_changed.end(), [](const Ring* a, const Ring* b) { return *a->brand < *b->brand; });
  for (Ring* r : m.rings_changed) {
    std::sort(r->changed.begin(), r->changed.end());
    for (const std::uint16_t i : r->changed) {
      r->dirty[i] = 0;
      m.top_key_scratch = top_key(*r->brand, i);
      if (r->used[i]) {
        encode_top(m.top_value_scratch, r->slots[i]);
        batch.Put(store_.top_, m.top_key_scratch, m.top_value_scratch);
      } else {
        batch.Delete(store_.top_, m.top_key_scratch);
      }
    }
    r->changed.clear();
  }
  m.rings_changed.clear();

  m.index.clear();
  m.live = 0;
  ++m.batch_no;
  m.committed_watermark = m.watermark;
  store_.watermark_.store(m.watermark, std::memory_order_release);
  m.table.reset();  // next batch picks up the newest brand table
  m.ring_by_index.clear();
  relaxed_add(counters_.merges, merges);
  relaxed_add(counters_.flushes);
}

std::size_t WindowStore::erase_author(std::uint64_t author_hash, rocksdb::WriteBatch& batch) {
  if (author_hash == 0) return 0;
  auto& m = *aggregator_->impl_;
  // Rings of every brand with persisted entries, not only the ones loaded so far.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), top_));
  std::vector<std::string> brands;
  for (it->Seek(rocksdb::Slice("\x01", 1)); it->Valid();) {
    const std::string_view k(it->key().data(), it->key().size());
    const auto nul = k.find('\0');
    if (nul == std::string_view::npos) { it->Next(); continue; }
    brands.emplace_back(k.substr(0, nul));
    std::string next = brands.back();
    next.push_back('\x01');
    it->Seek(next);
  }
  std::size_t erased = 0;
  // A pending write of a forgotten ring (drop_cached_state) for this author must not be put back.
  std::erase_if(m.orphan_writes, [&](const auto& kv) {
    TopMention t;
    return !kv.second.empty() && decode_top(kv.second, t) && t.author_hash == author_hash;
  });
  recent_->drop();  // buckets are not changed; forgetting is cheap and never wrong
  for (const auto& b : brands) {
    Ring& r = load_ring(db_, top_, m.rings, b, options_.top_ring_size);
    for (std::size_t i = 0; i < r.slots.size(); ++i) {
      if (r.used[i] && r.slots[i].author_hash == author_hash) {
        r.release(i);
        // Deleted here; the next flush must not write the slot again.
        r.dirty[i] = 0;
        std::erase(r.changed, static_cast<std::uint16_t>(i));
        if (r.changed.empty()) std::erase(m.rings_changed, &r);
        batch.Delete(top_, top_key(b, static_cast<std::uint16_t>(i)));
        ++erased;
      }
    }
  }
  log::info("Erased {} top-mention entries of one author (unique-author sketches cannot forget an author).", erased);
  return erased;
}

}  // namespace yuqing::window
