#pragma once
// Alert policy (rules/alerts.yaml): which detectors run, their windows, minimum volumes and
// per-tier thresholds, lifecycle timings, and per-brand overrides. Validated like the rules:
// every error at once as FILE:LINE:COL, unknown keys with the closest valid key. Immutable
// once loaded; hot-reloaded with the rules.

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/alert/alert.h"  // Tier, Detector and their names
#include "engine/base/result.h"

namespace yuqing::alert {

// Crisis categories, in the order of the crisis bit mask.
inline constexpr std::array<std::string_view, 6> kCrisisCategories = {"safety", "quality", "legal",
                                                                       "service", "reputation", "privacy"};

// One detector's settings after defaults and brand overrides are applied.
struct DetectorPolicy {
  bool enabled = true;
  std::int64_t window_ms = 10 * 60'000;
  double min_count = 0;  // minimum volume in the window before the detector may fire
  // Named parameters (e.g. min_followers, require_crisis_term, categories bit mask).
  std::map<std::string, double, std::less<>> params;
  // Thresholds per tier (P1, P2, P3); a tier without thresholds is not raised by this detector.
  std::array<std::map<std::string, double, std::less<>>, kTierCount> tiers;

  double param(std::string_view name, double fallback) const;
};

struct Lifecycle {
  std::int64_t resolve_after_ms = 15 * 60'000;   // condition clear this long (event time) -> resolved
  std::int64_t cooldown_ms = 30 * 60'000;        // after resolving, no new incident for the same (brand, detector)
  std::int64_t escalate_after_ms = 10 * 60'000;  // a P3/P2 that persists this long goes up one tier
  // Window detectors run at every minute boundary of event time, and in between at the
  // current watermark once this much wall time has passed since the last run: live streams
  // are judged within about this delay, replays (where minutes pass in milliseconds) add
  // little. A run costs ~0.5 ms per brand (bench_alert); the interval stretches to 10x the
  // last run's cost, so these runs never take more than ~10 % of the worker.
  std::int64_t evaluate_every_ms = 500;
};

class Policy {
 public:
  // The effective policy of one detector for a brand (overrides applied).
  const DetectorPolicy& detector(std::string_view brand, Detector d) const;
  const Lifecycle& lifecycle() const { return lifecycle_; }
  // Lowest tier a brand allows to fire at all ("min_tier: P2" silences P3 for that brand).
  Tier min_tier(std::string_view brand) const;

  // Built-in defaults (what rules/alerts.yaml ships with).
  static std::shared_ptr<const Policy> defaults();

 private:
  friend Result<std::shared_ptr<const Policy>, std::vector<std::string>> load_policy(const std::filesystem::path&);
  friend Result<std::shared_ptr<const Policy>, std::vector<std::string>> parse_policy(std::string_view, const std::string&);
  std::array<DetectorPolicy, kDetectorCount> base_;
  std::map<std::string, std::array<DetectorPolicy, kDetectorCount>, std::less<>> brands_;
  std::map<std::string, Tier, std::less<>> min_tier_;
  Lifecycle lifecycle_;
};

// Loads rules/alerts.yaml; a missing file gives the built-in defaults.
Result<std::shared_ptr<const Policy>, std::vector<std::string>> load_policy(const std::filesystem::path& file);
// Parses policy YAML text; `file` names it in errors.
Result<std::shared_ptr<const Policy>, std::vector<std::string>> parse_policy(std::string_view yaml,
                                                                             const std::string& file);

// "10m", "1h", "30s", "7d" -> milliseconds; nullopt when malformed.
std::optional<std::int64_t> parse_duration_ms(std::string_view s);

}  // namespace yuqing::alert
