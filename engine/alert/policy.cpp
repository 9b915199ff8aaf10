#include "engine/alert/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <tuple>

#include "engine/base/text.h"

namespace yuqing::alert {
namespace {


// What each detector accepts: its parameters and its per-tier threshold names.
struct DetectorSchema {
  std::vector<std::string> params;      // besides enabled, window, min_count, tiers
  std::vector<std::string> thresholds;  // keys inside tiers.P1 etc.
};

const DetectorSchema& schema(Detector d) {
  static const std::array<DetectorSchema, kDetectorCount> kSchemas = {{
      {{}, {"ratio", "z"}},
      {{}, {"share"}},
      {{}, {"drop"}},
      {{"require_crisis_term", "verified_counts", "categories"}, {"followers", "crisis"}},
      {{"categories"}, {"count", "share"}},
      {{}, {"swing"}},
      {{"min_negative_share"}, {"reposts"}},
  }};
  return kSchemas[static_cast<std::size_t>(d)];
}

DetectorPolicy make(std::int64_t window_min, double min_count,
                    std::array<std::map<std::string, double, std::less<>>, kTierCount> tiers,
                    std::map<std::string, double, std::less<>> params = {}) {
  DetectorPolicy p;
  p.window_ms = window_min * 60'000;
  p.min_count = min_count;
  p.tiers = std::move(tiers);
  p.params = std::move(params);
  return p;
}

// The shipped defaults; rules/alerts.yaml repeats them so ops see what they tune.
std::array<DetectorPolicy, kDetectorCount> default_detectors() {
  return {
      make(10, 15, {{{{"ratio", 5}, {"z", 5}}, {{"ratio", 3}, {"z", 3}}, {{"ratio", 2}, {"z", 2}}}}),
      make(30, 30, {{{{"share", 0.8}}, {{"share", 0.7}}, {{"share", 0.55}}}}),
      make(30, 30, {{{}, {{"drop", 0.5}}, {{"drop", 0.3}}}}),
      // P1/P2 need a crisis term as well: big accounts grumble every day.
      make(1, 0, {{{{"followers", 10'000'000}, {"crisis", 1}}, {{"followers", 5'000'000}, {"crisis", 1}},
                   {{"followers", 1'000'000}}}},
           {{"require_crisis_term", 0}, {"verified_counts", 0}, {"categories", 35}}),  // safety, quality, privacy
      // Counts and the share of the brand's mentions: a big brand's everyday chatter carries
      // some crisis words too.
      make(10, 0, {{{{"count", 40}, {"share", 0.3}}, {{"count", 25}, {"share", 0.2}}, {{"count", 15}, {"share", 0.12}}}},
           {{"categories", 55}}),  // all but service
      make(60, 50, {{{}, {{"swing", 0.3}}, {{"swing", 0.15}}}}),
      make(10, 0, {{{{"reposts", 500}}, {{"reposts", 300}}, {{"reposts", 150}}}}, {{"min_negative_share", 0.4}}),
  };
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  void error(const YAML::Mark& m, const std::string& msg) {
    errors_.push_back({m.line, m.column,
                       file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " + msg});
  }
  // Every error, in file order.
  std::vector<std::string> errors() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    std::vector<std::string> out;
    for (auto& e : errors_) out.push_back(std::move(e.text));
    return out;
  }

  // Rejects keys outside `allowed`, naming the closest one.
  bool check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, std::string_view where) {
    if (!map.IsMap()) {
      error(map.Mark(), std::string(where) + " must be a mapping");
      return false;
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
      const auto key = it->first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string msg = "unknown key '" + key + "' in " + std::string(where);
      if (auto hint = text::closest(key, allowed); !hint.empty()) msg += " (did you mean '" + hint + "'?)";
      error(it->first.Mark(), msg);
    }
    return true;
  }

  std::optional<double> number(const YAML::Node& n, std::string_view what) {
    if (n.IsScalar()) {
      const auto& s = n.Scalar();
      if (s == "true") return 1.0;
      if (s == "false") return 0.0;
      double v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && p == s.data() + s.size() && v >= 0) return v;
    }
    error(n.Mark(), std::string(what) + " must be a non-negative number");
    return std::nullopt;
  }

