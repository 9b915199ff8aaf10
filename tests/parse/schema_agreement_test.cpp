// The parser and schemas/mention.schema.json agree on the examples: every example under
// schemas/examples/mention parses, and every example under schemas/examples/invalid/mention is
// rejected with the reason its file name starts with ("bad_type-text-is-number.json").
// tests/schemas/validate_examples.py checks the same files against the schema.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/parse/parse.h"

namespace yuqing::parse {
namespace {

namespace fs = std::filesystem;

fs::path source_dir() {
  if (const char* env = std::getenv("YUQING_SOURCE_DIR"); env != nullptr && *env != '\0') return env;
  return YUQING_SOURCE_DIR_DEFAULT;
}

std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The file as one JSONL line: examples are kept on one line, but a pretty-printed one is
// minified (whitespace outside strings removed; string bytes untouched).
std::string as_line(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.find('\n') == std::string::npos) return s;
  std::string out(s.size(), '\0');
  std::size_t len = 0;
  if (simdjson::minify(s.data(), s.size(), out.data(), len) != simdjson::SUCCESS) return s;
  out.resize(len);
  return out;
}

TEST(SchemaAgreement, EveryMentionExampleParses) {
  const auto files = json_files(source_dir() / "schemas" / "examples" / "mention");
  ASSERT_GE(files.size(), 8U) << "expected the mention examples under " << source_dir() / "schemas/examples/mention";
  MentionParser parser;
  for (const auto& f : files) {
    const auto r = parser.parse(as_line(f));
    EXPECT_TRUE(r.ok()) << f.filename() << ": " << (r.ok() ? "" : r.error().detail);
  }
}

TEST(SchemaAgreement, EveryInvalidMentionExampleIsRejectedForItsReason) {
  const auto files = json_files(source_dir() / "schemas" / "examples" / "invalid" / "mention");
  ASSERT_GE(files.size(), 5U);
  MentionParser parser;
  for (const auto& f : files) {
    const std::string stem = f.stem().string();
    const std::string want = stem.substr(0, stem.find('-'));
    const auto r = parser.parse(as_line(f));
    ASSERT_FALSE(r.ok()) << f.filename() << " parsed; it must be rejected";
    EXPECT_EQ(std::string(reject_name(r.error().reason)), want) << f.filename() << ": " << r.error().detail;
  }
}

}  // namespace
}  // namespace yuqing::parse
