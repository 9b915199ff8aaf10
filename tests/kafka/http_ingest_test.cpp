// `yuqing connect http` against `yuqing dev-broker`: what a client of the ingest endpoint
// relies on. A 200 means Kafka has every record of the request (valid mentions on `mentions`
// keyed by id, invalid ones on `mentions.dlq` with the engine's reason); the token is checked;
// an oversized body gets 413; while Kafka is unreachable the request gets 503 and the next one
// 429 (the earlier records still wait), and once Kafka is back everything lands.

#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <regex>
#include <set>

#include "tests/support/support.h"

namespace yuqing {
namespace {

using testing::BackgroundProcess;
using testing::run_process;

std::string join(const std::vector<std::string>& lines, std::size_t from, std::size_t to) {
  std::string body;
  for (std::size_t i = from; i < to && i < lines.size(); ++i) body += lines[i] + "\n";
  return body;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    if (nl > pos) out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

// NAME=<digits> from a JSON answer such as {"accepted":4,...}.
std::uint64_t json_count(const std::string& body, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(body, m, std::regex("\"" + name + "\":([0-9]+)"))) return ~0ull;
  return std::stoull(m[1]);
}

TEST(HttpIngest, AnswersOnlyWhatKafkaHoldsAndLosesNothingWhileKafkaIsDown) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto rules = (testing::source_dir() / "rules").string();
  constexpr int kLines = 3000;
  auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "21", "--count", std::to_string(kLines),
                          "--bad-share", "0.05", "--out", dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  // The oversized kind (too_large, > 64 KiB) would hit the body limit below; leave it out.
  std::vector<std::string> lines;
  for (auto& l : testing::read_lines(dir.file("in.jsonl"))) {
    if (l.size() < 60'000) lines.push_back(std::move(l));
  }
  // What the engine itself would dead-letter: the reference for the endpoint's answers.
  testing::write_file(dir.file("kept.jsonl"), join(lines, 0, lines.size()));
  auto ref = run_process({bin, "run", "--input", dir.file("kept.jsonl"), "--exit-at-eof", "--rules", rules, "--state",
                          dir.file("ref"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const std::uint64_t ref_bad = testing::summary_field(ref.out, "dead_lettered");
  ASSERT_GT(ref_bad, 50u);

  testing::DevBroker broker(dir);
  ASSERT_FALSE(broker.brokers().empty()) << broker.error();
  const std::string brokers = broker.brokers();

  testing::write_file(dir.file("token"), "s3cret-token\n");
  // --ack-timeout 2 with librdkafka's message timeout raised: a request gives up waiting after
  // 2 s while its records stay queued in the producer (the backed-up state 429 reports).
  BackgroundProcess ingest({bin, "connect", "http", "--listen", "127.0.0.1:0", "--brokers", brokers, "--token-file",
                            dir.file("token"), "--max-body-bytes", "4000000", "--ack-timeout", "2", "--property",
                            "message.timeout.ms=120000", "--ready-file", dir.file("addr")},
                           dir.file("ingest.out"), dir.file("ingest.err"));
  ASSERT_TRUE(testing::eventually([&] { return std::filesystem::exists(dir.file("addr")); }, 20))
      << testing::read_file(dir.file("ingest.err"));
  const std::string addr = testing::read_file(dir.file("addr"));
  const auto port = static_cast<std::uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer s3cret-token"}};
  auto post = [&](const std::string& body, const std::string& type = "application/x-ndjson",
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return testing::http_request("POST", port, "/ingest", body, type, headers);
  };

  // The token is required, and compared whole.
  EXPECT_EQ(post(join(lines, 0, 10)).status, 401);
  EXPECT_EQ(post(join(lines, 0, 10), "application/x-ndjson", {{"Authorization", "Bearer s3cret"}}).status, 401);
  // Bodies that are not records are refused with a reason, nothing produced.
  EXPECT_EQ(post("[{\"id\":\"a\"}] trailing", "application/json", auth).status, 400);
  EXPECT_EQ(post(" \n", "application/x-ndjson", auth).status, 400);
  // (curl, because it reads the early 413 while still sending, as HTTP clients do.)
  testing::write_file(dir.file("big"), std::string(4'100'000, ' '));
  auto big = run_process({"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer s3cret-token",
                          "--data-binary", "@" + dir.file("big"), "http://" + addr.substr(0, addr.find('\n')) + "/ingest"});
  EXPECT_EQ(big.out, "413") << big.err;

  // JSONL batches, and one batch as a JSON array: every record answered as accepted or
  // dead-lettered, with the engine's own verdicts.
  std::uint64_t accepted = 0, dead = 0;
  const std::size_t kDownFrom = 2000, kDownTo = 2400;  // sent while Kafka is down
  for (std::size_t from = 0; from < kDownFrom; from += 400) {
    auto r = post(join(lines, from, from + 400), "application/x-ndjson", auth);
    ASSERT_EQ(r.status, 200) << r.body;
    accepted += json_count(r.body, "accepted");
    dead += json_count(r.body, "dead_lettered");
  }
  // The same endpoint takes a JSON array of mentions.
  {
    auto more = run_process({bin, "gen", "--rules", rules, "--seed", "22", "--count", "3"});
    ASSERT_EQ(more.exit_code, 0) << more.err;
    const auto three = split_lines(more.out);
    auto r = post("[" + three[0] + ",\n" + three[1] + ",\n" + three[2] + "]", "application/json", auth);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_count(r.body, "accepted"), 3u) << r.body;
    accepted += json_count(r.body, "accepted");
    dead += json_count(r.body, "dead_lettered");
  }

  // Kafka unreachable: the request is not acknowledged (503), the next is turned away (429).
  for (int b = 1; b <= 3; ++b) ASSERT_TRUE(broker.control("broker-down " + std::to_string(b)));
  auto down = post(join(lines, kDownFrom, kDownTo), "application/x-ndjson", auth);
  EXPECT_EQ(down.status, 503) << down.body;
  auto busy = post(join(lines, kDownTo, kDownTo + 10), "application/x-ndjson", auth);
  EXPECT_EQ(busy.status, 429) << busy.body;
  for (int b = 1; b <= 3; ++b) ASSERT_TRUE(broker.control("broker-up " + std::to_string(b)));
  // Once the queued records are delivered the endpoint takes requests again.
  std::string rest = join(lines, kDownTo, lines.size());
  testing::HttpResponse last;
  ASSERT_TRUE(testing::eventually([&] { return (last = post(rest, "application/x-ndjson", auth)).status == 200; }, 60))
      << last.status << " " << last.body;
  accepted += json_count(last.body, "accepted");
  dead += json_count(last.body, "dead_lettered");

  // The batch that got 503 landed after all (its records stayed queued and were delivered):
  // with it, the endpoint's verdicts add up to the engine's.
  const std::uint64_t down_records = kDownTo - kDownFrom;
  auto dlq = run_process({"/usr/bin/kcat", "-b", brokers, "-C", "-t", "mentions.dlq", "-e", "-q", "-f", "%h\\n"}, "", 60);
  ASSERT_EQ(dlq.exit_code, 0) << dlq.err;
  std::uint64_t dlq_count = 0;
  std::set<std::string> reasons;
  std::regex reason_re("yuqing\\.reason=([a-z_0-9]+)");
  for (const auto& h : split_lines(dlq.out)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(h, m, reason_re)) << h;
    reasons.insert(m[1]);
    ++dlq_count;
  }
  auto topic = run_process({"/usr/bin/kcat", "-b", brokers, "-C", "-t", "mentions", "-e", "-q", "-f", "%k\\n"}, "", 60);
  ASSERT_EQ(topic.exit_code, 0) << topic.err;
  const std::uint64_t topic_count = split_lines(topic.out).size();
  EXPECT_EQ(topic_count + dlq_count, accepted + dead + down_records);
  EXPECT_EQ(topic_count + dlq_count, lines.size() + 3);
  EXPECT_EQ(dlq_count, ref_bad);
  EXPECT_GE(reasons.size(), 4u);

  // Counters a scrape shows.
  const auto metrics = testing::http_get(port, "/metrics").body;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("yuqing_ingest_requests_total\\{code=\"429\"\\} [1-9]"))) << metrics;
  EXPECT_NE(metrics.find("yuqing_ingest_requests_total{code=\"503\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("yuqing_ingest_records_total{result=\"dead_lettered\"} " + std::to_string(dead) + "\n"),
            std::string::npos) << metrics;

  ingest.signal(SIGTERM);
  EXPECT_EQ(ingest.wait(20), 0) << testing::read_file(dir.file("ingest.err"));
}

}  // namespace
}  // namespace yuqing

