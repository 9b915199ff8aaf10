// Errors a non-programmer can act on: bad queries (with their position) and bad rule files
// (file:line:column).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/match/query.h"
#include "engine/match/rule_set.h"
#include "tests/match/match_test_util.h"

namespace yuqing::match {
namespace {

struct BadQuery {
  const char* query;
  std::size_t offset;
  const char* message_part;
};

TEST(QueryErrors, MessagesAndOffsets) {
  const BadQuery cases[] = {
      {"(apple OR pear", 0, "unbalanced parenthesis: this ( is never closed"},
      {"apple) OR pear", 5, "unbalanced parenthesis: this ) has no matching ("},
      {"apple AND", 6, "dangling operator: AND has nothing after it"},
      {"AND apple", 0, "dangling operator: AND has nothing before it"},
      {"apple OR", 6, "dangling operator: OR has nothing after it"},
      {"apple AND OR pear", 10, "two operators in a row: AND followed by OR"},
      {"(apple AND) pear", 7, "dangling operator: AND has nothing after it"},
      {"apple \"\"", 6, "empty phrase"},
      {"apple \"  \"", 6, "empty phrase"},
      {"NOT apple", 0, "only says what to exclude"},
      {"platform:weibo", 0, "only field filters"},
      {"apple OR NOT pear", 0, "every alternative needs a word"},
      {"apple OR platform:weibo", 0, "every alternative needs a word"},
      {"apple platfrom:weibo", 6, "unknown field 'platfrom:'; did you mean 'platform:'?"},
      {"apple language:en", 6, "did you mean 'lang:'?"},
      {"apple country:CN", 6, "did you mean 'region:'?"},
      {"apple followers:>10", 6, "did you mean 'author.followers:'?"},
      {"apple NEAR juice", 6, "NEAR needs a distance in words, for example NEAR/5"},
      {"apple NEAR/x juice", 6, "bad NEAR distance"},
      {"apple NEAR/-1 juice", 6, "bad NEAR distance"},
      {"apple NEAR/99999 juice", 6, "bad NEAR distance"},
      {"apple NEAR/5 (juice AND pie)", 14, "each side of NEAR/5 must be a word"},
      {"apple NEAR/2 juice NEAR/2 pie", 19, "NEAR can join only two sides"},
      {"apple NEAR/2 NOT juice", 13, "each side of NEAR/2 must be a word"},
      {"apple NEAR/2", 6, "dangling operator: NEAR/2 has nothing after it"},
      {"apple platform:tiktok", 6, "unknown platform 'tiktok'"},
      {"apple author.followers:>lots", 6, "author.followers: needs a number"},
      {"apple author.verified:maybe", 6, "author.verified: takes true or false"},
      {"apple platform:", 6, "needs a value"},
      {"ac*me", 0, "only supported at the end of a word"},
      {"*", 0, "needs letters before it"},
      {"apple ()", 6, "empty parentheses"},
      {"apple \"juice", 6, "never closed"},
      {"\"apple juice\"~5", 13, "NEAR/n"},
      {"", 0, "the query is empty"},
      {"   ", 0, "the query is empty"},
      {"apple NEAR/3 \"!!\"", 13, "cannot be used with NEAR"},
  };
  for (const BadQuery& c : cases) {
    auto r = parse_query(c.query);
    ASSERT_FALSE(r) << c.query;
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos)
        << "query [" << c.query << "] gave: " << r.error().message;
    EXPECT_EQ(r.error().offset, c.offset) << "query [" << c.query << "]: " << r.error().message;
  }
}

TEST(QueryErrors, Warnings) {
  auto r = parse_query("apple or x OR ab*");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->warnings.size(), 3u);
  EXPECT_NE(r->warnings[0].message.find("write OR if you meant the operator"), std::string::npos);
  EXPECT_NE(r->warnings[1].message.find("one-letter term 'x'"), std::string::npos);
  EXPECT_NE(r->warnings[2].message.find("fewer than 3 characters"), std::string::npos);
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("yuqing-match-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_ / "brands");
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / "brands" / name) << text;
  }
  std::string file(const std::string& name) const { return (path_ / "brands" / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string diag_text(const Diagnostics& d) { return d.to_string(); }

TEST(RuleFileErrors, QueryErrorPointsIntoTheFile) {
  TempDir dir;
  dir.write("acme.yaml",
            "# a comment\n"
            "id: acme\n"
            "name: Acme\n"
            "query: '(acme OR \"acme phone\" AND'\n"
            "competitors: [bolt]\n");
  dir.write("bolt.yaml", "id: bolt\nquery: bolt\ncompetitors: [acme]\n");
  auto rs = load_rule_set(dir.path());
  ASSERT_FALSE(rs);
  // The dangling AND is at character 23 of the query, whose first character is in column 9.
  const std::string want = dir.file("acme.yaml") + ":4:31: error: in the query of 'acme': dangling operator: AND";
  EXPECT_NE(diag_text(rs.error()).find(want), std::string::npos) << diag_text(rs.error());
}

TEST(RuleFileErrors, ChineseQueryColumnsCountCharacters) {
  TempDir dir;
  dir.write("huayu.yaml", "id: huayu\nquery: 华宇航空 OR (华宇 NEAR/x 航班)\ncompetitors: [huayu]\n");
  auto rs = load_rule_set(dir.path());
  ASSERT_FALSE(rs);
  EXPECT_NE(diag_text(rs.error()).find(dir.file("huayu.yaml") + ":2:20: error: in the query of 'huayu': bad NEAR distance"),
            std::string::npos)
      << diag_text(rs.error());
}

TEST(RuleFileErrors, BlockScalarQuery) {
  TempDir dir;
  dir.write("acme.yaml", "id: acme\nquery: >\n  acme OR\n  (bolt AND\ncompetitors: []\n");
  auto rs = load_rule_set(dir.path());
  ASSERT_FALSE(rs);
  EXPECT_NE(diag_text(rs.error()).find(dir.file("acme.yaml") + ":4:9: error: in the query of 'acme': dangling operator: AND"),
            std::string::npos)
      << diag_text(rs.error());
}

TEST(RuleFileErrors, UnknownKeyWithClosestValidKey) {
  TempDir dir;
  dir.write("acme.yaml", "id: acme\nquery: acme\ncompetitor: [bolt]\nenable: true\n");
  auto rs = load_rule_set(dir.path());
  ASSERT_FALSE(rs);
  const std::string t = diag_text(rs.error());
  EXPECT_NE(t.find(dir.file("acme.yaml") + ":3:1: error: unknown key 'competitor'; did you mean 'competitors'?"),
            std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("acme.yaml") + ":4:1: error: unknown key 'enable'; did you mean 'enabled'?"),
            std::string::npos) << t;
}

TEST(RuleFileErrors, AllErrorsAtOnceAcrossFiles) {
  TempDir dir;
  dir.write("a.yaml", "id: a\nquery: 'apple AND'\n");
  dir.write("b.yaml", "id: b\nquery: '(pear'\n");
  dir.write("c.yaml", "id: c\nquery: NOT cherry\n");
  dir.write("d.yaml", "id: d\nquery: [not, a, string]\n");
  dir.write("e.yaml", "id: e\nquery: ok\nenabled: maybe\n");
  dir.write("f.yaml", "id: wrong\nquery: ok\n");
  dir.write("g.yaml", "id: g\nquery: 'ok'\n  bad: indent\n");
  dir.write("h.yaml", "name: no id or query\n");
  dir.write("i.yaml", "id: i\nquery: ok\nid: i\n");
  dir.write("j.yaml", "id: J_bad\nquery: ok\n");
  auto rs = load_rule_set(dir.path());
  ASSERT_FALSE(rs);
  const std::string t = diag_text(rs.error());
  EXPECT_NE(t.find(dir.file("a.yaml") + ":2:15: error: in the query of 'a': dangling operator"), std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("b.yaml") + ":2:9: error: in the query of 'b': unbalanced parenthesis"), std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("c.yaml") + ":2:8: error: in the query of 'c': this query only says what to exclude"),
            std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("d.yaml") + ":2:8: error: 'query' must be a text value"), std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("e.yaml") + ":3:10: error: enabled must be true or false"), std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("f.yaml") + ":1:1: error: the id 'wrong' must equal the file name 'f'"), std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("g.yaml") + ":3:"), std::string::npos) << t;
  EXPECT_NE(t.find("not valid YAML"), std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("h.yaml") + ":1:1: error: the rule has no 'id'"), std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("i.yaml") + ":3:1: error: the key 'id' appears twice"), std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("j.yaml") + ":1:5: error: the id 'J_bad' may only use"), std::string::npos) << t;
  EXPECT_GE(rs.error().error_count(), 11u);
}

