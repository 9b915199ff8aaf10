#pragma once
// The canonical mention (schemas/mention.schema.json) as the engine sees it after parsing.
//
// Mention is a VIEW: its string_views point into buffers owned by the parser that produced it
// (simdjson's reused string buffer) and stay valid only until that parser parses the next
// line. A stage that keeps anything past the current mention must copy it.

#include <cstdint>
#include <optional>
#include <string_view>

namespace yuqing {

enum class Platform : std::uint8_t {
  weibo, wechat, douyin, xiaohongshu, bilibili, zhihu, kuaishou, x, reddit, news, forum, other,
};
inline constexpr int kPlatformCount = 12;

// Lower-case wire name ("weibo", ...). Always valid for a Platform value.
std::string_view platform_name(Platform p);
// Parses a wire name; nullopt for an unknown one (the parser rejects it).
std::optional<Platform> platform_from_name(std::string_view name);

struct Author {
  std::string_view id;    // empty when absent
  std::string_view name;  // empty when absent
  std::int64_t followers = 0;
  bool verified = false;
};

struct Engagement {
  std::int64_t likes = 0;
  std::int64_t reposts = 0;
  std::int64_t comments = 0;
  std::int64_t views = 0;
};

struct Mention {
  std::string_view id;            // required, e.g. "weibo:4231265311393455"
  Platform platform = Platform::other;  // required
  std::int64_t created_at_ms = 0;  // required; event time, epoch milliseconds UTC
  std::string_view text;           // required, valid UTF-8, JSON escapes resolved
  std::string_view title;          // optional ones are empty when absent or null
  std::string_view lang;
  std::string_view url;
  std::string_view parent_id;
  std::string_view region;
  Author author;
  Engagement metrics;
};

}  // namespace yuqing
