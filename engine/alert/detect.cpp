#include "engine/alert/detect.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace yuqing::alert {
namespace {

// The highest tier whose thresholds all hold for `metrics` (name -> observed value).
template <class Metrics>
std::optional<Tier> pick_tier(const DetectorPolicy& p, const Metrics& metrics) {
  for (int t = 0; t < kTierCount; ++t) {
    const auto& thresholds = p.tiers[t];
    if (thresholds.empty()) continue;
    bool all = true;
    for (const auto& [name, threshold] : thresholds) {
      auto it = std::find_if(metrics.begin(), metrics.end(), [&](const auto& m) { return m.first == name; });
      if (it == metrics.end() || it->second < threshold) {
        all = false;
        break;
      }
    }
    if (all) return static_cast<Tier>(t);
  }
  return std::nullopt;
}

// The P3 and P1 thresholds of one metric (falling back to the tiers that define it).
std::pair<double, double> span(const DetectorPolicy& p, std::string_view metric) {
  double lo = 0, hi = 0;
  bool have_lo = false;
  for (int t = kTierCount - 1; t >= 0; --t) {
    auto it = p.tiers[t].find(metric);
    if (it == p.tiers[t].end()) continue;
    if (!have_lo) {
      lo = it->second;
      have_lo = true;
    }
    hi = it->second;
  }
  if (hi <= lo) hi = lo * 2 + 1;
  return {lo, hi};
}

using Metrics = std::vector<std::pair<std::string_view, double>>;

std::optional<Signal> finish(const DetectorPolicy& p, Detector d, const Metrics& m, std::string_view primary,
                             double value) {
  if (!p.enabled) return std::nullopt;
  auto tier = pick_tier(p, m);
  if (!tier) return std::nullopt;
  Signal s;
  s.detector = d;
  s.tier = *tier;
  const auto [lo, hi] = span(p, primary);
  s.severity = severity(value, lo, hi);
  s.value = value;
  s.window_ms = p.window_ms;
  return s;
}

std::string window_words(std::int64_t ms, std::string_view lang) {
  const bool zh = lang == "zh";
  if (ms % 86'400'000 == 0) {
    const auto n = ms / 86'400'000;
    return zh ? fmt::format("{} 天", n) : fmt::format("{} day{}", n, n == 1 ? "" : "s");
  }
  if (ms % 3'600'000 == 0) {
    const auto n = ms / 3'600'000;
    return zh ? fmt::format("{} 小时", n) : fmt::format("{} hour{}", n, n == 1 ? "" : "s");
  }
  const auto n = ms / 60'000;
  return zh ? fmt::format("{} 分钟", n) : fmt::format("{} minute{}", n, n == 1 ? "" : "s");
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

}  // namespace

int severity(double value, double p3_threshold, double p1_threshold) {
  if (p1_threshold <= p3_threshold) return value >= p3_threshold ? 5 : 1;
  const double x = (value - p3_threshold) / (p1_threshold - p3_threshold);  // 0 at P3, 1 at P1
  const double s = 2 + 5 * x;                                                 // 2 at P3, 7 at P1, 10 at 1.6x
  return static_cast<int>(std::clamp(std::floor(s), 1.0, 10.0));
}

std::optional<Signal> evaluate_negative_volume_spike(const DetectorPolicy& p, const WindowStats& now,
                                                     const Baseline& negatives) {
  if (!negatives.sufficient || now.negative < p.min_count) return std::nullopt;
  const double expected = std::max(negatives.mean, 1.0);
  // Counts are roughly Poisson: never trust a spread smaller than sqrt(expected).
  const double spread = std::max(negatives.stddev, std::sqrt(expected));
  const double ratio = now.negative / expected;
  const double z = (now.negative - negatives.mean) / spread;
  auto s = finish(p, Detector::negative_volume_spike, {{"ratio", ratio}, {"z", z}}, "ratio", ratio);
  if (!s) return s;
  s->value = now.negative;
  s->baseline = negatives.mean;
  s->ratio = ratio;
  s->z_score = z;
  s->count = now.negative;
  return s;
}

std::optional<Signal> evaluate_negative_ratio(const DetectorPolicy& p, const WindowStats& now) {
  if (now.mentions < p.min_count || now.mentions <= 0) return std::nullopt;
  const double share = now.negative_share();
  auto s = finish(p, Detector::negative_ratio, {{"share", share}}, "share", share);
  if (s) s->count = now.mentions;
  return s;
}

std::optional<Signal> evaluate_sentiment_drop(const DetectorPolicy& p, const WindowStats& now, const WindowStats& previous) {
  if (now.mentions < p.min_count || previous.mentions < p.min_count || now.mentions <= 0) return std::nullopt;
  const double drop = previous.mean_sentiment() - now.mean_sentiment();
  auto s = finish(p, Detector::sentiment_drop, {{"drop", drop}}, "drop", drop);
  if (!s) return s;
  s->baseline = previous.mean_sentiment();
  s->value = now.mean_sentiment();
  s->ratio = drop;
  s->count = now.mentions;
  return s;
}

std::optional<Signal> evaluate_crisis_term_burst(const DetectorPolicy& p, const WindowStats& now) {
  const auto mask = static_cast<std::uint32_t>(p.param("categories", 63));
  double count = 0;
  std::uint32_t involved = 0;
  for (std::size_t c = 0; c < now.crisis.size(); ++c) {
    if (!(mask & (1u << c)) || now.crisis[c] <= 0) continue;
    count += now.crisis[c];
    involved |= 1u << c;
  }
  if (count < p.min_count) return std::nullopt;
  const double share = now.mentions > 0 ? count / now.mentions : 0;
  auto s = finish(p, Detector::crisis_term_burst, {{"count", count}, {"share", share}}, "count", count);
  if (!s) return s;
  s->count = count;
  s->crisis_mask = involved;
  return s;
}

std::optional<Signal> evaluate_share_of_voice_swing(const DetectorPolicy& p, double share_now, double share_before,
                                                    double total_mentions) {
  if (total_mentions < p.min_count) return std::nullopt;
  const double swing = std::fabs(share_now - share_before);
  auto s = finish(p, Detector::share_of_voice_swing, {{"swing", swing}}, "swing", swing);
  if (!s) return s;
  s->value = share_now;
  s->baseline = share_before;
  s->ratio = share_now - share_before;
  s->count = total_mentions;
  return s;
}

std::optional<Signal> evaluate_story_velocity(const DetectorPolicy& p, double reposts, double negative_share) {
  if (reposts < p.min_count || negative_share < p.param("min_negative_share", 0.4)) return std::nullopt;
  auto s = finish(p, Detector::story_velocity, {{"reposts", reposts}}, "reposts", reposts);
  if (s) s->count = reposts;
  return s;
}

std::optional<Signal> evaluate_influencer_negative(const DetectorPolicy& p, std::int64_t followers, bool verified,
                                                   bool has_crisis_term) {
  if (!p.enabled) return std::nullopt;
  if (p.param("require_crisis_term", 0) != 0 && !has_crisis_term) return std::nullopt;
  const auto f = static_cast<double>(followers);
  // Called for every negative mention: leave before building anything when no tier can hold.
  double lowest = std::numeric_limits<double>::infinity();
  for (const auto& tier : p.tiers) {
    if (auto it = tier.find("followers"); it != tier.end()) lowest = std::min(lowest, it->second);
  }
  const bool verified_counts = verified && p.param("verified_counts", 1) != 0;
  if (f < lowest && !verified_counts) return std::nullopt;
  auto s = finish(p, Detector::influencer_negative, {{"followers", f}, {"crisis", has_crisis_term ? 1.0 : 0.0}},
                  "followers", f);
  if (!s && verified_counts) {
    // A verified account below the follower thresholds still deserves a notice.
    s = Signal{};
    s->detector = Detector::influencer_negative;
    s->tier = Tier::P3;
    s->severity = 2;
    s->value = f;
    s->window_ms = p.window_ms;
  }
  if (s) s->count = 1;
  return s;
}

std::string_view change_name(Change c) {
  static constexpr std::array<std::string_view, 4> kNames = {"opened", "escalated", "updated", "resolved"};
  return kNames[static_cast<std::size_t>(c)];
}

std::string IncidentTracker::key(std::string_view brand, Detector d) {
  return std::string(brand) + '\x1f' + std::string(detector_name(d));
}

Tier top_tier(const DetectorPolicy& p) {
  for (int t = 0; t < kTierCount; ++t) {
    if (!p.tiers[static_cast<std::size_t>(t)].empty()) return static_cast<Tier>(t);
  }
  return Tier::P3;
}

std::optional<IncidentChange> IncidentTracker::observe(const std::string& brand, Detector d,
                                                       const std::optional<Signal>& signal, std::int64_t now_ms,
                                                       const Lifecycle& lc, Tier min_tier, Tier top) {
  const auto k = key(brand, d);
  auto it = incidents_.find(k);
  // A tier the brand does not want (below min_tier) is treated as no signal.
  const bool holds = signal && static_cast<int>(signal->tier) <= static_cast<int>(min_tier);
  if (it == incidents_.end() || !it->second.firing) {
    if (!holds) return std::nullopt;
    // The cooldown keeps a flapping condition from paging again, not a worse one: a signal
    // above the resolved incident's tier opens a new incident at once.
    if (it != incidents_.end() && now_ms < it->second.cooldown_until_ms &&
        static_cast<int>(signal->tier) >= static_cast<int>(it->second.tier)) {
      return std::nullopt;
    }
    Incident inc;
    const std::int64_t minute = now_ms - (now_ms % 60'000 + 60'000) % 60'000;
    inc.id = brand + ":" + std::string(detector_name(d)) + ":" + std::to_string(minute);
    inc.brand = brand;
    inc.detector = d;
    inc.tier = signal->tier;
    inc.severity = signal->severity;
    inc.firing = true;
    inc.started_ms = inc.updated_ms = inc.last_true_ms = inc.tier_since_ms = now_ms;
    inc.last = *signal;
    incidents_[k] = inc;
    dirty_.push_back(k);
    return IncidentChange{Change::opened, inc};
  }
  Incident& inc = it->second;
  if (holds) {
    inc.last_true_ms = now_ms;
    inc.last = *signal;
    const bool higher = static_cast<int>(signal->tier) < static_cast<int>(inc.tier);
    // Persistence escalates window conditions; a string of separate influencer posts at the
    // same tier is not a worsening by itself.
    const bool persisted = !inc.acked && static_cast<int>(inc.tier) > static_cast<int>(top) && signal->tier == inc.tier &&
                           d != Detector::influencer_negative && now_ms - inc.tier_since_ms >= lc.escalate_after_ms;
    if (higher || persisted) {
      inc.tier = higher ? signal->tier : static_cast<Tier>(static_cast<int>(inc.tier) - 1);
      inc.tier_since_ms = now_ms;
      inc.severity = std::max(inc.severity, signal->severity);
      inc.updated_ms = now_ms;
      dirty_.push_back(k);
      return IncidentChange{Change::escalated, inc};
    }
    if (signal->severity > inc.severity) {
      inc.severity = signal->severity;
      inc.updated_ms = now_ms;
      dirty_.push_back(k);
      return IncidentChange{Change::updated, inc};
    }
    dirty_.push_back(k);  // last_true moved: persist so resolve timing survives a restart
    return std::nullopt;
  }
  if (now_ms - inc.last_true_ms >= lc.resolve_after_ms) {
    inc.firing = false;
    inc.resolved_ms = inc.updated_ms = now_ms;
    inc.cooldown_until_ms = now_ms + lc.cooldown_ms;
    dirty_.push_back(k);
    return IncidentChange{Change::resolved, inc};
  }
  return std::nullopt;
}

bool IncidentTracker::acknowledge(std::string_view id, std::string_view by) {
  for (auto& [k, inc] : incidents_) {
    if (inc.id == id && inc.firing) {
      inc.acked = true;
      inc.acked_by = by;
      dirty_.push_back(k);
      return true;
    }
  }
  return false;
}

std::vector<const Incident*> IncidentTracker::take_dirty() {
  std::sort(dirty_.begin(), dirty_.end());
  dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
  std::vector<const Incident*> out;
  for (const auto& k : dirty_) out.push_back(&incidents_.at(k));
  dirty_.clear();
  return out;
}

void IncidentTracker::restore(Incident incident) {
  const auto k = key(incident.brand, incident.detector);
  incidents_[k] = std::move(incident);
}

// Encoding: fields separated by '\x1f', numbers in decimal; ids and brand ids never contain it.
std::string Incident::encode() const {
  return fmt::format("1\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}"
                     "\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}",
                     id, brand, static_cast<int>(detector), static_cast<int>(tier), severity, firing ? 1 : 0,
                     acked ? 1 : 0, acked_by, started_ms, updated_ms, resolved_ms, last_true_ms, tier_since_ms,
                     cooldown_until_ms, static_cast<int>(last.tier), last.severity, last.value, last.baseline,
                     last.ratio, last.z_score, last.count, last.window_ms, last.crisis_mask);
}

std::optional<Incident> Incident::decode(std::string_view bytes) {
  std::vector<std::string_view> f;
  while (true) {
    auto pos = bytes.find('\x1f');
    f.push_back(bytes.substr(0, pos));
    if (pos == std::string_view::npos) break;
    bytes.remove_prefix(pos + 1);
  }
  if (f.size() != 24 || f[0] != "1") return std::nullopt;
  auto i64 = [](std::string_view s) {
    std::int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  };
  auto dbl = [](std::string_view s) {
    double v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  };
  Incident inc;
  inc.id = f[1];
  inc.brand = f[2];
  const auto det = i64(f[3]);
  const auto tier = i64(f[4]);
  if (det < 0 || det >= kDetectorCount || tier < 0 || tier >= kTierCount) return std::nullopt;
  inc.detector = static_cast<Detector>(det);
  inc.tier = static_cast<Tier>(tier);
  inc.severity = static_cast<int>(i64(f[5]));
  inc.firing = f[6] == "1";
  inc.acked = f[7] == "1";
  inc.acked_by = f[8];
  inc.started_ms = i64(f[9]);
  inc.updated_ms = i64(f[10]);
  inc.resolved_ms = i64(f[11]);
  inc.last_true_ms = i64(f[12]);
  inc.tier_since_ms = i64(f[13]);
  inc.cooldown_until_ms = i64(f[14]);
  inc.last.detector = inc.detector;
  inc.last.tier = static_cast<Tier>(std::clamp<std::int64_t>(i64(f[15]), 0, 2));
  inc.last.severity = static_cast<int>(i64(f[16]));
  inc.last.value = dbl(f[17]);
  inc.last.baseline = dbl(f[18]);
  inc.last.ratio = dbl(f[19]);
  inc.last.z_score = dbl(f[20]);
  inc.last.count = dbl(f[21]);
  inc.last.window_ms = i64(f[22]);
  inc.last.crisis_mask = static_cast<std::uint32_t>(i64(f[23]));
  return inc;
}

std::string reason_text(const Signal& s, std::string_view lang, const std::vector<std::string>& terms) {
  const bool zh = lang == "zh";
  const auto w = window_words(s.window_ms, lang);
  std::string out;
  switch (s.detector) {
    case Detector::negative_volume_spike:
      out = zh ? fmt::format("负面声量 {} 内升至基线的 {:.1f} 倍（{:.0f} 条）", w, s.ratio, s.value)
               : fmt::format("Negative mentions rose to {:.1f}x the baseline in {} ({:.0f} mentions)", s.ratio, w, s.value);
      break;
    case Detector::negative_ratio:
      out = zh ? fmt::format("{} 内负面占比 {:.0f}%（共 {:.0f} 条）", w, s.value * 100, s.count)
               : fmt::format("{:.0f}% of {:.0f} mentions in the last {} are negative", s.value * 100, s.count, w);
      break;
    case Detector::sentiment_drop:
      out = zh ? fmt::format("平均情感 {} 内由 {:.2f} 降至 {:.2f}", w, s.baseline, s.value)
               : fmt::format("Average sentiment fell from {:.2f} to {:.2f} over {}", s.baseline, s.value, w);
      break;
    case Detector::influencer_negative:
      out = zh ? fmt::format("高影响力账号（粉丝 {:.0f}）发布负面内容", s.value)
               : fmt::format("A negative post by an account with {:.0f} followers", s.value);
      break;
    case Detector::crisis_term_burst:
      out = zh ? fmt::format("{} 内 {:.0f} 条提及含危机词", w, s.count)
               : fmt::format("{:.0f} mentions with crisis terms in {}", s.count, w);
      break;
    case Detector::share_of_voice_swing:
      out = zh ? fmt::format("声量份额 {} 内由 {:.0f}% 变为 {:.0f}%", w, s.baseline * 100, s.value * 100)
               : fmt::format("Share of voice moved from {:.0f}% to {:.0f}% within {}", s.baseline * 100, s.value * 100, w);
      break;
    case Detector::story_velocity:
      // The store counts reposts and near-copies of all the brand's stories (mentions minus
      // unique stories), not of one story: the words say so.
      out = zh ? fmt::format("{} 内出现 {:.0f} 条转发或近似重复内容", w, s.count)
               : fmt::format("{:.0f} reposts and near-copies in {}", s.count, w);
      break;
  }
  if (!terms.empty()) out += zh ? "，主要涉及：" + join(terms, "、") : "; mainly about: " + join(terms, ", ");
  return out;
}

}  // namespace yuqing::alert
