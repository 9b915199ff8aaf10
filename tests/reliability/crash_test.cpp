// Crash loop: kill -9 the engine at random points while it works through a generated stream,
// restart it in the same state directory each time, and check that in the end every input
// record was accounted for exactly once: the dead-letter file holds each bad record once (no
// duplicates from replayed batches, none missing), and the committed position covers the input.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <random>
#include <regex>
#include <map>
#include <set>

#include "tests/support/support.h"
#include "tests/support/window_counts.h"

namespace yuqing {
namespace {

using testing::BackgroundProcess;
using testing::run_process;

TEST(CrashLoop, KillNineAtRandomPointsLosesAndDuplicatesNothing) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto rules = (testing::source_dir() / "rules").string();
  constexpr int kLines = 300'000;
  auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "3", "--count", std::to_string(kLines),
                          "--bad-share", "0.1", "--out", dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  const std::vector<std::string> argv = {bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules",
                                         rules, "--state", dir.file("state"), "--http", "off", "--log-level", "warn"};
  std::mt19937 rng(12345);
  int kills = 0;
  for (int round = 0; round < 24; ++round) {
    BackgroundProcess engine(argv, dir.file("out.txt"), dir.file("err.txt"));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(30, 300)(rng)));
    if (!engine.alive()) break;  // finished before we could kill it
    engine.signal(SIGKILL);
    EXPECT_EQ(engine.wait(10), -SIGKILL);
    ++kills;
  }
  EXPECT_GE(kills, 20) << "the engine finished too fast to be killed 20 times; grow kLines";

  // A final clean run finishes the input.
  auto last = run_process(argv);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  EXPECT_EQ(testing::summary_field(last.out, "resumed_from") + testing::summary_field(last.out, "read"), static_cast<std::uint64_t>(kLines));

  // Every bad record dead-lettered exactly once.
  auto dlq = testing::read_lines(dir.file("state/dead-letter.jsonl"));
  std::set<std::uint64_t> offsets;
  for (const auto& line : dlq) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);  // no torn records either
    ASSERT_TRUE(!ec && v.is_object()) << "torn dead letter: " << line.substr(0, 300);
    EXPECT_TRUE(offsets.insert(v.at("offset").to_number<std::uint64_t>()).second) << "duplicate dead letter: " << line;
  }
  EXPECT_EQ(dlq.size(), static_cast<std::size_t>(kLines / 10));

  // Window state: every brand's per-minute counts equal those of a clean run without kills.
  auto clean_argv = argv;
  for (auto& a : clean_argv) {
    if (a == dir.file("state")) a = dir.file("clean");
  }
  ASSERT_EQ(run_process(clean_argv).exit_code, 0);
  const auto crashed = testing::window_counts(dir.file("state"), dir.path().string());
  const auto clean = testing::window_counts(dir.file("clean"), dir.path().string());
  ASSERT_EQ(crashed.size(), 12u * 5);
  for (const auto& [key, values] : clean) {
    EXPECT_EQ(crashed.at(key), values) << key << ": per-minute counts differ after kill -9";
  }
  EXPECT_GT(testing::total_mentions(clean), 100'000u);  // the comparison covered the stream, not empty windows
}

}  // namespace
}  // namespace yuqing
