#include "engine/window/bucket.h"
#include "engine/window/internal.h"

#include <rocksdb/slice.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "engine/base/log.h"

namespace yuqing::window {
namespace {

constexpr unsigned char kVersion = 1;
std::atomic<std::uint64_t> g_corrupt{0};

template <std::size_t N>
void put_sparse_array(std::string& out, const std::array<std::uint64_t, N>& a) {
  std::uint64_t mask = 0;
  for (std::size_t i = 0; i < N; ++i) {
    if (a[i] != 0) mask |= std::uint64_t{1} << i;
  }
  put_varint(out, mask);
  for (std::size_t i = 0; i < N; ++i) {
    if (a[i] != 0) put_varint(out, a[i]);
  }
}

template <std::size_t N>
bool get_sparse_array(const unsigned char*& p, const unsigned char* end, std::array<std::uint64_t, N>& a) {
  std::uint64_t mask = 0;
  if (!get_varint(p, end, mask)) return false;
  if (N < 64 && (mask >> N) != 0) return false;
  for (std::size_t i = 0; i < N; ++i) {
    if (mask & (std::uint64_t{1} << i)) {
      if (!get_varint(p, end, a[i])) return false;
    } else {
      a[i] = 0;
    }
  }
  return true;
}

// Checks an array written by put_sparse_array without keeping it.
template <std::size_t N>
bool skip_sparse_array(const unsigned char*& p, const unsigned char* end) {
  std::uint64_t mask = 0, v = 0;
  if (!get_varint(p, end, mask)) return false;
  if (N < 64 && (mask >> N) != 0) return false;
  for (; mask != 0; mask &= mask - 1) {
    if (!get_varint(p, end, v)) return false;
  }
  return true;
}

}  // namespace

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool get_varint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const unsigned char b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

// ---- HyperLogLog ------------------------------------------------------------------------

void Hll::add_hash(std::uint64_t h) {
  const auto idx = static_cast<std::uint16_t>(h >> (64 - kP));
  const std::uint64_t rest = h << kP;
  const int rank = rest == 0 ? (64 - kP + 1) : __builtin_clzll(rest) + 1;
  if (!dense_.empty()) {
    dense_[idx] = std::max<std::uint8_t>(dense_[idx], static_cast<std::uint8_t>(rank));
    return;
  }
  sparse_.push_back(static_cast<std::uint16_t>((idx << 6) | rank));
  if (sparse_.size() > 4 * kSparseMax) normalize();  // bound memory of a hot bucket
}

void Hll::normalize() {
  if (!dense_.empty() || sparse_.empty()) return;
  if (sparse_.size() <= 128) {
    // Short lists (most buckets, and every merge of small ones): sort by index, then rank;
    // keep the highest rank per index.
    std::sort(sparse_.begin(), sparse_.end());
    std::size_t w = 0;
    for (std::size_t i = 0; i < sparse_.size(); ++i) {
      if (w > 0 && (sparse_[w - 1] >> 6) == (sparse_[i] >> 6)) {
        sparse_[w - 1] = sparse_[i];  // same index, higher or equal rank (sorted)
      } else {
        sparse_[w++] = sparse_[i];
      }
    }
    sparse_.resize(w);
    return;  // at most 128 <= kSparseMax entries: stays sparse
  }
  // Long lists (a busy brand-minute, up to 4 x kSparseMax): the highest rank per register in
  // one pass through a scratch array, already in index order, instead of a sort.
  std::array<std::uint8_t, kM> reg{};
  for (auto e : sparse_) reg[e >> 6] = std::max<std::uint8_t>(reg[e >> 6], static_cast<std::uint8_t>(e & 0x3f));
  std::size_t w = 0;
  for (std::size_t i = 0; i < kM; ++i) {
    if (reg[i] != 0) sparse_[w++] = static_cast<std::uint16_t>((i << 6) | reg[i]);
  }
  sparse_.resize(w);
  if (sparse_.size() > kSparseMax) {
    dense_.assign(reg.begin(), reg.end());
    sparse_.clear();
    sparse_.shrink_to_fit();
  }
}

void Hll::merge(const Hll& o) {
  if (o.empty()) return;
  if (dense_.empty() && !o.dense_.empty()) {
    dense_.assign(kM, 0);
    for (auto e : sparse_) dense_[e >> 6] = std::max<std::uint8_t>(dense_[e >> 6], static_cast<std::uint8_t>(e & 0x3f));
    sparse_.clear();
  }
  if (!dense_.empty()) {
    if (!o.dense_.empty()) {
      for (std::size_t i = 0; i < kM; ++i) dense_[i] = std::max(dense_[i], o.dense_[i]);
    } else {
      for (auto e : o.sparse_) dense_[e >> 6] = std::max<std::uint8_t>(dense_[e >> 6], static_cast<std::uint8_t>(e & 0x3f));
    }
    return;
  }
  sparse_.insert(sparse_.end(), o.sparse_.begin(), o.sparse_.end());
  if (sparse_.size() > 4 * kSparseMax) normalize();
}

double Hll::estimate() const {
  std::array<std::uint8_t, kM> reg{};
  if (!dense_.empty()) {
    std::copy(dense_.begin(), dense_.end(), reg.begin());
  } else {
    for (auto e : sparse_) reg[e >> 6] = std::max<std::uint8_t>(reg[e >> 6], static_cast<std::uint8_t>(e & 0x3f));
  }
  // 2^-r by table (ranks are at most 64 - kP + 1): ldexp per register was most of the cost.
  static const auto kPow = [] {
    std::array<double, 64> t{};
    for (std::size_t r = 0; r < t.size(); ++r) t[r] = std::ldexp(1.0, -static_cast<int>(r));
    return t;
  }();
  double sum = 0;
  int zeros = 0;
  for (auto r : reg) {
    sum += kPow[r & 63];
    if (r == 0) ++zeros;
  }
  const double m = static_cast<double>(kM);
  const double alpha = 0.7213 / (1 + 1.079 / m);
  const double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros > 0) return m * std::log(m / zeros);  // linear counting
  return e;
}

