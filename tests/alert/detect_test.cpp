// Detectors and the incident lifecycle with synthetic window numbers and a fake clock.

#include "engine/alert/detect.h"

#include <gtest/gtest.h>

#include "tests/support/support.h"

namespace yuqing::alert {
namespace {

constexpr std::int64_t kMin = 60'000;
const std::int64_t kT0 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

const DetectorPolicy& policy_of(Detector d) {
  static const auto kDefaults = Policy::defaults();  // keeps the policy alive for the references
  return kDefaults->detector("any", d);
}

WindowStats stats(double mentions, double negative, double sentiment_sum = 0) {
  WindowStats s;
  s.mentions = mentions;
  s.negative = negative;
  s.sentiment_sum = sentiment_sum;
  return s;
}

TEST(NegativeVolumeSpike, TiersFollowRatioAndZ) {
  const auto& p = policy_of(Detector::negative_volume_spike);
  Baseline b{true, 10, 3};
  EXPECT_FALSE(evaluate_negative_volume_spike(p, stats(100, 15), b));  // 1.5x: quiet
  auto p3 = evaluate_negative_volume_spike(p, stats(100, 22), b);
  ASSERT_TRUE(p3);
  EXPECT_EQ(p3->tier, Tier::P3);
  auto p2 = evaluate_negative_volume_spike(p, stats(100, 35), b);
  ASSERT_TRUE(p2);
  EXPECT_EQ(p2->tier, Tier::P2);
  auto p1 = evaluate_negative_volume_spike(p, stats(300, 182), b);
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->tier, Tier::P1);
  EXPECT_NEAR(p1->ratio, 18.2, 1e-9);
  EXPECT_GT(p1->severity, p2->severity);
  EXPECT_GT(p2->severity, p3->severity);
  EXPECT_LE(p1->severity, 10);
}

TEST(NegativeVolumeSpike, QuietBelowMinimumVolumeAndWithoutHistory) {
  const auto& p = policy_of(Detector::negative_volume_spike);
  // 14 negatives against a baseline of 1 is a 14x ratio, but below min_count (15).
  EXPECT_FALSE(evaluate_negative_volume_spike(p, stats(20, 14), Baseline{true, 1, 0.5}));
  EXPECT_TRUE(evaluate_negative_volume_spike(p, stats(20, 15), Baseline{true, 1, 0.5}));
  // Insufficient history: no invented baseline, no alert.
  EXPECT_FALSE(evaluate_negative_volume_spike(p, stats(500, 400), Baseline{false, 0, 0}));
}

TEST(NegativeVolumeSpike, SmallBaselineSpreadIsFlooredByPoissonNoise) {
  const auto& p = policy_of(Detector::negative_volume_spike);
  // stddev 0 would make any excess infinitely significant; sqrt(mean) keeps z sane.
  auto s = evaluate_negative_volume_spike(p, stats(100, 20), Baseline{true, 9, 0});
  ASSERT_TRUE(s);
  EXPECT_NEAR(s->z_score, (20 - 9) / 3.0, 1e-9);
}

TEST(NegativeRatio, ShareAndMinimum) {
  const auto& p = policy_of(Detector::negative_ratio);
  EXPECT_FALSE(evaluate_negative_ratio(p, stats(29, 29)));  // below min_count 30
  EXPECT_FALSE(evaluate_negative_ratio(p, stats(100, 40)));  // everyday chatter
  EXPECT_EQ(evaluate_negative_ratio(p, stats(100, 60))->tier, Tier::P3);
  EXPECT_EQ(evaluate_negative_ratio(p, stats(100, 72))->tier, Tier::P2);
  EXPECT_EQ(evaluate_negative_ratio(p, stats(100, 85))->tier, Tier::P1);
}

TEST(SentimentDrop, ComparesWithThePreviousWindow) {
  const auto& p = policy_of(Detector::sentiment_drop);
  EXPECT_FALSE(evaluate_sentiment_drop(p, stats(50, 0, 5), stats(50, 0, 10)));    // 0.2 -> 0.1
  EXPECT_EQ(evaluate_sentiment_drop(p, stats(50, 0, -5), stats(50, 0, 10))->tier, Tier::P3);  // drop 0.3
  EXPECT_EQ(evaluate_sentiment_drop(p, stats(50, 0, -20), stats(50, 0, 10))->tier, Tier::P2); // drop 0.6
  EXPECT_FALSE(evaluate_sentiment_drop(p, stats(10, 0, -20), stats(50, 0, 10)));  // too few now
}

TEST(CrisisTermBurst, CountsOnlyConfiguredCategories) {
  auto policy = parse_policy("detectors:\n  crisis_term_burst:\n    categories: [safety]\n", "a.yaml");
  ASSERT_TRUE(policy.ok());
  const auto& p = (*policy)->detector("x", Detector::crisis_term_burst);
  WindowStats s;
  s.mentions = 100;
  s.crisis = {3, 60, 0, 0, 0, 0};  // safety 3, quality 60
  EXPECT_FALSE(evaluate_crisis_term_burst(p, s));
  s.crisis[0] = 41;
  auto sig = evaluate_crisis_term_burst(p, s);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->tier, Tier::P1);
  EXPECT_EQ(sig->crisis_mask, 1u);
  // The same count in a brand with ten times the volume is everyday chatter.
  s.mentions = 1000;
  EXPECT_FALSE(evaluate_crisis_term_burst(p, s));
}

