// The parser proper: simdjson On-Demand, error codes only (no exceptions), one pass over the
// fields. Compiled once per simdjson kernel (variant YUQING_PARSE_VARIANT; see parse_kernel.h and
// CMakeLists.txt): keep everything here in the anonymous namespace except the two functions at
// the end (the build checks it).
//
// On-Demand only validates what is read; skipping a value just counts brackets, so
// {"x":[1},...} or {"x":tru,...} would pass. Every value is therefore either read by its field's
// reader or walked by walk(), which reads each nested value (bounded by kMaxNestingDepth), so
// the parser accepts exactly the well-formed JSON objects (checked against an independent
// validator in tests/parse/parse_test.cpp). Field-level problems are recorded and the walk goes
// on, so a structural error later in the line still makes it malformed_json.

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <system_error>

#include "engine/parse/parse.h"
#include "engine/parse/parse_kernel.h"

#ifndef YUQING_PARSE_VARIANT
#error "YUQING_PARSE_VARIANT must name the variant being compiled (baseline, haswell, icelake)"
#endif

namespace yuqing::parse {

namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view kBom = "\xEF\xBB\xBF";
// Buffers for lines up to this size are allocated when the parser is built; longer limits grow
// the buffers on demand (to the longest line seen, at least doubling).
constexpr std::size_t kEagerBytes = std::size_t{1} << 20;
// Lines up to this size go through the DOM fast path first (see Parser::parse_fast); its
// parser is sized for them when the parser is built (~14 bytes per input byte).
constexpr std::size_t kFastPathBytes = std::size_t{64} << 10;

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// ---------------------------------------------------------------------------------------------
// Text helpers for detail sentences (error path only).

// Appends `s` in double quotes with JSON escapes, cut after 64 bytes on a code point boundary.
void append_quoted(std::string& out, std::string_view s) {
  constexpr std::size_t kMax = 64;
  bool cut = false;
  if (s.size() > kMax) {
    std::size_t n = kMax;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0U) == 0x80U) --n;
    s = s.substr(0, n);
    cut = true;
  }
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20U || u == 0x7FU) {
      constexpr std::string_view kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4U];
      out += kHex[u & 0xFU];
    } else {
      out += c;
    }
  }
  out += '"';
  if (cut) out += "...";
}

std::string quoted(std::string_view s) {
  std::string out;
  append_quoted(out, s);
  return out;
}

// An unknown key as a field path in a detail: only when short and printable, else empty.
std::string_view printable_key(std::string_view key) {
  if (key.empty() || key.size() > 64) return {};
  for (const char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20U || u == 0x7FU || c == '\'' || c == '\\' || c == '"') return {};
  }
  return key;
}

std::string field_ref(std::string_view path) { return "field '" + std::string(path) + "'"; }

std::string_view type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "array";
    case od::json_type::object: return "object";
    case od::json_type::number: return "number";
    case od::json_type::string: return "string";
    case od::json_type::boolean: return "boolean";
    case od::json_type::null: return "null";
  }
  return "unknown";
}

// Offset of the first byte that is not part of a valid UTF-8 sequence (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or s.size() when all is valid.
std::size_t first_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    if (c < 0x80U) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80U;
    unsigned hi = 0xBFU;
    if (c >= 0xC2U && c <= 0xDFU) {
      len = 2;
    } else if (c >= 0xE0U && c <= 0xEFU) {
      len = 3;
      if (c == 0xE0U) lo = 0xA0U;  // overlong
      if (c == 0xEDU) hi = 0x9FU;  // surrogates
    } else if (c >= 0xF0U && c <= 0xF4U) {
      len = 4;
      if (c == 0xF0U) lo = 0x90U;  // overlong
      if (c == 0xF4U) hi = 0x8FU;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80U || p[i + k] > 0xBFU) return i;
    }
    i += len;
  }
  return n;
}

// After simdjson reports STRING_ERROR: true when every escape in the string starting at `p`
// (just after its opening quote) is well-formed JSON, so the failure can only be a \u escape
// of a lone or misordered UTF-16 surrogate, which has no UTF-8 form.
bool escapes_well_formed(const char* p, const char* end) {
  while (p < end && *p != '"') {
    if (*p != '\\') {
      ++p;
      continue;
    }
    ++p;
    if (p >= end) return false;
    switch (*p) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        ++p;
        break;
      case 'u':
        ++p;
        for (int k = 0; k < 4; ++k, ++p) {
          if (p >= end || !is_hex(*p)) return false;
        }
        break;
      default:
        return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Numbers. simdjson's typed getters cannot tell "not a number" from "a number too large for 64
// bits", so number tokens are checked against the JSON grammar here, then classified.

enum class Num : std::uint8_t {
  malformed,  // not a JSON number
  integer,    // an integer value in 0..INT64_MAX (including integral decimals such as 1e3)
  negative,   // a value below zero
  too_large,  // an integer value above INT64_MAX (or a decimal that overflows a double)
  fraction,   // a value with a non-zero fractional part
};

struct NumberValue {
  Num kind = Num::malformed;
  std::int64_t value = 0;
  bool plain = false;  // written as digits only (no sign, fraction or exponent)
};

std::string_view trim_json_ws(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r')) {
    t.remove_suffix(1);
  }
  return t;
}

NumberValue classify_number(std::string_view t) {
  NumberValue out;
  const std::size_t n = t.size();
  std::size_t i = 0;
  const bool negative = n > 0 && t[0] == '-';
  if (negative) ++i;
  const std::size_t int_begin = i;
  if (i >= n || !is_digit(t[i])) return out;
  if (t[i] == '0') {
    ++i;
  } else {
    while (i < n && is_digit(t[i])) ++i;
  }
  const std::size_t int_end = i;
  bool decimal = false;
  bool negative_exponent = false;
  if (i < n && t[i] == '.') {
    ++i;
    if (i >= n || !is_digit(t[i])) return out;
    while (i < n && is_digit(t[i])) ++i;
    decimal = true;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) {
      negative_exponent = t[i] == '-';
      ++i;
    }
    if (i >= n || !is_digit(t[i])) return out;
    while (i < n && is_digit(t[i])) ++i;
    decimal = true;
  }
  if (i != n) return out;

  if (!decimal) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
    std::uint64_t v = 0;
    bool overflow = false;
    for (std::size_t k = int_begin; k < int_end && !overflow; ++k) {
      const auto d = static_cast<std::uint64_t>(t[k] - '0');
      if (v > (kMax - d) / 10) {
        overflow = true;
      } else {
        v = v * 10 + d;
      }
    }
    if (negative && (overflow || v != 0)) {
      out.kind = Num::negative;
    } else if (overflow) {
      out.kind = Num::too_large;
    } else {
      out.kind = Num::integer;
      out.value = static_cast<std::int64_t>(v);
      out.plain = !negative;
    }
    return out;
  }

  double d = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + n, d);
  if (ec == std::errc::result_out_of_range) {
    // Underflow (1e-400) is a tiny fraction; overflow (1e400) is too large in either sign.
    out.kind = negative_exponent ? Num::fraction : (negative ? Num::negative : Num::too_large);
    return out;
  }
  if (ec != std::errc() || ptr != t.data() + n) return out;  // not expected after the grammar check
  if (std::trunc(d) != d) {
    out.kind = Num::fraction;
  } else if (d < 0) {
    out.kind = Num::negative;
  } else if (d >= 9223372036854775808.0) {
    out.kind = Num::too_large;
  } else {
    out.kind = Num::integer;
    out.value = static_cast<std::int64_t>(d);
  }
  return out;
}

