// load_scenario(), validate_options() and the small name tables.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "engine/gen/gen.h"
#include "engine/gen/yaml_util.h"

namespace yuqing::gen {
namespace {

constexpr std::array<std::string_view, 6> kCategoryNames = {
    "safety", "quality", "legal", "service", "reputation", "privacy"};

const std::vector<std::string_view> kTopKeys = {"name", "description", "events"};
const std::vector<std::string_view> kEventKeys = {
    "type",           "brand",    "start_minute", "duration_minutes", "per_minute",
    "negative_share", "category", "repost_share", "influencer"};

std::string join(const std::vector<std::string_view>& v) {
  std::string r;
  for (auto s : v) {
    if (!r.empty()) r += ", ";
    r += s;
  }
  return r;
}

}  // namespace

std::string_view crisis_category_name(CrisisCategory c) {
  return kCategoryNames[static_cast<std::size_t>(c)];
}

std::string_view line_kind_name(LineKind k) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "ok",           "malformed_json", "invalid_utf8",  "too_large",
      "missing_field", "bad_type",      "bad_timestamp", "bad_value"};
  return kNames[static_cast<std::size_t>(k)];
}

Result<Scenario, std::string> load_scenario(const std::filesystem::path& file) {
  auto loaded = detail::load_yaml(file);
  if (!loaded) return Unexpected{loaded.error()};
  const YAML::Node& root = *loaded;
  const detail::YamlPlace place{file.string(), root};
  Scenario sc;
  sc.file = file.string();
  if (root.IsNull()) return Unexpected{place.at(root, "the scenario file is empty")};
  if (!root.IsMap()) return Unexpected{place.at(root, "a scenario must be a mapping of keys")};

  auto unknown = [&](const YAML::Node& key, const std::vector<std::string_view>& allowed) {
    return place.at(key, "unknown key '" + key.Scalar() + "' (did you mean '" +
                             std::string(detail::closest_key(key.Scalar(), allowed)) +
                             "'? allowed: " + join(allowed) + ")");
  };
  for (const auto& kv : root) {
    if (std::find(kTopKeys.begin(), kTopKeys.end(), kv.first.Scalar()) == kTopKeys.end()) {
      return Unexpected{unknown(kv.first, kTopKeys)};
    }
  }
  if (const YAML::Node n = root["name"]; n && n.IsScalar()) sc.name = n.Scalar();
  if (const YAML::Node n = root["description"]; n && n.IsScalar()) sc.description = n.Scalar();
  const YAML::Node events = root["events"];
  if (!events || events.IsNull()) return sc;
  if (!events.IsSequence()) return Unexpected{place.at(events, "'events' must be a list")};

  for (const auto& ev : events) {
    if (!ev.IsMap()) return Unexpected{place.at(ev, "each event must be a mapping of keys")};
    ScenarioEvent e;
    e.line = ev.Mark().line + 1;
    for (const auto& kv : ev) {
      if (std::find(kEventKeys.begin(), kEventKeys.end(), kv.first.Scalar()) == kEventKeys.end()) {
        return Unexpected{unknown(kv.first, kEventKeys)};
      }
    }
    for (const char* key : {"type", "brand", "start_minute", "duration_minutes", "per_minute"}) {
      if (!ev[key]) {
        return Unexpected{place.at(ev, std::string("event is missing required key '") + key + "'")};
      }
    }
    auto text = [&](const char* key, std::string& dst) -> Status<std::string> {
      const YAML::Node n = ev[key];
      if (!n.IsScalar() || n.Scalar().empty()) {
        return Unexpected{place.at(n, std::string("'") + key + "' must be a non-empty string")};
      }
      dst = n.Scalar();
      return {};
    };
    auto number = [&](const char* key, double& dst, double lo, double hi,
                      bool lo_open) -> Status<std::string> {
      const YAML::Node n = ev[key];
      if (!n) return {};
      double v = 0;
      if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
        return Unexpected{place.at(n, std::string("'") + key + "' must be a number")};
      }
      if (v < lo || v > hi || (lo_open && v == lo)) {
        return Unexpected{place.at(n, std::string("'") + key + "' must be " +
                                          (lo_open ? "> " : ">= ") + std::to_string(lo) +
                                          " and <= " + std::to_string(hi))};
      }
      dst = v;
      return {};
    };

    std::string type;
    if (auto st = text("type", type); !st) return Unexpected{st.error()};
    if (type == "crisis") {
      e.type = EventType::crisis;
    } else if (type == "campaign") {
      e.type = EventType::campaign;
      e.negative_share = 0.1;
    } else {
      return Unexpected{place.at(ev["type"], "type must be crisis or campaign, got '" + type + "'")};
    }
    if (auto st = text("brand", e.brand); !st) return Unexpected{st.error()};
    for (auto st : {number("start_minute", e.start_minute, 0, 1e7, false),
                    number("duration_minutes", e.duration_minutes, 0, 1e7, true),
                    number("per_minute", e.per_minute, 0, 1e7, true),
                    number("negative_share", e.negative_share, 0, 1, false),
                    number("repost_share", e.repost_share, 0, 1, false)}) {
      if (!st) return Unexpected{st.error()};
    }
    if (const YAML::Node n = ev["category"]) {
      const auto it = std::find(kCategoryNames.begin(), kCategoryNames.end(),
                                n.IsScalar() ? n.Scalar() : std::string());
      if (it == kCategoryNames.end()) {
        return Unexpected{place.at(n, "category must be one of safety, quality, legal, service, "
                                      "reputation, privacy")};
      }
      e.category = static_cast<CrisisCategory>(it - kCategoryNames.begin());
    }
    if (const YAML::Node n = ev["influencer"]) {
      bool v = false;
      if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
        return Unexpected{place.at(n, "'influencer' must be true or false")};
      }
      e.influencer = v;
    }
    sc.events.push_back(std::move(e));
  }
  return sc;
}

Status<std::string> validate_options(const GenOptions& o) {
  const bool any_enabled = std::any_of(o.brands.begin(), o.brands.end(),
                                       [](const BrandInfo& b) { return b.enabled; });
  if (!any_enabled) return Unexpected{std::string("no enabled brands to generate mentions for")};
  for (const auto& b : o.brands) {
    if (b.enabled && b.mention_forms.empty()) {
      return Unexpected{"brand '" + b.id + "' has no mention forms"};
    }
  }
  if (!(o.per_minute > 0 && o.per_minute <= 1e9)) {
    return Unexpected{std::string("per_minute must be > 0 and <= 1e9")};
  }
  if (!(o.bad_share >= 0 && o.bad_share <= 1)) {
    return Unexpected{std::string("bad_share must be between 0 and 1")};
  }
  const std::string where = o.scenario.file.empty() ? std::string("scenario") : o.scenario.file;
  for (const auto& e : o.scenario.events) {
    const bool known = std::any_of(o.brands.begin(), o.brands.end(), [&](const BrandInfo& b) {
      return b.enabled && b.id == e.brand;
    });
    if (!known) {
      return Unexpected{where + ":" + std::to_string(e.line) + ": event brand '" + e.brand +
                        "' is not an enabled brand of the rules"};
    }
    if (!(e.per_minute > 0 && e.per_minute <= 1e7) || !(e.duration_minutes > 0) ||
        !(e.start_minute >= 0)) {
      return Unexpected{where + ":" + std::to_string(e.line) +
                        ": event needs start_minute >= 0, duration_minutes > 0 and "
                        "0 < per_minute <= 1e7"};
    }
  }
  return {};
}

}  // namespace yuqing::gen