  std::optional<std::int64_t> duration(const YAML::Node& n, std::string_view what) {
    if (n.IsScalar()) {
      if (auto ms = parse_duration_ms(n.Scalar()); ms && *ms > 0) return ms;
    }
    error(n.Mark(), std::string(what) + " must be a duration such as 500ms, 30s, 10m, 1h or 7d");
    return std::nullopt;
  }

  void detector(const YAML::Node& node, Detector d, DetectorPolicy& out, const std::string& where) {
    const auto& sch = schema(d);
    std::vector<std::string> allowed = {"enabled", "window", "min_count", "tiers"};
    allowed.insert(allowed.end(), sch.params.begin(), sch.params.end());
    if (!check_keys(node, allowed, where)) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto key = it->first.as<std::string>();
      const YAML::Node v = it->second;  // a copy: it-> is a temporary proxy holding the pair
      if (key == "enabled") {
        if (auto b = number(v, where + ".enabled")) out.enabled = *b != 0;
      } else if (key == "window") {
        if (auto ms = duration(v, where + ".window")) out.window_ms = *ms;
      } else if (key == "min_count") {
        if (auto n = number(v, where + ".min_count")) out.min_count = *n;
      } else if (key == "categories") {
        if (!v.IsSequence()) {
          error(v.Mark(), where + ".categories must be a list such as [safety, legal]");
          continue;
        }
        std::uint32_t mask = 0;
        for (const auto& c : v) {
          const auto name = c.as<std::string>();
          auto pos = std::find(kCrisisCategories.begin(), kCrisisCategories.end(), name);
          if (pos == kCrisisCategories.end()) {
            error(c.Mark(), "unknown crisis category '" + name + "'; expected safety, quality, legal, service, reputation or privacy");
            continue;
          }
          mask |= 1u << (pos - kCrisisCategories.begin());
        }
        out.params["categories"] = mask;
      } else if (key == "tiers") {
        if (!check_keys(v, {"P1", "P2", "P3"}, where + ".tiers")) continue;
        for (auto t = v.begin(); t != v.end(); ++t) {
          const auto tier_key = t->first.as<std::string>();
          if (tier_key != "P1" && tier_key != "P2" && tier_key != "P3") continue;
          const int tier = tier_key[1] - '1';
          const std::string tw = where + ".tiers." + tier_key;
          if (!check_keys(t->second, sch.thresholds, tw)) continue;
          std::map<std::string, double, std::less<>> thresholds;
          for (auto th = t->second.begin(); th != t->second.end(); ++th) {
            if (auto n = number(th->second, tw + "." + th->first.as<std::string>())) {
              thresholds[th->first.as<std::string>()] = *n;
            }
          }
          out.tiers[tier] = std::move(thresholds);
        }
      } else {
        if (auto n = number(v, where + "." + key)) out.params[key] = *n;
      }
    }
  }

  void detectors(const YAML::Node& node, std::array<DetectorPolicy, kDetectorCount>& out, const std::string& where,
                 std::optional<Tier>* min_tier) {
    std::vector<std::string> allowed;
    for (int d = 0; d < kDetectorCount; ++d) allowed.emplace_back(detector_name(static_cast<Detector>(d)));
    if (min_tier) allowed.push_back("min_tier");
    if (!check_keys(node, allowed, where)) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto key = it->first.as<std::string>();
      if (key == "min_tier" && min_tier) {
        const auto v = it->second.IsScalar() ? it->second.Scalar() : "";
        if (v == "P1" || v == "P2" || v == "P3") *min_tier = static_cast<Tier>(v[1] - '1');
        else error(it->second.Mark(), where + ".min_tier must be P1, P2 or P3");
        continue;
      }
      if (auto d = detector_from_name(key)) detector(it->second, *d, out[static_cast<std::size_t>(*d)], where + "." + key);
    }
  }

 private:
  struct Error {
    int line, column;
    std::string text;
  };
  std::string file_;
  std::vector<Error> errors_;
};

}  // namespace

double DetectorPolicy::param(std::string_view name, double fallback) const {
  auto it = params.find(name);
  return it == params.end() ? fallback : it->second;
}

const DetectorPolicy& Policy::detector(std::string_view brand, Detector d) const {
  if (auto it = brands_.find(brand); it != brands_.end()) return it->second[static_cast<std::size_t>(d)];
  return base_[static_cast<std::size_t>(d)];
}