// A count written as a string ("12345"): 1..19 ASCII digits, at most INT64_MAX.
bool parse_decimal_string(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::uint64_t v = 0;
  for (const char c : s) {
    if (!is_digit(c)) return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (kMax - d) / 10) return false;
    v = v * 10 + d;
  }
  out = static_cast<std::int64_t>(v);
  return true;
}

std::string_view describe(simdjson::error_code e) {
  switch (e) {
    case simdjson::EMPTY: return "the line is empty or only whitespace; expected a JSON object";
    case simdjson::TAPE_ERROR: return "unexpected token (a missing or extra comma, colon, bracket or brace)";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "the line does not end with the '}' closing its object (truncated, or followed by other content)";
    case simdjson::UNCLOSED_STRING: return "a string is not closed";
    case simdjson::UNESCAPED_CHARS: return "a string contains an unescaped control character";
    case simdjson::STRING_ERROR: return "a string has an invalid escape sequence";
    case simdjson::NUMBER_ERROR: return "a number is not well-formed";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "a literal is not true, false or null";
    case simdjson::DEPTH_ERROR: return "arrays and objects are nested too deeply";
    case simdjson::TRAILING_CONTENT: return "there is content after the JSON object";
    case simdjson::INCORRECT_TYPE: return "a value is not an object, array, string, number, true, false or null";
    case simdjson::UTF8_ERROR: return "the line is not valid UTF-8";
    default: return simdjson::error_message(e);
  }
}

// Field keys.
enum class Top : std::uint8_t {
  unknown, id, platform, created_at, text, title, lang, url, parent_id, region, author, metrics,
};

Top top_field(std::string_view k) {
  switch (k.size()) {
    case 2: return k == "id" ? Top::id : Top::unknown;
    case 3: return k == "url" ? Top::url : Top::unknown;
    case 4: return k == "text" ? Top::text : k == "lang" ? Top::lang : Top::unknown;
    case 5: return k == "title" ? Top::title : Top::unknown;
    case 6: return k == "author" ? Top::author : k == "region" ? Top::region : Top::unknown;
    case 7: return k == "metrics" ? Top::metrics : Top::unknown;
    case 8: return k == "platform" ? Top::platform : Top::unknown;
    case 9: return k == "parent_id" ? Top::parent_id : Top::unknown;
    case 10: return k == "created_at" ? Top::created_at : Top::unknown;
    default: return Top::unknown;
  }
}

enum class AuthorKey : std::uint8_t { unknown, id, name, followers, verified };

AuthorKey author_field(std::string_view k) {
  if (k == "id") return AuthorKey::id;
  if (k == "name") return AuthorKey::name;
  if (k == "followers") return AuthorKey::followers;
  if (k == "verified") return AuthorKey::verified;
  return AuthorKey::unknown;
}

enum class MetricKey : std::uint8_t { unknown, likes, reposts, comments, views };

MetricKey metric_field(std::string_view k) {
  if (k == "likes") return MetricKey::likes;
  if (k == "reposts") return MetricKey::reposts;
  if (k == "comments") return MetricKey::comments;
  if (k == "views") return MetricKey::views;
  return MetricKey::unknown;
}

constexpr std::uint32_t bit(Top t) { return std::uint32_t{1} << static_cast<unsigned>(t); }
constexpr std::uint32_t bit(AuthorKey t) { return std::uint32_t{1} << static_cast<unsigned>(t); }
constexpr std::uint32_t bit(MetricKey t) { return std::uint32_t{1} << static_cast<unsigned>(t); }

std::string_view top_path(Top t) {
  switch (t) {
    case Top::id: return "id";
    case Top::platform: return "platform";
    case Top::created_at: return "created_at";
    case Top::text: return "text";
    case Top::title: return "title";
    case Top::lang: return "lang";
    case Top::url: return "url";
    case Top::parent_id: return "parent_id";
    case Top::region: return "region";
    case Top::author: return "author";
    case Top::metrics: return "metrics";
    case Top::unknown: break;
  }
  return "";
}

