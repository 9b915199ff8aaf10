#include "engine/config/config.h"

#include <gtest/gtest.h>

#include "engine/base/text.h"
#include "tests/support/support.h"

namespace yuqing::config {
namespace {

using testing::TempDir;
using testing::write_file;

TEST(Config, EmptyFileKeepsDefaults) {
  TempDir dir;
  write_file(dir.file("c.yaml"), "");
  auto cfg = load_file(dir.file("c.yaml"));
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->http_listen, "127.0.0.1:8080");
  EXPECT_EQ(cfg->max_mention_bytes, 64u * 1024);
}

TEST(Config, NestedKeysAndSizesApply) {
  TempDir dir;
  write_file(dir.file("c.yaml"),
             "http:\n  listen: 127.0.0.1:9000\nlimits:\n  max_mention_bytes: 128KiB\nstate:\n  dir: /tmp/x\n"
             "log:\n  level: debug\nexit_at_eof: true\n");
  auto cfg = load_file(dir.file("c.yaml"));
  ASSERT_TRUE(cfg.ok()) << cfg.error().front().message;
  EXPECT_EQ(cfg->http_listen, "127.0.0.1:9000");
  EXPECT_EQ(cfg->max_mention_bytes, 128u * 1024);
  EXPECT_EQ(cfg->state_dir, "/tmp/x");
  EXPECT_EQ(cfg->log_level, "debug");
  EXPECT_TRUE(cfg->exit_at_eof);
}

TEST(Config, UnknownKeyNamesFileLineColumnAndClosestKey) {
  TempDir dir;
  const auto path = dir.file("c.yaml");
  write_file(path, "http:\n  listen: 127.0.0.1:9000\n  lisen: x\nlimit:\n  max_mention_bytes: 1\n");
  auto cfg = load_file(path);
  ASSERT_FALSE(cfg.ok());
  ASSERT_EQ(cfg.error().size(), 2u);  // every error at once
  EXPECT_EQ(cfg.error()[0].message, path + ":3:3: unknown key 'http.lisen' (did you mean 'http.listen'?)");
  EXPECT_EQ(cfg.error()[1].message, path + ":4:1: unknown key 'limit' (did you mean 'limits'?)");
}

TEST(Config, BadValuesAreRejectedWithTheReason) {
  TempDir dir;
  const auto path = dir.file("c.yaml");
  write_file(path, "batch:\n  max_mentions: lots\nlog:\n  level: loud\nlimits:\n  max_mention_bytes: 1\n");
  auto cfg = load_file(path);
  ASSERT_FALSE(cfg.ok());
  ASSERT_EQ(cfg.error().size(), 3u);
  EXPECT_NE(cfg.error()[0].message.find(":2:17: 'batch.max_mentions': expected an integer"), std::string::npos)
      << cfg.error()[0].message;
  EXPECT_NE(cfg.error()[1].message.find("unknown log level 'loud'"), std::string::npos);
  EXPECT_NE(cfg.error()[2].message.find("out of range"), std::string::npos);
}

TEST(Config, YamlSyntaxErrorHasPosition) {
  TempDir dir;
  const auto path = dir.file("c.yaml");
  write_file(path, "http:\n  listen: [unclosed\n");
  auto cfg = load_file(path);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error()[0].message.rfind(path + ":", 0), 0u) << cfg.error()[0].message;
}

TEST(Config, SectionGivenAScalarIsAnError) {
  TempDir dir;
  write_file(dir.file("c.yaml"), "http: 8080\n");
  auto cfg = load_file(dir.file("c.yaml"));
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error()[0].message.find("'http' is a section"), std::string::npos);
}

TEST(Config, EveryDeclaredOptionHasADescriptionAndIsDocumented) {
  const auto doc = testing::read_file((testing::source_dir() / "docs/configuration.md").string());
  for (const auto& o : options()) {
    EXPECT_FALSE(o.description.empty()) << o.key;
    EXPECT_NE(doc.find("`" + std::string(o.key) + "`"), std::string::npos)
        << o.key << " is missing from docs/configuration.md (run: yuqing config reference)";
  }
}

TEST(Config, ClosestSuggestsOnlySmallEdits) {
  EXPECT_EQ(text::closest("lisen", {"listen", "level"}), "listen");
  EXPECT_EQ(text::closest("zzzzzzzz", {"listen", "level"}), "");
}

}  // namespace
}  // namespace yuqing::config