TEST(RuleFileErrors, DuplicateIds) {
  RuleSpec a = testing::spec("acme", "acme");
  a.file = "one.yaml";
  a.pos = {1, 1};
  RuleSpec b = testing::spec("acme", "bolt");
  b.file = "two.yaml";
  b.pos = {2, 1};
  auto rs = compile_rule_set({a, b});
  ASSERT_FALSE(rs);
  EXPECT_NE(rs.error().to_string().find("two.yaml:2:1: error: duplicate rule id 'acme': it is also defined in one.yaml:1"),
            std::string::npos) << rs.error().to_string();
}

TEST(RuleFileWarnings, CompetitorsAndOneLetterTerms) {
  TempDir dir;
  dir.write("acme.yaml", "id: acme\nquery: acme OR x\ncompetitors: [bolt, boltt, nobody]\n");
  dir.write("bolt.yaml", "id: bolt\nquery: bolt\ncompetitors: []\n");
  auto rs = load_rule_set(dir.path());
  ASSERT_TRUE(rs) << rs.error().to_string();
  const std::string t = (*rs)->warnings().to_string();
  EXPECT_NE(t.find(dir.file("acme.yaml") + ":2:16: warning: in the query of 'acme': one-letter term 'x'"),
            std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("acme.yaml") + ":3:21: warning: competitor 'boltt' is not a known rule id; did you mean 'bolt'?"),
            std::string::npos) << t;
  EXPECT_NE(t.find("competitor 'nobody' is not a known rule id"), std::string::npos) << t;
  EXPECT_NE(t.find(dir.file("bolt.yaml") + ":1:1: warning: 'bolt' lists no competitors"), std::string::npos) << t;
  EXPECT_EQ((*rs)->warnings().error_count(), 0u);
}

