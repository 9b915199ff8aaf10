#include "connectors/adapters/canonical.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "connectors/adapters/time.h"
#include "engine/base/text.h"
#include "engine/parse/parse.h"

namespace yuqing::adapters {
namespace {

void key(std::string& out, std::string_view k) {
  out += ",\"";
  out += k;
  out += "\":";
}

void str_field(std::string& out, std::string_view k, const std::optional<std::string>& v) {
  if (!v) return;
  key(out, k);
  text::append_json_string(out, *v);
}

void int_field(std::string& out, std::string_view k, const std::optional<std::int64_t>& v, bool& first) {
  if (!v) return;
  if (!first) out += ',';
  first = false;
  out += '"';
  out += k;
  out += "\":";
  out += std::to_string(*v);
}

std::string write(const Draft& d, std::string_view text, bool truncated) {
  std::string out;
  out.reserve(128 + text.size() + d.id.size());
  out += "{\"id\":";
  text::append_json_string(out, d.id);
  key(out, "platform");
  text::append_json_string(out, platform_name(d.platform));
  key(out, "created_at");
  text::append_json_string(out, format_rfc3339_utc(d.created_at_ms));
  key(out, "text");
  text::append_json_string(out, text);
  str_field(out, "title", d.title);
  str_field(out, "lang", d.lang);
  str_field(out, "url", d.url);
  str_field(out, "parent_id", d.parent_id);
  str_field(out, "region", d.region);
  if (d.author_id || d.author_name || d.followers || d.verified) {
    key(out, "author");
    out += '{';
    bool first = true;
    auto str = [&](std::string_view k, const std::optional<std::string>& v) {
      if (!v) return;
      if (!first) out += ',';
      first = false;
      out += '"';
      out += k;
      out += "\":";
      text::append_json_string(out, *v);
    };
    str("id", d.author_id);
    str("name", d.author_name);
    int_field(out, "followers", d.followers, first);
    if (d.verified) {
      if (!first) out += ',';
      out += *d.verified ? "\"verified\":true" : "\"verified\":false";
    }
    out += '}';
  }
  if (d.likes || d.reposts || d.comments || d.views) {
    key(out, "metrics");
    out += '{';
    bool first = true;
    int_field(out, "likes", d.likes, first);
    int_field(out, "reposts", d.reposts, first);
    int_field(out, "comments", d.comments, first);
    int_field(out, "views", d.views, first);
    out += '}';
  }
  for (const auto& [k, v] : d.extra) {
    key(out, k);
    text::append_json_string(out, v);
  }
  if (truncated) out += ",\"text_truncated\":true";
  out += '}';
  return out;
}

}  // namespace

MentionLine to_line(const Draft& d, std::size_t max_bytes) {
  std::string json = write(d, d.text, false);
  if (json.size() > max_bytes) {
    // Escaping only grows text, so cutting the raw text by the excess (plus room for the
    // truncation flag) is enough in one step.
    const std::size_t excess = json.size() - max_bytes + 32;
    std::size_t keep = d.text.size() > excess ? d.text.size() - excess : 0;
    while (keep > 0 && (static_cast<unsigned char>(d.text[keep]) & 0xC0U) == 0x80U) --keep;
    json = write(d, std::string_view(d.text).substr(0, keep), true);
  }
  return MentionLine{d.id, std::move(json)};
}

std::string hash_hex(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[h & 0xF];
    h >>= 4;
  }
  return out;
}

std::string make_id(std::string_view prefix, std::string_view native) {
  std::string id(prefix);
  id += ':';
  if (id.size() + native.size() <= parse::kMaxIdBytes) {
    id += native;
  } else {
    id += 'h';
    id += hash_hex(native);
  }
  return id;
}

std::optional<std::int64_t> parse_count_text(std::string_view s) {
  while (!s.empty() && s.back() == '+') s.remove_suffix(1);  // "100万+"
  if (s.empty()) return std::nullopt;
  double unit = 1;
  if (s.size() > 3 && s.substr(s.size() - 3) == "万") {
    unit = 1e4;
    s.remove_suffix(3);
  } else if (s.size() > 3 && s.substr(s.size() - 3) == "亿") {
    unit = 1e8;
    s.remove_suffix(3);
  }
  if (unit == 1) {
    if (s.size() > 19) return std::nullopt;
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || v < 0 || s[0] == '-' || s[0] == '+') return std::nullopt;
    return v;
  }
  // "1.2万": digits with at most one decimal point.
  double v = 0, scale = 0;
  for (char c : s) {
    if (c == '.' && scale == 0) {
      scale = 1;
    } else if (c >= '0' && c <= '9') {
      if (scale > 0) {
        scale /= 10;
        v += (c - '0') * scale;
      } else {
        v = v * 10 + (c - '0');
      }
    } else {
      return std::nullopt;
    }
  }
  v *= unit;
  if (!(v < 9.2e18)) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(v));
}

}  // namespace yuqing::adapters