// Format: 0 = empty; 1 = sparse: varint n, n x uint16 LE; 2 = dense: kM bytes.
void Hll::encode(std::string& out) const {
  if (!dense_.empty()) {
    out.push_back(2);
    out.append(reinterpret_cast<const char*>(dense_.data()), dense_.size());
  } else if (!sparse_.empty()) {
    out.push_back(1);
    put_varint(out, sparse_.size());
    for (auto e : sparse_) {
      out.push_back(static_cast<char>(e & 0xff));
      out.push_back(static_cast<char>(e >> 8));
    }
  } else {
    out.push_back(0);
  }
}

bool Hll::decode(const unsigned char*& p, const unsigned char* end) {
  clear();
  if (p >= end) return false;
  const unsigned char mode = *p++;
  if (mode == 0) return true;
  if (mode == 2) {
    if (static_cast<std::size_t>(end - p) < kM) return false;
    dense_.assign(p, p + kM);
    p += kM;
    return true;
  }
  if (mode != 1) return false;
  std::uint64_t n = 0;
  if (!get_varint(p, end, n) || n > kM || static_cast<std::uint64_t>(end - p) < 2 * n) return false;
  sparse_.resize(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    sparse_[i] = static_cast<std::uint16_t>(p[0] | (p[1] << 8));
    p += 2;
  }
  return true;
}

// ---- Bucket -----------------------------------------------------------------------------

void Bucket::reset() {
  mentions = stories = reposts = positive = neutral = negative = reach = 0;
  sentiment_e4 = 0;
  platform.fill(0);
  aspect.fill(0);
  negative_aspect.fill(0);
  crisis.fill(0);
  authors.clear();
}

void Bucket::merge(const Bucket& o) {
  mentions += o.mentions;
  stories += o.stories;
  reposts += o.reposts;
  positive += o.positive;
  neutral += o.neutral;
  negative += o.negative;
  reach += o.reach;
  sentiment_e4 += o.sentiment_e4;
  for (std::size_t i = 0; i < platform.size(); ++i) platform[i] += o.platform[i];
  for (std::size_t i = 0; i < aspect.size(); ++i) aspect[i] += o.aspect[i];
  for (std::size_t i = 0; i < negative_aspect.size(); ++i) negative_aspect[i] += o.negative_aspect[i];
  for (std::size_t i = 0; i < crisis.size(); ++i) crisis[i] += o.crisis[i];
  authors.merge(o.authors);
}

// Format (docs/windows.md): version byte; varints mentions, stories, reposts, positive,
// neutral, negative, reach, zigzag(sentiment_e4); then platform, aspect, negative_aspect and
// crisis arrays each as varint(bitmask of non-zero slots) + varint per set slot; then the HLL.
void Bucket::encode(std::string& out) {
  out.push_back(static_cast<char>(kVersion));
  put_varint(out, mentions);
  put_varint(out, stories);
  put_varint(out, reposts);
  put_varint(out, positive);
  put_varint(out, neutral);
  put_varint(out, negative);
  put_varint(out, reach);
  put_varint(out, zigzag(sentiment_e4));
  put_sparse_array(out, platform);
  put_sparse_array(out, aspect);
  put_sparse_array(out, negative_aspect);
  put_sparse_array(out, crisis);
  authors.normalize();
  authors.encode(out);
}

bool Bucket::decode(std::string_view in) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const auto* end = p + in.size();
  if (p >= end || *p++ != kVersion) return false;
  std::uint64_t s = 0;
  if (!get_varint(p, end, mentions) || !get_varint(p, end, stories) || !get_varint(p, end, reposts) ||
      !get_varint(p, end, positive) || !get_varint(p, end, neutral) || !get_varint(p, end, negative) ||
      !get_varint(p, end, reach) || !get_varint(p, end, s)) {
    return false;
  }
  sentiment_e4 = unzigzag(s);
  if (!get_sparse_array(p, end, platform) || !get_sparse_array(p, end, aspect) ||
      !get_sparse_array(p, end, negative_aspect) || !get_sparse_array(p, end, crisis)) {
    return false;
  }
  if (!authors.decode(p, end)) return false;
  return p == end;
}

