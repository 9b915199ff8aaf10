// The alert record: JSON round trip of the schema's examples, schema validity of what
// to_json() writes, check(), and the time format.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>

#include "engine/alert/alert.h"
#include "tests/alert_sinks/fixtures.h"

namespace yuqing {
namespace {

using alert::Alert;

boost::json::value parse(const std::string& s) { return boost::json::parse(s); }

TEST(AlertRecord, SchemaExamplesRoundTrip) {
  const auto dir = testing::source_dir() / "schemas/examples/alert";
  int n = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    const auto text = testing::read_file(f.path().string());
    auto a = alert::alert_from_json(text);
    ASSERT_TRUE(a.ok()) << f.path() << ": " << a.error();
    EXPECT_TRUE(alert::check(*a).empty()) << f.path();
    // The same document comes back (key order aside; empty lists are left out when written).
    auto original = parse(text).as_object();
    for (const char* k : {"top_mentions", "aspects", "crisis_terms"}) {
      if (original.contains(k) && original[k].as_array().empty()) original.erase(k);
    }
    EXPECT_EQ(parse(alert::to_json(*a)), boost::json::value(original)) << f.path() << "\n" << alert::to_json(*a);
    ++n;
  }
  EXPECT_GE(n, 3);
}

TEST(AlertRecord, WrittenAlertsValidateAgainstTheSchema) {
  testing::TempDir tmp;
  std::vector<Alert> alerts = {alert_test::zh_p1(), alert_test::en_p3_resolved()};
  // Every tier, detector and state once.
  for (int t = 0; t < alert::kTierCount; ++t) {
    for (int d = 0; d < alert::kDetectorCount; ++d) {
      auto a = alert_test::zh_p1("b:" + std::to_string(t) + ":" + std::to_string(d));
      a.tier = static_cast<alert::Tier>(t);
      a.detector = static_cast<alert::Detector>(d);
      a.severity = 1 + (t * 7 + d) % 10;
      if (d % 2) {
        a.state = alert::AlertState::resolved;
        a.resolved_ms = a.updated_ms + 60000;
        a.processing_resolved_ms = a.processing_updated_ms + 60000;
      }
      alerts.push_back(a);
    }
  }
  // Numbers JSON has no words for are left out rather than written as nan.
  auto odd = alert_test::en_p3_resolved("odd");
  odd.metrics.ratio = std::numeric_limits<double>::infinity();
  odd.metrics.z_score = std::nan("");
  alerts.push_back(odd);
  std::string lines;
  for (const auto& a : alerts) {
    EXPECT_TRUE(alert::check(a).empty()) << a.id;
    lines += alert::to_json(a) + "\n";
  }
  const auto file = tmp.file("alerts.jsonl");
  testing::write_file(file, lines);
  EXPECT_EQ(alert_test::schema_problems({file}), "");
}

TEST(AlertRecord, SchemaCheckCatchesABadAlert) {
  // The validator itself rejects what it should (so the test above means something).
  testing::TempDir tmp;
  auto a = alert_test::zh_p1();
  a.state = alert::AlertState::resolved;  // without resolved_at
  a.severity = 11;
  EXPECT_FALSE(alert::check(a).empty());
  const auto file = tmp.file("bad.jsonl");
  testing::write_file(file, alert::to_json(a) + "\n");
  EXPECT_NE(alert_test::schema_problems({file}), "");
}

TEST(AlertRecord, TierNamesAndDetectors) {
  EXPECT_EQ(alert::tier_names(alert::Tier::P1).zh, "红色预警");
  EXPECT_EQ(alert::tier_names(alert::Tier::P2).color, "orange");
  EXPECT_EQ(alert::tier_names(alert::Tier::P3).en, "elevated");
  EXPECT_EQ(alert::tier_from_name("P2"), alert::Tier::P2);
  EXPECT_FALSE(alert::tier_from_name("P4"));
  for (int d = 0; d < alert::kDetectorCount; ++d) {
    const auto det = static_cast<alert::Detector>(d);
    EXPECT_EQ(alert::detector_from_name(alert::detector_name(det)), det);
  }
}

TEST(AlertRecord, TimeFormat) {
  EXPECT_EQ(alert::format_time_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(alert::format_time_ms(1714565400123), "2024-05-01T12:10:00.123Z");
  EXPECT_EQ(alert::format_time_ms(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(alert::parse_time_ms("2024-05-01T12:10:00.123Z"), 1714565400123);
  EXPECT_EQ(alert::parse_time_ms("2024-05-01T20:10:00+08:00"), 1714565400000);
  EXPECT_EQ(alert::parse_time_ms("2024-05-01T12:10:00.5Z"), 1714565400500);
  EXPECT_FALSE(alert::parse_time_ms("2024-05-01 12:10:00Z"));
  EXPECT_FALSE(alert::parse_time_ms("2024-05-01T12:10:00"));
  for (std::int64_t t : {0LL, 1LL, 86'399'999LL, 1714565400123LL, 4102444800000LL}) {
    EXPECT_EQ(alert::parse_time_ms(alert::format_time_ms(t)), t);
  }
}

TEST(AlertRecord, FromJsonRejectsWhatItCannotUse) {
  EXPECT_FALSE(alert::alert_from_json("not json").ok());
  EXPECT_FALSE(alert::alert_from_json("[]").ok());
  auto doc = parse(alert::to_json(alert_test::zh_p1())).as_object();
  auto without = [&](const char* k) {
    auto d = doc;
    d.erase(k);
    return boost::json::serialize(d);
  };
  for (const char* k : {"id", "brand", "tier", "severity", "detector", "state", "started_at", "processing", "reason"}) {
    auto r = alert::alert_from_json(without(k));
    ASSERT_FALSE(r.ok()) << k;
    EXPECT_NE(r.error().find(k), std::string::npos) << r.error();
  }
  auto bad_tier = doc;
  bad_tier["tier"] = "P9";
  EXPECT_FALSE(alert::alert_from_json(boost::json::serialize(bad_tier)).ok());
  // Unknown keys are ignored, as the schema asks of receivers.
  auto extra = doc;
  extra["future_key"] = 1;
  EXPECT_TRUE(alert::alert_from_json(boost::json::serialize(extra)).ok());
}

TEST(AlertRecord, EscapesTextSafely) {
  auto a = alert_test::zh_p1();
  a.reason = "quote \" backslash \\ newline \n tab \t ctl \x01 中文";
  auto back = alert::alert_from_json(alert::to_json(a));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->reason, a.reason);
  EXPECT_EQ(back->top_mentions[0].text, a.top_mentions[0].text);
}

}  // namespace
}  // namespace yuqing
