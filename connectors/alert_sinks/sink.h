#pragma once
// Alert sinks: where an alert goes after it leaves the outbox.
//
// A sink delivers one alert and answers ok / retry / fatal; it never retries, sleeps or keeps
// a queue itself: the Deliverer (outbox.h) owns retries, backoff and ordering. Sinks are built
// from a validated SinkConfig (the `sinks:` section of rules/alerts.yaml) by build_sink().
//
// Threading: deliver() is called from one deliverer thread per sink, never concurrently for
// the same sink object. Secrets are read once at build time and are never logged or put in
// error messages.

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/alert/alert.h"
#include "engine/base/result.h"

namespace yuqing::alert_sinks {

struct DeliveryResult {
  enum class Kind : std::uint8_t { ok, retry, fatal };
  Kind kind = Kind::ok;
  std::string reason;  // why retry / fatal, for the log (no secrets, no full bodies)

  static DeliveryResult ok() { return {Kind::ok, {}}; }
  static DeliveryResult retry(std::string why) { return {Kind::retry, std::move(why)}; }
  static DeliveryResult fatal(std::string why) { return {Kind::fatal, std::move(why)}; }
};
std::string_view result_name(DeliveryResult::Kind k);  // "ok", "retry", "fatal"

// HTTP status -> result: 2xx ok; 408, 425, 429 and 5xx retry; other statuses fatal.
DeliveryResult classify_http(int status, std::string_view what);

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  AlertSink() = default;
  AlertSink(const AlertSink&) = delete;
  AlertSink& operator=(const AlertSink&) = delete;

  // The configured sink name (metric label, outbox key prefix).
  virtual std::string_view name() const = 0;
  virtual DeliveryResult deliver(const alert::Alert& alert) = 0;
  // Sinks read by people (chat robots) can send several alerts of one brand as one message;
  // the deliverer then hands them over together (SinkConfig::group_max). `alerts` is in tier
  // order, P1 first, and has at least two alerts.
  virtual bool groups() const { return false; }
  virtual DeliveryResult deliver_group(const std::vector<alert::Alert>& alerts) { return deliver(alerts.front()); }
};

// kafka is built by the engine from kafka.alerts_topic in Kafka mode, not from `sinks:`.
enum class SinkType : std::uint8_t { file, webhook, slack, wecom, feishu, dingtalk, alertmanager, kafka };
std::string_view sink_type_name(SinkType t);

// One entry of the `sinks:` list. Every field but name and type has a default.
struct SinkConfig {
  std::string name;  // unique, [a-z0-9][a-z0-9_-]*; metric label and outbox key
  SinkType type = SinkType::webhook;
  std::string url;   // http(s):// endpoint (all types but file). Chat robots: the robot's webhook URL.
  // Robot URLs carry their key (WeCom ?key=, DingTalk ?access_token=, Slack's path): read the
  // URL from an environment variable or a file instead, like a secret. One of url/url_env/url_file.
  std::string url_env;
  std::string url_file;
  std::string path;  // file: JSONL file to append to ("-" = stdout)
  bool fsync = false;  // file: fsync after each alert
  // Secret: webhook HMAC key, Feishu / DingTalk signing secret, Alertmanager bearer token.
  // At most one of the two; the value is read when the sink is built.
  std::string secret_env;   // name of an environment variable
  std::string secret_file;  // path of a file (trailing newline ignored)
  std::string ca_file;      // https: PEM bundle to trust instead of the system store
  int timeout_ms = 5000;    // connect + send + response, per attempt. Bounds: 100..120000
  // Routing: the tiers this sink receives (P1, P2, P3 index), and whether it also gets the
  // resolution of an incident it received.
  std::array<bool, alert::kTierCount> tiers{true, true, true};
  bool send_resolved = true;
  // Retry policy (the deliverer's): exponential backoff from backoff_base_ms doubling up to
  // backoff_max_ms with jitter; an entry that still fails after max_attempts (0 = no limit) or
  // max_age_ms since it was queued goes to the dead letters.
  int backoff_base_ms = 500;
  int backoff_max_ms = 60'000;
  int max_attempts = 0;
  std::int64_t max_age_ms = 24LL * 3600 * 1000;
  // Text sinks (slack, wecom, feishu, dingtalk): the language of the headline and labels;
  // "auto" = the alert's own language.
  std::string lang = "auto";
  // Link to the engine's alert page or API for people ("" = none). "{id}" is replaced by the
  // alert id (URL-encoded). Alertmanager: the generatorURL.
  std::string link_url;
  // alertmanager: a firing alert is sent with endsAt = now + firing_ttl_ms, so Alertmanager
  // keeps it firing until the resolution arrives (or the engine has been gone that long).
  std::int64_t firing_ttl_ms = 24LL * 3600 * 1000;
  // Grouping (chat sinks: slack, wecom, feishu, dingtalk): alerts of one brand that are due
  // together go out as one message of at most group_max alerts (1 = never group). group_wait_ms
  // holds a brand's first alert that long so that alerts raised right after it join the same
  // message (0 = group only what is already waiting: no added delay).
  std::size_t group_max = 10;
  std::int64_t group_wait_ms = 0;
};

struct SinkConfigError {
  std::string message;  // "FILE:LINE:COL: sinks[1].type: unknown type 'slak' (did you mean 'slack'?)"
};

// Parses a `sinks:` sequence (the node of that key). `file` names the source in errors; every
// error is reported at once. Unknown keys are rejected with the closest valid key.
Result<std::vector<SinkConfig>, std::vector<SinkConfigError>> parse_sink_configs(const YAML::Node& sinks,
                                                                                  const std::string& file);

// The running sink for a config: reads the secret, checks the URL. An error names the
// config and what is missing, never the secret.
Result<std::unique_ptr<AlertSink>, std::string> build_sink(const SinkConfig& config);

// Reads the secret of a config ("" when it has none). Exposed for tests.
Result<std::string, std::string> read_secret(const SinkConfig& config);
// The endpoint URL of a config (url, or read from url_env / url_file).
Result<std::string, std::string> resolve_url(const SinkConfig& config);

}  // namespace yuqing::alert_sinks