TEST(RuleFileErrors, MissingDirectory) {
  auto rs = load_rule_set("/nonexistent/yuqing/rules");
  ASSERT_FALSE(rs);
  EXPECT_NE(rs.error().to_string().find("does not exist"), std::string::npos);
}

TEST(RuleFileErrors, JsonOutput) {
  Diagnostics d;
  d.error("a.yaml", 2, 3, "bad \"thing\"");
  d.warning("b.yaml", 1, 1, "meh");
  EXPECT_EQ(d.to_json(),
            "{\"errors\":1,\"warnings\":1,\"diagnostics\":[{\"severity\":\"error\",\"file\":\"a.yaml\",\"line\":2,"
            "\"column\":3,\"message\":\"bad \\\"thing\\\"\"},{\"severity\":\"warning\",\"file\":\"b.yaml\",\"line\":1,"
            "\"column\":1,\"message\":\"meh\"}]}");
}

TEST(ShippedRules, LoadCleanly) {
  const char* src = std::getenv("YUQING_SOURCE_DIR");
  const std::filesystem::path dir = std::filesystem::path(src ? src : ".") / "rules";
  if (!std::filesystem::is_directory(dir / "brands")) GTEST_SKIP() << "no rules/brands";
  auto rs = load_rule_set(dir);
  ASSERT_TRUE(rs) << rs.error().to_string();
  EXPECT_GE((*rs)->rule_count(), 10u);
}

}  // namespace
}  // namespace yuqing::match
