// Crash loop in Kafka mode: while a connector streams mentions into `yuqing dev-broker`, the
// engine (consumer group member, offsets kept in RocksDB with the window state) is killed with
// SIGKILL at random points and restarted on the same state directory. In the end its
// per-brand, per-minute window counts equal one clean embedded run on the same input, and every
// malformed record is on the dead-letter topic (at least once: a batch that was not committed
// when the engine died is read again and its letters produced again, see kafka_sinks.h).

#include <gtest/gtest.h>
#include <signal.h>

#include <random>
#include <regex>
#include <set>

#include "tests/support/support.h"
#include "tests/support/window_counts.h"

namespace yuqing {
namespace {

using testing::BackgroundProcess;
using testing::run_process;

TEST(KafkaCrashLoop, KillNineWhileConsumingLosesAndDoubleCountsNothing) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto rules = (testing::source_dir() / "rules").string();
  constexpr int kLines = 40'000;
  auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "4", "--count", std::to_string(kLines),
                          "--bad-share", "0.05", "--out", dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto ref = run_process({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules, "--state",
                          dir.file("ref"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const std::uint64_t bad = testing::summary_field(ref.out, "dead_lettered");
  ASSERT_GT(bad, 1000u);

  testing::DevBroker broker(dir);
  ASSERT_FALSE(broker.brokers().empty()) << broker.error();
  const std::string brokers = broker.brokers();
  // A killed member is noticed after the session timeout; keep it short so each restart
  // rejoins in seconds.
  testing::write_file(dir.file("kafka.yaml"),
                      "kafka:\n  properties:\n    session.timeout.ms: 3000\n    heartbeat.interval.ms: 300\n");
  const std::vector<std::string> connect = {bin, "connect", "file", dir.file("in.jsonl"), "--brokers", brokers,
                                            "--rate", "2000"};
  BackgroundProcess producer(connect, dir.file("connect.out"), dir.file("connect.err"));

  std::uint16_t port = 0;
  auto start_engine = [&](const std::string& tag) {
    port = testing::free_port();
    return std::make_unique<BackgroundProcess>(
        std::vector<std::string>{bin, "run", "--config", dir.file("kafka.yaml"), "--brokers", brokers, "--rules", rules,
                                 "--state", dir.file("state"), "--http", "127.0.0.1:" + std::to_string(port),
                                 "--log-level", "warn"},
        dir.file("engine" + tag + ".out"), dir.file("engine" + tag + ".err"));
  };
  std::mt19937 rng(777);
  int kills = 0, killed_while_reading = 0;
  while (producer.alive() || kills < 10) {
    auto engine = start_engine(std::to_string(kills));
    // Kill once it has read something new (or after a while regardless: a kill during start-up
    // or the group join is a crash point too).
    testing::eventually([&] { return testing::metric_sum(port, "yuqing_input_records_total") > 0; }, 8);
    const double before = testing::metric_sum(port, "yuqing_input_records_total");
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 1500)(rng)));
    if (testing::metric_sum(port, "yuqing_input_records_total") > before) ++killed_while_reading;
    engine->signal(SIGKILL);
    ASSERT_EQ(engine->wait(10), -SIGKILL);
    ++kills;
    ASSERT_LT(kills, 40) << "the connector did not finish";
  }
  EXPECT_EQ(producer.wait(5), 0) << testing::read_file(dir.file("connect.err"));
  EXPECT_EQ(testing::summary_field(testing::read_file(dir.file("connect.out")), "acknowledged"),
            static_cast<std::uint64_t>(kLines));
  EXPECT_GE(killed_while_reading, 3) << "most kills landed outside processing; the loop tests little";

  // A last run catches up: lag 0 and nothing more read for a few seconds.
  auto engine = start_engine("-final");
  double last = -1;
  ASSERT_TRUE(testing::eventually(
      [&] {
        const double now = testing::metric_sum(port, "yuqing_input_records_total");
        const bool settled = now == last && testing::metric_sum(port, "yuqing_kafka_assigned_partitions") == 6 &&
                             testing::metric_sum(port, "yuqing_kafka_consumer_lag") == 0;
        last = now;
        if (!settled) std::this_thread::sleep_for(std::chrono::seconds(2));
        return settled;
      },
      120))
      << testing::read_file(dir.file("engine-final.err"));
  engine->signal(SIGTERM);
  ASSERT_EQ(engine->wait(60), 0) << testing::read_file(dir.file("engine-final.err"));

  // Every malformed record reached the dead-letter topic (possibly more than once).
  auto dlq = run_process({"/usr/bin/kcat", "-b", brokers, "-C", "-t", "mentions.dlq", "-e", "-q", "-f", "%h\\n"}, "", 60);
  ASSERT_EQ(dlq.exit_code, 0) << dlq.err;
  std::set<std::string> letters;
  std::regex where("yuqing\\.partition=(\\d+),yuqing\\.offset=(\\d+)");
  for (auto it = std::sregex_iterator(dlq.out.begin(), dlq.out.end(), where); it != std::sregex_iterator(); ++it) {
    letters.insert((*it)[1].str() + "/" + (*it)[2].str());
  }
  EXPECT_EQ(letters.size(), bad);
  broker.stop();

  // Window state after the kills == the clean embedded run, per brand and minute.
  const auto expected = testing::window_counts(dir.file("ref"), dir.path().string());
  const auto got = testing::window_counts(dir.file("state"), dir.path().string());
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [key, values] : expected) {
    EXPECT_EQ(got.at(key), values) << key << ": counts after " << kills << " kills differ from a clean run";
  }
  EXPECT_GT(testing::total_mentions(expected), 20'000u);
  std::cerr << "kafka crash loop: " << kills << " kills (" << killed_while_reading << " while reading)\n";
}

}  // namespace
}  // namespace yuqing
