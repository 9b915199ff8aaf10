#include "engine/alert/evaluator.h"

namespace yuqing::alert {

std::vector<IncidentChange> Evaluator::evaluate(const std::vector<BrandRef>& brands, const Policy& policy,
                                                const WindowReader& windows, std::int64_t now_ms) {
  std::vector<IncidentChange> changes;
  const auto& lc = policy.lifecycle();
  for (const auto& brand : brands) {
    const Tier min_tier = policy.min_tier(brand.id);
    auto feed = [&](Detector d, const std::optional<Signal>& s) {
      const Tier top = top_tier(policy.detector(brand.id, d));
      if (auto c = tracker_.observe(brand.id, d, s, now_ms, lc, min_tier, top)) changes.push_back(std::move(*c));
    };
    auto window_of = [&](Detector d) -> const DetectorPolicy& { return policy.detector(brand.id, d); };

    if (const auto& p = window_of(Detector::negative_volume_spike); p.enabled) {
      const auto now = windows.stats(brand.id, now_ms - p.window_ms, now_ms);
      feed(Detector::negative_volume_spike,
           evaluate_negative_volume_spike(p, now, windows.negative_baseline(brand.id, p.window_ms, now_ms)));
    }
    if (const auto& p = window_of(Detector::negative_ratio); p.enabled) {
      feed(Detector::negative_ratio, evaluate_negative_ratio(p, windows.stats(brand.id, now_ms - p.window_ms, now_ms)));
    }
    if (const auto& p = window_of(Detector::sentiment_drop); p.enabled) {
      const auto now = windows.stats(brand.id, now_ms - p.window_ms, now_ms);
      const auto before = windows.stats(brand.id, now_ms - 2 * p.window_ms, now_ms - p.window_ms);
      feed(Detector::sentiment_drop, evaluate_sentiment_drop(p, now, before));
    }
    if (const auto& p = window_of(Detector::crisis_term_burst); p.enabled) {
      feed(Detector::crisis_term_burst,
           evaluate_crisis_term_burst(p, windows.stats(brand.id, now_ms - p.window_ms, now_ms)));
    }
    if (const auto& p = window_of(Detector::share_of_voice_swing); p.enabled && !brand.competitors.empty()) {
      // Share of voice among the brand and its competitors, now and one window before.
      double own_now = 0, all_now = 0, own_before = 0, all_before = 0;
      auto add = [&](std::string_view id, bool own) {
        const double n = windows.stats(id, now_ms - p.window_ms, now_ms).mentions;
        const double b = windows.stats(id, now_ms - 2 * p.window_ms, now_ms - p.window_ms).mentions;
        all_now += n;
        all_before += b;
        if (own) {
          own_now = n;
          own_before = b;
        }
      };
      add(brand.id, true);
      for (const auto& c : brand.competitors) add(c, false);
      std::optional<Signal> s;
      if (all_now > 0 && all_before > 0) {
        s = evaluate_share_of_voice_swing(p, own_now / all_now, own_before / all_before, std::min(all_now, all_before));
      }
      feed(Detector::share_of_voice_swing, s);
    }
    if (const auto& p = window_of(Detector::story_velocity); p.enabled) {
      const auto now = windows.stats(brand.id, now_ms - p.window_ms, now_ms);
      feed(Detector::story_velocity,
           evaluate_story_velocity(p, windows.max_story_reposts(brand.id, now_ms - p.window_ms, now_ms),
                                   now.negative_share()));
    }
  }
  auto influencer = tick_influencers(brands, policy, now_ms);
  changes.insert(changes.end(), influencer.begin(), influencer.end());
  return changes;
}

std::optional<IncidentChange> Evaluator::on_negative_mention(const std::string& brand, std::int64_t followers,
                                                             bool verified, std::uint32_t crisis_mask, const Policy& policy,
                                                             std::int64_t now_ms) {
  const auto& p = policy.detector(brand, Detector::influencer_negative);
  const auto categories = static_cast<std::uint32_t>(p.param("categories", 55));
  auto s = evaluate_influencer_negative(p, followers, verified, (crisis_mask & categories) != 0);
  if (!s) return std::nullopt;  // an ordinary negative mention says nothing about the incident
  return tracker_.observe(brand, Detector::influencer_negative, s, now_ms, policy.lifecycle(), policy.min_tier(brand),
                          top_tier(p));
}

std::vector<IncidentChange> Evaluator::tick_influencers(const std::vector<BrandRef>& brands, const Policy& policy,
                                                        std::int64_t now_ms) {
  std::vector<IncidentChange> changes;
  for (const auto& brand : brands) {
    const auto& incidents = tracker_.incidents();
    auto it = incidents.find(IncidentTracker::key(brand.id, Detector::influencer_negative));
    if (it == incidents.end() || !it->second.firing) continue;
    if (auto c = tracker_.observe(brand.id, Detector::influencer_negative, std::nullopt, now_ms, policy.lifecycle(),
                                  policy.min_tier(brand.id))) {
      changes.push_back(std::move(*c));
    }
  }
  return changes;
}

}  // namespace yuqing::alert
