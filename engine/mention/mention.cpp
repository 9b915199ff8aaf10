#include "engine/mention/mention.h"

#include <array>

namespace yuqing {
namespace {
constexpr std::array<std::string_view, kPlatformCount> kNames = {
    "weibo", "wechat", "douyin", "xiaohongshu", "bilibili", "zhihu",
    "kuaishou", "x", "reddit", "news", "forum", "other",
};
}  // namespace

std::string_view platform_name(Platform p) { return kNames[static_cast<std::size_t>(p)]; }

std::optional<Platform> platform_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Platform>(i);
  }
  return std::nullopt;
}

}  // namespace yuqing
