// parse_sink_configs(): the `sinks:` section (embedded in rules/alerts.yaml) -> SinkConfig.
// Every error at once, as FILE:LINE:COL: sinks[i].key: reason; unknown keys with a hint.

#include <algorithm>
#include <charconv>
#include <set>

#include "connectors/alert_sinks/sink.h"
#include "engine/base/text.h"

namespace yuqing::alert_sinks {
namespace {

const std::vector<std::string> kKeys = {
    "name",          "type",        "url",        "url_env",      "url_file", "path",     "fsync",
    "secret_env",    "secret_file", "ca_file",    "timeout",      "tiers",    "send_resolved",
    "backoff_base",  "backoff_max", "max_attempts", "max_age",    "lang",     "link_url", "firing_ttl",
    "group_max",     "group_wait"};
const std::vector<std::string> kTypes = {"file", "webhook", "slack", "wecom", "feishu", "dingtalk", "alertmanager"};

// "500ms", "5s", "10m", "1h", "7d" -> ms.
std::optional<std::int64_t> duration_ms(std::string_view s) {
  std::int64_t unit = 0;
  std::string_view digits;
  if (s.ends_with("ms")) {
    unit = 1;
    digits = s.substr(0, s.size() - 2);
  } else if (!s.empty()) {
    switch (s.back()) {
      case 's': unit = 1000; break;
      case 'm': unit = 60'000; break;
      case 'h': unit = 3'600'000; break;
      case 'd': unit = 86'400'000; break;
      default: return std::nullopt;
    }
    digits = s.substr(0, s.size() - 1);
  }
  if (digits.empty()) return std::nullopt;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || p != digits.data() + digits.size() || n < 0 || n > 1'000'000'000) return std::nullopt;
  return n * unit;
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  void error(const YAML::Mark& m, const std::string& msg) {
    std::string where = file_;
    if (m.line >= 0) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    errors_.push_back({where + ": " + msg});
  }

  std::optional<std::string> scalar(const YAML::Node& v, const std::string& what) {
    if (!v.IsScalar()) {
      error(v.Mark(), what + " must be a single value");
      return std::nullopt;
    }
    return v.Scalar();
  }
  std::optional<bool> boolean(const YAML::Node& v, const std::string& what) {
    auto s = scalar(v, what);
    if (!s) return std::nullopt;
    if (*s == "true" || *s == "yes" || *s == "on") return true;
    if (*s == "false" || *s == "no" || *s == "off") return false;
    error(v.Mark(), what + " must be true or false");
    return std::nullopt;
  }
  std::optional<std::int64_t> duration(const YAML::Node& v, const std::string& what, std::int64_t lo, std::int64_t hi) {
    auto s = scalar(v, what);
    if (!s) return std::nullopt;
    auto ms = duration_ms(*s);
    if (!ms) {
      error(v.Mark(), what + " must be a duration with a unit such as 500ms, 5s, 10m, 1h or 7d");
      return std::nullopt;
    }
    if (*ms < lo || *ms > hi) {
      error(v.Mark(), what + " must be between " + std::to_string(lo) + "ms and " + std::to_string(hi) + "ms");
      return std::nullopt;
    }
    return ms;
  }
  std::optional<std::int64_t> integer(const YAML::Node& v, const std::string& what, std::int64_t lo, std::int64_t hi) {
    auto s = scalar(v, what);
    if (!s) return std::nullopt;
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
    if (ec != std::errc() || p != s->data() + s->size() || n < lo || n > hi) {
      error(v.Mark(), what + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
      return std::nullopt;
    }
    return n;
  }

  void sink(const YAML::Node& node, std::size_t index, std::vector<SinkConfig>& out) {
    const std::string at = "sinks[" + std::to_string(index) + "]";
    if (!node.IsMap()) {
      error(node.Mark(), at + " must be a mapping with at least name and type");
      return;
    }
    SinkConfig c;
    bool has_name = false, has_type = false, has_url = false, has_grouping = false;
    const std::size_t errors_before = errors_.size();
    for (auto it = node.begin(); it != node.end(); ++it) {
      const auto key = it->first.Scalar();
      const YAML::Node v = it->second;  // a copy: it-> is a temporary proxy holding the pair
      const std::string what = at + "." + key;
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        std::string msg = at + ": unknown key '" + key + "'";
        if (auto hint = text::closest(key, kKeys); !hint.empty()) msg += " (did you mean '" + hint + "'?)";
        error(it->first.Mark(), msg);
        continue;
      }
      if (key == "name") {
        if (auto s = scalar(v, what)) {
          const bool ok = !s->empty() && s->size() <= 64 &&
                          std::all_of(s->begin(), s->end(), [](char ch) {
                            return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
                          }) &&
                          (*s)[0] != '_' && (*s)[0] != '-';
          if (!ok) {
            error(v.Mark(), what + " must be 1-64 of a-z, 0-9, _ and -, starting with a letter or digit");
          } else {
            c.name = *s;
            has_name = true;
            if (!names_.insert(*s).second) error(v.Mark(), what + ": a sink named '" + *s + "' is already defined");
          }
        }
      } else if (key == "type") {
        if (auto s = scalar(v, what)) {
          auto t = std::find(kTypes.begin(), kTypes.end(), *s);
          if (t == kTypes.end()) {
            std::string msg = what + ": unknown type '" + *s + "'";
            if (auto hint = text::closest(*s, kTypes); !hint.empty()) msg += " (did you mean '" + hint + "'?)";
            msg += "; one of file, webhook, slack, wecom, feishu, dingtalk, alertmanager";
            error(v.Mark(), msg);
          } else {
            c.type = static_cast<SinkType>(t - kTypes.begin());
            has_type = true;
          }
        }
      } else if (key == "url") {
        if (auto s = scalar(v, what)) {
          c.url = *s;
          has_url = true;
          if (!s->starts_with("http://") && !s->starts_with("https://")) {
            error(v.Mark(), what + " must start with http:// or https://");
          }
        }
      } else if (key == "url_env") {
        if (auto s = scalar(v, what)) c.url_env = *s, has_url = true;
      } else if (key == "url_file") {
        if (auto s = scalar(v, what)) c.url_file = *s, has_url = true;
      } else if (key == "path") {
        if (auto s = scalar(v, what)) c.path = *s;
      } else if (key == "fsync") {
        if (auto b = boolean(v, what)) c.fsync = *b;
      } else if (key == "secret_env") {
        if (auto s = scalar(v, what)) c.secret_env = *s;
      } else if (key == "secret_file") {
        if (auto s = scalar(v, what)) c.secret_file = *s;
      } else if (key == "ca_file") {
        if (auto s = scalar(v, what)) c.ca_file = *s;
      } else if (key == "timeout") {
        if (auto ms = duration(v, what, 100, 120'000)) c.timeout_ms = static_cast<int>(*ms);
      } else if (key == "tiers") {
        if (v.IsScalar() && v.Scalar() == "all") continue;
        if (!v.IsSequence()) {
          error(v.Mark(), what + " must be a list of tiers such as [P1, P2], or all");
          continue;
        }
        c.tiers = {false, false, false};
        bool any = false;
        for (const auto& t : v) {
          any = true;
          auto tier = t.IsScalar() ? alert::tier_from_name(t.Scalar()) : std::nullopt;
          if (!tier) {
            error(t.Mark(), what + ": unknown tier '" + (t.IsScalar() ? t.Scalar() : std::string("?")) +
                                "'; one of P1, P2, P3");
          } else {
            c.tiers[static_cast<std::size_t>(*tier)] = true;
          }
        }
        if (!any) error(v.Mark(), what + " must name at least one tier");
      } else if (key == "send_resolved") {
        if (auto b = boolean(v, what)) c.send_resolved = *b;
      } else if (key == "backoff_base") {
        if (auto ms = duration(v, what, 10, 3'600'000)) c.backoff_base_ms = static_cast<int>(*ms);
      } else if (key == "backoff_max") {
        if (auto ms = duration(v, what, 10, 3'600'000)) c.backoff_max_ms = static_cast<int>(*ms);
      } else if (key == "max_attempts") {
        if (auto n = integer(v, what, 0, 1'000'000)) c.max_attempts = static_cast<int>(*n);
      } else if (key == "max_age") {
        if (auto ms = duration(v, what, 1000, 365LL * 86'400'000)) c.max_age_ms = *ms;
      } else if (key == "lang") {
        if (auto s = scalar(v, what)) {
          if (*s != "auto" && *s != "zh" && *s != "en") {
            error(v.Mark(), what + " must be auto, zh or en");
          } else {
            c.lang = *s;
          }
        }
      } else if (key == "link_url") {
        if (auto s = scalar(v, what)) c.link_url = *s;
      } else if (key == "firing_ttl") {
        if (auto ms = duration(v, what, 60'000, 365LL * 86'400'000)) c.firing_ttl_ms = *ms;
      } else if (key == "group_max") {
        if (auto n = integer(v, what, 1, 50)) c.group_max = static_cast<std::size_t>(*n);
        has_grouping = true;
      } else if (key == "group_wait") {
        if (auto ms = duration(v, what, 0, 600'000)) c.group_wait_ms = *ms;
        has_grouping = true;
      }
    }
    const auto m = node.Mark();
    if (!has_name) error(m, at + ": missing 'name'");
    if (!has_type) error(m, at + ": missing 'type'");
    if (!c.secret_env.empty() && !c.secret_file.empty()) error(m, at + ": give secret_env or secret_file, not both");
    if (has_type && c.type == SinkType::file) {
      if (c.path.empty()) error(m, at + ": a file sink needs 'path' (a JSONL file, or - for stdout)");
      if (has_url) error(m, at + ": a file sink takes 'path', not 'url'");
    } else if (has_type) {
      if (!has_url) error(m, at + ": missing 'url' (or url_env / url_file when the URL holds a key)");
      if (!c.path.empty()) error(m, at + ": 'path' is only for file sinks");
      if (static_cast<int>(!c.url.empty()) + static_cast<int>(!c.url_env.empty()) + static_cast<int>(!c.url_file.empty()) > 1) {
        error(m, at + ": give one of url, url_env and url_file");
      }
    }
    if (c.backoff_base_ms > c.backoff_max_ms) error(m, at + ": backoff_base must not exceed backoff_max");
    const bool chat = c.type == SinkType::slack || c.type == SinkType::wecom || c.type == SinkType::feishu ||
                      c.type == SinkType::dingtalk;
    if (has_type && has_grouping && !chat) {
      error(m, at + ": group_max and group_wait apply to slack, wecom, feishu and dingtalk sinks (machines get one alert "
                    "per message; Alertmanager groups by its own route)");
    }
    if (errors_.size() == errors_before) out.push_back(std::move(c));
  }

  std::vector<SinkConfigError> errors_;

 private:
  std::string file_;
  std::set<std::string> names_;
};

}  // namespace

Result<std::vector<SinkConfig>, std::vector<SinkConfigError>> parse_sink_configs(const YAML::Node& sinks,
                                                                                  const std::string& file) {
  Parser p(file);
  std::vector<SinkConfig> out;
  if (!sinks || sinks.IsNull()) return out;
  if (!sinks.IsSequence()) {
    p.error(sinks.Mark(), "sinks must be a list of sinks (- name: ..., type: ...)");
    return Unexpected{p.errors_};
  }
  std::size_t i = 0;
  for (const auto& s : sinks) p.sink(s, i++, out);
  if (!p.errors_.empty()) return Unexpected{p.errors_};
  return out;
}

}  // namespace yuqing::alert_sinks
