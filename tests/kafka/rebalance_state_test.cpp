// State moves with its partition (issue: scale out; docs/scaling.md "State moves with its
// partition"), through `yuqing dev-broker`: one `--role match` process feeds
// yuqing.matches; `--role aggregate` instances keep windows and alerts and log every state
// change to the changelog topic.
//
// The stream is paced so that both events land mid-stream:
//   1. a third aggregate instance joins: the group rebalances, the partitions it gets are
//      restored from the changelog before it reads them;
//   2. the instance that owns the crisis brand (once its alert is open) dies by kill -9: after
//      the session timeout its partitions move to the others, which restore them.
// What must hold at the end: for every brand, the instance that owns it now has exactly the
// per-minute window counts of one embedded engine on the same input (nothing lost, nothing
// counted twice across the moves), the crisis brand's alert keeps its incident id (one
// incident per detector, the same detectors as the embedded run), and the instance that does
// not own a brand redirects its API to the one that does.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "tests/support/support.h"
#include "tests/support/window_counts.h"

namespace yuqing {
namespace {

using testing::BackgroundProcess;
using testing::run_process;

using Engine = testing::RoleEngine;

// detector -> incident ids of `brand`, from a serving engine's /api/v1/alerts.
std::map<std::string, std::set<std::string>> incidents(std::uint16_t port, const std::string& brand) {
  std::map<std::string, std::set<std::string>> out;
  const auto r = testing::http_get(port, "/api/v1/alerts?limit=1000");
  boost::system::error_code ec;
  auto doc = boost::json::parse(r.body, ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("alerts")) return out;
  for (const auto& a : doc.at("alerts").as_array()) {
    if (a.at("brand").as_string() != brand) continue;
    out[std::string(a.at("detector").as_string())].insert(std::string(a.at("id").as_string()));
  }
  return out;
}

bool owns(const Engine& e, const std::string& brand) {
  return testing::http_get(e.port, "/api/v1/brands/" + brand + "/trend?window=1h&step=5m&until=2026-11-01T06:00:00Z")
             .status == 200;
}

TEST(StateChangelog, PartitionsMoveWithTheirStateWhenAnInstanceJoinsAndWhenOneIsKilled) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto rules = (testing::source_dir() / "rules").string();
  const std::string crisis_brand = "lantu-auto";  // rules/scenarios/demo-crisis.yaml
  constexpr int kLines = 45'000;
  auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "11", "--count", std::to_string(kLines),
                          "--scenario", rules + "/scenarios/demo-crisis.yaml", "--out", dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto ref = run_process({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules, "--state",
                          dir.file("ref"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(ref.exit_code, 0) << ref.err;

  testing::DevBroker broker(dir, testing::kScaleOutTopics);
  const std::string brokers = broker.brokers();
  ASSERT_FALSE(brokers.empty()) << broker.error();
  auto start = [&](const std::string& name, const std::string& role) {
    return testing::start_role(dir, name, role, brokers, "/healthz");
  };
  auto assigned = [](const Engine& e) { return testing::metric_sum(e.port, "yuqing_kafka_assigned_partitions"); };
  auto applied = [](const Engine& e) {
    return testing::metric_sum(e.port, "yuqing_match_records_total\\{result=\"applied\"\\}");
  };

  Engine agg1 = start("agg1", "aggregate");
  Engine agg2 = start("agg2", "aggregate");
  Engine match = start("m1", "match");
  ASSERT_TRUE(testing::eventually([&] { return assigned(agg1) + assigned(agg2) == 6; }, 60))
      << testing::read_file(agg1.err);
  ASSERT_TRUE(testing::eventually([&] { return assigned(match) == 6; }, 60)) << testing::read_file(match.err);

  BackgroundProcess connector({bin, "connect", "file", dir.file("in.jsonl"), "--brokers", brokers, "--rate", "1500"},
                              dir.file("connect.out"), dir.file("connect.err"));

  // 1. A third instance joins mid-stream.
  ASSERT_TRUE(testing::eventually([&] { return applied(agg1) + applied(agg2) > 3000; }, 60))
      << testing::read_file(agg1.err);
  Engine agg3 = start("agg3", "aggregate");
  ASSERT_TRUE(testing::eventually(
      [&] { return assigned(agg3) > 0 && assigned(agg1) + assigned(agg2) + assigned(agg3) == 6; }, 60))
      << testing::read_file(agg3.err);
  const double restored_on_join = testing::metric_sum(agg3.port, "yuqing_changelog_restores_total\\{outcome=\"restored\"\\}");
  EXPECT_GT(restored_on_join, 0) << "the joining instance restored no partition\n" << testing::read_file(agg3.err);

  // 2. The owner of the crisis brand dies once its alert is open, while the stream flows.
  std::vector<Engine*> aggs = {&agg1, &agg2, &agg3};
  Engine* owner = nullptr;
  ASSERT_TRUE(testing::eventually(
      [&] {
        for (Engine* e : aggs) {
          if (owns(*e, crisis_brand) && !incidents(e->port, crisis_brand).empty()) owner = e;
        }
        return owner != nullptr;
      },
      90))
      << "no open alert for " << crisis_brand;
  const auto before_kill = incidents(owner->port, crisis_brand);
  ASSERT_TRUE(connector.alive()) << "the stream ended before the kill; pace it slower";
  owner->process->signal(SIGKILL);
  owner->process->wait(10);
  std::vector<Engine*> alive;
  for (Engine* e : aggs) {
    if (e != owner) alive.push_back(e);
  }
  ASSERT_TRUE(testing::eventually([&] { return assigned(*alive[0]) + assigned(*alive[1]) == 6; }, 60))
      << "the survivors did not take the dead instance's partitions over\n" << testing::read_file(alive[0]->err);
  EXPECT_EQ(connector.wait(180), 0) << testing::read_file(dir.file("connect.err"));

  // Settled: no lag and nothing moving.
  double last = -1;
  ASSERT_TRUE(testing::eventually(
      [&] {
        const double now = applied(*alive[0]) + applied(*alive[1]);
        const bool settled = now == last && testing::metric_sum(match.port, "yuqing_kafka_consumer_lag") == 0 &&
                             testing::metric_sum(alive[0]->port, "yuqing_kafka_consumer_lag") == 0 &&
                             testing::metric_sum(alive[1]->port, "yuqing_kafka_consumer_lag") == 0;
        last = now;
        if (!settled) std::this_thread::sleep_for(std::chrono::seconds(3));
        return settled;
      },
      150));

  // The crisis brand's new owner continued the same incidents: one id per detector, every id
  // seen before the kill still there, the detectors of the embedded run.
  Engine* new_owner = owns(*alive[0], crisis_brand) ? alive[0] : alive[1];
  ASSERT_TRUE(owns(*new_owner, crisis_brand));
  const auto after = incidents(new_owner->port, crisis_brand);
  for (const auto& [detector, ids] : after) {
    EXPECT_EQ(ids.size(), 1u) << crisis_brand << " " << detector << " raised " << ids.size() << " incidents";
  }
  for (const auto& [detector, ids] : before_kill) {
    ASSERT_TRUE(after.count(detector)) << detector << " was lost in the move";
    EXPECT_EQ(after.at(detector), ids) << detector << " became a new incident after the move";
  }

  // The API of either survivor answers for any brand: the owner serves it, the other one
  // redirects there (307, Location = the owner's announced address); a redirected request
  // that lands on a non-owner is not redirected again.
  {
    Engine* other = new_owner == alive[0] ? alive[1] : alive[0];
    const std::string target = "/api/v1/brands/" + crisis_brand + "/trend?window=1h&step=5m&until=2026-11-01T06:00:00Z";
    const auto redirect = testing::http_get(other->port, target);
    EXPECT_EQ(redirect.status, 307) << redirect.body;
    const std::string owner_at = "http://127.0.0.1:" + std::to_string(new_owner->port) + "/api/v1/brands/" + crisis_brand;
    EXPECT_TRUE(redirect.location.starts_with(owner_at)) << redirect.location;
    const auto path = redirect.location.substr(redirect.location.find("/api/"));
    const auto followed = testing::http_get(new_owner->port, path);
    EXPECT_EQ(followed.status, 200) << followed.body;
    EXPECT_EQ(followed.body, testing::http_get(new_owner->port, target).body);
    EXPECT_EQ(testing::http_get(other->port, target + "&redirected=1").status, 421);
  }

  // Which brands each survivor owns, before stopping them.
  std::map<std::string, Engine*> owner_of;
  const auto expected = testing::window_counts(dir.file("ref"), dir.path().string());
  for (const auto& [key, values] : expected) {
    const std::string brand = key.substr(0, key.find(' '));
    if (owner_of.count(brand)) continue;
    for (Engine* e : alive) {
      if (owns(*e, brand)) owner_of[brand] = e;
    }
    EXPECT_TRUE(owner_of.count(brand)) << "no instance owns " << brand;
  }
  for (Engine* e : {&match, alive[0], alive[1]}) {
    e->process->signal(SIGTERM);
    EXPECT_EQ(e->process->wait(60), 0) << testing::read_file(e->err);
  }
  broker.stop();

  // Ref state with the embedded engine's alerts, for the detector comparison.
  {
    const auto port = testing::free_port();
    testing::write_file(dir.file("empty.jsonl"), "");
    BackgroundProcess serve({bin, "run", "--input", dir.file("empty.jsonl"), "--rules", rules, "--state",
                             dir.file("ref"), "--http", "127.0.0.1:" + std::to_string(port), "--log-level", "warn"},
                            dir.file("serve.out"), dir.file("serve.err"));
    ASSERT_TRUE(testing::eventually([&] { return testing::http_get(port, "/readyz").status == 200; }, 30));
    std::set<std::string> want, got;
    for (const auto& [detector, ids] : incidents(port, crisis_brand)) want.insert(detector);
    for (const auto& [detector, ids] : after) got.insert(detector);
    EXPECT_EQ(got, want) << "the crisis brand's detectors differ from the embedded run";
    serve.signal(SIGTERM);
    serve.wait(30);
  }

  // Windows: each brand's owner holds exactly the embedded engine's counts.
  std::map<Engine*, testing::WindowCounts> counts;
  for (Engine* e : alive) counts[e] = testing::window_counts(e->state, dir.path().string());
  std::set<std::string> moved_brands;
  for (const auto& [key, values] : expected) {
    const std::string brand = key.substr(0, key.find(' '));
    if (!owner_of.count(brand)) continue;
    const auto& c = counts[owner_of[brand]];
    ASSERT_TRUE(c.count(key)) << key;
    EXPECT_EQ(c.at(key), values) << key << " on " << owner_of[brand]->name << " differs from one embedded engine";
  }
  EXPECT_GT(testing::total_mentions(expected), 30'000u);
  std::cout << "changelog restores: agg3 on joining " << restored_on_join << "; killed " << owner->name
            << "; crisis brand now on " << new_owner->name << std::endl;
}

}  // namespace
}  // namespace yuqing
