// Kafka mode end to end, through `yuqing dev-broker` (librdkafka's mock cluster speaking the
// Kafka protocol on loopback), `yuqing connect file` and two `yuqing run --brokers` engines in
// one consumer group, with the faults Kafka deployments see: a second engine joining
// (rebalance), a leader change, a coordinator move, a broker down and back, failed fetch and
// produce requests, and an engine leaving mid-stream (rebalance again).
//
// What must hold: the union of the two engines' window counts equals one embedded engine's
// counts on the same input (nothing lost, nothing counted twice), every malformed message is
// on the dead-letter topic exactly once with its reason, alerts reach the alerts topic, and
// kcat (the standard Kafka CLI) can read what the engine wrote.

#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <set>

#include "tests/support/support.h"
#include "tests/support/window_counts.h"

namespace yuqing {
namespace {

using testing::BackgroundProcess;
using testing::run_process;

struct Engine {
  std::uint16_t port = 0;
  std::unique_ptr<BackgroundProcess> process;
  std::string state, err;
};

TEST(KafkaEndToEnd, TwoEnginesUnderFaultsCountExactlyLikeOne) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto rules = (testing::source_dir() / "rules").string();
  constexpr int kLines = 60'000;
  constexpr int kHalf = kLines / 2;
  auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "11", "--count", std::to_string(kLines),
                          "--bad-share", "0.05", "--out", dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  // Reference: one embedded engine on the same input.
  auto ref = run_process({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules, "--state",
                          dir.file("ref"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const std::uint64_t bad = testing::summary_field(ref.out, "dead_lettered");
  ASSERT_GT(bad, 1000u);

  testing::DevBroker broker(dir);
  ASSERT_FALSE(broker.brokers().empty()) << broker.error();
  const std::string brokers = broker.brokers();
  auto control = [&](const std::string& command) { ASSERT_TRUE(broker.control(command)); };

  // Short session timeouts so rebalances take seconds, not the default 45 s.
  testing::write_file(dir.file("kafka.yaml"),
                      "kafka:\n  properties:\n    session.timeout.ms: 10000\n    heartbeat.interval.ms: 500\n");
  auto start_engine = [&](const std::string& name) {
    Engine e;
    e.port = testing::free_port();
    e.state = dir.file(name);
    e.err = dir.file(name + ".err");
    e.process = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{bin, "run", "--config", dir.file("kafka.yaml"), "--brokers", brokers, "--rules", rules,
                                 "--state", e.state, "--http", "127.0.0.1:" + std::to_string(e.port)},
        dir.file(name + ".out"), e.err);
    EXPECT_TRUE(testing::eventually([&] { return testing::http_get(e.port, "/readyz").status == 200; }, 30))
        << testing::read_file(e.err);
    return e;
  };
  auto input_records = [](const Engine& e) { return testing::metric_sum(e.port, "yuqing_input_records_total"); };

  auto assigned = [](const Engine& e) { return testing::metric_sum(e.port, "yuqing_kafka_assigned_partitions"); };

  Engine a = start_engine("a");
  ASSERT_TRUE(testing::eventually([&] { return assigned(a) == 6; }, 60)) << testing::read_file(a.err);
  // First half at full speed; the connector exits only when Kafka acknowledged every record.
  auto first = run_process(
      {bin, "connect", "file", dir.file("in.jsonl"), "--brokers", brokers, "--count", std::to_string(kHalf)}, "", 120);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(testing::summary_field(first.out, "acknowledged"), static_cast<std::uint64_t>(kHalf));
  EXPECT_EQ(testing::summary_field(first.out, "next_offset"), static_cast<std::uint64_t>(kHalf));
  ASSERT_TRUE(testing::eventually([&] { return input_records(a) > 0; }, 30));

  // Faults while engine A works: a partition leader moves and fetches fail; then engine B
  // joins and the group rebalances.
  control("leader mentions 0 2");
  control("request-errors 1 5 6");  // the next 5 Fetch requests fail with NOT_LEADER_OR_FOLLOWER
  Engine b = start_engine("b");
  control("leader mentions 1 3");
  ASSERT_TRUE(testing::eventually([&] { return assigned(a) == 3 && assigned(b) == 3; }, 60))
      << "the group did not share the partitions: " << assigned(a) << " + " << assigned(b);
  // With the group stable: the coordinator moves, and a broker goes down and comes back (its
  // partition leadership moved away first: the mock cluster has no leader failover, so a down
  // leader would make its partition unavailable rather than exercise the clients' reconnects).
  control("coordinator group yuqing 3");
  control("leader mentions 0 1");
  control("broker-down 2");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  control("broker-up 2");
  control("leader mentions 0 2");

  // The second half resumes where the first stopped, paced, and engine A leaves while it
  // flows: its partitions move to B mid-stream.
  control("request-errors 0 3 6");  // the connector's next 3 Produce requests fail (it retries)
  BackgroundProcess second({bin, "connect", "file", dir.file("in.jsonl"), "--brokers", brokers, "--from-offset",
                            std::to_string(kHalf), "--rate", "6000"},
                           dir.file("second.out"), dir.file("second.err"));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  a.process->signal(SIGTERM);
  EXPECT_EQ(a.process->wait(60), 0) << testing::read_file(a.err);
  const std::uint64_t a_read = testing::summary_field(testing::read_file(dir.file("a.out")), "read");
  EXPECT_EQ(second.wait(240), 0) << testing::read_file(dir.file("second.err"));
  EXPECT_EQ(testing::summary_field(testing::read_file(dir.file("second.out")), "acknowledged"), static_cast<std::uint64_t>(kLines - kHalf));
  ASSERT_TRUE(testing::eventually([&] { return assigned(b) == 6; }, 60)) << "engine B did not take over A's partitions";

  // B has caught up when its lag is 0 and nothing more arrives for a few seconds.
  double last = -1;
  ASSERT_TRUE(testing::eventually(
      [&] {
        const double now = input_records(b);
        const bool settled = now == last && testing::metric_sum(b.port, "yuqing_kafka_consumer_lag") == 0;
        last = now;
        if (!settled) std::this_thread::sleep_for(std::chrono::seconds(3));
        return settled;
      },
      120));
  EXPECT_EQ(a_read + static_cast<std::uint64_t>(input_records(b)), static_cast<std::uint64_t>(kLines))
      << "a record was read twice or not at all across the two engines (A read " << a_read << ")";
  EXPECT_GT(a_read, static_cast<std::uint64_t>(kHalf) / 4);
  EXPECT_GT(input_records(b), kLines / 4);
  b.process->signal(SIGTERM);
  EXPECT_EQ(b.process->wait(60), 0) << testing::read_file(b.err);

  // Dead letters: each malformed record once, with its reason, readable with kcat.
  auto dlq = run_process({"/usr/bin/kcat", "-b", brokers, "-C", "-t", "mentions.dlq", "-e", "-q", "-f", "%h\\n"}, "", 60);
  ASSERT_EQ(dlq.exit_code, 0) << dlq.err;
  std::set<std::string> letters;
  std::size_t lines = 0;
  std::regex where("yuqing\\.partition=(\\d+),yuqing\\.offset=(\\d+)");
  for (std::size_t pos = 0, nl; (nl = dlq.out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    const std::string h = dlq.out.substr(pos, nl - pos);
    if (h.empty()) continue;
    ++lines;
    EXPECT_NE(h.find("yuqing.reason="), std::string::npos) << h;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(h, m, where)) << h;
    EXPECT_TRUE(letters.insert(m[1].str() + "/" + m[2].str()).second) << "dead-lettered twice: " << h;
  }
  EXPECT_EQ(lines, bad);

  // Alerts reached the alerts topic, keyed by brand.
  auto alerts = run_process({"/usr/bin/kcat", "-b", brokers, "-C", "-t", "alerts", "-e", "-q", "-f", "%k\\n"}, "", 60);
  EXPECT_EQ(alerts.exit_code, 0) << alerts.err;
  EXPECT_FALSE(alerts.out.empty()) << "no alert on the alerts topic";

  broker.stop();

  // Window state: A + B == the embedded reference, per brand and minute.
  const auto expected = testing::window_counts(dir.file("ref"), dir.path().string());
  const auto got = testing::add_counts(testing::window_counts(a.state, dir.path().string()),
                                       testing::window_counts(b.state, dir.path().string()));
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [key, values] : expected) {
    EXPECT_EQ(got.at(key), values) << key << ": two Kafka engines disagree with one embedded engine";
  }
  EXPECT_GT(testing::total_mentions(expected), 30'000u);
}

TEST(KafkaConfig, BadLibrdkafkaPropertyStopsTheStartWithLibrdkafkasMessage) {
  testing::TempDir dir;
  testing::write_file(dir.file("k.yaml"), "kafka:\n  properties:\n    no.such.property: 1\n");
  const auto rules = (testing::source_dir() / "rules").string();
  auto r = run_process({testing::yuqing_binary(), "run", "--config", dir.file("k.yaml"), "--brokers", "127.0.0.1:1",
                        "--rules", rules, "--state", dir.file("state"), "--http", "off"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("kafka.properties.no.such.property: No such configuration property"), std::string::npos)
      << r.err;
  // A topic has no end and no file: these flags do not mix with --brokers.
  auto both = run_process({testing::yuqing_binary(), "run", "--brokers", "127.0.0.1:1", "--input", dir.file("k.yaml"),
                           "--rules", rules, "--state", dir.file("state"), "--http", "off"});
  EXPECT_EQ(both.exit_code, 2) << both.err;
}

}  // namespace
}  // namespace yuqing