std::string_view author_path(AuthorKey k) {
  switch (k) {
    case AuthorKey::id: return "author.id";
    case AuthorKey::name: return "author.name";
    case AuthorKey::followers: return "author.followers";
    case AuthorKey::verified: return "author.verified";
    case AuthorKey::unknown: break;
  }
  return "author";
}

std::string_view metric_path(MetricKey k) {
  switch (k) {
    case MetricKey::likes: return "metrics.likes";
    case MetricKey::reposts: return "metrics.reposts";
    case MetricKey::comments: return "metrics.comments";
    case MetricKey::views: return "metrics.views";
    case MetricKey::unknown: break;
  }
  return "metrics";
}

const std::string& platform_list() {
  static const std::string list = [] {
    std::string s;
    for (int i = 0; i < kPlatformCount; ++i) {
      if (i > 0) s += ", ";
      s += platform_name(static_cast<Platform>(i));
    }
    return s;
  }();
  return list;
}

// How reading one field's value ended.
enum class Read : std::uint8_t {
  ok,      // the value was read
  null,    // the value was null
  failed,  // a reject was recorded and the value was consumed; go on with the next field
  stop,    // the line is not well-formed JSON; stop now
};

// ---------------------------------------------------------------------------------------------

class Parser final : public detail::ParserBackend {
 public:
  Parser(ParserOptions o, bool fast_path) : options_(o) {
    // Warm up: with the default limit the buffers are sized for the longest allowed line now,
    // so parse() never allocates. A failure here is retried (and reported) by parse().
    (void)ensure_capacity(std::min(options_.max_line_bytes, kEagerBytes));
    fast_capacity_ = std::min(options_.max_line_bytes, kFastPathBytes);
    // Without its buffers the fast path is off and every line takes the full path (same results).
    // The DOM parser sizes its document (tape and strings) on first use; do it now too.
    const std::size_t fast_bytes = std::max<std::size_t>(fast_capacity_, 64);
    fast_path_ = fast_path && dom_.allocate(fast_bytes, kMaxNestingDepth) == simdjson::SUCCESS &&
                 dom_.doc.allocate(fast_bytes) == simdjson::SUCCESS;
  }

  Result<Mention, ParseError> parse(std::string_view line) override;

 private:
  bool ensure_capacity(std::size_t n);
  // Copies the line into the padded buffer (ensure_capacity first).
  void load(std::string_view line, std::size_t offset);

  // The fast path: simdjson's DOM parser (run-time dispatched to the CPU's kernel, full
  // validation in one pass) and a walk over its tape. It only ever accepts: true = the line is
  // accepted and m_ holds it; false = anything unusual (any error, a duplicate key, a number
  // that is not a plain integer, a numeric author.id, ...), and the line goes through the full
  // path below, which decides and explains. So results are the full path's by construction:
  // the fast path accepts a subset of what the full path accepts and reads the same values
  // (tests/parse: ParseKernels.* compare both on the corpus and 20,000 mutations).
  bool parse_fast();
  bool fast_count(const simdjson::dom::element& e, std::int64_t& out) const;
  bool fast_optional_string(const simdjson::dom::element& e, std::string_view& out) const;
  bool fast_author(const simdjson::dom::element& e);
  bool fast_metrics(const simdjson::dom::element& e);
  // The full path: On-Demand over the line with every check and the exact reject.
  Result<Mention, ParseError> parse_full(std::string_view line, std::size_t offset, bool loaded);

  // Records a reject. malformed_json outranks invalid_utf8, which outranks the rest; among
  // equals the first one in document order wins, so the reason does not depend on which
  // problem the walk happened to see first.
  static int rank(Reject r) {
    return r == Reject::malformed_json ? 3 : r == Reject::invalid_utf8 ? 2 : 1;
  }
  bool wants(Reject r) const { return rank(r) > error_rank_; }
  void fail(Reject r, std::string detail) {
    if (!wants(r)) return;
    error_rank_ = rank(r);
    error_.reason = r;
    error_.detail = std::move(detail);
  }
  // Records malformed_json for a simdjson error; always returns Read::stop.
  Read malformed(simdjson::error_code e, std::string_view path);
  Read malformed(std::string_view what, std::string_view path);
  // STRING_ERROR from unescaping: an invalid escape (malformed_json) or an escaped lone
  // surrogate (invalid_utf8). `raw` starts at the opening quote.
  Read string_error(simdjson::error_code e, const char* raw, std::string_view path, bool key);

  Read read_key(od::field& f, std::string_view path, std::string_view& key);
  Read consume_null(od::value& v, std::string_view path);
  Read get_string(od::value& v, std::string_view path, std::string_view& out);
  // string or null; any other type records bad_type ("must be <expected>") and walks it.
  Read read_string(od::value& v, std::string_view path, std::size_t depth, std::string_view expected,
                   std::string_view& out);
  Read wrong_type(od::value& v, od::json_type t, std::string_view path, std::size_t depth,
                  std::string_view expected);
  // Validates a value nobody reads, so a broken unknown field still yields malformed_json.
  Read walk(od::value& v, std::size_t depth, std::string_view path);
  Read too_deep(std::string_view path);

  Read read_created_at(od::value& v);
  Read read_count(od::value& v, std::string_view path, std::size_t depth, std::int64_t& out);
  Read read_author(od::value& v);
  Read read_author_id(od::value& v, std::size_t depth);
  Read read_metrics(od::value& v);
  Read read_top_field(Top key, od::value& v);

  ParserOptions options_;
  od::parser parser_;
  simdjson::dom::parser dom_;
  std::size_t fast_capacity_ = 0;  // longest line for the fast path
  bool fast_path_ = false;
  std::unique_ptr<char[]> input_;      // padded copy of the current line
  std::size_t input_capacity_ = 0;     // usable bytes in input_, padding not counted

