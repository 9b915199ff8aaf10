#pragma once
// Detectors and the alert lifecycle, as pure logic over window statistics: no storage, no
// clock of their own (event time comes in), so they are tested with synthetic numbers and a
// fake clock, and a replay of last year's mentions behaves exactly like live data.
//
// evaluate_*() turn window statistics into a Signal (the highest tier whose thresholds all
// hold, with a severity 1-10), or nothing. IncidentTracker keeps one incident per
// (brand, detector): it opens, escalates, resolves and cools down, and reports each change
// that needs a notification. Its state serializes to bytes for the state store, so an
// incident keeps its id across restarts.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/alert/policy.h"

namespace yuqing::alert {

// Counts over one window of one brand (from the window store).
struct WindowStats {
  double mentions = 0;
  double negative = 0;
  double sentiment_sum = 0;
  std::array<double, kCrisisCategories.size()> crisis{};  // mentions carrying crisis terms, by category
  double mean_sentiment() const { return mentions > 0 ? sentiment_sum / mentions : 0; }
  double negative_share() const { return mentions > 0 ? negative / mentions : 0; }
};

// Expected value of a metric for a window, from history.
struct Baseline {
  bool sufficient = false;  // false = "insufficient history": volume detectors stay quiet
  double mean = 0;
  double stddev = 0;
};

struct Signal {
  Detector detector = Detector::negative_volume_spike;
  Tier tier = Tier::P3;
  int severity = 1;  // 1..10: how far past the P3 threshold
  // What the reason text and the alert's metrics show.
  double value = 0;     // the observed figure (count, share, drop, followers, reposts)
  double baseline = 0;  // expected figure where there is one
  double ratio = 0;     // value / baseline
  double z_score = 0;
  double count = 0;     // the volume behind it
  std::int64_t window_ms = 0;
  std::uint32_t crisis_mask = 0;  // categories involved (crisis_term_burst)
};

std::optional<Signal> evaluate_negative_volume_spike(const DetectorPolicy& p, const WindowStats& now, const Baseline& negatives);
std::optional<Signal> evaluate_negative_ratio(const DetectorPolicy& p, const WindowStats& now);
std::optional<Signal> evaluate_sentiment_drop(const DetectorPolicy& p, const WindowStats& now, const WindowStats& previous);
std::optional<Signal> evaluate_crisis_term_burst(const DetectorPolicy& p, const WindowStats& now);
// share: the brand's share of voice among itself and its competitors now and one window before.
std::optional<Signal> evaluate_share_of_voice_swing(const DetectorPolicy& p, double share_now, double share_before,
                                                    double total_mentions);
// reposts: the fastest story's reposts and near-duplicates within the window; negative_share:
// the brand's share of negative mentions in it (a viral launch is not a crisis: below the
// policy's min_negative_share the detector stays quiet).
std::optional<Signal> evaluate_story_velocity(const DetectorPolicy& p, double reposts, double negative_share);
// One negative mention by an author with `followers` (verified or not), with or without crisis terms.
std::optional<Signal> evaluate_influencer_negative(const DetectorPolicy& p, std::int64_t followers, bool verified,
                                                   bool has_crisis_term);

// Maps `value` against the P3 and P1 thresholds to 1..10 (P3 threshold -> 2, P1 -> 7, twice
// P1's distance -> 10). Thresholds of "lower is worse" metrics are passed negated.
int severity(double value, double p3_threshold, double p1_threshold);

// The highest tier a detector's policy has thresholds for (P3 when it defines none).
Tier top_tier(const DetectorPolicy& p);

enum class Change : std::uint8_t { opened, escalated, updated, resolved };
std::string_view change_name(Change c);

struct Incident {
  std::string id;  // <brand>:<detector>:<event ms of the minute it opened> — stable across restarts
  std::string brand;
  Detector detector = Detector::negative_volume_spike;
  Tier tier = Tier::P3;
  int severity = 1;
  bool firing = false;
  bool acked = false;
  std::string acked_by;
  std::int64_t started_ms = 0, updated_ms = 0, resolved_ms = 0;  // event time
  std::int64_t last_true_ms = 0;     // last time the condition held
  std::int64_t tier_since_ms = 0;    // when the current tier was reached
  std::int64_t cooldown_until_ms = 0;
  Signal last;                       // the latest signal (metrics for the alert body)

  std::string encode() const;
  static std::optional<Incident> decode(std::string_view bytes);
};

struct IncidentChange {
  Change change;
  Incident incident;  // after the change
};

class IncidentTracker {
 public:
  // Feeds one evaluation of (brand, detector) at event time now_ms; `signal` is nullopt when the
  // condition does not hold. Returns the change to notify, if any. Lifecycle:
  //  - idle + signal (and not cooling down) -> opened;
  //  - firing + higher tier -> escalated; firing at P3/P2 for escalate_after while still
  //    signalling at that tier -> escalated one tier, unless acknowledged, and never past
  //    top_tier (the highest tier the detector defines: persistence does not invent a P1 for
  //    a detector whose policy has none);
  //  - firing + no signal for resolve_after -> resolved, then cooldown before a new incident
  //    at the same or a lower tier (a worse signal during the cooldown opens one at once).
  std::optional<IncidentChange> observe(const std::string& brand, Detector d, const std::optional<Signal>& signal,
                                        std::int64_t now_ms, const Lifecycle& lifecycle, Tier min_tier = Tier::P3,
                                        Tier top_tier = Tier::P1);

  // Marks the firing incident `id` acknowledged (stops escalation). False if unknown.
  bool acknowledge(std::string_view id, std::string_view by);

  // Incidents whose state changed since the last call (for the state store), cleared by it.
  std::vector<const Incident*> take_dirty();
  // Restores an incident read back from the state store.
  void restore(Incident incident);
  // Forgets every incident (before restoring them again from a state that changed underneath).
  void clear() {
    incidents_.clear();
    dirty_.clear();
  }
  const std::map<std::string, Incident, std::less<>>& incidents() const { return incidents_; }
  static std::string key(std::string_view brand, Detector d);

 private:
  std::map<std::string, Incident, std::less<>> incidents_;  // by key(brand, detector)
  std::vector<std::string> dirty_;
};

// The reason in plain words, in the brand's language ("zh" or "en"). `terms` are the crisis
// terms or aspects involved, already in that language.
std::string reason_text(const Signal& s, std::string_view lang, const std::vector<std::string>& terms = {});

}  // namespace yuqing::alert
