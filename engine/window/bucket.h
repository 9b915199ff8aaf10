#pragma once
// Internal: the packed bucket value, the HyperLogLog of unique authors, the key layout and the
// merge operator. See docs/windows.md for the byte format.

#include <rocksdb/merge_operator.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/mention/mention.h"

namespace yuqing::window {

// HyperLogLog, p = 10 (1024 registers, ~3.25% standard error), 64-bit hashes. Sparse (sorted
// 16-bit entries: index << 6 | rank) while at most kSparseMax registers are set, then dense.
class Hll {
 public:
  static constexpr int kP = 10;
  static constexpr std::size_t kM = 1u << kP;
  static constexpr std::size_t kSparseMax = 256;  // 512 bytes sparse vs 1024 dense

  void add_hash(std::uint64_t h);  // h: a well-mixed 64-bit hash
  void merge(const Hll& other);
  // Sorts and dedupes the sparse list, switching to dense past kSparseMax. Canonical form.
  void normalize();
  double estimate() const;
  bool empty() const { return sparse_.empty() && dense_.empty(); }
  void clear() { sparse_.clear(); dense_.clear(); }

  void encode(std::string& out) const;  // requires normalize()
  bool decode(const unsigned char*& p, const unsigned char* end);

 private:
  std::vector<std::uint16_t> sparse_;  // unsorted until normalize()
  std::vector<std::uint8_t> dense_;    // empty or kM registers
};

// Mixes a keyed author hash once more (cheap; guards against weak upstream hashes).
inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27; x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The counters of one bucket (or of any sum of buckets).
struct Bucket {
  std::uint64_t mentions = 0, stories = 0, reposts = 0;
  std::uint64_t positive = 0, neutral = 0, negative = 0, reach = 0;
  std::int64_t sentiment_e4 = 0;  // sum of round(score * 10^4): integer, so merges are exact
  std::array<std::uint64_t, kPlatformCount> platform{};
  std::array<std::uint64_t, 32> aspect{}, negative_aspect{};
  std::array<std::uint64_t, 8> crisis{};
  Hll authors;

  // All counters zero, keeping the HyperLogLog's allocation (accumulators are reused).
  void reset();
  void merge(const Bucket& o);
  // Canonical bytes (same counters -> same bytes); normalizes the HLL.
  void encode(std::string& out);
  bool decode(std::string_view in);
};

// Keys in the buckets family: brand id, 0x00, granularity ('d', 'h', 'm'), big-endian uint32
// of the period number since the epoch (days, hours or minutes). Meta keys start with 0x00.
enum class Gran : char { day = 'd', hour = 'h', minute = 'm' };
inline std::int64_t gran_ms(Gran g) {
  return g == Gran::day ? 86'400'000 : g == Gran::hour ? 3'600'000 : 60'000;
}
void bucket_key(std::string& out, std::string_view brand, Gran g, std::uint32_t period);
std::string bucket_key(std::string_view brand, Gran g, std::uint32_t period);
// Parses a bucket key; false for meta keys or garbage.
bool parse_bucket_key(std::string_view key, std::string_view& brand, Gran& g, std::uint32_t& period);

inline constexpr std::string_view kWatermarkKey{"\0meta/watermark", 15};
inline constexpr std::string_view kRetentionKey{"\0meta/retention_day", 19};

std::shared_ptr<rocksdb::MergeOperator> make_bucket_merge_operator();
// Operands that failed to decode and were skipped (process-wide).
std::uint64_t corrupt_operands();

// Little helpers shared by the codec users.
void put_varint(std::string& out, std::uint64_t v);
bool get_varint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v);
inline std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
inline std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

}  // namespace yuqing::window
