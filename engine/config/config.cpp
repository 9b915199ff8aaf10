#include "engine/config/config.h"

#include "engine/base/text.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>

namespace yuqing::config {
namespace {

using Setter = std::function<std::string(const std::string& scalar, EngineConfig& cfg)>;

struct Option {
  OptionInfo info;
  Setter set;  // returns "" on success, else why the value is not accepted
};

std::string parse_bool(const std::string& s, bool& out) {
  if (s == "true" || s == "yes" || s == "on") { out = true; return ""; }
  if (s == "false" || s == "no" || s == "off") { out = false; return ""; }
  return "expected true or false, got '" + s + "'";
}

template <class Int>
std::string parse_int(const std::string& s, Int& out, Int lo, Int hi) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return "expected an integer, got '" + s + "'";
  if (v < static_cast<long long>(lo) || v > static_cast<long long>(hi)) {
    return "value " + s + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  }
  out = static_cast<Int>(v);
  return "";
}

// Sizes accept a plain integer of bytes or a suffix: 64KiB, 4MiB, 1GiB.
std::string parse_bytes(const std::string& s, std::size_t& out, std::size_t lo, std::size_t hi) {
  std::size_t mult = 1;
  std::string digits = s;
  for (auto [suffix, m] : {std::pair{"KiB", 1024UL}, {"MiB", 1024UL * 1024}, {"GiB", 1024UL * 1024 * 1024}}) {
    std::string_view sv(s);
    if (sv.size() > 3 && sv.ends_with(suffix)) { mult = m; digits = s.substr(0, s.size() - 3); break; }
  }
  std::size_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || p != digits.data() + digits.size()) {
    return "expected a size such as 65536, 64KiB or 4MiB, got '" + s + "'";
  }
  v *= mult;
  if (v < lo || v > hi) return "size " + s + " is out of range";
  out = v;
  return "";
}

std::string parse_double(const std::string& s, double& out, double lo, double hi) {
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size()) return "expected a number, got '" + s + "'";
    if (v < lo || v > hi) return "value " + s + " is out of range";
    out = v;
    return "";
  } catch (const std::exception&) {
    return "expected a number, got '" + s + "'";
  }
}

