#include "connectors/adapters/html.h"

#include <array>
#include <cstdint>

#include "engine/base/text.h"

namespace yuqing::adapters {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }


struct Named {
  std::string_view name;
  std::uint32_t cp;
};
// The references news feeds actually use; &nbsp; becomes a plain space so that words match.
constexpr std::array<Named, 34> kNamed = {{
    {"amp", '&'},       {"lt", '<'},         {"gt", '>'},         {"quot", '"'},      {"apos", '\''},
    {"nbsp", ' '},      {"ensp", ' '},       {"emsp", ' '},       {"thinsp", ' '},    {"hellip", 0x2026},
    {"mdash", 0x2014},  {"ndash", 0x2013},   {"lsquo", 0x2018},   {"rsquo", 0x2019},  {"ldquo", 0x201C},
    {"rdquo", 0x201D},  {"laquo", 0x00AB},   {"raquo", 0x00BB},   {"middot", 0x00B7}, {"bull", 0x2022},
    {"copy", 0x00A9},   {"reg", 0x00AE},     {"trade", 0x2122},   {"times", 0x00D7},  {"divide", 0x00F7},
    {"deg", 0x00B0},    {"yen", 0x00A5},     {"euro", 0x20AC},    {"pound", 0x00A3},  {"cent", 0x00A2},
    {"sect", 0x00A7},   {"para", 0x00B6},    {"shy", 0x00AD},     {"zwnj", 0x200C},
}};

// Decodes the reference starting at s[i] == '&'. Returns the bytes consumed (0: not a reference).
std::size_t decode_one(std::string_view s, std::size_t i, std::string& out) {
  const std::size_t limit = std::min(s.size(), i + 12);
  std::size_t semi = i + 1;
  while (semi < limit && s[semi] != ';') ++semi;
  if (semi >= limit) return 0;
  const std::string_view body = s.substr(i + 1, semi - i - 1);
  if (body.size() >= 2 && body[0] == '#') {
    std::uint32_t cp = 0;
    const bool hex = body[1] == 'x' || body[1] == 'X';
    const std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 7) return 0;
    for (char c : digits) {
      int v = -1;
      if (c >= '0' && c <= '9') v = c - '0';
      else if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
      if (v < 0) return 0;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
    }
    text::append_utf8(out, cp);
    return semi - i + 1;
  }
  for (const auto& n : kNamed) {
    if (body == n.name) {
      if (n.cp != 0x00AD && n.cp != 0x200C) text::append_utf8(out, n.cp);  // soft hyphen, ZWNJ: dropped
      return semi - i + 1;
    }
  }
  return 0;
}

bool is_block_tag(std::string_view name) {
  static constexpr std::array<std::string_view, 27> kBlocks = {
      "p",  "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
      "blockquote", "section", "article", "header", "footer", "pre", "hr", "dl", "dt", "dd", "figure", "figcaption",
      "aside"};
  for (auto b : kBlocks) {
    if (name == b) return true;
  }
  return false;
}

// Case-insensitive find of `needle` (lower case) in s from pos.
std::size_t ifind(std::string_view s, std::string_view needle, std::size_t pos) {
  for (std::size_t i = pos; i + needle.size() <= s.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && lower(s[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

// The end of the tag starting at s[i] == '<' (index after '>'), skipping quoted attribute values;
// npos when it does not close.
std::size_t tag_end(std::string_view s, std::size_t i) {
  char quote = 0;
  for (std::size_t k = i + 1; k < s.size(); ++k) {
    const char c = s[k];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return k + 1;
    }
  }
  return std::string_view::npos;
}

// Collapses whitespace: '\n' separates lines, other runs of space become one space; lines are
// trimmed and empty ones dropped.
std::string tidy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false, pending_line = false;
  for (char c : s) {
    if (c == '\n') {
      pending_line = !out.empty();
      pending_space = false;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      pending_space = !out.empty() && !pending_line;
    } else {
      if (pending_line) out += '\n';
      else if (pending_space) out += ' ';
      pending_line = pending_space = false;
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '&') {
      if (const std::size_t n = decode_one(s, i, out); n > 0) {
        i += n;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

std::string html_to_text(std::string_view html) {
  std::string raw;  // text with '\n' at block boundaries and source newlines as spaces
  raw.reserve(html.size());
  for (std::size_t i = 0; i < html.size();) {
    const char c = html[i];
    if (c == '&') {
      if (const std::size_t n = decode_one(html, i, raw); n > 0) {
        i += n;
        continue;
      }
      raw += c;
      ++i;
      continue;
    }
    if (c == '\n' || c == '\r' || c == '\t') {
      raw += ' ';
      ++i;
      continue;
    }
    if (c != '<' || i + 1 >= html.size()) {
      raw += c;
      ++i;
      continue;
    }
    const char next = html[i + 1];
    if (html.substr(i, 4) == "<!--") {
      const std::size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    if (html.substr(i, 9) == "<![CDATA[") {
      const std::size_t end = html.find("]]>", i + 9);
      const std::size_t stop = end == std::string_view::npos ? html.size() : end;
      raw.append(html.substr(i + 9, stop - i - 9));
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    if (!is_alpha(next) && next != '/' && next != '!' && next != '?') {  // "a <3 b", "x < y"
      raw += c;
      ++i;
      continue;
    }
    const std::size_t end = tag_end(html, i);
    if (end == std::string_view::npos) {  // an unclosed '<': text
      raw += c;
      ++i;
      continue;
    }
    std::size_t k = i + 1 + (next == '/' ? 1 : 0);
    std::string name;
    while (k < end && is_alnum(html[k])) name += lower(html[k++]);
    i = end;
    if (next != '/' && (name == "script" || name == "style")) {  // drop their content
      const std::size_t close = ifind(html, "</" + name, i);
      if (close == std::string_view::npos) {
        i = html.size();
      } else {
        const std::size_t close_end = tag_end(html, close);
        i = close_end == std::string_view::npos ? html.size() : close_end;
      }
      continue;
    }
    if (is_block_tag(name)) raw += '\n';
    else if (name == "td" || name == "th") raw += ' ';
  }
  return tidy(raw);
}

bool looks_like_html(std::string_view s) {
  for (std::size_t i = s.find('<'); i != std::string_view::npos; i = s.find('<', i + 1)) {
    std::size_t k = i + 1;
    if (k < s.size() && s[k] == '/') ++k;
    std::size_t n = 0;
    while (k + n < s.size() && is_alnum(s[k + n])) ++n;
    if (n == 0 || k + n >= s.size() || !is_alpha(s[k])) continue;
    const char after = s[k + n];
    if ((after == ' ' || after == '>' || after == '/') && tag_end(s, i) != std::string_view::npos) return true;
  }
  return false;
}

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int k = 1; k <= n; ++k) {
      if ((p[k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

}  // namespace yuqing::adapters
