#pragma once
// The mention an adapter builds, before it becomes a canonical JSON line. Internal to
// connectors/adapters: every format fills a Draft, to_line() writes it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/adapters/adapter.h"
#include "engine/mention/mention.h"

namespace yuqing::adapters {

struct Draft {
  std::string id;                      // "<platform>:<native id>", 1..256 bytes
  Platform platform = Platform::other;
  std::int64_t created_at_ms = 0;      // written as RFC 3339 UTC
  std::string text;                    // plain text, valid UTF-8
  std::optional<std::string> title, lang, url, parent_id, region;
  std::optional<std::string> author_id, author_name;
  std::optional<std::int64_t> followers;
  std::optional<bool> verified;
  std::optional<std::int64_t> likes, reposts, comments, views;
  // Extra string fields the schema allows and the engine ignores (e.g. "subreddit").
  std::vector<std::pair<std::string, std::string>> extra;
};

// The canonical JSON line (keys in schema order, absent optionals left out). A text that would
// make the line longer than max_bytes is cut on a code point boundary and "text_truncated":true
// added.
MentionLine to_line(const Draft& draft, std::size_t max_bytes);

// "<prefix>:<native>" when it fits in the 256-byte id limit, else "<prefix>:h<16 hex digits>" of
// a hash of `native` (FNV-1a 64: stable across runs and machines).
std::string make_id(std::string_view prefix, std::string_view native);
std::string hash_hex(std::string_view s);

// Counts as platforms write them: 1234, "1234", and Weibo's display forms "1.2万", "3亿",
// "100万+". nullopt when the text is none of these.
std::optional<std::int64_t> parse_count_text(std::string_view s);

}  // namespace yuqing::adapters