Tier Policy::min_tier(std::string_view brand) const {
  auto it = min_tier_.find(brand);
  return it == min_tier_.end() ? Tier::P3 : it->second;
}

std::shared_ptr<const Policy> Policy::defaults() {
  auto p = std::make_shared<Policy>();
  p->base_ = default_detectors();
  return p;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view s) {
  if (s.size() < 2) return std::nullopt;
  if (s.size() > 2 && s.ends_with("ms")) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size() - 2, n);
    if (ec != std::errc() || p != s.data() + s.size() - 2 || n < 0 || n > 10'000'000'000) return std::nullopt;
    return n;
  }
  std::int64_t unit = 0;
  switch (s.back()) {
    case 's': unit = 1000; break;
    case 'm': unit = 60'000; break;
    case 'h': unit = 3'600'000; break;
    case 'd': unit = 86'400'000; break;
    default: return std::nullopt;
  }
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, n);
  if (ec != std::errc() || p != s.data() + s.size() - 1 || n < 0 || n > 10'000'000) return std::nullopt;
  return n * unit;
}

Result<std::shared_ptr<const Policy>, std::vector<std::string>> parse_policy(std::string_view yaml,
                                                                             const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    return Unexpected{std::vector<std::string>{file + ":" + std::to_string(e.mark.line + 1) + ":" +
                                               std::to_string(e.mark.column + 1) + ": " + e.msg}};
  }
  auto policy = std::make_shared<Policy>();
  policy->base_ = default_detectors();
  if (root.IsNull()) return std::shared_ptr<const Policy>(policy);
  Parser parser(file);
  try {
    if (parser.check_keys(root, {"lifecycle", "detectors", "brands", "sinks"}, "the policy")) {
      if (const auto lc = root["lifecycle"]; lc) {
        if (parser.check_keys(lc, {"resolve_after", "cooldown", "escalate_after", "evaluate_every"}, "lifecycle")) {
          if (lc["evaluate_every"]) policy->lifecycle_.evaluate_every_ms = parser.duration(lc["evaluate_every"], "lifecycle.evaluate_every").value_or(policy->lifecycle_.evaluate_every_ms);
          if (lc["resolve_after"]) policy->lifecycle_.resolve_after_ms = parser.duration(lc["resolve_after"], "lifecycle.resolve_after").value_or(policy->lifecycle_.resolve_after_ms);
          if (lc["cooldown"]) policy->lifecycle_.cooldown_ms = parser.duration(lc["cooldown"], "lifecycle.cooldown").value_or(policy->lifecycle_.cooldown_ms);
          if (lc["escalate_after"]) policy->lifecycle_.escalate_after_ms = parser.duration(lc["escalate_after"], "lifecycle.escalate_after").value_or(policy->lifecycle_.escalate_after_ms);
        }
      }
      if (const auto det = root["detectors"]; det) parser.detectors(det, policy->base_, "detectors", nullptr);
      if (const auto brands = root["brands"]; brands) {
        if (!brands.IsMap()) {
          parser.error(brands.Mark(), "brands must map brand ids to overrides");
        } else {
          for (auto it = brands.begin(); it != brands.end(); ++it) {
            const auto id = it->first.as<std::string>();
            auto overrides = policy->base_;  // a brand starts from the global settings
            std::optional<Tier> min_tier;
            parser.detectors(it->second, overrides, "brands." + id, &min_tier);
            policy->brands_[id] = std::move(overrides);
            if (min_tier) policy->min_tier_[id] = *min_tier;
          }
        }
      }
      // `sinks:` belongs to the delivery side (connectors/alert_sinks) and is validated there.
    }
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws from as<std::string>() when a key or list entry is not a scalar
    // (`[a]: 1`, `? {x: y}`, `categories: [[safety]]`): report it like any other error.
    parser.error(e.mark, "expected a plain value (" + e.msg + ")");
  }
  if (auto errors = parser.errors(); !errors.empty()) return Unexpected{std::move(errors)};
  return std::shared_ptr<const Policy>(policy);
}

Result<std::shared_ptr<const Policy>, std::vector<std::string>> load_policy(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Policy::defaults();
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_policy(ss.str(), file.string());
}

}  // namespace yuqing::alert