  // Per-line state.
  const char* json_ = nullptr;  // the line inside input_
  std::size_t json_len_ = 0;
  std::size_t json_offset_ = 0;  // bytes stripped in front (a BOM), for error offsets
  od::document* doc_ = nullptr;
  std::string_view key_;  // the current top-level key (for details about unknown fields)
  Mention m_;
  std::uint32_t seen_ = 0;     // known top-level keys met
  int error_rank_ = 0;
  ParseError error_{Reject::malformed_json, {}};
};

bool Parser::ensure_capacity(std::size_t n) {
  if (input_ && n <= input_capacity_) return true;
  std::size_t want = std::max({n, std::size_t{4096}, input_capacity_ * 2});
  want = std::min(want, std::max(n, options_.max_line_bytes));
  std::unique_ptr<char[]> buf(new (std::nothrow) char[want + simdjson::SIMDJSON_PADDING]);
  if (!buf) return false;
  if (parser_.allocate(want) != simdjson::SUCCESS) return false;
  input_ = std::move(buf);
  input_capacity_ = want;
  return true;
}

Read Parser::malformed(std::string_view what, std::string_view path) {
  std::string d = "the line is not well-formed JSON";
  if (doc_ != nullptr) {
    const char* at = nullptr;
    if (!doc_->current_location().get(at) && at > json_ && at <= json_ + json_len_) {
      d += " near byte " + std::to_string(static_cast<std::size_t>(at - json_) + json_offset_);
    }
  }
  if (!path.empty()) {
    d += " (in field '";
    d += path;
    d += "')";
  }
  d += ": ";
  d += what;
  fail(Reject::malformed_json, std::move(d));
  return Read::stop;
}

Read Parser::malformed(simdjson::error_code e, std::string_view path) {
  if (e == simdjson::EMPTY) {
    fail(Reject::malformed_json, std::string(describe(e)));
    return Read::stop;
  }
  return malformed(describe(e), path);
}

Read Parser::string_error(simdjson::error_code e, const char* raw, std::string_view path, bool key) {
  if (e == simdjson::STRING_ERROR && raw != nullptr && *raw == '"' &&
      escapes_well_formed(raw + 1, json_ + json_len_)) {
    std::string d;
    if (key) {
      d = path.empty() ? "a key" : "a key in " + field_ref(path);
    } else {
      d = path.empty() ? "a value" : field_ref(path);
    }
    d += " has a \\u escape of a lone UTF-16 surrogate, which is not valid Unicode";
    fail(Reject::invalid_utf8, std::move(d));
    return Read::failed;
  }
  return malformed(e, path);
}

Read Parser::read_key(od::field& f, std::string_view path, std::string_view& key) {
  // key() is the raw key just after its opening quote; unescaped_key() consumes it, so take it
  // first (for the error path).
  const char* raw = f.key().raw();
  if (const auto e = f.unescaped_key().get(key)) return string_error(e, raw != nullptr ? raw - 1 : nullptr, path, true);
  return Read::ok;
}

Read Parser::consume_null(od::value& v, std::string_view path) {
  bool is_null = false;
  if (v.is_null().get(is_null) || !is_null) return malformed(simdjson::N_ATOM_ERROR, path);
  return Read::null;
}

Read Parser::get_string(od::value& v, std::string_view path, std::string_view& out) {
  const std::string_view raw = v.raw_json_token();
  if (const auto e = v.get_string().get(out)) return string_error(e, raw.data(), path, false);
  return Read::ok;
}

Read Parser::wrong_type(od::value& v, od::json_type t, std::string_view path, std::size_t depth,
                                     std::string_view expected) {
  if (wants(Reject::bad_type)) {
    std::string d = field_ref(path);
    d += " must be ";
    d += expected;
    d += ", got ";
    d += type_name(t);
    fail(Reject::bad_type, std::move(d));
  }
  return walk(v, depth, path) == Read::stop ? Read::stop : Read::failed;
}

Read Parser::read_string(od::value& v, std::string_view path, std::size_t depth,
                                      std::string_view expected, std::string_view& out) {
  od::json_type t{};
  if (const auto e = v.type().get(t)) return malformed(e, path);
  if (t == od::json_type::string) return get_string(v, path, out);
  if (t == od::json_type::null) return consume_null(v, path);
  return wrong_type(v, t, path, depth, expected);
}

Read Parser::too_deep(std::string_view path) {
  return malformed("arrays and objects are nested deeper than " + std::to_string(kMaxNestingDepth) + " levels",
                   path);
}

Read Parser::walk(od::value& v, std::size_t depth, std::string_view path) {
  od::json_type t{};
  if (const auto e = v.type().get(t)) return malformed(e, path);
  switch (t) {
    case od::json_type::array: {
      if (depth > kMaxNestingDepth) return too_deep(path);
      od::array a;
      if (const auto e = v.get_array().get(a)) return malformed(e, path);
      for (auto element : a) {
        od::value ev;
        if (const auto e = std::move(element).get(ev)) return malformed(e, path);
        if (walk(ev, depth + 1, path) == Read::stop) return Read::stop;
      }
      return Read::ok;
    }
    case od::json_type::object: {
      if (depth > kMaxNestingDepth) return too_deep(path);
      od::object o;
      if (const auto e = v.get_object().get(o)) return malformed(e, path);
      for (auto field : o) {
        od::field f;
        if (const auto e = std::move(field).get(f)) return malformed(e, path);
        std::string_view key;
        if (read_key(f, path, key) == Read::stop) return Read::stop;
        if (walk(f.value(), depth + 1, path) == Read::stop) return Read::stop;
      }
      return Read::ok;
    }
    case od::json_type::number: {
      // Not consumed: the enclosing iteration skips a scalar by itself.
      if (classify_number(trim_json_ws(v.raw_json_token())).kind == Num::malformed) {
        return malformed(simdjson::NUMBER_ERROR, path);
      }
      return Read::ok;
    }
    case od::json_type::string: {
      std::string_view s;
      const Read r = get_string(v, path, s);
      return r == Read::stop ? Read::stop : Read::ok;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (const auto e = v.get_bool().get(b)) return malformed(e, path);
      return Read::ok;
    }
    case od::json_type::null:
      return consume_null(v, path) == Read::stop ? Read::stop : Read::ok;
  }
  return malformed(simdjson::TAPE_ERROR, path);
}

