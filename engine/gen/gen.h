#pragma once
// Seeded synthetic mention generator: the stream behind the demo, the tests and the benchmarks.
//
// load_brands() reads rules/brands/*.yaml, load_scenario() reads a scenario file, and a
// Generator turns GenOptions into canonical mention JSON lines (schemas/mention.schema.json),
// one per call to next(). Same options => same bytes, on any machine: the generator uses its
// own PRNG (xoshiro256**), integer arithmetic for everything that reaches the output, and
// never iterates an unordered container.
//
// Threading: a Generator is single-threaded and owns all its buffers; use one per thread.
// Errors: loading returns Result with a message that names the file (and line); exceptions
// never leave this header's functions.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::gen {

// One brand from rules/brands/<id>.yaml, reduced to what the generator needs.
struct BrandInfo {
  std::string id;    // [a-z0-9-], equals the file name without .yaml
  std::string name;  // display name, e.g. "星曜手机" or "Aurora Phone"
  std::string lang;  // "zh" or "en": the language most mentions of the brand are written in
  // The positive terms of the query in query order, deduplicated: quoted phrases, bare words,
  // @handles, #tags and #话题#, Chinese terms. Operators, field filters, wildcard terms and
  // everything under NOT are left out.
  std::vector<std::string> surface_terms;
  // Strings that on their own satisfy the query (one per OR alternative of the positive part;
  // the terms of an AND / NEAR / ONEAR alternative joined, Han-Han without a space). Never
  // empty for a loaded brand; none of them satisfies an excluded (NOT) part. The generator
  // writes one of these wherever a mention names the brand.
  std::vector<std::string> mention_forms;
  std::vector<std::string> competitors;  // ids of other brands (all exist in the set)
  // Aspect keyword sets in file order: {aspect name, keywords}.
  std::vector<std::pair<std::string, std::vector<std::string>>> aspects;
  std::vector<std::string> tags;
  bool enabled = true;
};

// Reads every rules_dir/brands/*.yaml (sorted by file name). Errors name the file (and line
// for YAML or query errors): "rules/brands/x.yaml:3:8: ...". Disabled brands are returned
// with enabled = false; the generator skips them.
Result<std::vector<BrandInfo>, std::string> load_brands(const std::filesystem::path& rules_dir);

// The surface terms and mention forms of one query (what load_brands fills in), or a message
// with the 1-based column of the problem. Exposed for tests.
struct QueryTerms {
  std::vector<std::string> surface_terms;
  std::vector<std::string> mention_forms;
};
Result<QueryTerms, std::string> extract_query_terms(std::string_view query);

// --- scenarios (rules/scenarios/*.yaml; format in rules/scenarios/README.md) -------------
enum class EventType : std::uint8_t {
  crisis,    // negative spike: crisis words of `category`, reposts of one seed story
  campaign,  // positive spike: launches, praise, reposts of the announcement
};
enum class CrisisCategory : std::uint8_t { safety, quality, legal, service, reputation, privacy };
std::string_view crisis_category_name(CrisisCategory c);
// The crisis words the generator writes for a category in "zh" or "en" text, e.g. safety:
// 爆炸 起火 自燃 ... / explosion, fire, recall ... (tests count them; lexicons may reuse them).
std::span<const std::string_view> crisis_words(CrisisCategory c, std::string_view lang);

struct ScenarioEvent {
  EventType type = EventType::crisis;
  std::string brand;              // brand id
  double start_minute = 0;        // relative to GenOptions::start_ms
  double duration_minutes = 10;
  double per_minute = 100;        // extra mentions per minute of event time, on top of the base
  double negative_share = 0.85;   // crisis: share of the extra mentions that are negative
  CrisisCategory category = CrisisCategory::quality;
  double repost_share = 0.3;      // share of the extra mentions that repost the seed story
  bool influencer = true;         // first extra mention: verified account, > 1M followers
  int line = 0;                   // 1-based line in the scenario file, for error messages
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;  // path it was loaded from (empty when built in code)
  std::vector<ScenarioEvent> events;
};

// Parses a scenario file; errors are "file:line:column: message" (unknown keys name the
// closest valid key). Brand ids are checked later by validate_options().
Result<Scenario, std::string> load_scenario(const std::filesystem::path& file);

// --- the generator ------------------------------------------------------------------------
struct GenOptions {
  std::uint64_t seed = 42;
  std::int64_t count = -1;          // lines to produce; -1 unbounded (see Generator::done)
  double per_minute = 600;          // base mentions per minute of event time
  std::int64_t start_ms = 1793491200000;  // event time of the first line (2026-11-01T00:00:00Z)
  std::vector<BrandInfo> brands;    // from load_brands(); disabled ones are skipped
  Scenario scenario;                // events layered on the base stream
  double bad_share = 0;             // share of lines made deliberately malformed, in [0, 1]
};

// Checks options before constructing a Generator: at least one enabled brand, per_minute in
// (0, 1e9], bad_share in [0, 1], every scenario event names a known enabled brand and has sane
// numbers. Messages name the scenario file and line.
Status<std::string> validate_options(const GenOptions& options);

// What the last line was. The bad kinds carry the parse stage's reject names.
enum class LineKind : std::uint8_t {
  ok,
  malformed_json,  // truncated JSON object (cut at a character boundary)
  invalid_utf8,    // raw invalid bytes (0xFF / lone continuation) inside the text string
  too_large,       // text padded so the line exceeds 64 KiB (about 70,000 bytes)
  missing_field,   // one of id, platform, created_at, text left out (rotating)
  bad_type,        // text is a number, a boolean or an array (rotating)
  bad_timestamp,   // created_at is not a time ("yesterday", bad fields, out of range)
  bad_value,       // platform is not one of the twelve known names
};
inline constexpr int kBadKindCount = 7;  // bad kinds cycle in the order above
std::string_view line_kind_name(LineKind k);  // "ok", "malformed_json", ...

class Generator {
 public:
  // Precondition: validate_options(options) is ok (events naming unknown brands are dropped).
  explicit Generator(GenOptions options);
  ~Generator();
  Generator(Generator&&) noexcept;
  Generator& operator=(Generator&&) noexcept;
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Appends one JSON line (no trailing newline) to `out`. Never contains '\n' or '\r'.
  void next(std::string& out);

  std::int64_t produced() const;      // lines produced so far
  bool done() const;                  // count >= 0 and produced() >= count
  std::int64_t last_event_ms() const; // created_at of the last line (late lines lag behind)
  // The stream's event-time clock at the last line: non-decreasing, for pacing in wall time.
  std::int64_t clock_ms() const;
  LineKind last_kind() const;         // kind of the last line
  std::int64_t bad_produced() const;  // malformed lines so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// --- small helpers shared with the command and tests -------------------------------------
// Formats epoch ms as RFC 3339 ("2026-11-01T00:00:00Z"; with offset_minutes = 480:
// "2026-11-01T08:00:00+08:00"); millis adds ".mmm".
void format_rfc3339(std::string& out, std::int64_t epoch_ms, int offset_minutes, bool millis);
// Parses RFC 3339 (date 'T' time, optional fraction, 'Z' or ±hh:mm) to epoch ms.
Result<std::int64_t, std::string> parse_rfc3339(std::string_view s);

// Simplified -> traditional for the characters the generator's texts use (built-in table
// derived from OpenCC's STCharacters; characters outside it are kept).
void to_traditional(std::string_view in, std::string& out);

}  // namespace yuqing::gen
