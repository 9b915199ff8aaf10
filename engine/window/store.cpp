// WindowStore: open, brand table, queries, baselines, share of voice, top mentions.
#include <rocksdb/table.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "engine/base/log.h"
#include "engine/state/state.h"
#include "engine/window/internal.h"

namespace yuqing::window {

void configure_column_family(std::string_view name, rocksdb::ColumnFamilyOptions& options) {
  if (name == kBucketsFamily) {
    options.merge_operator = make_bucket_merge_operator();
    options.compression = rocksdb::kLZ4Compression;
    options.bottommost_compression = rocksdb::kZSTD;
    rocksdb::BlockBasedTableOptions t;
    t.block_size = 16 * 1024;  // bucket scans are sequential; bigger blocks compress better
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  } else if (name == kTopFamily) {
    options.compression = rocksdb::kLZ4Compression;
  }
}

// ---- top-mention value codec ------------------------------------------------------------

namespace {
void put_str(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}
bool get_str(const unsigned char*& p, const unsigned char* end, std::string& s) {
  std::uint64_t n = 0;
  if (!get_varint(p, end, n) || static_cast<std::uint64_t>(end - p) < n) return false;
  s.assign(reinterpret_cast<const char*>(p), n);
  p += n;
  return true;
}
}  // namespace

void encode_top(std::string& out, const TopMention& m) {
  out.clear();
  out.push_back(1);  // version
  put_str(out, m.id);
  put_str(out, m.url);
  put_str(out, m.text);
  put_str(out, m.author_name);
  out.push_back(static_cast<char>(m.platform));
  put_varint(out, zigzag(m.followers));
  put_varint(out, m.reach);
  put_varint(out, zigzag(std::llround(static_cast<double>(m.score) * 10000)));
  put_varint(out, zigzag(m.label));
  put_varint(out, zigzag(m.event_ms));
  put_varint(out, m.author_hash);
}

bool decode_top(std::string_view in, TopMention& m) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const auto* end = p + in.size();
  if (p >= end || *p++ != 1) return false;
  if (!get_str(p, end, m.id) || !get_str(p, end, m.url) || !get_str(p, end, m.text) || !get_str(p, end, m.author_name)) {
    return false;
  }
  if (p >= end || *p >= kPlatformCount) return false;
  m.platform = static_cast<Platform>(*p++);
  std::uint64_t f = 0, score = 0, label = 0, ev = 0;
  if (!get_varint(p, end, f) || !get_varint(p, end, m.reach) || !get_varint(p, end, score) ||
      !get_varint(p, end, label) || !get_varint(p, end, ev) || !get_varint(p, end, m.author_hash)) {
    return false;
  }
  m.followers = unzigzag(f);
  m.score = static_cast<float>(static_cast<double>(unzigzag(score)) / 10000.0);
  m.label = static_cast<std::int8_t>(unzigzag(label));
  m.event_ms = unzigzag(ev);
  return p == end;
}

std::string top_key(std::string_view brand, std::uint16_t slot) {
  std::string k(brand);
  k.push_back('\0');
  k.push_back(static_cast<char>(slot >> 8));
  k.push_back(static_cast<char>(slot & 0xff));
  return k;
}

// ---- open / brands ----------------------------------------------------------------------

Result<std::unique_ptr<WindowStore>, std::string> WindowStore::open(state::StateStore& state, WindowOptions options) {
  return open(state.db(), state.column_family(kBucketsFamily), state.column_family(kTopFamily), options);
}