Read Parser::read_created_at(od::value& v) {
  constexpr std::string_view kPath = "created_at";
  constexpr std::string_view kRange = " is outside the accepted range 1970-01-01T00:00:00Z..2200-12-31T23:59:59.999Z";
  od::json_type t{};
  if (const auto e = v.type().get(t)) return malformed(e, kPath);
  switch (t) {
    case od::json_type::null:
      if (consume_null(v, kPath) == Read::stop) return Read::stop;
      fail(Reject::missing_field, "required field 'created_at' is null");
      return Read::failed;
    case od::json_type::string: {
      std::string_view s;
      const Read r = get_string(v, kPath, s);
      if (r != Read::ok) return r;
      auto ms = parse_rfc3339_ms(s);
      if (!ms) {
        if (wants(Reject::bad_timestamp)) {
          fail(Reject::bad_timestamp, "field 'created_at' is not an RFC 3339 timestamp (" + ms.error() + "): " +
                                          quoted(s));
        }
        return Read::failed;
      }
      if (*ms < kMinCreatedAtMs || *ms > kMaxCreatedAtMs) {
        if (wants(Reject::bad_timestamp)) fail(Reject::bad_timestamp, "field 'created_at' " + quoted(s) + std::string(kRange));
        return Read::failed;
      }
      m_.created_at_ms = *ms;
      return Read::ok;
    }
    case od::json_type::number: {
      const std::string_view token = trim_json_ws(v.raw_json_token());
      const NumberValue n = classify_number(token);
      if (n.kind == Num::malformed) return malformed(simdjson::NUMBER_ERROR, kPath);
      if (n.kind != Num::integer) {
        if (wants(Reject::bad_timestamp)) {
          fail(Reject::bad_timestamp,
               "field 'created_at' as a number must be whole epoch milliseconds from 0 to " +
                   std::to_string(kMaxCreatedAtMs) + " (1970..2200), got " + std::string(token));
        }
        return Read::failed;
      }
      if (n.value > kMaxCreatedAtMs) {
        if (wants(Reject::bad_timestamp)) fail(Reject::bad_timestamp, "field 'created_at' " + std::string(token) + std::string(kRange));
        return Read::failed;
      }
      m_.created_at_ms = n.value;
      return Read::ok;
    }
    default:
      return wrong_type(v, t, kPath, 2, "an RFC 3339 string or integer epoch milliseconds");
  }
}

Read Parser::read_count(od::value& v, std::string_view path, std::size_t depth, std::int64_t& out) {
  od::json_type t{};
  if (const auto e = v.type().get(t)) return malformed(e, path);
  switch (t) {
    case od::json_type::null:
      return consume_null(v, path);
    case od::json_type::number: {
      const std::string_view token = trim_json_ws(v.raw_json_token());
      const NumberValue n = classify_number(token);
      switch (n.kind) {
        case Num::malformed:
          return malformed(simdjson::NUMBER_ERROR, path);
        case Num::integer:
          out = n.value;
          return Read::ok;
        case Num::fraction:
          if (wants(Reject::bad_type)) {
            fail(Reject::bad_type, field_ref(path) + " must be a non-negative integer, got " + std::string(token));
          }
          return Read::failed;
        case Num::negative:
          if (wants(Reject::bad_value)) {
            fail(Reject::bad_value, field_ref(path) + " must not be negative, got " + std::string(token));
          }
          return Read::failed;
        case Num::too_large:
          if (wants(Reject::bad_value)) {
            fail(Reject::bad_value, field_ref(path) + " is larger than 9223372036854775807: " + std::string(token));
          }
          return Read::failed;
      }
      return Read::failed;
    }
    case od::json_type::string: {
      // Connectors often stringify big numbers: "12345" is accepted.
      std::string_view s;
      const Read r = get_string(v, path, s);
      if (r != Read::ok) return r;
      if (!parse_decimal_string(s, out)) {
        if (wants(Reject::bad_value)) {
          fail(Reject::bad_value, field_ref(path) +
                                      " as a string must hold a non-negative decimal integer up to "
                                      "9223372036854775807, got " +
                                      quoted(s));
        }
        return Read::failed;
      }
      return Read::ok;
    }
    default:
      return wrong_type(v, t, path, depth, "a non-negative integer, a string of digits, or null");
  }
}

Read Parser::read_author_id(od::value& v, std::size_t depth) {
  constexpr std::string_view kPath = "author.id";
  od::json_type t{};
  if (const auto e = v.type().get(t)) return malformed(e, kPath);
  switch (t) {
    case od::json_type::null:
      return consume_null(v, kPath);
    case od::json_type::string:
      return get_string(v, kPath, m_.author.id);
    case od::json_type::number: {
      // A numeric id is kept as its decimal text (a view of the input), whatever its size.
      const std::string_view token = trim_json_ws(v.raw_json_token());
      const NumberValue n = classify_number(token);
      if (n.kind == Num::malformed) return malformed(simdjson::NUMBER_ERROR, kPath);
      const bool digits_only =
          std::all_of(token.begin(), token.end(), [](char c) { return is_digit(c); });
      if (digits_only) {
        m_.author.id = token;
        return Read::ok;
      }
      const bool negative_integer = token[0] == '-' && token.find_first_of(".eE") == std::string_view::npos;
      const Reject r = negative_integer ? Reject::bad_value : Reject::bad_type;
      if (wants(r)) {
        fail(r, "field 'author.id' must be a string or a non-negative integer written with digits only, got " +
                    std::string(token));
      }
      return Read::failed;
    }
    default:
      return wrong_type(v, t, kPath, depth, "a string, a non-negative integer, or null");
  }
}

