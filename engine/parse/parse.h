#pragma once
// Parse stage: one JSON line -> a Mention view, or a reject with a reason code.
//
// Threading: a MentionParser is single-threaded (one per worker); it owns reused buffers
// (padded input copy, simdjson parser and string buffer), so parsing allocates nothing per
// mention once warmed up. The Mention it returns views those buffers and is valid until the
// next call to parse().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "engine/base/result.h"
#include "engine/mention/mention.h"

namespace yuqing::parse {

// Reject reasons. Names are stable: they appear as the `reason` label of yuqing_dlq_total and
// in dead-letter records.
enum class Reject : std::uint8_t {
  malformed_json,   // not a single well-formed JSON object (truncated, trailing bytes, not an object)
  invalid_utf8,     // bytes that are not valid UTF-8 anywhere in the line (text or keys)
  missing_field,    // a required field (id, platform, created_at, text) absent or null
  bad_type,         // a field of the wrong JSON type (e.g. text is a number)
  bad_value,        // right type, value not allowed (unknown platform, negative count, empty id)
  duplicate_field,  // a known field appears twice in the object
  too_large,        // the line is longer than the configured limit
  bad_timestamp,    // created_at is not RFC 3339 / epoch ms, or outside 1970..2200
};
inline constexpr int kRejectCount = 8;

std::string_view reject_name(Reject r);

struct ParseError {
  Reject reason;
  std::string detail;  // a sentence for people, e.g. "field 'text' must be a string, got number"
};

struct ParserOptions {
  std::size_t max_line_bytes = 64 * 1024;  // Default: 64 KiB. Longer lines are too_large.
};

// Kernels: the parser is compiled for several simdjson kernels and picks one at run time, so
// the binary runs on any x86-64 CPU and uses AVX2 / AVX-512 where the CPU has them.
//
// The kernels compiled in that this CPU can run, best first, e.g. {"icelake", "haswell",
// "fallback"} (simdjson's names; "fallback" is the portable scalar one, always present).
std::span<const std::string_view> available_kernels();
// The kernel parsers use unless constructed with another: the first of
// available_kernels(), or the one named by the environment variable YUQING_PARSE_KERNEL when it
// is available. Chosen once, on first use, and logged (info) that time.
std::string_view default_kernel();

namespace detail {
class ParserBackend;
}  // namespace detail

// Limits the parser enforces (see engine/parse/README.md and schemas/README.md).
inline constexpr std::size_t kMaxIdBytes = 256;       // `id` is 1..256 bytes of UTF-8
inline constexpr std::size_t kMaxNestingDepth = 64;   // arrays/objects, the root object is 1
inline constexpr std::int64_t kMinCreatedAtMs = 0;              // 1970-01-01T00:00:00.000Z
inline constexpr std::int64_t kMaxCreatedAtMs = 7289654399999;  // 2200-12-31T23:59:59.999Z

class MentionParser {
 public:
  explicit MentionParser(ParserOptions options = {});
  // With a given kernel, one of available_kernels() (tests, benchmarks); any other name, or an
  // empty one, gets default_kernel() (kernel() tells which one it got).
  MentionParser(ParserOptions options, std::string_view kernel);
  ~MentionParser();
  MentionParser(const MentionParser&) = delete;
  MentionParser& operator=(const MentionParser&) = delete;

  // `line` is one JSONL record without its trailing newline; a trailing '\r' and a leading
  // UTF-8 BOM are tolerated. Never throws.
  Result<Mention, ParseError> parse(std::string_view line);

  // The simdjson kernel this parser runs ("icelake", "haswell", "fallback", ...).
  std::string_view kernel() const { return kernel_; }

 private:
  std::unique_ptr<detail::ParserBackend> impl_;
  std::string_view kernel_;
};

// Parses RFC 3339 ("2024-05-01T12:00:00Z", "2024-05-01T20:00:00.123+08:00") to epoch ms.
// Accepts 't'/'z' in lower case, any number of fraction digits (truncated to milliseconds),
// "-00:00", and second 60 (a leap second, read as :59.999). Does not allocate on success;
// the error is a short reason ("day 30 does not exist in 2023-02").
Result<std::int64_t, std::string> parse_rfc3339_ms(std::string_view s);

}  // namespace yuqing::parse