Result<std::unique_ptr<WindowStore>, std::string> WindowStore::open(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* buckets,
                                                                    rocksdb::ColumnFamilyHandle* top,
                                                                    WindowOptions options) {
  if (db == nullptr || buckets == nullptr || top == nullptr) {
    return Unexpected{std::string("window store: the state was opened without the '") + std::string(kBucketsFamily) +
                      "' and '" + std::string(kTopFamily) + "' column families"};
  }
  const auto cf_options = db->GetOptions(buckets);
  if (!cf_options.merge_operator || std::string_view(cf_options.merge_operator->Name()) != "yuqing.window.bucket.v1") {
    return Unexpected{std::string("window store: column family '") + std::string(kBucketsFamily) +
                      "' has no window merge operator; apply window::configure_column_family at open"};
  }
  if (options.near_duplicate_bits < 0 || options.near_duplicate_bits > 3) {
    return Unexpected{std::string("window store: near_duplicate_bits must be 0..3 (the 4-block index finds at most 3)")};
  }
  if (options.top_ring_size == 0 || options.top_ring_size > 65535) {
    return Unexpected{std::string("window store: top_ring_size must be 1..65535")};
  }
  if (options.story_table_sets == 0 || (options.story_table_sets & (options.story_table_sets - 1)) != 0) {
    return Unexpected{std::string("window store: story_table_sets must be a power of two")};
  }
  std::unique_ptr<WindowStore> s(new WindowStore());
  s->db_ = db;
  s->buckets_ = buckets;
  s->top_ = top;
  s->options_ = options;
  s->impl_ = std::make_unique<Impl>();
  s->recent_ = std::make_unique<Recent>();
  std::string v;
  if (db->Get(rocksdb::ReadOptions(), buckets, rocksdb::Slice(kWatermarkKey.data(), kWatermarkKey.size()), &v).ok() &&
      v.size() == 8) {
    std::int64_t wm = 0;
    for (int i = 7; i >= 0; --i) wm = (wm << 8) | static_cast<unsigned char>(v[static_cast<std::size_t>(i)]);
    s->watermark_.store(wm, std::memory_order_release);
  }
  s->aggregator_ = std::make_unique<BatchAggregator>(*s);
  return s;
}

WindowStore::~WindowStore() = default;

void WindowStore::set_brands(std::vector<BrandInfo> brands, std::vector<std::string> aspect_names) {
  auto t = std::make_shared<BrandTable>();
  t->brands = std::move(brands);
  t->aspects = std::move(aspect_names);
  if (t->aspects.size() > kMaxAspects) t->aspects.resize(kMaxAspects);
  for (std::size_t i = 0; i < t->brands.size(); ++i) {
    auto& id = t->brands[i].id;
    // Ids are key prefixes: a NUL would make keys ambiguous.
    id.erase(std::remove(id.begin(), id.end(), '\0'), id.end());
    t->index.emplace(id, i);
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : id) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    t->tags.push_back(static_cast<std::uint32_t>(mix64(h)) | 1u);  // 0 = empty slot
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->table = std::move(t);
}

std::vector<BrandInfo> WindowStore::brands() const { return impl_->snapshot()->brands; }
std::vector<std::string> WindowStore::aspect_names() const { return impl_->snapshot()->aspects; }
bool WindowStore::has_brand(std::string_view id) const {
  auto t = impl_->snapshot();
  return t->index.count(std::string(id)) > 0;
}

// ---- queries ----------------------------------------------------------------------------

// [a, b) -> minute edges, hour edges, whole days.
void tile(std::int64_t a, std::int64_t b, Pieces& out) {
  if (a >= b) return;
  auto hours = [&out](std::int64_t x, std::int64_t y) {
    const std::int64_t h0 = floor_to(x + kHourMs - 1, kHourMs), h1 = floor_to(y, kHourMs);
    if (h0 >= h1) { out.push_back({Gran::minute, x, y}); return; }
    if (x < h0) out.push_back({Gran::minute, x, h0});
    out.push_back({Gran::hour, h0, h1});
    if (h1 < y) out.push_back({Gran::minute, h1, y});
  };
  const std::int64_t d0 = floor_to(a + kDayMs - 1, kDayMs), d1 = floor_to(b, kDayMs);
  if (d0 >= d1) { hours(a, b); return; }
  if (a < d0) hours(a, d0);
  out.push_back({Gran::day, d0, d1});
  if (d1 < b) hours(d1, b);
}

bool piece_periods(const Piece& pc, const WindowOptions& o, std::int64_t wm, std::uint32_t& p0, std::uint32_t& p1) {
  const std::int64_t ret = pc.g == Gran::minute ? o.minute_retention_ms : pc.g == Gran::hour ? o.hour_retention_ms
                                                                                             : o.day_retention_ms;
  const std::int64_t unit = gran_ms(pc.g);
  const std::int64_t start = std::max(pc.from, horizon(wm, ret));
  if (start >= pc.to || pc.to <= 0) return false;
  p0 = static_cast<std::uint32_t>(std::max<std::int64_t>(0, start / unit));
  p1 = static_cast<std::uint32_t>(std::min<std::int64_t>(0xffffffffLL, pc.to / unit));
  return true;
}