Read Parser::read_author(od::value& v) {
  constexpr std::size_t kDepth = 2;  // the author object itself
  od::object o;
  if (const auto e = v.get_object().get(o)) return malformed(e, "author");
  std::uint32_t seen = 0;
  for (auto field : o) {
    od::field f;
    if (const auto e = std::move(field).get(f)) return malformed(e, "author");
    std::string_view key;
    const Read kr = read_key(f, "author", key);
    if (kr == Read::stop) return Read::stop;
    const AuthorKey k = kr == Read::ok ? author_field(key) : AuthorKey::unknown;
    const std::string_view path = author_path(k);
    od::value& fv = f.value();
    if (k != AuthorKey::unknown && (seen & bit(k)) != 0) {
      if (wants(Reject::duplicate_field)) fail(Reject::duplicate_field, field_ref(path) + " appears more than once");
      if (walk(fv, kDepth + 1, path) == Read::stop) return Read::stop;
      continue;
    }
    seen |= bit(k);
    Read r = Read::ok;
    switch (k) {
      case AuthorKey::id:
        r = read_author_id(fv, kDepth + 1);
        break;
      case AuthorKey::name:
        r = read_string(fv, path, kDepth + 1, "a string or null", m_.author.name);
        break;
      case AuthorKey::followers:
        r = read_count(fv, path, kDepth + 1, m_.author.followers);
        break;
      case AuthorKey::verified: {
        od::json_type t{};
        if (const auto e = fv.type().get(t)) return malformed(e, path);
        if (t == od::json_type::boolean) {
          if (const auto e = fv.get_bool().get(m_.author.verified)) return malformed(e, path);
        } else if (t == od::json_type::null) {
          r = consume_null(fv, path);
        } else {
          r = wrong_type(fv, t, path, kDepth + 1, "a boolean or null");
        }
        break;
      }
      case AuthorKey::unknown:
        r = walk(fv, kDepth + 1, "author");
        break;
    }
    if (r == Read::stop) return Read::stop;
  }
  return Read::ok;
}

Read Parser::read_metrics(od::value& v) {
  constexpr std::size_t kDepth = 2;
  od::object o;
  if (const auto e = v.get_object().get(o)) return malformed(e, "metrics");
  std::uint32_t seen = 0;
  for (auto field : o) {
    od::field f;
    if (const auto e = std::move(field).get(f)) return malformed(e, "metrics");
    std::string_view key;
    const Read kr = read_key(f, "metrics", key);
    if (kr == Read::stop) return Read::stop;
    const MetricKey k = kr == Read::ok ? metric_field(key) : MetricKey::unknown;
    const std::string_view path = metric_path(k);
    od::value& fv = f.value();
    if (k != MetricKey::unknown && (seen & bit(k)) != 0) {
      if (wants(Reject::duplicate_field)) fail(Reject::duplicate_field, field_ref(path) + " appears more than once");
      if (walk(fv, kDepth + 1, path) == Read::stop) return Read::stop;
      continue;
    }
    seen |= bit(k);
    Read r = Read::ok;
    switch (k) {
      case MetricKey::likes: r = read_count(fv, path, kDepth + 1, m_.metrics.likes); break;
      case MetricKey::reposts: r = read_count(fv, path, kDepth + 1, m_.metrics.reposts); break;
      case MetricKey::comments: r = read_count(fv, path, kDepth + 1, m_.metrics.comments); break;
      case MetricKey::views: r = read_count(fv, path, kDepth + 1, m_.metrics.views); break;
      case MetricKey::unknown: r = walk(fv, kDepth + 1, "metrics"); break;
    }
    if (r == Read::stop) return Read::stop;
  }
  return Read::ok;
}

Read Parser::read_top_field(Top key, od::value& v) {
  constexpr std::size_t kDepth = 2;  // a top-level field's value
  const std::string_view path = top_path(key);
  std::string_view s;
  switch (key) {
    case Top::unknown:
      return walk(v, kDepth, printable_key(key_));
    case Top::id: {
      const Read r = read_string(v, path, kDepth, "a string", s);
      if (r == Read::null) {
        fail(Reject::missing_field, "required field 'id' is null");
      } else if (r == Read::ok) {
        if (s.empty()) {
          fail(Reject::bad_value, "field 'id' must not be empty");
        } else if (s.size() > kMaxIdBytes) {
          if (wants(Reject::bad_value)) {
            fail(Reject::bad_value, "field 'id' is " + std::to_string(s.size()) + " bytes; the limit is " +
                                        std::to_string(kMaxIdBytes) + " bytes");
          }
        } else {
          m_.id = s;
        }
      }
      return r;
    }
    case Top::platform: {
      const Read r = read_string(v, path, kDepth, "a string", s);
      if (r == Read::null) {
        fail(Reject::missing_field, "required field 'platform' is null");
      } else if (r == Read::ok) {
        if (const auto p = platform_from_name(s)) {
          m_.platform = *p;
        } else if (wants(Reject::bad_value)) {
          fail(Reject::bad_value,
               "field 'platform' has unknown value " + quoted(s) + "; expected one of " + platform_list());
        }
      }
      return r;
    }
    case Top::text: {
      const Read r = read_string(v, path, kDepth, "a string", s);
      if (r == Read::null) {
        fail(Reject::missing_field, "required field 'text' is null");
      } else if (r == Read::ok) {
        m_.text = s;  // may be empty (an image-only post)
      }
      return r;
    }
    case Top::created_at: {
      return read_created_at(v);
    }
    case Top::title: return read_string(v, path, kDepth, "a string or null", m_.title);
    case Top::lang: return read_string(v, path, kDepth, "a string or null", m_.lang);
    case Top::url: return read_string(v, path, kDepth, "a string or null", m_.url);
    case Top::parent_id: return read_string(v, path, kDepth, "a string or null", m_.parent_id);
    case Top::region: return read_string(v, path, kDepth, "a string or null", m_.region);
    case Top::author:
    case Top::metrics: {
      od::json_type t{};
      if (const auto e = v.type().get(t)) return malformed(e, path);
      if (t == od::json_type::null) return consume_null(v, path);
      if (t != od::json_type::object) return wrong_type(v, t, path, kDepth, "an object or null");
      return key == Top::author ? read_author(v) : read_metrics(v);
    }
  }
  return Read::ok;
}

