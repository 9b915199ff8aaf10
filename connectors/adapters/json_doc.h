#pragma once
// JSON payloads for the weibo, x and reddit adapters (internal): a simdjson DOM of the whole
// document (fully validated), the original bytes of any value in it by JSON pointer (simdjson
// On-Demand, only when an item is rejected), and a field reader that records the first problem
// of an item so the mapping code reads straight through.

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/adapters/adapter.h"
#include "connectors/adapters/canonical.h"

namespace yuqing::adapters {

namespace dom = simdjson::dom;

class JsonDocument {
 public:
  // Parses a copy of `bytes`; false with simdjson's message in `error` when it is not JSON.
  bool load(std::string_view bytes, std::string& error);
  dom::element root() const { return root_; }
  std::string_view bytes() const { return {padded_.data(), size_}; }
  // The original bytes of the value at `pointer` (RFC 6901, "/statuses/2"); the whole
  // document when the pointer does not resolve.
  std::string raw_at(std::string_view pointer);

 private:
  std::string padded_;
  std::size_t size_ = 0;
  dom::parser dom_;
  dom::element root_;
  simdjson::ondemand::parser od_;
};

// The first problem found while mapping one item.
struct Problem {
  Reason reason = Reason::unsupported_shape;
  std::string detail;
};

// Reads fields of one JSON object. Absent and null are the same (nullopt); a value of the wrong
// type records a problem (the first one wins) and also reads as nullopt.
class Fields {
 public:
  Fields(dom::element object, std::string where, std::optional<Problem>& problem)
      : obj_(object), where_(std::move(where)), problem_(problem) {}

  bool has(std::string_view key) const;
  std::optional<dom::element> value(std::string_view key) const;
  std::optional<std::string_view> str(std::string_view key);
  // A string, or an integer written as a JSON number (ids): its decimal text.
  std::optional<std::string> id_text(std::string_view key);
  // A count: non-negative integer, integral number, digits or Weibo's "1.2万"; a negative
  // number (Reddit scores) reads as 0.
  std::optional<std::int64_t> count(std::string_view key);
  std::optional<double> number(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  // An object value (as an element, to read with another Fields).
  std::optional<dom::element> object(std::string_view key);
  std::optional<dom::array> array(std::string_view key);

  // Records a problem about `key` (when none was recorded yet).
  void fail(Reason reason, std::string_view key, std::string_view what);
  const std::string& where() const { return where_; }

 private:
  void wrong_type(std::string_view key, std::string_view want, dom::element v);
  dom::element obj_;
  std::string where_;
  std::optional<Problem>& problem_;
};

std::string_view type_name(dom::element v);

// `e` as an array (call after is_array()); empty-handed access helpers for optional data.
dom::array array_of(dom::element e);
// The string at obj[key]; "" when absent or not a string.
std::string_view string_at(dom::element obj, std::string_view key);

// What the weibo, x and reddit adapters share: the document, the options, and how an item
// becomes a mention or a rejection.
class JsonAdapter : public Adapter {
 public:
  explicit JsonAdapter(AdapterOptions options) : options_(options) {}

 protected:
  // Loads `document` into doc_; false (after adding an invalid_json rejection) when it is not
  // JSON. Blank documents are false with nothing added.
  bool load(std::string_view document, Output& out);
  // Adds a rejection whose raw bytes are the value at `pointer` ("" = the whole document).
  void reject(Output& out, Reason reason, std::string detail, std::string_view pointer);
  void reject(Output& out, const Problem& problem, std::string_view pointer) {
    reject(out, problem.reason, problem.detail, pointer);
  }
  void emit(Output& out, const Draft& draft);

  JsonDocument doc_;
  AdapterOptions options_;
};

// "/statuses/2": a JSON pointer one step further.
std::string pointer_index(std::string_view base, std::size_t index);
std::string pointer_key(std::string_view base, std::string_view key);

}  // namespace yuqing::adapters
