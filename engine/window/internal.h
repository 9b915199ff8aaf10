#pragma once
// Internal types shared by store.cpp and aggregator.cpp.

#include <memory>
#include <mutex>
#include <string>
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

// Top-mention ring values: varints and length-prefixed strings (docs/windows.md).
void encode_top(std::string& out, const TopMention& m);
bool decode_top(std::string_view in, TopMention& m);
std::string top_key(std::string_view brand, std::uint16_t slot);

}  // namespace yuqing::window
