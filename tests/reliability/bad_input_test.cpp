// Bad input at volume: a stream with 10 % broken records of every kind the generator makes
// (malformed JSON, invalid UTF-8, oversized, missing field, wrong type, bad timestamp, bad
// value). Every bad record lands in the dead-letter file exactly once, with the reason of its
// kind and its original bytes (base64 when they are not UTF-8, a prefix when oversized); every
// good record is processed; the engine exits cleanly.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "tests/support/support.h"

namespace yuqing {
namespace {

std::string base64_decode(std::string_view in) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const auto v = kAlphabet.find(c);
    if (v == std::string::npos) continue;
    buf = (buf << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  return out;
}

TEST(BadInput, EveryBrokenRecordIsDeadLetteredOnceWithItsReasonAndBytes) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto rules = (testing::source_dir() / "rules").string();
  constexpr std::size_t kLines = 70'000;
  auto gen = testing::run_process({bin, "gen", "--rules", rules, "--seed", "17", "--count", std::to_string(kLines),
                                   "--bad-share", "0.1", "--out", dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto run = testing::run_process({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules,
                                   "--state", dir.file("state"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(testing::summary_field(run.out, "read"), kLines);
  EXPECT_EQ(testing::summary_field(run.out, "processed"), kLines - kLines / 10);
  EXPECT_EQ(testing::summary_field(run.out, "dead_lettered"), kLines / 10);

  const std::string input = testing::read_file(dir.file("in.jsonl"));
  std::map<std::string, std::size_t> by_reason;
  std::set<std::uint64_t> offsets;
  for (const auto& line : testing::read_lines(dir.file("state/dead-letter.jsonl"))) {
    const auto v = boost::json::parse(line).as_object();
    const std::string reason(v.at("reason").as_string());
    ++by_reason[reason];
    const auto offset = v.at("offset").to_number<std::uint64_t>();
    const auto size = v.at("size").to_number<std::uint64_t>();
    ASSERT_TRUE(offsets.insert(offset).second) << "dead-lettered twice: " << line.substr(0, 200);
    EXPECT_FALSE(std::string(v.at("detail").as_string()).empty());
    // The original bytes, at the offset the letter names.
    ASSERT_LE(offset + size, input.size());
    const std::string original = input.substr(offset, size);
    std::string kept;
    if (v.contains("raw")) {
      kept = std::string(v.at("raw").as_string());
    } else {
      ASSERT_TRUE(v.contains("raw_base64")) << line.substr(0, 200);
      kept = base64_decode(v.at("raw_base64").as_string());
      // Not UTF-8: the record itself, or an oversized record's prefix cut inside a character.
      EXPECT_TRUE(reason == "invalid_utf8" || reason == "too_large") << reason;
    }
    if (v.contains("truncated") && v.at("truncated").as_bool()) {
      EXPECT_EQ(reason, "too_large");
      EXPECT_EQ(original.substr(0, kept.size()), kept) << "the kept prefix is not the record's";
      EXPECT_LT(kept.size(), size);
    } else {
      EXPECT_EQ(kept, original) << "offset " << offset;
    }
  }
  // The generator cycles its seven kinds of breakage: each one dead-lettered under its own reason.
  const std::vector<std::string> kinds = {"malformed_json", "invalid_utf8",  "too_large", "missing_field",
                                          "bad_type",       "bad_timestamp", "bad_value"};
  std::size_t total = 0;
  for (const auto& k : kinds) {
    EXPECT_NEAR(static_cast<double>(by_reason[k]), static_cast<double>(kLines / 10) / 7, 1.0) << k;
    total += by_reason[k];
  }
  EXPECT_EQ(total, kLines / 10) << "a reason outside the generator's kinds appeared";
}

}  // namespace
}  // namespace yuqing