namespace yuqing {
namespace {

// With --format, the endpoint takes platform payloads (here Weibo's statuses API shapes) and
// turns them into mentions with the same adapters as `connect file`; items that cannot be
// mapped are dead-lettered with the adapter's reason and listed in the answer.
TEST(HttpIngest, PlatformPayloadsAreConvertedOrDeadLetteredWithTheirReason) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  testing::DevBroker broker(dir);
  ASSERT_FALSE(broker.brokers().empty()) << broker.error();
  const std::string brokers = broker.brokers();
  BackgroundProcess ingest({bin, "connect", "http", "--listen", "127.0.0.1:0", "--brokers", brokers, "--format",
                            "weibo", "--ready-file", dir.file("addr")},
                           dir.file("ingest.out"), dir.file("ingest.err"));
  ASSERT_TRUE(testing::eventually([&] { return std::filesystem::exists(dir.file("addr")); }, 20))
      << testing::read_file(dir.file("ingest.err"));
  const std::string addr = testing::read_file(dir.file("addr"));
  const auto port = static_cast<std::uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));

  const auto fixture = testing::read_file((testing::source_dir() / "tests/fixtures/platforms/weibo_statuses.jsonl").string());
  auto r = testing::http_request("POST", port, "/ingest", fixture, "application/x-ndjson");
  ASSERT_EQ(r.status, 200) << r.body;
  // The same verdicts as `connect file --format weibo` on this fixture (tests/adapters).
  EXPECT_EQ(json_count(r.body, "accepted"), 5u) << r.body;
  EXPECT_EQ(json_count(r.body, "dead_lettered"), 2u) << r.body;
  EXPECT_NE(r.body.find("\"reason\":\""), std::string::npos) << r.body;

  // One pretty-printed status as application/json is one document.
  const std::string status = R"({
    "created_at": "Sat Mar 14 21:05:33 +0800 2026", "idstr": "9000000000000001",
    "text": "蓝途汽车的售后今天很快就解决了问题，点赞",
    "user": {"idstr": "123", "screen_name": "测试用户", "followers_count": 10, "verified": false},
    "reposts_count": 0, "comments_count": 1, "attitudes_count": 2
  })";
  r = testing::http_request("POST", port, "/ingest", status, "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_count(r.body, "accepted"), 1u) << r.body;

  auto topic = run_process({"/usr/bin/kcat", "-b", brokers, "-C", "-t", "mentions", "-e", "-q", "-f", "%k\\n"}, "", 60);
  ASSERT_EQ(topic.exit_code, 0) << topic.err;
  EXPECT_EQ(split_lines(topic.out).size(), 6u) << topic.out;
  EXPECT_NE(topic.out.find("weibo:9000000000000001"), std::string::npos) << topic.out;
  auto dlq = run_process({"/usr/bin/kcat", "-b", brokers, "-C", "-t", "mentions.dlq", "-e", "-q", "-f", "%h\\n"}, "", 60);
  ASSERT_EQ(dlq.exit_code, 0) << dlq.err;
  EXPECT_EQ(split_lines(dlq.out).size(), 2u) << dlq.out;
  ingest.signal(SIGTERM);
  EXPECT_EQ(ingest.wait(20), 0);
}

}  // namespace
}  // namespace yuqing
