#pragma once
// The alert record: one incident as the engine emits it (schemas/alert.schema.json). Sinks,
// the outbox, the Kafka `alerts` topic and /api/v1/alerts all carry this type; its JSON is the
// wire format and follows the closed schema exactly (tests/alert_sinks validate it).
//
// Times are epoch milliseconds (UTC) and are written as RFC 3339 with milliseconds
// (2024-05-01T12:00:00.000Z). Optional schema fields are std::optional or empty vectors.
//
// This header is the vocabulary of the alert module (Tier, Detector and their names); the
// policy and detectors build on it, the sinks need nothing else. Plain data, no threads.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::alert {

// Urgency: P1 is the most urgent. The numeric values index per-tier arrays.
enum class Tier : std::uint8_t { P1 = 0, P2 = 1, P3 = 2 };
inline constexpr int kTierCount = 3;
std::string_view tier_name(Tier t);  // "P1"
std::optional<Tier> tier_from_name(std::string_view name);

// The fixed names of a tier for people (schema `tier_name`).
struct TierNames {
  std::string_view color;  // red, orange, yellow
  std::string_view en;     // critical, high, elevated
  std::string_view zh;     // 红色预警, 橙色预警, 黄色预警
  std::string_view hex;    // message colour for chat sinks, e.g. "#d9333f"
};
const TierNames& tier_names(Tier t);

enum class Detector : std::uint8_t {
  negative_volume_spike,
  negative_ratio,
  sentiment_drop,
  influencer_negative,
  crisis_term_burst,
  share_of_voice_swing,
  story_velocity,
};
inline constexpr int kDetectorCount = 7;
std::string_view detector_name(Detector d);
std::optional<Detector> detector_from_name(std::string_view name);

enum class AlertState : std::uint8_t { firing, resolved };
std::string_view state_name(AlertState s);

// Schema `metrics`: every member optional.
struct AlertMetrics {
  std::optional<double> window_s;  // `window`, seconds, > 0
  std::optional<double> value;
  std::optional<double> baseline;
  std::optional<double> ratio;
  std::optional<double> z_score;
  std::optional<std::int64_t> count;  // >= 0
  bool empty() const { return !window_s && !value && !baseline && !ratio && !z_score && !count; }
};

struct TopMention {
  std::string id;
  std::string platform;  // mention.schema.json platform wire name (weibo, x, ...)
  std::string url;       // "" = absent
  std::string text;
  std::string author;    // "" = absent
  std::optional<std::int64_t> followers;
  std::optional<std::int64_t> reach;
  std::optional<double> score;  // -1..1
};

struct AspectScore {
  std::string aspect;
  double score = 0;  // -1..1
};

struct CrisisTerm {
  std::string term;
  std::string category;  // ^[a-z][a-z0-9_]*$
};

struct Ack {
  std::string by;
  std::int64_t at_ms = 0;  // wall clock
};

inline constexpr std::size_t kMaxTopMentions = 20;

struct Alert {
  std::string id;  // stable incident id, <brand>:<detector>:<epoch ms of the first window>
  std::string brand;
  std::string brand_name;  // "" = absent
  Tier tier = Tier::P3;
  int severity = 1;  // 1..10
  Detector detector = Detector::negative_volume_spike;
  AlertState state = AlertState::firing;
  // Event time.
  std::int64_t started_ms = 0;
  std::int64_t updated_ms = 0;
  std::optional<std::int64_t> resolved_ms;  // set exactly when state == resolved
  // Processing (wall-clock) time.
  std::int64_t processing_started_ms = 0;
  std::int64_t processing_updated_ms = 0;
  std::optional<std::int64_t> processing_resolved_ms;  // set exactly when state == resolved
  std::string lang = "en";  // "zh" or "en"
  std::string reason;
  AlertMetrics metrics;  // written when not empty
  std::vector<TopMention> top_mentions;  // at most kMaxTopMentions
  std::vector<AspectScore> aspects;
  std::vector<CrisisTerm> crisis_terms;
  std::optional<Ack> acked;

  bool resolved() const { return state == AlertState::resolved; }
};

// The problems that would make to_json() produce a document the schema rejects (empty id,
// bad brand id, severity out of range, resolved times not matching the state, ...); empty
// when the alert is valid. to_json() does not check; producers call this in tests/debug.
std::vector<std::string> check(const Alert& a);

// The alert as one line of JSON (no newline), keys in schema order. Non-finite numbers are
// left out (JSON has none); top_mentions beyond kMaxTopMentions are dropped.
std::string to_json(const Alert& a);

// Parses an alert written by to_json() (or any schema-valid alert document). Unknown keys are
// ignored, as the schema asks of receivers; missing required keys and bad values are errors.
Result<Alert, std::string> alert_from_json(std::string_view json);

// RFC 3339 UTC with milliseconds: 2024-05-01T12:00:00.000Z.
std::string format_time_ms(std::int64_t epoch_ms);
// Parses the format above (also without fraction, or with an offset); nullopt if malformed.
std::optional<std::int64_t> parse_time_ms(std::string_view s);

}  // namespace yuqing::alert