// Same acceptance as Bucket::decode (a value one rejects the other rejects), keeping only the
// counters of Counts: the HyperLogLog and the other arrays are checked and skipped.
bool decode_counts(std::string_view in, Counts& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const auto* end = p + in.size();
  if (p >= end || *p++ != kVersion) return false;
  Counts c;
  std::uint64_t skip = 0, s = 0;
  if (!get_varint(p, end, c.mentions) || !get_varint(p, end, c.stories) || !get_varint(p, end, skip) ||
      !get_varint(p, end, skip) || !get_varint(p, end, skip) || !get_varint(p, end, c.negative) ||
      !get_varint(p, end, skip) || !get_varint(p, end, s)) {
    return false;
  }
  c.sentiment_e4 = unzigzag(s);
  std::array<std::uint64_t, 8> crisis{};
  if (!skip_sparse_array<kPlatformCount>(p, end) || !skip_sparse_array<32>(p, end) ||
      !skip_sparse_array<32>(p, end) || !get_sparse_array(p, end, crisis)) {
    return false;
  }
  for (std::size_t i = 0; i < c.crisis.size(); ++i) c.crisis[i] = crisis[i];
  // The HyperLogLog, checked like Hll::decode.
  if (p >= end) return false;
  const unsigned char mode = *p++;
  if (mode == 2) {
    if (static_cast<std::size_t>(end - p) < Hll::kM) return false;
    p += Hll::kM;
  } else if (mode == 1) {
    std::uint64_t n = 0;
    if (!get_varint(p, end, n) || n > Hll::kM || static_cast<std::uint64_t>(end - p) < 2 * n) return false;
    p += 2 * n;
  } else if (mode != 0) {
    return false;
  }
  if (p != end) return false;
  out = c;
  return true;
}

Counts counts_of(const Bucket& b) {
  Counts c;
  c.mentions = b.mentions;
  c.stories = b.stories;
  c.negative = b.negative;
  c.sentiment_e4 = b.sentiment_e4;
  for (std::size_t i = 0; i < c.crisis.size(); ++i) c.crisis[i] = b.crisis[i];
  return c;
}

// ---- keys -------------------------------------------------------------------------------

void bucket_key(std::string& out, std::string_view brand, Gran g, std::uint32_t period) {
  out.clear();
  out.append(brand);
  out.push_back('\0');
  out.push_back(static_cast<char>(g));
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((period >> (8 * i)) & 0xff));
}

std::string bucket_key(std::string_view brand, Gran g, std::uint32_t period) {
  std::string k;
  bucket_key(k, brand, g, period);
  return k;
}

bool parse_bucket_key(std::string_view key, std::string_view& brand, Gran& g, std::uint32_t& period) {
  if (key.size() < 7 || key[0] == '\0') return false;
  const std::size_t n = key.size() - 6;
  if (key[n] != '\0') return false;
  const char c = key[n + 1];
  if (c != 'd' && c != 'h' && c != 'm') return false;
  brand = key.substr(0, n);
  g = static_cast<Gran>(c);
  period = 0;
  for (int i = 0; i < 4; ++i) period = (period << 8) | static_cast<unsigned char>(key[n + 2 + i]);
  return true;
}

// ---- merge operator ---------------------------------------------------------------------

namespace {

class BucketMergeOperator final : public rocksdb::MergeOperator {
 public:
  const char* Name() const override { return "yuqing.window.bucket.v1"; }

  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    Bucket acc;
    if (in.existing_value != nullptr) add(acc, *in.existing_value, in.key);
    for (const auto& op : in.operand_list) add(acc, op, in.key);
    out->new_value.clear();
    acc.encode(out->new_value);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice& key, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger* /*logger*/) const override {
    Bucket acc;
    for (const auto& op : operands) add(acc, op, key);
    new_value->clear();
    acc.encode(*new_value);
    return true;
  }

  bool AllowSingleOperand() const override { return false; }

 private:
  // A value that does not decode is skipped and counted, never allowed to fail a compaction
  // (a failed merge there would stop all writes).
  static void add(Bucket& acc, const rocksdb::Slice& v, const rocksdb::Slice& key) {
    Bucket b;
    if (!b.decode(std::string_view(v.data(), v.size()))) {
      if (g_corrupt.fetch_add(1, std::memory_order_relaxed) == 0) {
        log::error("Window bucket {} has an undecodable value ({} bytes); it is skipped.",
                   std::string(key.data(), key.size()).substr(0, key.size() > 6 ? key.size() - 6 : 0), v.size());
      }
      return;
    }
    acc.merge(b);
  }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> make_bucket_merge_operator() {
  return std::make_shared<BucketMergeOperator>();
}

std::uint64_t corrupt_operands() { return g_corrupt.load(std::memory_order_relaxed); }

}  // namespace yuqing::window