TEST(InfluencerNegative, FollowersVerifiedAndCrisisRequirement) {
  const auto& p = policy_of(Detector::influencer_negative);
  EXPECT_FALSE(evaluate_influencer_negative(p, 5000, false, false));
  EXPECT_FALSE(evaluate_influencer_negative(p, 5000, true, false));  // verified alone: off by default
  auto loose = parse_policy("detectors:\n  influencer_negative:\n    verified_counts: true\n", "a.yaml");
  ASSERT_TRUE(loose.ok());
  EXPECT_EQ(evaluate_influencer_negative((*loose)->detector("x", Detector::influencer_negative), 5000, true, false)->tier,
            Tier::P3);
  EXPECT_EQ(evaluate_influencer_negative(p, 2'000'000, false, false)->tier, Tier::P3);
  EXPECT_EQ(evaluate_influencer_negative(p, 20'000'000, false, false)->tier, Tier::P3);  // no crisis term: a notice
  EXPECT_EQ(evaluate_influencer_negative(p, 6'000'000, false, true)->tier, Tier::P2);
  EXPECT_EQ(evaluate_influencer_negative(p, 20'000'000, false, true)->tier, Tier::P1);
  auto strict = parse_policy("detectors:\n  influencer_negative:\n    require_crisis_term: true\n", "a.yaml");
  ASSERT_TRUE(strict.ok());
  const auto& sp = (*strict)->detector("x", Detector::influencer_negative);
  EXPECT_FALSE(evaluate_influencer_negative(sp, 20'000'000, true, false));
  EXPECT_TRUE(evaluate_influencer_negative(sp, 20'000'000, true, true));
}

TEST(ShareOfVoiceAndStoryVelocity, Thresholds) {
  EXPECT_FALSE(evaluate_share_of_voice_swing(policy_of(Detector::share_of_voice_swing), 0.5, 0.1, 40));  // min 50
  EXPECT_EQ(evaluate_share_of_voice_swing(policy_of(Detector::share_of_voice_swing), 0.3, 0.5, 100)->tier, Tier::P3);
  EXPECT_EQ(evaluate_share_of_voice_swing(policy_of(Detector::share_of_voice_swing), 0.1, 0.5, 100)->tier, Tier::P2);
  EXPECT_FALSE(evaluate_story_velocity(policy_of(Detector::story_velocity), 149, 0.9));
  EXPECT_EQ(evaluate_story_velocity(policy_of(Detector::story_velocity), 600, 0.9)->tier, Tier::P1);
  EXPECT_FALSE(evaluate_story_velocity(policy_of(Detector::story_velocity), 600, 0.1));  // a viral launch
}

Signal sig(Tier t, int severity = 3) {
  Signal s;
  s.tier = t;
  s.severity = severity;
  s.window_ms = 10 * kMin;
  return s;
}

TEST(IncidentTracker, OpensOnceEscalatesResolvesAndCoolsDown) {
  IncidentTracker tracker;
  Lifecycle lc;  // resolve 15m, cooldown 30m, escalate 10m
  const std::string brand = "lantu-auto";
  const auto d = Detector::negative_volume_spike;
  auto c = tracker.observe(brand, d, sig(Tier::P3), kT0 + 30'000, lc);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->change, Change::opened);
  const std::string id = c->incident.id;
  EXPECT_EQ(id, "lantu-auto:negative_volume_spike:" + std::to_string(kT0));  // minute of opening

  // Still firing at the same tier: no new notification, the same incident.
  EXPECT_FALSE(tracker.observe(brand, d, sig(Tier::P3), kT0 + 5 * kMin, lc));
  // Persisting at P3 for escalate_after: escalates to P2, same id.
  c = tracker.observe(brand, d, sig(Tier::P3), kT0 + 11 * kMin, lc);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->change, Change::escalated);
  EXPECT_EQ(c->incident.tier, Tier::P2);
  EXPECT_EQ(c->incident.id, id);
  // Worsening straight to P1: escalates at once.
  c = tracker.observe(brand, d, sig(Tier::P1, 8), kT0 + 12 * kMin, lc);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->incident.tier, Tier::P1);
  // Clear, but not long enough: still firing.
  EXPECT_FALSE(tracker.observe(brand, d, std::nullopt, kT0 + 20 * kMin, lc));
  // Clear for resolve_after: resolved.
  c = tracker.observe(brand, d, std::nullopt, kT0 + 27 * kMin, lc);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->change, Change::resolved);
  EXPECT_EQ(c->incident.id, id);
  // Cooldown: the condition returns within 30 minutes, no new incident.
  EXPECT_FALSE(tracker.observe(brand, d, sig(Tier::P3), kT0 + 40 * kMin, lc));
  // After cooldown a new incident with a new id.
  c = tracker.observe(brand, d, sig(Tier::P3), kT0 + 60 * kMin, lc);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->change, Change::opened);
  EXPECT_NE(c->incident.id, id);
}

