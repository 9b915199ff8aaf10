#pragma once
// Small text helpers shared by every module: "did you mean" suggestions and JSON string
// escaping. Kept here so config, rules, policy and sinks say things the same way.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace yuqing::text {

// Levenshtein distance (bytes).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when the edit is small relative to its length; "" if none.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

// Compares secrets in time that depends only on their lengths (bearer tokens, signatures).
bool constant_time_equal(std::string_view a, std::string_view b);

// Appends the UTF-8 encoding of a code point; surrogates, 0 and values past U+10FFFF become
// U+FFFD (the replacement character).
void append_utf8(std::string& out, char32_t cp);

// Appends `s` to `out` as the inside of a JSON string (no quotes). `s` must be valid UTF-8.
void append_json_escaped(std::string& out, std::string_view s);
// Appends "s" with quotes.
void append_json_string(std::string& out, std::string_view s);

}  // namespace yuqing::text