void Parser::load(std::string_view line, std::size_t offset) {
  // Copy into the padded buffer; zero the padding so stale bytes of a longer previous line
  // can never be read as JSON.
  if (!line.empty()) std::memcpy(input_.get(), line.data(), line.size());
  std::memset(input_.get() + line.size(), 0, simdjson::SIMDJSON_PADDING);
  json_ = input_.get();
  json_len_ = line.size();
  json_offset_ = offset;
}

bool Parser::fast_optional_string(const simdjson::dom::element& e, std::string_view& out) const {
  if (e.is_null()) return true;
  return !e.get_string().get(out);
}

bool Parser::fast_count(const simdjson::dom::element& e, std::int64_t& out) const {
  switch (e.type()) {
    case simdjson::dom::element_type::INT64: {
      // Only integers written as such (no fraction or exponent) are INT64 on the tape.
      const std::int64_t v = e.get_int64().value_unsafe();
      if (v < 0) return false;
      out = v;
      return true;
    }
    case simdjson::dom::element_type::NULL_VALUE:
      return true;
    case simdjson::dom::element_type::STRING:
      return parse_decimal_string(e.get_string().value_unsafe(), out);
    default:
      return false;  // UINT64 (too large), DOUBLE (1e3, 1.5): the full path decides
  }
}

bool Parser::fast_author(const simdjson::dom::element& e) {
  if (e.is_null()) return true;
  simdjson::dom::object o;
  if (e.get_object().get(o)) return false;
  std::uint32_t seen = 0;
  for (const auto field : o) {
    const AuthorKey k = author_field(field.key);
    if (k == AuthorKey::unknown) continue;
    if ((seen & bit(k)) != 0) return false;
    seen |= bit(k);
    const simdjson::dom::element& v = field.value;
    switch (k) {
      case AuthorKey::id:
        // A numeric id is kept as its decimal text, which the tape does not keep.
        if (!fast_optional_string(v, m_.author.id)) return false;
        break;
      case AuthorKey::name:
        if (!fast_optional_string(v, m_.author.name)) return false;
        break;
      case AuthorKey::followers:
        if (!fast_count(v, m_.author.followers)) return false;
        break;
      case AuthorKey::verified:
        if (!v.is_null() && v.get_bool().get(m_.author.verified)) return false;
        break;
      case AuthorKey::unknown:
        break;
    }
  }
  return true;
}

bool Parser::fast_metrics(const simdjson::dom::element& e) {
  if (e.is_null()) return true;
  simdjson::dom::object o;
  if (e.get_object().get(o)) return false;
  std::uint32_t seen = 0;
  for (const auto field : o) {
    const MetricKey k = metric_field(field.key);
    if (k == MetricKey::unknown) continue;
    if ((seen & bit(k)) != 0) return false;
    seen |= bit(k);
    std::int64_t* out = nullptr;
    switch (k) {
      case MetricKey::likes: out = &m_.metrics.likes; break;
      case MetricKey::reposts: out = &m_.metrics.reposts; break;
      case MetricKey::comments: out = &m_.metrics.comments; break;
      case MetricKey::views: out = &m_.metrics.views; break;
      case MetricKey::unknown: break;
    }
    if (out == nullptr || !fast_count(field.value, *out)) return false;
  }
  return true;
}

bool Parser::parse_fast() {
  simdjson::dom::element root;
  // Full validation: UTF-8 everywhere, the JSON grammar, escapes and surrogates, nesting up to
  // kMaxNestingDepth (the DOM parser's limit), nothing after the object.
  if (dom_.parse(json_, json_len_, false).get(root)) return false;
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return false;
  std::uint32_t seen = 0;
  for (const auto field : obj) {
    const Top k = top_field(field.key);
    if (k == Top::unknown) continue;  // validated by the parse
    if ((seen & bit(k)) != 0) return false;
    seen |= bit(k);
    const simdjson::dom::element& v = field.value;
    switch (k) {
      case Top::id: {
        std::string_view id;
        if (v.get_string().get(id) || id.empty() || id.size() > kMaxIdBytes) return false;
        m_.id = id;
        break;
      }
      case Top::platform: {
        std::string_view name;
        if (v.get_string().get(name)) return false;
        const auto p = platform_from_name(name);
        if (!p) return false;
        m_.platform = *p;
        break;
      }
      case Top::created_at: {
        if (v.type() == simdjson::dom::element_type::STRING) {
          const auto ms = parse_rfc3339_ms(v.get_string().value_unsafe());
          if (!ms || *ms < kMinCreatedAtMs || *ms > kMaxCreatedAtMs) return false;
          m_.created_at_ms = *ms;
        } else if (v.type() == simdjson::dom::element_type::INT64) {
          const std::int64_t ms = v.get_int64().value_unsafe();
          if (ms < kMinCreatedAtMs || ms > kMaxCreatedAtMs) return false;
          m_.created_at_ms = ms;
        } else {
          return false;
        }
        break;
      }
      case Top::text:
        if (v.get_string().get(m_.text)) return false;
        break;
      case Top::title:
        if (!fast_optional_string(v, m_.title)) return false;
        break;
      case Top::lang:
        if (!fast_optional_string(v, m_.lang)) return false;
        break;
      case Top::url:
        if (!fast_optional_string(v, m_.url)) return false;
        break;
      case Top::parent_id:
        if (!fast_optional_string(v, m_.parent_id)) return false;
        break;
      case Top::region:
        if (!fast_optional_string(v, m_.region)) return false;
        break;
      case Top::author:
        if (!fast_author(v)) return false;
        break;
      case Top::metrics:
        if (!fast_metrics(v)) return false;
        break;
      case Top::unknown:
        break;
    }
  }
  constexpr std::uint32_t kRequired = bit(Top::id) | bit(Top::platform) | bit(Top::created_at) | bit(Top::text);
  return (seen & kRequired) == kRequired;
}

