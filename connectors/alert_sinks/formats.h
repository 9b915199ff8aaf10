#pragma once
// Message bodies of the sinks, as pure functions of the alert (tested for shape in
// tests/alert_sinks/formats_test.cpp). The sinks add transport concerns (signatures, URLs).
//
//   generic webhook  the alert JSON itself (schemas/alert.schema.json)
//   slack            incoming webhook: {"text", "attachments":[{"color", "blocks"}]}
//   wecom            企业微信 group robot: {"msgtype":"markdown","markdown":{"content"}}
//   feishu           飞书 custom bot: {"msg_type":"interactive","card":{header(template colour), elements}}
//   dingtalk         钉钉 robot: {"msgtype":"markdown","markdown":{"title","text"}}
//   alertmanager     API v2 POST /api/v2/alerts: [{labels, annotations, startsAt, endsAt, generatorURL}]

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/alert/alert.h"

namespace yuqing::alert_sinks {

struct FormatOptions {
  std::string lang = "auto";  // "zh", "en", or "auto" (the alert's language)
  std::string link_url;       // "" or a URL where "{id}" becomes the URL-encoded alert id
  std::int64_t firing_ttl_ms = 24LL * 3600 * 1000;  // alertmanager endsAt for firing alerts
  std::size_t max_mentions = 3;  // top mentions shown in chat messages
};

// "zh" or "en" for the message, from options and the alert.
std::string_view message_lang(const alert::Alert& a, const FormatOptions& o);
// Human name of a detector: "负面声量激增" / "negative volume spike".
std::string_view detector_label(alert::Detector d, std::string_view lang);
// "[P1 红色预警] 海底捞 · 负面声量激增" (prefixed "[已解除]" / "[RESOLVED]" when resolved).
std::string headline(const alert::Alert& a, std::string_view lang);
// The link for the alert, or "" when no link_url is configured.
std::string alert_link(const alert::Alert& a, const FormatOptions& o);
// Cuts UTF-8 text to at most max_bytes at a character boundary, adding "…" when cut.
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);

std::string slack_body(const alert::Alert& a, const FormatOptions& o);
std::string wecom_body(const alert::Alert& a, const FormatOptions& o);
// sign: feishu_sign() output and its timestamp; empty sign = unsigned bot.
std::string feishu_body(const alert::Alert& a, const FormatOptions& o, std::string_view sign = "",
                        std::int64_t timestamp_s = 0);
std::string dingtalk_body(const alert::Alert& a, const FormatOptions& o);

// Several alerts of one brand as one message (the deliverer's grouping): the group's headline
// "[P1 红色预警] 蓝途汽车 · 3 条预警", then each alert's headline and details, the top mentions
// once. `group` is in tier order (its first alert colours the message), at least one alert.
std::string group_headline(const std::vector<alert::Alert>& group, std::string_view lang);
std::string slack_body(const std::vector<alert::Alert>& group, const FormatOptions& o);
std::string wecom_body(const std::vector<alert::Alert>& group, const FormatOptions& o);
std::string feishu_body(const std::vector<alert::Alert>& group, const FormatOptions& o, std::string_view sign = "",
                        std::int64_t timestamp_s = 0);
std::string dingtalk_body(const std::vector<alert::Alert>& group, const FormatOptions& o);
// now_ms: wall clock, for endsAt of firing alerts and of the lower tiers an escalation leaves.
std::string alertmanager_body(const alert::Alert& a, const FormatOptions& o, std::int64_t now_ms);

}  // namespace yuqing::alert_sinks
