// Overload in Kafka mode: a backlog of mentions already waits on the topic and the engine's
// stage queue is given the smallest byte budget, so the consumer can fetch far faster than the
// workers process. The engine also watches 60 catch-all topics (的 OR the OR ...) on top of the
// shipped brands: nearly every mention updates ~60 more brand windows, which slows the worker
// several-fold and leaves the consumer as fast as before, so the worker is the slow side by
// construction (with the shipped rules alone the consumer is about as fast as the engine). The source must pause its partitions (yuqing_source_paused_total grows),
// resume when the queue drains, and in the end have counted every mention exactly once (window
// counts equal a clean embedded run). Peak RSS is printed for docs/reliability.md.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/support/support.h"
#include "tests/support/window_counts.h"

namespace yuqing {
namespace {

using testing::BackgroundProcess;
using testing::run_process;

// Resident set size of a process in KiB (0 when gone).
std::uint64_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  std::uint64_t value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    in.ignore(1 << 12, '\n');
  }
  return 0;
}

TEST(KafkaOverload, FullQueuePausesThePartitionsAndLosesNothing) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto shipped = testing::source_dir() / "rules";
  constexpr int kLines = 24'000;
  auto gen = run_process({bin, "gen", "--rules", shipped.string(), "--seed", "9", "--count", std::to_string(kLines),
                          "--out", dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  // The shipped rules plus the catch-all topics.
  const std::filesystem::path heavy = dir.file("rules");
  std::filesystem::create_directories(heavy / "brands");
  std::filesystem::copy(shipped / "brands", heavy / "brands");
  std::filesystem::copy(shipped / "lexicons", heavy / "lexicons", std::filesystem::copy_options::recursive);
  std::filesystem::copy_file(shipped / "alerts.yaml", heavy / "alerts.yaml");
  for (int i = 0; i < 60; ++i) {
    const std::string id = "everything-" + std::to_string(i);
    testing::write_file((heavy / "brands" / (id + ".yaml")).string(),
                        "id: " + id + "\nname: Everything " + std::to_string(i) +
                            "\nquery: '的 OR 了 OR 是 OR the OR a OR is OR i'\n");
  }
  const auto rules = heavy.string();
  auto ref = run_process({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules, "--state",
                          dir.file("ref"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(ref.exit_code, 0) << ref.err;

  testing::DevBroker broker(dir);
  ASSERT_FALSE(broker.brokers().empty()) << broker.error();
  const std::string brokers = broker.brokers();
  auto load = run_process({bin, "connect", "file", dir.file("in.jsonl"), "--brokers", brokers}, "", 120);
  ASSERT_EQ(load.exit_code, 0) << load.err;

  // The smallest queue budget and big batches: one batch fills the queue, and the consumer,
  // which fetches a batch several times faster than the worker processes one (~0.5 s for 4096
  // mentions), waits on a full queue long enough that the source pauses its partitions (after
  // 100 ms), once per batch or so.
  testing::write_file(dir.file("small.yaml"),
                      "queue:\n  max_bytes: 1MiB\nbatch:\n  max_mentions: 4096\n  max_bytes: 16MiB\n");
  const auto port = testing::free_port();
  BackgroundProcess engine({bin, "run", "--config", dir.file("small.yaml"), "--brokers", brokers, "--rules", rules,
                            "--state", dir.file("state"), "--http", "127.0.0.1:" + std::to_string(port), "--log-level",
                            "warn"},
                           dir.file("engine.out"), dir.file("engine.err"));
  std::uint64_t peak_kib = 0;
  double last = -1;
  ASSERT_TRUE(testing::eventually(
      [&] {
        peak_kib = std::max(peak_kib, rss_kib(engine.pid()));
        const double now = testing::metric_sum(port, "yuqing_input_records_total");
        const bool done = now == kLines && now == last && testing::metric_sum(port, "yuqing_kafka_consumer_lag") == 0;
        last = now;
        if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return done;
      },
      120))
      << "read " << last << " of " << kLines << "\n" << testing::read_file(dir.file("engine.err"));
  const double pauses = testing::metric_sum(port, "yuqing_source_paused_total");
  EXPECT_GT(pauses, 0) << "the queue never filled: the test did not overload the engine";
  engine.signal(SIGTERM);
  ASSERT_EQ(engine.wait(60), 0) << testing::read_file(dir.file("engine.err"));
  broker.stop();

  const auto expected = testing::window_counts(dir.file("ref"), dir.path().string());
  const auto got = testing::window_counts(dir.file("state"), dir.path().string());
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [key, values] : expected) {
    EXPECT_EQ(got.at(key), values) << key << ": paused and resumed consumption changed the counts";
  }
  EXPECT_GT(testing::total_mentions(expected), 12'000u);
  std::cerr << "kafka overload: " << kLines << " mentions, source paused " << pauses << " times, peak RSS "
            << peak_kib / 1024 << " MiB\n";
}

}  // namespace
}  // namespace yuqing