const std::vector<Option>& table() {
  static const std::vector<Option> kTable = {
      {{"input", "string", "\"\" (demo stream)",
        "Where mentions come from: a JSONL file path, '-' for stdin, or empty for the built-in demo stream."},
       [](const std::string& s, EngineConfig& c) { c.input = s; return std::string(); }},
      {{"exit_at_eof", "bool", "false", "Drain, flush and exit 0 when the input ends."},
       [](const std::string& s, EngineConfig& c) { return parse_bool(s, c.exit_at_eof); }},
      {{"demo.seed", "integer", "42", "Seed of the built-in demo stream."},
       [](const std::string& s, EngineConfig& c) {
         return parse_int<std::uint64_t>(s, c.demo_seed, 0, std::numeric_limits<std::int64_t>::max());
       }},
      {{"demo.rate", "number", "10", "Base mentions per second of the demo stream (wall clock); scenario events add to it."},
       [](const std::string& s, EngineConfig& c) { return parse_double(s, c.demo_rate, 1, 1e7); }},
      {{"demo.scenario", "string", "<rules.dir>/scenarios/demo-crisis.yaml", "Scenario file of the demo stream."},
       [](const std::string& s, EngineConfig& c) { c.demo_scenario = s; return std::string(); }},
      {{"rules.dir", "string", "rules", "Folder of brand rules, lexicons and alert policy.", true},
       [](const std::string& s, EngineConfig& c) { c.rules_dir = s; return std::string(); }},
      {{"rules.watch_interval_ms", "integer", "1000",
        "How often the rules folder is checked for changes (hot reload); 0 turns watching off (SIGHUP and the API still reload).", true},
       [](const std::string& s, EngineConfig& c) { return parse_int<int>(s, c.rules_watch_interval_ms, 0, 3'600'000); }},
      {{"state.dir", "string", "yuqing-state", "RocksDB state folder; a restart in the same place resumes from it."},
       [](const std::string& s, EngineConfig& c) { c.state_dir = s; return std::string(); }},
      {{"state.sync_writes", "bool", "false",
        "fsync every batch commit. Off survives kill -9 (the OS keeps the write-ahead log); on also survives power loss."},
       [](const std::string& s, EngineConfig& c) { return parse_bool(s, c.state_sync_writes); }},
      {{"state.min_free_bytes", "bytes", "64MiB",
        "Free space the state directory's file system keeps: below it the engine takes no input and waits for space "
        "(yuqing_state_waiting_for_space), then goes on by itself. 0 = no check."},
       [](const std::string& s, EngineConfig& c) {
         if (s == "0") {
           c.state_min_free_bytes = 0;
           return std::string();
         }
         return parse_bytes(s, c.state_min_free_bytes, 1UL << 20, 1UL << 40);
       }},
      {{"dlq.path", "string", "<state.dir>/dead-letter.jsonl", "Dead-letter JSONL file for rejected mentions."},
       [](const std::string& s, EngineConfig& c) { c.dlq_path = s; return std::string(); }},
      {{"limits.max_mention_bytes", "bytes", "64KiB", "Longer input lines are dead-lettered as too_large."},
       [](const std::string& s, EngineConfig& c) { return parse_bytes(s, c.max_mention_bytes, 256, 16UL << 20); }},
      {{"queue.max_bytes", "bytes", "64MiB", "Byte budget of the source-to-worker queue; the source pauses when it is full."},
       [](const std::string& s, EngineConfig& c) { return parse_bytes(s, c.queue_max_bytes, 1UL << 20, 16UL << 30); }},
      {{"batch.max_mentions", "integer", "4096", "Mentions per batch (one RocksDB write per batch)."},
       [](const std::string& s, EngineConfig& c) {
         return parse_int<std::size_t>(s, c.batch_max_mentions, 1, 1'000'000);
       }},
      {{"batch.max_bytes", "bytes", "4MiB", "Bytes per batch."},
       [](const std::string& s, EngineConfig& c) { return parse_bytes(s, c.batch_max_bytes, 64UL << 10, 1UL << 30); }},
      {{"batch.max_delay_ms", "integer", "100", "A partly filled batch is processed after this many milliseconds."},
       [](const std::string& s, EngineConfig& c) { return parse_int<int>(s, c.batch_max_delay_ms, 1, 60'000); }},
      {{"http.listen", "string", "127.0.0.1:8080", "Address of the HTTP server (metrics, health, API); 'off' disables it."},
       [](const std::string& s, EngineConfig& c) { c.http_listen = s; return std::string(); }},
      {{"http.advertised_address", "string", "",
        "HOST:PORT other aggregate instances redirect API clients to for the brands this one owns (docs/scaling.md); "
        "empty = http.listen, a wildcard host replaced by this machine's host name."},
       [](const std::string& s, EngineConfig& c) { c.http_advertised_address = s; return std::string(); }},
      {{"api.token_file", "string", "\"\" (or env YUQING_API_TOKEN)",
        "File holding the bearer token that mutating API calls (rule reload, alert ack) require; without a token they are disabled.",
        false, true},
       [](const std::string& s, EngineConfig& c) {
         std::ifstream in(s);
         if (!in) return "cannot read token file '" + s + "'";
         std::getline(in, c.api_token);
         while (!c.api_token.empty() && std::isspace(static_cast<unsigned char>(c.api_token.back()))) c.api_token.pop_back();
         if (c.api_token.empty()) return "token file '" + s + "' is empty";
         return std::string();
       }},
      {{"api.auth_reads", "bool", "false",
        "Require the bearer token for every /api/ request, reads included (mutating calls always need it)."},
       [](const std::string& s, EngineConfig& c) { return parse_bool(s, c.api_auth_reads); }},
      {{"log.level", "string", "info", "trace, debug, info, warn, error or off.", true},
       [](const std::string& s, EngineConfig& c) {
         static const std::vector<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
         if (std::find(kLevels.begin(), kLevels.end(), s) == kLevels.end()) {
           return "unknown log level '" + s + "'; expected trace, debug, info, warn, error or off";
         }
         c.log_level = s;
         return std::string();
       }},
      {{"kafka.brokers", "string", "\"\" (embedded mode)",
        "Kafka bootstrap servers HOST:PORT[,...]. Set: the engine consumes kafka.topic in consumer group kafka.group "
        "instead of reading `input`, dead letters go to kafka.dlq_topic and alerts also to kafka.alerts_topic."},
       [](const std::string& s, EngineConfig& c) { c.kafka_brokers = s; return std::string(); }},
      {{"kafka.topic", "string", "mentions", "Topic of incoming mentions."},
       [](const std::string& s, EngineConfig& c) { c.kafka_topic = s; return std::string(); }},
      {{"kafka.group", "string", "yuqing", "Consumer group: engines in one group share the topic's partitions."},
       [](const std::string& s, EngineConfig& c) { c.kafka_group = s; return std::string(); }},
      {{"kafka.dlq_topic", "string", "mentions.dlq",
        "Dead-letter topic: original bytes, reason and source offset in headers."},
       [](const std::string& s, EngineConfig& c) { c.kafka_dlq_topic = s; return std::string(); }},
      {{"kafka.alerts_topic", "string", "alerts", "Alert topic (keyed by brand); empty turns the Kafka alert sink off."},
       [](const std::string& s, EngineConfig& c) { c.kafka_alerts_topic = s; return std::string(); }},
      {{"role", "string", "all",
        "What this process does (docs/scaling.md): all (parse, match, windows, alerts in one process), match "
        "(Kafka: mentions topic -> matches topic, stateless) or aggregate (Kafka: matches topic -> windows, alerts, API)."},
       [](const std::string& s, EngineConfig& c) {
         if (s != "all" && s != "match" && s != "aggregate") return "unknown role '" + s + "'; expected all, match or aggregate";
         c.role = s;
         return std::string();
       }},
      {{"kafka.matches_topic", "string", "yuqing.matches",
        "Topic between the match and aggregate roles: one record per (mention, brand), keyed by brand."},
       [](const std::string& s, EngineConfig& c) { c.kafka_matches_topic = s; return std::string(); }},
      {{"kafka.changelog_topic", "string", "yuqing.aggregate.changelog",
        "The aggregate role's state changelog: every state change of a matches partition, so the state moves with "
        "the partition (as many partitions as kafka.matches_topic, cleanup.policy=compact); \"\" = off."},
       [](const std::string& s, EngineConfig& c) { c.kafka_changelog_topic = s; return std::string(); }},
      {{"kafka.match_group", "string", "yuqing-match", "Consumer group of the match role on kafka.topic."},
       [](const std::string& s, EngineConfig& c) { c.kafka_match_group = s; return std::string(); }},
      {{"kafka.aggregate_group", "string", "yuqing-aggregate",
        "Consumer group of the aggregate role on kafka.matches_topic."},
       [](const std::string& s, EngineConfig& c) { c.kafka_aggregate_group = s; return std::string(); }},
      {{"kafka.properties.<name>", "string", "(none)",
        "Any librdkafka property, passed through to every Kafka client of the engine (e.g. "
        "kafka.properties.security.protocol: SASL_SSL); a bad one stops the start with librdkafka's own message."},
       [](const std::string&, EngineConfig&) { return std::string("set a property under kafka.properties"); }},
  };
  return kTable;
}

std::string where(const std::string& path, const YAML::Mark& m) {
  return path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
}

// The next key segments under a section ("" = top level): for "did you mean" hints and to
// tell sections from unknown keys.
std::vector<std::string> children_of(const std::string& section) {
  std::vector<std::string> out;
  const std::string prefix = section.empty() ? "" : section + ".";
  for (const auto& o : table()) {
    std::string_view key = o.info.key;
    if (!key.starts_with(prefix)) continue;
    std::string head(key.substr(prefix.size(), key.find('.', prefix.size()) - prefix.size()));
    if (std::find(out.begin(), out.end(), head) == out.end()) out.push_back(head);
  }
  return out;
}

void walk(const YAML::Node& node, const std::string& prefix, const std::string& path, EngineConfig& cfg,
          std::vector<ConfigError>& errors) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const auto key = it->first.as<std::string>();
    const std::string dotted = prefix.empty() ? key : prefix + "." + key;
    // kafka.properties.* pass through to librdkafka (it validates them when clients are made).
    if (dotted.starts_with("kafka.properties.") || (prefix == "kafka" && key == "properties")) {
      if (key == "properties" && prefix == "kafka") {
        if (!it->second.IsMap()) {
          errors.push_back({where(path, it->second.Mark()) + "'kafka.properties' is a section: expected a mapping"});
        } else {
          walk(it->second, dotted, path, cfg, errors);
        }
      } else if (it->second.IsMap()) {
        walk(it->second, dotted, path, cfg, errors);  // nested form: security: {protocol: SSL}
      } else if (!it->second.IsScalar()) {
        errors.push_back({where(path, it->second.Mark()) + "'" + dotted + "' expects a single value"});
      } else {
        cfg.kafka_properties.emplace_back(dotted.substr(std::string_view("kafka.properties.").size()),
                                          it->second.Scalar());
      }
      continue;
    }
    const Option* opt = nullptr;
    for (const auto& o : table()) {
      if (o.info.key == dotted) { opt = &o; break; }
    }
    const bool is_section = opt == nullptr && !children_of(dotted).empty();
    if (opt == nullptr && !is_section) {
      std::string msg = where(path, it->first.Mark()) + "unknown key '" + dotted + "'";
      auto hint = text::closest(key, children_of(prefix));
      if (!hint.empty()) msg += " (did you mean '" + (prefix.empty() ? hint : prefix + "." + hint) + "'?)";
      errors.push_back({msg});
      continue;
    }
    if (is_section) {
      if (!it->second.IsMap()) {
        errors.push_back({where(path, it->second.Mark()) + "'" + dotted + "' is a section: expected a mapping"});
        continue;
      }
      walk(it->second, dotted, path, cfg, errors);
      continue;
    }
    if (!it->second.IsScalar()) {
      errors.push_back({where(path, it->second.Mark()) + "'" + dotted + "' expects a single value"});
      continue;
    }
    if (auto why = opt->set(it->second.Scalar(), cfg); !why.empty()) {
      errors.push_back({where(path, it->second.Mark()) + "'" + dotted + "': " + why});
    }
  }
}

}  // namespace

const std::vector<OptionInfo>& options() {
  static const std::vector<OptionInfo> kInfos = [] {
    std::vector<OptionInfo> v;
    for (const auto& o : table()) v.push_back(o.info);
    return v;
  }();
  return kInfos;
}

Result<EngineConfig, std::vector<ConfigError>> load_file(const std::string& path, EngineConfig base) {
  std::vector<ConfigError> errors;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Unexpected{std::vector<ConfigError>{{path + ": cannot open the config file"}}};
  } catch (const YAML::ParserException& e) {
    return Unexpected{std::vector<ConfigError>{{where(path, e.mark) + e.msg}}};
  }
  if (root.IsNull()) return base;  // an empty file changes nothing
  if (!root.IsMap()) {
    return Unexpected{std::vector<ConfigError>{{where(path, root.Mark()) + "expected a mapping of options"}}};
  }
  walk(root, "", path, base, errors);
  if (!errors.empty()) return Unexpected{std::move(errors)};
  return base;
}

std::string dlq_path(const EngineConfig& cfg) {
  return cfg.dlq_path.empty() ? cfg.state_dir + "/dead-letter.jsonl" : cfg.dlq_path;
}

}  // namespace yuqing::config
