// The evaluator over a fake window store: a calm stream raises nothing, a negative spike opens
// one incident per detector that sees it, within a couple of minutes of event time.

#include "engine/alert/evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace yuqing::alert {
namespace {

constexpr std::int64_t kMin = 60'000;
const std::int64_t kT0 = 1'793'491'200'000;

// Per-minute counts for each brand; baselines from the calm rate.
class FakeWindows : public WindowReader {
 public:
  struct Minute {
    double mentions = 0, negative = 0, sentiment_sum = 0, safety = 0, reposts = 0;
  };
  std::map<std::string, std::map<std::int64_t, Minute>, std::less<>> data;
  double calm_negative_per_minute = 1;

  WindowStats stats(std::string_view brand, std::int64_t from, std::int64_t to) const override {
    WindowStats s;
    auto b = data.find(brand);
    if (b == data.end()) return s;
    for (auto it = b->second.lower_bound(from); it != b->second.end() && it->first < to; ++it) {
      s.mentions += it->second.mentions;
      s.negative += it->second.negative;
      s.sentiment_sum += it->second.sentiment_sum;
      s.crisis[0] += it->second.safety;
    }
    return s;
  }
  Baseline negative_baseline(std::string_view, std::int64_t window_ms, std::int64_t) const override {
    const double mean = calm_negative_per_minute * static_cast<double>(window_ms) / kMin;
    return Baseline{true, mean, std::sqrt(mean)};
  }
  double max_story_reposts(std::string_view brand, std::int64_t from, std::int64_t to) const override {
    double r = 0;
    auto b = data.find(brand);
    if (b == data.end()) return 0;
    for (auto it = b->second.lower_bound(from); it != b->second.end() && it->first < to; ++it) r += it->second.reposts;
    return r;
  }
};

std::vector<BrandRef> brands() { return {{"lantu-auto", "zh", {"chidian-auto"}}, {"chidian-auto", "zh", {"lantu-auto"}}}; }

void calm_minute(FakeWindows& w, std::int64_t minute) {
  for (const auto& b : {"lantu-auto", "chidian-auto"}) w.data[b][minute] = {50, 1, 10, 0, 0};
}

TEST(Evaluator, CalmStreamRaisesNothing) {
  FakeWindows w;
  Evaluator e;
  auto policy = Policy::defaults();
  for (int m = 0; m < 180; ++m) {
    calm_minute(w, kT0 + m * kMin);
    EXPECT_TRUE(e.evaluate(brands(), *policy, w, kT0 + (m + 1) * kMin).empty()) << "minute " << m;
  }
}

TEST(Evaluator, SpikeOpensP1WithinTwoMinutesAndResolvesAfterwards) {
  FakeWindows w;
  Evaluator e;
  auto policy = Policy::defaults();
  std::map<Detector, IncidentChange> opened;
  std::int64_t first_p1 = -1;
  for (int m = 0; m < 240; ++m) {
    const std::int64_t minute = kT0 + m * kMin;
    calm_minute(w, minute);
    if (m >= 30 && m < 45) w.data["lantu-auto"][minute] = {230, 180, -150, 80, 60};  // the crisis
    for (auto& c : e.evaluate(brands(), *policy, w, minute + kMin)) {
      // The competitor only sees its share of voice fall while lantu-auto's volume jumps.
      if (c.incident.brand != "lantu-auto") {
        EXPECT_EQ(c.incident.detector, Detector::share_of_voice_swing) << c.incident.id;
        continue;
      }
      if (c.change == Change::opened) opened.emplace(c.incident.detector, c);
      if (c.incident.tier == Tier::P1 && first_p1 < 0) first_p1 = m;
    }
  }
  EXPECT_TRUE(opened.count(Detector::negative_volume_spike));
  EXPECT_TRUE(opened.count(Detector::negative_ratio));
  EXPECT_TRUE(opened.count(Detector::crisis_term_burst));
  EXPECT_TRUE(opened.count(Detector::story_velocity));
  ASSERT_GE(first_p1, 30);
  EXPECT_LE(first_p1, 32);  // P1 within two minutes of event time after the spike starts
  // Every incident has resolved by the end (windows cleared, then 15 minutes clear).
  for (const auto& [key, inc] : e.tracker().incidents()) EXPECT_FALSE(inc.firing) << inc.id;
}

TEST(Evaluator, InfluencerNegativeMentionOpensAndLaterResolves) {
  Evaluator e;
  auto policy = Policy::defaults();
  EXPECT_FALSE(e.on_negative_mention("lantu-auto", 300, false, 0, *policy, kT0));
  auto c = e.on_negative_mention("lantu-auto", 6'000'000, true, 1 /* safety */, *policy, kT0);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->incident.tier, Tier::P2);
  EXPECT_TRUE(e.tick_influencers(brands(), *policy, kT0 + 5 * kMin).empty());
  auto later = e.tick_influencers(brands(), *policy, kT0 + 16 * kMin);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].change, Change::resolved);
}

}  // namespace
}  // namespace yuqing::alert
