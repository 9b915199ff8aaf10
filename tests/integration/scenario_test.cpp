// Scenario tests: generated streams replayed through the real engine (event time, so a
// 50-minute stream replays in seconds). An injected crisis raises a P1 for its brand within a
// few minutes of event time; a calm stream of the same size raises no P1 or P2. Alerts are
// read from a file sink configured in a copy of the rules, so delivery is exercised too.

#include <gtest/gtest.h>

#include <limits>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "tests/support/support.h"

namespace yuqing {
namespace {

using testing::run_process;

struct Outcome {
  std::vector<boost::json::object> alerts;  // every notification, in order
};

Outcome replay(const std::string& scenario, int count) {
  testing::TempDir dir;
  const auto bin = testing::yuqing_binary();
  const auto rules = dir.path() / "rules";
  std::filesystem::copy(testing::source_dir() / "rules", rules, std::filesystem::copy_options::recursive);
  {
    std::ofstream out(rules / "alerts.yaml", std::ios::app);
    out << "\nsinks:\n  - name: file\n    type: file\n    path: " << dir.file("alerts.jsonl") << "\n";
  }
  auto gen = run_process({bin, "gen", "--rules", rules.string(), "--seed", "5", "--count", std::to_string(count),
                          "--scenario", (testing::source_dir() / "rules/scenarios" / scenario).string(), "--out",
                          dir.file("in.jsonl")});
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  auto run = run_process({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules.string(),
                          "--state", dir.file("state"), "--http", "off", "--log-level", "warn"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  Outcome o;
  for (const auto& line : testing::read_lines(dir.file("alerts.jsonl"))) o.alerts.push_back(boost::json::parse(line).as_object());
  return o;
}

std::string str(const boost::json::object& o, const char* k) { return std::string(o.at(k).as_string()); }

TEST(Scenario, CalmStreamRaisesNoP1OrP2) {
  auto o = replay("calm.yaml", 30'000);  // 50 minutes of event time at 600 mentions/min
  for (const auto& a : o.alerts) {
    EXPECT_EQ(str(a, "tier"), "P3") << boost::json::serialize(a);
  }
}

TEST(Scenario, DemoCrisisRaisesP1ForTheBrandWithinThreeMinutes) {
  auto o = replay("demo-crisis.yaml", 12'000);  // ~20 minutes, spike for lantu-auto from minute 1
  ASSERT_FALSE(o.alerts.empty());
  std::int64_t first_p1 = -1;
  std::map<std::string, std::set<std::string>> ids_per_condition;  // (brand, detector) -> incident ids
  for (const auto& a : o.alerts) {
    ids_per_condition[str(a, "brand") + "/" + str(a, "detector")].insert(str(a, "id"));
    if (str(a, "brand") == "lantu-auto" && str(a, "tier") == "P1" && first_p1 < 0) {
      // Event time since the stream's start, from "2026-11-01T00:MM:SS.mmmZ".
      const auto t = str(a, "updated_at");
      ASSERT_EQ(t.substr(0, 14), "2026-11-01T00:") << t;
      first_p1 = std::stoi(t.substr(14, 2)) * 60'000 + std::stoi(t.substr(17, 2)) * 1000;
    }
    EXPECT_NE(str(a, "reason"), "");
  }
  ASSERT_GE(first_p1, 0) << "no P1 for lantu-auto";
  // The evidence a PR person opens first: the firing lantu-auto alerts name the negative
  // mentions with the widest reach, with links, widest first.
  std::size_t with_evidence = 0;
  for (const auto& a : o.alerts) {
    if (str(a, "brand") != "lantu-auto" || str(a, "state") != "firing" || !a.contains("top_mentions")) continue;
    const auto& top = a.at("top_mentions").as_array();
    ASSERT_FALSE(top.empty());
    ++with_evidence;
    std::int64_t previous = std::numeric_limits<std::int64_t>::max();
    for (const auto& m : top) {
      EXPECT_NE(m.at("url").as_string(), "") << boost::json::serialize(m);
      EXPECT_LT(m.at("score").to_number<double>(), 0) << "not a negative mention: " << boost::json::serialize(m);
      const auto reach = m.at("reach").to_number<std::int64_t>();
      EXPECT_LE(reach, previous) << "top mentions are not ordered by reach";
      previous = reach;
    }
  }
  EXPECT_GE(with_evidence, 2u) << "firing alerts without top mentions";
  // ...and what they are about: the crisis terms in them (the demo crisis is a safety one) and
  // the brand's aspects with safety among the most negative.
  bool safety_term = false, safety_aspect = false;
  for (const auto& a : o.alerts) {
    if (str(a, "brand") != "lantu-auto" || str(a, "detector") != "crisis_term_burst" || str(a, "state") != "firing") continue;
    if (a.contains("crisis_terms")) {
      for (const auto& t : a.at("crisis_terms").as_array()) safety_term |= t.at("category").as_string() == "safety";
    }
    if (a.contains("aspects")) {
      const auto& asp = a.at("aspects").as_array();
      for (std::size_t i = 0; i < asp.size() && i < 3; ++i) {
        safety_aspect |= asp[i].at("aspect").as_string() == "safety" && asp[i].at("score").to_number<double>() < 0;
      }
    }
  }
  EXPECT_TRUE(safety_term) << "no safety crisis term in the crisis-term alerts";
  EXPECT_TRUE(safety_aspect) << "safety is not among the most negative aspects";
  EXPECT_GE(first_p1, 1 * 60'000);  // not before the crisis starts
  EXPECT_LE(first_p1, 4 * 60'000);  // within three minutes of it
  // One incident per condition: escalations and updates reuse its id, and within the 20
  // minutes (cooldown 30) nothing is raised twice as a new incident.
  for (const auto& [condition, ids] : ids_per_condition) EXPECT_EQ(ids.size(), 1u) << condition;
}

}  // namespace
}  // namespace yuqing