Result<Mention, ParseError> Parser::parse(std::string_view line) {
  if (line.size() > options_.max_line_bytes) {
    return Unexpected{ParseError{Reject::too_large, "the line is " + std::to_string(line.size()) +
                                                        " bytes; the limit is " +
                                                        std::to_string(options_.max_line_bytes) + " bytes"}};
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t offset = 0;
  if (line.starts_with(kBom)) {
    line.remove_prefix(kBom.size());
    offset = kBom.size();
  }
  if (fast_path_ && line.size() <= fast_capacity_ && ensure_capacity(line.size())) {
    load(line, offset);
    m_ = Mention{};
    if (parse_fast()) return m_;
    return parse_full(line, offset, true);
  }
  return parse_full(line, offset, false);
}

Result<Mention, ParseError> Parser::parse_full(std::string_view line, std::size_t offset, bool loaded) {
  if (!simdjson::validate_utf8(line.data(), line.size())) {
    const std::size_t at = first_invalid_utf8(line);
    std::string d = "the line is not valid UTF-8: invalid byte sequence at byte " + std::to_string(at + offset);
    if (at < line.size()) {
      constexpr std::string_view kHex = "0123456789ABCDEF";
      const auto b = static_cast<unsigned char>(line[at]);
      d += " (starts with 0x";
      d += kHex[b >> 4U];
      d += kHex[b & 0xFU];
      d += ')';
    }
    return Unexpected{ParseError{Reject::invalid_utf8, std::move(d)}};
  }
  if (!loaded) {
    if (!ensure_capacity(line.size())) {
      return Unexpected{ParseError{Reject::too_large, "the line is " + std::to_string(line.size()) +
                                                          " bytes and the parser could not allocate buffers for it"}};
    }
    load(line, offset);
  }
  m_ = Mention{};
  seen_ = 0;
  error_rank_ = 0;
  doc_ = nullptr;

  od::document doc;
  if (const auto e = parser_.iterate(json_, json_len_, input_capacity_ + simdjson::SIMDJSON_PADDING).get(doc)) {
    (void)malformed(e, "");
    return Unexpected{std::move(error_)};
  }
  doc_ = &doc;
  od::object obj;
  if (const auto e = doc.get_object().get(obj)) {
    od::json_type t{};
    if (e == simdjson::INCORRECT_TYPE && !doc.type().get(t)) {
      (void)malformed("the line must be a JSON object, got " + std::string(type_name(t)), "");
    } else {
      (void)malformed(e, "");
    }
    doc_ = nullptr;
    return Unexpected{std::move(error_)};
  }

  Read r = Read::ok;
  for (auto field : obj) {
    od::field f;
    if (const auto e = std::move(field).get(f)) {
      r = malformed(e, "");
      break;
    }
    std::string_view key;
    const Read kr = read_key(f, "", key);
    if (kr == Read::stop) {
      r = Read::stop;
      break;
    }
    const Top k = kr == Read::ok ? top_field(key) : Top::unknown;
    key_ = kr == Read::ok ? key : std::string_view();
    od::value& v = f.value();
    if (k != Top::unknown && (seen_ & bit(k)) != 0) {
      if (wants(Reject::duplicate_field)) {
        fail(Reject::duplicate_field, field_ref(top_path(k)) + " appears more than once");
      }
      r = walk(v, 2, top_path(k));
    } else {
      seen_ |= bit(k);
      r = read_top_field(k, v);
    }
    if (r == Read::stop) break;
  }
  if (r != Read::stop) {
    const char* at = nullptr;
    if (doc.current_location().get(at) != simdjson::OUT_OF_BOUNDS) {
      (void)malformed(simdjson::TRAILING_CONTENT, "");
    }
  }
  doc_ = nullptr;

  if (error_rank_ == 0) {
    for (const Top t : {Top::id, Top::platform, Top::created_at, Top::text}) {
      if ((seen_ & bit(t)) == 0) {
        fail(Reject::missing_field, "required field '" + std::string(top_path(t)) + "' is missing");
        break;
      }
    }
  }
  if (error_rank_ != 0) return Unexpected{std::move(error_)};
  return m_;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

namespace detail {

#define YUQING_PARSE_CAT2(a, b) a##b
#define YUQING_PARSE_CAT(a, b) YUQING_PARSE_CAT2(a, b)

std::unique_ptr<ParserBackend> YUQING_PARSE_CAT(make_parser_, YUQING_PARSE_VARIANT)(ParserOptions options,
                                                                                  bool fast_path) {
  return std::make_unique<Parser>(options, fast_path);
}

std::string_view YUQING_PARSE_CAT(kernel_name_, YUQING_PARSE_VARIANT)() {
  return SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);
}

}  // namespace detail
}  // namespace yuqing::parse