namespace {

void finish(Point& p, const Bucket& b) {
  p.mentions = b.mentions;
  p.stories = b.stories;
  p.reposts = b.reposts;
  p.positive = b.positive;
  p.neutral = b.neutral;
  p.negative = b.negative;
  p.reach = b.reach;
  p.avg_sentiment = b.mentions ? static_cast<double>(b.sentiment_e4) / 10000.0 / static_cast<double>(b.mentions) : 0;
  p.negative_ratio = b.mentions ? static_cast<double>(b.negative) / static_cast<double>(b.mentions) : 0;
  p.unique_authors = b.authors.empty() ? 0 : b.authors.estimate();
  p.platform = b.platform;
  p.aspect = b.aspect;
  p.negative_aspect = b.negative_aspect;
  for (int i = 0; i < kCrisisCount; ++i) p.crisis[static_cast<std::size_t>(i)] = b.crisis[static_cast<std::size_t>(i)];
}

std::uint64_t metric_value(const Point& p, Metric m) {
  switch (m) {
    case Metric::mentions: return p.mentions;
    case Metric::negatives: return p.negative;
    case Metric::stories: return p.stories;
    case Metric::reach: return p.reach;
  }
  return 0;
}

}  // namespace

// Reads [from, to) of one brand into `acc` with an open iterator; returns keys read.
// Acc: Bucket (everything) or Counts (the alert counters only: no HyperLogLog work).
template <class Acc>
static int read_range(rocksdb::Iterator& it, std::string_view brand, std::int64_t from, std::int64_t to,
                      const WindowOptions& o, std::int64_t wm, Acc& acc) {
  Pieces pieces;
  tile(floor_to(from, kMinuteMs), floor_to(to, kMinuteMs), pieces);
  int keys = 0;
  std::string lo, hi;
  for (const auto& pc : pieces) {
    std::uint32_t p0 = 0, p1 = 0;
    if (!piece_periods(pc, o, wm, p0, p1)) continue;
    bucket_key(lo, brand, pc.g, p0);
    bucket_key(hi, brand, pc.g, p1);
    for (it.Seek(lo); it.Valid(); it.Next()) {
      const auto k = it.key();
      if (k.compare(rocksdb::Slice(hi)) >= 0) break;
      const auto v = it.value();
      if constexpr (std::is_same_v<Acc, Bucket>) {
        Bucket b;
        if (b.decode(std::string_view(v.data(), v.size()))) acc.merge(b);
      } else {
        Counts c;
        if (decode_counts(std::string_view(v.data(), v.size()), c)) acc += c;
      }
      ++keys;
    }
  }
  return keys;
}

Counts read_counts(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string_view brand, std::int64_t from_ms,
                   std::int64_t to_ms, const WindowOptions& o, std::int64_t wm) {
  Counts acc;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  read_range(*it, brand, from_ms, to_ms, o, wm, acc);
  return acc;
}

Point WindowStore::total(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const {
  auto v = query(brand, from_ms, to_ms, std::max<std::int64_t>(kMinuteMs, floor_to(to_ms, kMinuteMs) - floor_to(from_ms, kMinuteMs)));
  if (v.empty()) {
    Point p;
    p.from_ms = floor_to(from_ms, kMinuteMs);
    p.to_ms = std::max(p.from_ms, floor_to(to_ms, kMinuteMs));
    return p;
  }
  return v.front();
}

std::vector<Point> WindowStore::query(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms,
                                      std::int64_t step_ms) const {
  std::vector<Point> out;
  from_ms = floor_to(from_ms, kMinuteMs);
  to_ms = floor_to(to_ms, kMinuteMs);
  step_ms = std::max(kMinuteMs, floor_to(step_ms, kMinuteMs));
  if (to_ms <= from_ms) return out;
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, buckets_));
  const std::int64_t wm = watermark_ms();
  for (std::int64_t s = from_ms; s < to_ms; s += step_ms) {
    const std::int64_t e = std::min(to_ms, s + step_ms);
    Bucket acc;
    Point p;
    p.from_ms = s;
    p.to_ms = e;
    p.keys_read = read_range(*it, brand, s, e, options_, wm, acc);
    finish(p, acc);
    out.push_back(p);
  }
  it.reset();
  db_->ReleaseSnapshot(snap);
  return out;
}

// ---- baselines --------------------------------------------------------------------------

void first_buckets(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string_view brand, std::int64_t& first_hour,
                   std::int64_t& first_minute) {
  first_hour = first_minute = -1;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  std::string_view b;
  Gran g{};
  std::uint32_t period = 0;
  for (const Gran want : {Gran::hour, Gran::minute}) {
    it->Seek(bucket_key(brand, want, 0));
    if (it->Valid() && parse_bucket_key(std::string_view(it->key().data(), it->key().size()), b, g, period) &&
        b == brand && g == want) {
      (want == Gran::hour ? first_hour : first_minute) = period;
    }
  }
}

