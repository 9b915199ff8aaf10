#pragma once
// The parse-stage corpus: named input lines and the outcome each must have. It is the source of
// tests/fixtures/malformed/*.jsonl (see corpus_fixture_files()), so the table and the files
// cannot drift apart: parse_test checks that the files equal what this table generates.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/parse/parse.h"

namespace yuqing::parse::testing {

struct Case {
  std::string name;              // unique, snake_case; shown on failure and in INDEX.tsv
  std::string input;             // one line, no '\n'; may hold any bytes
  std::optional<Reject> expect;  // nullopt: must parse
};

// Every case. Built once; the long ones (65,537 bytes, 10,000 levels of nesting) included.
const std::vector<Case>& corpus();

// The fixture file a case belongs to: "valid", "blank_lines" (empty or whitespace-only lines,
// which line sources may skip), or the reject name ("malformed_json", ...).
std::string fixture_file_of(const Case& c);

// File name (without directory) -> exact contents, for every file in tests/fixtures/malformed
// that the corpus generates (the *.jsonl files and INDEX.tsv). README.md is written by hand.
std::map<std::string, std::string> corpus_fixture_files();

// A valid line with every field set, used by several tests.
std::string full_line();

}  // namespace yuqing::parse::testing