TEST(IncidentTracker, AWorseSignalDuringTheCooldownOpensANewIncidentAtOnce) {
  IncidentTracker tracker;
  Lifecycle lc;  // resolve 15m, cooldown 30m
  const auto d = Detector::crisis_term_burst;
  auto first = tracker.observe("b", d, sig(Tier::P2), kT0, lc);
  ASSERT_TRUE(first);
  auto resolved = tracker.observe("b", d, std::nullopt, kT0 + 16 * kMin, lc);
  ASSERT_TRUE(resolved);
  ASSERT_EQ(resolved->change, Change::resolved);
  // The same tier (or lower) during the cooldown stays quiet: no flapping pages...
  EXPECT_FALSE(tracker.observe("b", d, sig(Tier::P2), kT0 + 20 * kMin, lc));
  EXPECT_FALSE(tracker.observe("b", d, sig(Tier::P3), kT0 + 21 * kMin, lc));
  // ...but the real crisis arriving after a false alarm is not blinded by it.
  auto worse = tracker.observe("b", d, sig(Tier::P1, 9), kT0 + 22 * kMin, lc);
  ASSERT_TRUE(worse);
  EXPECT_EQ(worse->change, Change::opened);
  EXPECT_EQ(worse->incident.tier, Tier::P1);
  EXPECT_NE(worse->incident.id, first->incident.id);
}

TEST(IncidentTracker, PersistenceDoesNotEscalatePastTheDetectorsHighestTier) {
  IncidentTracker tracker;
  Lifecycle lc;  // escalate after 10m
  const auto d = Detector::share_of_voice_swing;
  ASSERT_TRUE(tracker.observe("b", d, sig(Tier::P3), kT0, lc, Tier::P3, /*top_tier=*/Tier::P2));
  auto c = tracker.observe("b", d, sig(Tier::P3), kT0 + 11 * kMin, lc, Tier::P3, Tier::P2);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->incident.tier, Tier::P2);
  // P2 is as high as this detector goes: persisting there is not a P1.
  EXPECT_FALSE(tracker.observe("b", d, sig(Tier::P2), kT0 + 22 * kMin, lc, Tier::P3, Tier::P2));
  EXPECT_FALSE(tracker.observe("b", d, sig(Tier::P2), kT0 + 40 * kMin, lc, Tier::P3, Tier::P2));
  // The shipped policy: share of voice defines no P1, the spike detector does.
  EXPECT_EQ(top_tier(policy_of(Detector::share_of_voice_swing)), Tier::P2);
  EXPECT_EQ(top_tier(policy_of(Detector::negative_volume_spike)), Tier::P1);
}

TEST(IncidentTracker, AcknowledgedIncidentsDoNotEscalateOnPersistence) {
  IncidentTracker tracker;
  Lifecycle lc;
  auto c = tracker.observe("b", Detector::negative_ratio, sig(Tier::P3), kT0, lc);
  ASSERT_TRUE(c);
  EXPECT_TRUE(tracker.acknowledge(c->incident.id, "alice"));
  EXPECT_FALSE(tracker.acknowledge("nope", "alice"));
  EXPECT_FALSE(tracker.observe("b", Detector::negative_ratio, sig(Tier::P3), kT0 + 30 * kMin, lc));
  // A real worsening still escalates.
  EXPECT_EQ(tracker.observe("b", Detector::negative_ratio, sig(Tier::P1), kT0 + 31 * kMin, lc)->incident.tier, Tier::P1);
}

TEST(IncidentTracker, MinTierSilencesLowerTiersForABrand) {
  IncidentTracker tracker;
  Lifecycle lc;
  EXPECT_FALSE(tracker.observe("bank", Detector::negative_ratio, sig(Tier::P3), kT0, lc, Tier::P2));
  EXPECT_TRUE(tracker.observe("bank", Detector::negative_ratio, sig(Tier::P2), kT0, lc, Tier::P2));
}

