#pragma once
// Platform adapters: one platform payload document in, canonical mentions
// (schemas/mention.schema.json, one JSON line each) and rejections out.
//
//   Format   document                                              mentions
//   mention  one canonical mention line (passed through unchanged)  1
//   weibo    a status object, or a statuses API response            one per status
//            {"statuses":[...]}
//   x        an X API v2 response {"data":[...] | {...},            one per tweet
//            "includes":{"users":[...]}}
//   reddit   a Listing {"kind":"Listing","data":{"children":[...]}}, one per post (t3) / comment
//            a thing {"kind":"t3"|"t1","data":{...}}, or an array    (t1), replies included
//            of Listings (a comments page)
//   rss      an RSS 2.0 (or 1.0) or Atom XML document                one per item / entry
//
// A document that cannot be read at all (invalid JSON or XML, an unknown shape) is one
// rejection carrying the whole document; one bad item inside a listing rejects that item only
// (with its own original bytes) and its siblings still convert. Every mention an adapter emits
// parses with engine/parse (tests/adapters checks it); mapping rules: connectors/adapters/README.md
// and docs/kafka.md "Platform adapters".
//
// Threading: an Adapter is single-threaded (it owns reused parser buffers). Make one per thread
// (make() is cheap and thread-safe); convert() may be called any number of times, one document
// per call, and never throws except std::bad_alloc.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yuqing::adapters {

enum class Format : std::uint8_t { mention, weibo, x, reddit, rss };
inline constexpr std::array<Format, 5> kFormats = {Format::mention, Format::weibo, Format::x, Format::reddit,
                                                   Format::rss};

// "mention", "weibo", "x", "reddit", "rss"; nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);
std::string_view format_name(Format format);

// How a file of this format splits into documents: one per line (JSONL, gzip allowed), or the
// whole file as one document (rss).
enum class Framing : std::uint8_t { line, whole_file };
Framing framing(Format format);

// Why a document or an item was not converted. Names are stable (the yuqing.reason header).
enum class Reason : std::uint8_t {
  invalid_json,       // the document is not well-formed JSON
  invalid_xml,        // the document is not well-formed XML
  invalid_utf8,       // a text field is not valid UTF-8 (XML in a legacy encoding)
  unsupported_shape,  // valid JSON/XML, but not a payload shape of the format (or an item of the wrong kind)
  missing_field,      // a field the mention needs (id, text, created_at) is absent or null
  bad_type,           // a field has the wrong JSON type
  bad_value,          // right type, unusable value (empty id, a negative count)
  bad_timestamp,      // the platform's date cannot be read, or is outside 1970..2200
  deleted,            // the platform says the content was removed or deleted
  platform_error,     // an error object the platform returned instead of an item (X "errors")
};
inline constexpr int kReasonCount = 10;
std::string_view reason_name(Reason reason);

// One canonical mention: its id (the Kafka key) and its JSON (one line, no newline).
struct MentionLine {
  std::string id;  // empty only for a `mention` line whose id cannot be read (the engine judges it)
  std::string json;
};

struct Rejection {
  Reason reason;
  std::string detail;  // which item and field, for people: "statuses[2] (idstr 4998...): field 'created_at' ..."
  std::string raw;     // the original bytes of the rejected item, or of the whole document
};

struct Output {
  std::vector<MentionLine> mentions;
  std::vector<Rejection> rejections;
  void clear() {
    mentions.clear();
    rejections.clear();
  }
};

struct AdapterOptions {
  // An emitted mention is at most this long (the engine's parse.max_line_bytes; default 64 KiB):
  // a longer text is cut on a code point boundary and the mention gets "text_truncated":true.
  std::size_t max_mention_bytes = 64 * 1024;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual Format format() const = 0;
  // Converts one document (without a trailing newline; for rss the whole XML file). Clears
  // `out` first, then fills it. An empty or blank document gives nothing at all.
  virtual void convert(std::string_view document, Output& out) = 0;
};

std::unique_ptr<Adapter> make(Format format, AdapterOptions options = {});

}  // namespace yuqing::adapters
