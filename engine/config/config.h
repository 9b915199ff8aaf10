#pragma once
// Engine configuration: every option is declared once (name, default, bounds, description,
// reloadable, secret) in config.cpp's option table. The YAML loader, the `--help` text of
// `yuqing config reference` and docs/configuration.md all come from that table.
//
// Precedence: built-in defaults < --config FILE < command-line flags.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::config {

struct EngineConfig {
  // input
  std::string input;                 // "" = built-in demo stream, "-" = stdin, else a JSONL path
  bool exit_at_eof = false;          // drain, flush and exit 0 when the input ends
  // demo stream (used when input is "")
  std::uint64_t demo_seed = 42;
  double demo_rate = 10;             // base mentions per second (wall clock); event time follows
  std::string demo_scenario;          // "" = <rules_dir>/scenarios/demo-crisis.yaml
  // rules and state
  std::string rules_dir = "rules";
  int rules_watch_interval_ms = 1000;  // poll the rules folder for changes; 0 = off
  std::string state_dir = "yuqing-state";
  bool state_sync_writes = false;    // fsync each batch (survives power loss, not only kill -9)
  std::size_t state_min_free_bytes = 64UL << 20;  // below it commits wait for space (0 = no check)
  std::string dlq_path;              // "" = <state_dir>/dead-letter.jsonl
  // limits and batching
  std::size_t max_mention_bytes = 64 * 1024;
  std::size_t queue_max_bytes = 64 * 1024 * 1024;
  std::size_t batch_max_mentions = 4096;
  std::size_t batch_max_bytes = 4 * 1024 * 1024;
  int batch_max_delay_ms = 100;
  // http
  std::string http_listen = "127.0.0.1:8080";  // "" or "off" disables the server
  // How other aggregate instances' API reaches this one (redirects, docs/scaling.md);
  // "" = the listen address (a wildcard host becomes this machine's host name).
  std::string http_advertised_address;
  std::string api_token;             // bearer token for mutating API calls; "" = those are off
  bool api_auth_reads = false;       // also require the token for every /api/ read
  // logging
  std::string log_level = "info";
  // Kafka mode (kafka_brokers set): input comes from the topic instead of `input`
  std::string kafka_brokers;
  std::string kafka_topic = "mentions";
  std::string kafka_group = "yuqing";
  std::string kafka_dlq_topic = "mentions.dlq";
  std::string kafka_alerts_topic = "alerts";
  // Scale-out roles (docs/scaling.md): all = one process (default); match and aggregate split
  // the work across the matches topic.
  std::string role = "all";
  std::string kafka_matches_topic = "yuqing.matches";
  // The aggregate role's state changelog (same partition count as the matches topic,
  // compacted); "" = off: state stays where it was written when partitions move.
  std::string kafka_changelog_topic = "yuqing.aggregate.changelog";
  std::string kafka_match_group = "yuqing-match";
  std::string kafka_aggregate_group = "yuqing-aggregate";
  std::vector<std::pair<std::string, std::string>> kafka_properties;  // librdkafka pass-through
};

struct OptionInfo {
  std::string_view key;           // dotted YAML key, e.g. "http.listen"
  std::string_view type;          // string, bool, integer, number, bytes
  std::string_view default_value;
  std::string_view description;
  bool reloadable = false;
  bool secret = false;
};

// The declared options, in documentation order.
const std::vector<OptionInfo>& options();

struct ConfigError {
  std::string message;  // "FILE:LINE:COL: unknown key 'htp' (did you mean 'http'?)"
};

// Loads a YAML config file on top of `base`. Reports every error at once.
Result<EngineConfig, std::vector<ConfigError>> load_file(const std::string& path,
                                                        EngineConfig base = {});

// Effective DLQ path for a config.
std::string dlq_path(const EngineConfig& cfg);

}  // namespace yuqing::config
