// kill -9 between the alert's state write and its delivery: the webhook receiver is down while
// the crisis alert is raised, the engine is killed, the receiver comes up, the engine restarts:
// the pending alert is delivered from the outbox, and the same condition is not raised again as
// a new incident.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "engine/http/server.h"
#include "tests/support/support.h"

namespace yuqing {
namespace {

TEST(AlertRestart, PendingDeliveryAfterKillNineArrivesOnceAsTheSameIncident) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto rules = dir.path() / "rules";
  std::filesystem::copy(testing::source_dir() / "rules", rules, std::filesystem::copy_options::recursive);
  const auto receiver_port = testing::free_port();
  {
    std::ofstream out(rules / "alerts.yaml", std::ios::app);
    out << "\nsinks:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:" << receiver_port
        << "/hook\n    tiers: [P1]\n    backoff_base: 100ms\n    backoff_max: 500ms\n    timeout: 1s\n";
  }
  auto gen = testing::run_process({bin, "gen", "--rules", rules.string(), "--seed", "8", "--count", "9000",
                                   "--scenario", (rules / "scenarios/demo-crisis.yaml").string()});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  // The first run sees the stream up to a few minutes into the crisis; the rest arrives after
  // the restart, while the crisis is still going on.
  std::vector<std::string> lines;
  {
    std::istringstream in(gen.out);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  auto write_lines = [&](std::size_t from, std::size_t to) {
    std::ofstream out(dir.file("in.jsonl"), std::ios::app);
    for (std::size_t i = from; i < to; ++i) out << lines[i] << "\n";
  };
  write_lines(0, 4000);
  const std::vector<std::string> argv = {bin, "run", "--input", dir.file("in.jsonl"), "--rules", rules.string(),
                                         "--state", dir.file("state"), "--http", "off", "--log-level", "info"};

  // 1. Receiver down: the P1 is committed (state + outbox) but cannot be delivered.
  {
    testing::BackgroundProcess engine(argv, dir.file("out1.txt"), dir.file("err1.txt"));
    ASSERT_TRUE(testing::eventually([&] {
      return testing::read_file(dir.file("err1.txt")).find("Alert opened P1 lantu-auto") != std::string::npos;
    }, 60)) << testing::read_file(dir.file("err1.txt"));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a few failed delivery attempts
    engine.signal(SIGKILL);
    EXPECT_EQ(engine.wait(10), -SIGKILL);
  }
  // 2. Receiver up, engine restarted on the same state.
  std::mutex mu;
  std::multiset<std::string> ids;
  http::ServerOptions opts;
  opts.listen = "127.0.0.1:" + std::to_string(receiver_port);
  http::Server receiver(opts);
  receiver.route("POST", "/hook", [&](const http::Request& req) {
    auto v = boost::json::parse(req.body).as_object();
    std::lock_guard lock(mu);
    ids.insert(std::string(v.at("id").as_string()) + " " + std::string(v.at("state").as_string()));
    return http::Response{200, "text/plain", "ok", {}};
  });
  ASSERT_TRUE(receiver.start().ok());
  write_lines(4000, lines.size());
  testing::BackgroundProcess engine(argv, dir.file("out2.txt"), dir.file("err2.txt"));
  auto lantu_p1 = [&] {
    std::lock_guard lock(mu);
    std::set<std::string> distinct;
    for (const auto& id : ids) {
      if (id.rfind("lantu-auto:", 0) == 0) distinct.insert(id);
    }
    return distinct;
  };
  ASSERT_TRUE(testing::eventually([&] { return !lantu_p1().empty(); }, 60)) << testing::read_file(dir.file("err2.txt"));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let anything else pending arrive
  engine.signal(SIGTERM);
  EXPECT_EQ(engine.wait(30), 0);
  // Per (brand, detector) there is one incident id: the restart did not open a second one.
  std::map<std::string, std::set<std::string>> per_condition;
  for (const auto& entry : lantu_p1()) {
    const auto id = entry.substr(0, entry.find(' '));
    per_condition[id.substr(0, id.rfind(':'))].insert(id);
  }
  ASSERT_FALSE(per_condition.empty());
  for (const auto& [condition, incident_ids] : per_condition) EXPECT_EQ(incident_ids.size(), 1u) << condition;
  // Across both runs each lantu-auto condition was opened once: the restart resumed the
  // incidents it found in the state instead of raising them again.
  const auto logs = testing::read_file(dir.file("err1.txt")) + testing::read_file(dir.file("err2.txt"));
  std::map<std::string, int> opened;
  const std::regex re(R"(Alert opened P[123] lantu-auto ([a-z_]+):)");
  for (auto it = std::sregex_iterator(logs.begin(), logs.end(), re); it != std::sregex_iterator(); ++it) {
    ++opened[(*it)[1]];
  }
  ASSERT_FALSE(opened.empty());
  for (const auto& [detector, n] : opened) EXPECT_EQ(n, 1) << detector << " was opened " << n << " times";
}

}  // namespace
}  // namespace yuqing
