// `yuqing connect file --format weibo|x|reddit|rss` into `yuqing dev-broker`, read back with
// kcat: the mentions topic holds the converted mentions keyed by id, the dead-letter topic the
// payloads that could not be converted, with their original bytes and the engine's DLQ headers.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <csignal>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/support.h"

namespace yuqing {
namespace {

namespace json = boost::json;
using testing::run_process;

struct Message {
  std::string key, payload;
  std::map<std::string, std::string> headers;
};

// Every message of a topic, through kcat's JSON envelope (-J), so values with newlines survive.
std::vector<Message> consume(const std::string& brokers, const std::string& topic) {
  auto r = run_process({"/usr/bin/kcat", "-b", brokers, "-C", "-t", topic, "-e", "-q", "-J"}, "", 60);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<Message> out;
  for (std::size_t pos = 0, nl; (nl = r.out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    if (nl == pos) continue;
    const json::object o = json::parse(r.out.substr(pos, nl - pos)).as_object();
    Message m;
    if (o.at("key").is_string()) m.key = o.at("key").as_string();
    m.payload = o.at("payload").as_string();
    if (const auto* h = o.if_contains("headers")) {
      const auto& a = h->as_array();
      for (std::size_t i = 0; i + 1 < a.size(); i += 2) {
        m.headers[std::string(a[i].as_string())] = std::string(a[i + 1].as_string());
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

TEST(AdaptersConnect, PlatformFilesBecomeMentionsAndDeadLetters) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto fixtures = testing::source_dir() / "tests" / "fixtures" / "platforms";
  auto fixture = [&](const std::string& name) { return (fixtures / name).string(); };

  testing::BackgroundProcess broker({bin, "dev-broker", "--ready-file", dir.file("brokers")}, dir.file("broker.out"),
                                    dir.file("broker.err"), /*pipe_stdin=*/true);
  ASSERT_TRUE(testing::eventually([&] { return std::filesystem::exists(dir.file("brokers")); }, 20))
      << testing::read_file(dir.file("broker.err"));
  std::string brokers = testing::read_file(dir.file("brokers"));
  brokers.erase(brokers.find_last_not_of('\n') + 1);

  struct Case {
    std::string format;
    std::vector<std::string> files;
    std::uint64_t sent, dead, next_offset;
  };
  const std::vector<Case> cases = {
      {"weibo", {"weibo_statuses.jsonl"}, 5, 2, 5},
      {"x", {"x_v2.jsonl"}, 4, 3, 5},
      {"reddit", {"reddit.jsonl"}, 7, 3, 4},
      {"rss", {"news.rss", "news.atom"}, 5, 2, 2},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {bin, "connect", "file"};
    for (const auto& f : c.files) argv.push_back(fixture(f));
    argv.insert(argv.end(), {"--brokers", brokers, "--format", c.format});
    auto r = run_process(argv, "", 60);
    ASSERT_EQ(r.exit_code, 0) << c.format << ": " << r.err;
    EXPECT_EQ(testing::summary_field(r.out, "sent"), c.sent) << c.format << ": " << r.out;
    EXPECT_EQ(testing::summary_field(r.out, "acknowledged"), c.sent) << c.format;
    EXPECT_EQ(testing::summary_field(r.out, "dead_lettered"), c.dead) << c.format;
    EXPECT_EQ(testing::summary_field(r.out, "next_offset"), c.next_offset) << c.format;
  }

  // Mentions: keyed by their id, one per converted item.
  const auto mentions = consume(brokers, "mentions");
  EXPECT_EQ(mentions.size(), 21u);
  std::map<std::string, json::object> by_key;
  for (const auto& m : mentions) {
    const auto o = json::parse(m.payload).as_object();
    EXPECT_EQ(o.at("id").as_string(), m.key) << m.payload;
    by_key[m.key] = o;
  }
  ASSERT_EQ(by_key.count("weibo:5276522093715212"), 1u);
  EXPECT_EQ(by_key["weibo:5276522093715212"].at("parent_id").as_string(), "weibo:5276511054422190");
  ASSERT_EQ(by_key.count("x:1900425519937028101"), 1u);
  EXPECT_EQ(by_key["x:1900425519937028101"].at("created_at").as_string(), "2026-03-14T10:14:03Z");
  EXPECT_EQ(by_key.count("reddit:t1_mhx4kq0"), 1u);
  EXPECT_EQ(by_key.count("rss:news-20260314-0087"), 1u);

  // Dead letters: the original bytes, the reason and where they came from in headers.
  const auto letters = consume(brokers, "mentions.dlq");
  std::multiset<std::string> reasons;
  for (const auto& l : letters) {
    reasons.insert(l.headers.count("yuqing.reason") ? l.headers.at("yuqing.reason") : "(none)");
    EXPECT_EQ(l.headers.count("yuqing.detail"), 1u);
    EXPECT_EQ(l.headers.count("yuqing.source"), 1u);
    EXPECT_EQ(l.headers.count("yuqing.offset"), 1u);
    if (l.headers.count("yuqing.size")) {
      EXPECT_EQ(l.headers.at("yuqing.size"), std::to_string(l.payload.size()));
    }
  }
  EXPECT_EQ(reasons, (std::multiset<std::string>{"bad_timestamp", "invalid_json", "bad_timestamp", "platform_error",
                                                 "invalid_json", "missing_field", "deleted", "bad_type",
                                                 "missing_field", "bad_timestamp"}));
  const auto weibo_lines = testing::read_lines(fixture("weibo_statuses.jsonl"));
  bool found_broken_line = false, found_rss_item = false;
  for (const auto& l : letters) {
    const auto& source = l.headers.at("yuqing.source");
    if (l.headers.at("yuqing.reason") == "invalid_json" && source.ends_with("weibo_statuses.jsonl")) {
      EXPECT_EQ(l.payload, weibo_lines.at(4));  // the whole broken line, byte for byte
      EXPECT_EQ(l.headers.at("yuqing.offset"), "4");
      found_broken_line = true;
    }
    if (source.ends_with("news.rss")) {
      EXPECT_TRUE(l.payload.starts_with("<item>") && l.payload.ends_with("</item>")) << l.payload;
      EXPECT_NE(l.payload.find("news-draft-0311"), std::string::npos);
      found_rss_item = true;
    }
  }
  EXPECT_TRUE(found_broken_line);
  EXPECT_TRUE(found_rss_item);

  // --from-offset skips input records: lines 3 and 4 of the Weibo file are the repost, the
  // HTML status and the broken line.
  ASSERT_TRUE(broker.write_stdin("topic resumed 1\ntopic resumed.dlq 1\n"));
  auto resumed = run_process({bin, "connect", "file", fixture("weibo_statuses.jsonl"), "--brokers", brokers, "--format",
                              "weibo", "--from-offset", "2", "--topic", "resumed", "--dlq-topic", "resumed.dlq"},
                             "", 60);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(testing::summary_field(resumed.out, "sent"), 2u) << resumed.out;
  EXPECT_EQ(testing::summary_field(resumed.out, "dead_lettered"), 1u);
  EXPECT_EQ(testing::summary_field(resumed.out, "next_offset"), 5u);
  EXPECT_EQ(consume(brokers, "resumed").size(), 2u);
  EXPECT_EQ(consume(brokers, "resumed.dlq").size(), 1u);

  broker.signal(SIGTERM);
  broker.wait(20);
}

TEST(AdaptersConnect, AnUnknownFormatIsAUsageError) {
  auto r = run_process({testing::yuqing_binary(), "connect", "file",
                        (testing::source_dir() / "tests" / "fixtures" / "platforms" / "news.rss").string(),
                        "--brokers", "127.0.0.1:1", "--format", "twitter"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Usage:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace yuqing
