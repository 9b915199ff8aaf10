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

namespace yuqing {
namespace {

using testing::BackgroundProcess;
using testing::run_process;

std::uint64_t summary_field(const std::string& out, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(name + "=(\\d+)"))) return ~0ULL;
  return std::stoull(m[1]);
}

TEST(CrashLoop, KillNineAtRandomPointsLosesAndDuplicatesNothing) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto rules = (testing::source_dir() / "rules").string();
  constexpr int kLines = 200'000;
  auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "3", "--count", std::to_string(kLines),
                          "--bad-share", "0.1", "--out", dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  const std::vector<std::string> argv = {bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules",
                                         rules, "--state", dir.file("state"), "--http", "off", "--log-level", "warn"};
  std::mt19937 rng(12345);
  int kills = 0;
  for (int round = 0; round < 12; ++round) {
    BackgroundProcess engine(argv, dir.file("out.txt"), dir.file("err.txt"));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(30, 300)(rng)));
    if (!engine.alive()) break;  // finished before we could kill it
    engine.signal(SIGKILL);
    EXPECT_EQ(engine.wait(10), -SIGKILL);
    ++kills;
  }
  EXPECT_GE(kills, 10) << "the engine finished too fast to be killed 10 times; grow kLines";

  // A final clean run finishes the input.
  auto last = run_process(argv);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  EXPECT_EQ(summary_field(last.out, "resumed_from") + summary_field(last.out, "read"), static_cast<std::uint64_t>(kLines));

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
  auto per_minute = [&](const std::string& state) {
    // Serve the finished state (tailing the fully read input) and read every brand's trend.
    const auto port = testing::free_port();
    std::vector<std::string> serve = {bin, "run", "--input", dir.file("in.jsonl"), "--rules", rules, "--state", state,
                                      "--http", "127.0.0.1:" + std::to_string(port), "--log-level", "warn"};
    BackgroundProcess engine(serve, dir.file("serve.out"), dir.file("serve.err"));
    EXPECT_TRUE(testing::eventually([&] { return testing::http_get(port, "/readyz").status == 200; }, 30));
    std::map<std::string, std::vector<std::uint64_t>> counts;  // "brand field" -> per-minute values
    const auto listing = testing::http_get(port, "/api/v1/brands");
    boost::system::error_code ec;
    auto parsed = boost::json::parse(listing.body, ec);
    EXPECT_TRUE(!ec && parsed.is_object()) << listing.status << " " << listing.body;
    if (ec || !parsed.is_object()) return counts;
    const auto& brands = parsed.at("brands").as_array();
    for (const auto& b : brands) {
      const std::string id(b.at("id").as_string());
      auto r = testing::http_get(port, "/api/v1/brands/" + id + "/trend?window=6h&step=1m&until=2026-11-01T06:00:00Z");
      EXPECT_EQ(r.status, 200) << r.body;
      const auto trend = boost::json::parse(r.body);  // keep it alive for the loop below
      for (const auto& pt : trend.at("points").as_array()) {
        for (const char* field : {"mentions", "positive", "neutral", "negative", "reach"}) {
          counts[id + " " + field].push_back(pt.at(field).to_number<std::uint64_t>());
        }
      }
    }
    engine.signal(SIGTERM);
    EXPECT_EQ(engine.wait(30), 0);
    return counts;
  };
  const auto crashed = per_minute(dir.file("state"));
  const auto clean = per_minute(dir.file("clean"));
  ASSERT_EQ(crashed.size(), 12u * 5);
  std::uint64_t total = 0;
  for (const auto& [key, values] : clean) {
    EXPECT_EQ(crashed.at(key), values) << key << ": per-minute counts differ after kill -9";
    if (key.ends_with(" mentions")) for (auto v : values) total += v;
  }
  EXPECT_GT(total, 100'000u);  // the comparison covered the stream, not empty windows
}

}  // namespace
}  // namespace yuqing