std::int64_t history_start(std::int64_t first_hour, std::int64_t first_minute, std::int64_t wm, const WindowOptions& o) {
  // History starts at the brand's oldest retained hour bucket (written with every minute).
  if (first_hour < 0) return -1;
  std::int64_t history = std::max<std::int64_t>(first_hour * kHourMs, horizon(wm, o.hour_retention_ms));
  // Within the minute retention the first minute bucket is a sharper start: a stream that
  // began mid-hour has no history before its first minute, not before the hour.
  if (first_minute >= 0) history = std::max<std::int64_t>(history, first_minute * kMinuteMs);
  return history;
}

Baseline WindowStore::baseline(std::string_view brand, Metric metric, std::int64_t end_ms, std::int64_t length_ms) const {
  Baseline out;
  end_ms = floor_to(end_ms, kMinuteMs);
  length_ms = std::max(kMinuteMs, floor_to(length_ms, kMinuteMs));
  std::int64_t first_hour = -1, first_minute = -1;
  first_buckets(db_, buckets_, brand, first_hour, first_minute);
  const std::int64_t history = history_start(first_hour, first_minute, watermark_ms(), options_);
  if (history < 0) return out;  // no data at all
  return baseline_from(options_, end_ms, length_ms, history, [&](std::int64_t e) {
    return static_cast<double>(metric_value(total(brand, e - length_ms, e), metric));
  });
}

// ---- share of voice ---------------------------------------------------------------------

std::vector<CompareRow> WindowStore::compare(const std::vector<std::string>& brands, std::int64_t end_ms,
                                             std::int64_t length_ms) const {
  std::vector<CompareRow> rows;
  std::uint64_t sum = 0, neg = 0, psum = 0, pneg = 0;
  for (const auto& b : brands) {
    CompareRow r;
    r.brand = b;
    const Point cur = total(b, end_ms - length_ms, end_ms);
    const Point prev = total(b, end_ms - 2 * length_ms, end_ms - length_ms);
    r.mentions = cur.mentions;
    r.negatives = cur.negative;
    r.prev_mentions = prev.mentions;
    r.prev_negatives = prev.negative;
    r.avg_sentiment = cur.avg_sentiment;
    r.negative_ratio = cur.negative_ratio;
    sum += r.mentions;
    neg += r.negatives;
    psum += r.prev_mentions;
    pneg += r.prev_negatives;
    rows.push_back(std::move(r));
  }
  const auto share = [](std::uint64_t x, std::uint64_t total) {
    return total ? static_cast<double>(x) / static_cast<double>(total) : 0.0;
  };
  for (auto& r : rows) {
    r.share = share(r.mentions, sum);
    r.negative_share = share(r.negatives, neg);
    r.prev_share = share(r.prev_mentions, psum);
    r.prev_negative_share = share(r.prev_negatives, pneg);
    r.share_change = r.share - r.prev_share;
    r.negative_share_change = r.negative_share - r.prev_negative_share;
  }
  return rows;
}

std::vector<CompareRow> WindowStore::share_of_voice(std::string_view brand, std::int64_t end_ms,
                                                    std::int64_t length_ms) const {
  std::vector<std::string> set{std::string(brand)};
  auto t = impl_->snapshot();
  if (auto it = t->index.find(std::string(brand)); it != t->index.end()) {
    for (const auto& c : t->brands[it->second].competitors) {
      if (std::find(set.begin(), set.end(), c) == set.end()) set.push_back(c);
    }
  }
  return compare(set, end_ms, length_ms);
}

// ---- top mentions -----------------------------------------------------------------------

std::vector<TopMention> WindowStore::top_mentions(std::string_view brand, std::optional<std::int8_t> label,
                                                  std::size_t limit, std::int64_t since_ms) const {
  std::vector<TopMention> out;
  std::string prefix(brand);
  prefix.push_back('\0');
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), top_));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 2) continue;
    TopMention m;
    if (!decode_top(std::string_view(it->value().data(), it->value().size()), m)) continue;
    if (label && m.label != *label) continue;
    if (m.event_ms < since_ms) continue;
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const TopMention& a, const TopMention& b) {
    return a.reach != b.reach ? a.reach > b.reach : a.event_ms > b.event_ms;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace yuqing::window
