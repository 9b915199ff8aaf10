#pragma once
// Evaluator: runs the window detectors for every brand when event time crosses a minute, and
// the per-mention influencer detector, feeding an IncidentTracker. It reads windows through
// the small WindowReader interface, so it is tested with a fake store and works the same on
// replayed data.
//
// Threading: used from the pipeline worker thread only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/alert/alert.h"
#include "engine/alert/detect.h"
#include "engine/alert/policy.h"

namespace yuqing::alert {

class WindowReader {
 public:
  virtual ~WindowReader() = default;
  // Counts of one brand over [from_ms, to_ms) in event time.
  virtual WindowStats stats(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const = 0;
  // Expected negative mentions in a window of `window_ms` ending at end_ms (seasonal or EWMA).
  virtual Baseline negative_baseline(std::string_view brand, std::int64_t window_ms, std::int64_t end_ms) const = 0;
  // Reposts and near-copies of the brand's fastest story within [from_ms, to_ms).
  virtual double max_story_reposts(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const = 0;
  // The brand's negative mentions with the widest reach since `since_ms` (committed state),
  // best first, for the alert's evidence. Default: none (readers without mention storage).
  virtual std::vector<TopMention> top_negative(std::string_view /*brand*/, std::int64_t /*since_ms*/,
                                               std::size_t /*limit*/) const {
    return {};
  }
  // The brand's aspects over [from_ms, to_ms) with their net sentiment (mentions touching the
  // aspect without a negative clause minus with one, over all of them), most negative first.
  virtual std::vector<AspectScore> aspects(std::string_view /*brand*/, std::int64_t /*from_ms*/,
                                           std::int64_t /*to_ms*/) const {
    return {};
  }
};

struct BrandRef {
  std::string id;
  std::string lang;  // "zh" or "en"
  std::vector<std::string> competitors;
};

class Evaluator {
 public:
  // Runs every enabled window detector for every brand at event time now_ms.
  std::vector<IncidentChange> evaluate(const std::vector<BrandRef>& brands, const Policy& policy,
                                       const WindowReader& windows, std::int64_t now_ms);
  // A negative mention of `brand` by an author with `followers`; crisis_mask: its crisis
  // categories (only the detector's `categories` count as a crisis term).
  std::optional<IncidentChange> on_negative_mention(const std::string& brand, std::int64_t followers, bool verified,
                                                    std::uint32_t crisis_mask, const Policy& policy, std::int64_t now_ms);
  // Gives influencer incidents their chance to resolve when no new negative post arrives.
  std::vector<IncidentChange> tick_influencers(const std::vector<BrandRef>& brands, const Policy& policy,
                                               std::int64_t now_ms);

  IncidentTracker& tracker() { return tracker_; }

 private:
  IncidentTracker tracker_;
};

}  // namespace yuqing::alert
