// Fuzz target: the alert policy YAML (rules/alerts.yaml, engine/alert/policy.h) through
// parse_policy. A policy that loads is queried like the evaluator does (every detector for a
// brand with and without overrides, min_tier, lifecycle) and its durations must be sane.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/alert/detect.h"
#include "engine/alert/policy.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yuqing;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = alert::parse_policy(text, "alerts.yaml");
  if (!policy) {
    FUZZ_CHECK(!policy.error().empty());
    for (const auto& e : policy.error()) FUZZ_CHECK(!e.empty());
    return 0;
  }
  const alert::Policy& p = **policy;
  for (const char* brand : {"lantu-auto", "acme", ""}) {
    (void)p.min_tier(brand);
    for (int d = 0; d < alert::kDetectorCount; ++d) {
      const auto& dp = p.detector(brand, static_cast<alert::Detector>(d));
      (void)dp.param("min_followers", 0);
      // Feed the detectors a window so thresholds of any shape are exercised.
      alert::WindowStats w;
      w.mentions = 100;
      w.negative = 80;
      w.sentiment_sum = -50;
      w.crisis[0] = 20;
      alert::Baseline b{true, 10, 3};
      (void)alert::evaluate_negative_volume_spike(dp, w, b);
      (void)alert::evaluate_negative_ratio(dp, w);
      (void)alert::evaluate_sentiment_drop(dp, w, alert::WindowStats{});
      (void)alert::evaluate_crisis_term_burst(dp, w);
      (void)alert::evaluate_share_of_voice_swing(dp, 0.9, 0.2, 100);
      (void)alert::evaluate_story_velocity(dp, 500, 0.9);
      (void)alert::evaluate_influencer_negative(dp, 5'000'000, true, true);
    }
  }
  const auto& lc = p.lifecycle();
  FUZZ_CHECK(lc.resolve_after_ms >= 0 && lc.cooldown_ms >= 0 && lc.escalate_after_ms >= 0);
  return 0;
}