TEST(IncidentTracker, StateSurvivesEncodeDecodeSoIdsAreStableAcrossRestarts) {
  IncidentTracker before;
  Lifecycle lc;
  auto c = before.observe("b", Detector::story_velocity, sig(Tier::P2, 6), kT0 + 90'000, lc);
  ASSERT_TRUE(c);
  auto dirty = before.take_dirty();
  ASSERT_EQ(dirty.size(), 1u);
  auto bytes = dirty[0]->encode();
  auto restored = Incident::decode(bytes);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->id, c->incident.id);
  EXPECT_EQ(restored->tier, Tier::P2);
  EXPECT_TRUE(restored->firing);
  EXPECT_FALSE(Incident::decode("garbage"));

  IncidentTracker after;  // a restarted engine
  after.restore(*restored);
  // The same condition continuing is NOT a new incident.
  EXPECT_FALSE(after.observe("b", Detector::story_velocity, sig(Tier::P2, 6), kT0 + 3 * kMin, lc));
}

TEST(Reason, PlainWordsInTheBrandsLanguage) {
  Signal s;
  s.detector = Detector::negative_volume_spike;
  s.window_ms = 10 * kMin;
  s.ratio = 4.2;
  s.value = 182;
  EXPECT_EQ(reason_text(s, "zh", {"安全（爆炸、起火）"}), "负面声量 10 分钟 内升至基线的 4.2 倍（182 条），主要涉及：安全（爆炸、起火）");
  EXPECT_EQ(reason_text(s, "en"), "Negative mentions rose to 4.2x the baseline in 10 minutes (182 mentions)");
  // Story velocity counts the brand's reposts and near-copies, and says so (not "one story").
  Signal v;
  v.detector = Detector::story_velocity;
  v.window_ms = 10 * kMin;
  v.count = 775;
  EXPECT_EQ(reason_text(v, "en"), "775 reposts and near-copies in 10 minutes");
  EXPECT_EQ(reason_text(v, "zh"), "10 分钟 内出现 775 条转发或近似重复内容");
}

TEST(Policy, ShippedFileLoadsAndOverridesApplyPerBrand) {
  auto policy = load_policy(testing::source_dir() / "rules/alerts.yaml");
  ASSERT_TRUE(policy.ok()) << policy.error().front();
  const auto& base = (*policy)->detector("xingyao-phone", Detector::crisis_term_burst);
  const auto& lantu = (*policy)->detector("lantu-auto", Detector::crisis_term_burst);
  EXPECT_EQ(base.tiers[0].at("count"), 40);
  EXPECT_EQ(lantu.tiers[0].at("count"), 15);
  EXPECT_EQ(lantu.param("categories", 0), 3);  // safety | quality
  EXPECT_EQ((*policy)->min_tier("ferncrest-bank"), Tier::P2);
  EXPECT_EQ((*policy)->min_tier("lantu-auto"), Tier::P3);
  EXPECT_EQ((*policy)->lifecycle().resolve_after_ms, 15 * kMin);
}

TEST(Policy, ErrorsNameFileLineColumnAndClosestKey) {
  auto policy = parse_policy(
      "lifecycle:\n  resolve_afer: 10m\ndetectors:\n  negative_ratio:\n    window: soon\n    tiers:\n      P4: {share: 1}\n"
      "  negative_spike: {}\n  crisis_term_burst:\n    categories: [safty]\n",
      "rules/alerts.yaml");
  ASSERT_FALSE(policy.ok());
  const auto& e = policy.error();
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0], "rules/alerts.yaml:2:3: unknown key 'resolve_afer' in lifecycle (did you mean 'resolve_after'?)");
  EXPECT_EQ(e[1], "rules/alerts.yaml:5:13: detectors.negative_ratio.window must be a duration such as 500ms, 30s, 10m, 1h or 7d");
  EXPECT_EQ(e[2], "rules/alerts.yaml:7:7: unknown key 'P4' in detectors.negative_ratio.tiers (did you mean 'P1'?)");
  EXPECT_NE(e[3].find(":8:3: unknown key 'negative_spike' in detectors"), std::string::npos) << e[3];
  EXPECT_NE(e[4].find(":10:18: unknown crisis category 'safty'"), std::string::npos) << e[4];
}

TEST(Policy, DurationsParse) {
  EXPECT_EQ(parse_duration_ms("30s"), 30'000);
  EXPECT_EQ(parse_duration_ms("10m"), 600'000);
  EXPECT_EQ(parse_duration_ms("7d"), 7 * 86'400'000LL);
  EXPECT_EQ(parse_duration_ms("500ms"), 500);
  EXPECT_FALSE(parse_duration_ms("ms"));
  EXPECT_FALSE(parse_duration_ms("5xms"));
  EXPECT_FALSE(parse_duration_ms("10"));
  EXPECT_FALSE(parse_duration_ms("m"));
  EXPECT_FALSE(parse_duration_ms("-5m"));
}

}  // namespace
}  // namespace yuqing::alert
