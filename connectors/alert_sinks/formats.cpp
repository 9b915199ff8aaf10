#include "connectors/alert_sinks/formats.h"

#include <array>
#include <charconv>
#include <cmath>

#include "connectors/alert_sinks/sign.h"
#include "engine/base/text.h"

namespace yuqing::alert_sinks {
namespace {

using alert::Alert;

constexpr std::array<std::string_view, alert::kDetectorCount> kDetectorZh = {
    "负面声量激增", "负面占比过高", "情感骤降", "大V负面", "危机词爆发", "声量份额异动", "话题快速传播"};
constexpr std::array<std::string_view, alert::kDetectorCount> kDetectorEn = {
    "negative volume spike", "high negative share",  "sentiment drop",        "influencer negative post",
    "crisis term burst",     "share-of-voice swing", "story spreading fast"};

bool zh(std::string_view lang) { return lang == "zh"; }

std::string json_str(std::string_view s) {
  std::string out;
  text::append_json_string(out, s);
  return out;
}

std::string num(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[32];
  // Two decimals at most for people; integers stay integers.
  const double r = std::round(v * 100) / 100;
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, r);
  (void)ec;
  return std::string(buf, end);
}

// "2024-05-01 12:10 UTC"
std::string when(std::int64_t ms) {
  const auto t = alert::format_time_ms(ms);
  return t.substr(0, 10) + " " + t.substr(11, 5) + " UTC";
}

// Markdown flavours differ in bold and links.
enum class Md : std::uint8_t { common, slack };

std::string bold(std::string_view s, Md md) {
  return md == Md::slack ? "*" + std::string(s) + "*" : "**" + std::string(s) + "**";
}
std::string link(std::string_view text_, std::string_view url, Md md) {
  if (md == Md::slack) return "<" + std::string(url) + "|" + std::string(text_) + ">";
  return "[" + std::string(text_) + "](" + std::string(url) + ")";
}
// Characters that would break the markup of a line of user text (mention texts and names).
std::string plain(std::string_view s, Md md) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      out += ' ';
    } else if (md == Md::slack && (c == '<' || c == '>' || c == '&')) {
      out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : "&amp;";
    } else if (md == Md::common && (c == '*' || c == '[' || c == ']' || c == '`' || c == '#')) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// The message body shared by the chat formats (without the headline).
std::string details(const Alert& a, const FormatOptions& o, std::string_view lang, Md md) {
  const bool z = zh(lang);
  std::string s;
  s += "> " + plain(a.reason, md) + "\n\n";
  s += z ? "严重度 " : "Severity ";
  s += std::to_string(a.severity) + "/10";
  s += z ? " · 开始 " : " · started ";
  s += when(a.started_ms);
  if (a.resolved_ms) {
    s += z ? " · 解除 " : " · resolved ";
    s += when(*a.resolved_ms);
  } else {
    s += z ? " · 更新 " : " · updated ";
    s += when(a.updated_ms);
  }
  s += "\n";
  const auto& m = a.metrics;
  if (!m.empty()) {
    std::vector<std::string> parts;
    if (m.value) parts.push_back((z ? "数值 " : "value ") + num(*m.value));
    if (m.baseline) parts.push_back((z ? "基线 " : "baseline ") + num(*m.baseline));
    if (m.ratio) parts.push_back((z ? "倍数 " : "ratio ") + num(*m.ratio));
    if (m.z_score) parts.push_back("z " + num(*m.z_score));
    if (m.count) parts.push_back((z ? "提及 " : "mentions ") + std::to_string(*m.count));
    if (m.window_s) parts.push_back((z ? "窗口 " : "window ") + num(*m.window_s / 60) + (z ? " 分钟" : " min"));
    s += z ? "指标：" : "Metrics: ";
    for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? " · " : "") + parts[i];
    s += "\n";
  }
  if (!a.crisis_terms.empty()) {
    s += z ? "危机词：" : "Crisis terms: ";
    for (std::size_t i = 0; i < a.crisis_terms.size() && i < 8; ++i) {
      s += (i ? (z ? "、" : ", ") : "") + plain(a.crisis_terms[i].term, md) + " (" + a.crisis_terms[i].category + ")";
    }
    s += "\n";
  }
  if (!a.aspects.empty()) {
    s += z ? "方面：" : "Aspects: ";
    for (std::size_t i = 0; i < a.aspects.size() && i < 6; ++i) {
      s += (i ? (z ? "、" : ", ") : "") + plain(a.aspects[i].aspect, md) + " " + num(a.aspects[i].score);
    }
    s += "\n";
  }
  if (!a.top_mentions.empty() && o.max_mentions > 0) {
    s += z ? "热门提及：\n" : "Top mentions:\n";
    for (std::size_t i = 0; i < a.top_mentions.size() && i < o.max_mentions; ++i) {
      const auto& tm = a.top_mentions[i];
      s += std::to_string(i + 1) + ". [" + tm.platform + "] ";
      if (!tm.author.empty()) {
        s += plain(tm.author, md);
        if (tm.followers) s += z ? "（粉丝 " + std::to_string(*tm.followers) + "）" : " (" + std::to_string(*tm.followers) + " followers)";
        s += z ? "：" : ": ";
      }
      s += plain(truncate_utf8(tm.text, 240), md);
      if (!tm.url.empty()) s += " " + link(z ? "原文" : "open", tm.url, md);
      s += "\n";
    }
  }
  const auto l = alert_link(a, o);
  if (!l.empty()) s += link(z ? "查看预警" : "View alert", l, md) + "\n";
  s += z ? "预警 ID：" : "Alert id: ";
  s += a.id;
  return s;
}

}  // namespace

std::string_view message_lang(const Alert& a, const FormatOptions& o) {
  if (o.lang == "zh" || o.lang == "en") return o.lang;
  return a.lang == "zh" ? "zh" : "en";
}

std::string_view detector_label(alert::Detector d, std::string_view lang) {
  const auto i = static_cast<std::size_t>(d);
  return zh(lang) ? kDetectorZh[i] : kDetectorEn[i];
}

namespace {
// "[已解除] [P1 红色预警] 海底捞 · " — what a single alert's and a group's headlines share.
std::string headline_prefix(const Alert& lead, bool resolved, std::string_view lang) {
  const bool z = zh(lang);
  const auto& n = alert::tier_names(lead.tier);
  std::string s;
  if (resolved) s += z ? "[已解除] " : "[RESOLVED] ";
  s += "[";
  s += alert::tier_name(lead.tier);
  s += " ";
  s += z ? n.zh : n.en;
  s += "] ";
  s += lead.brand_name.empty() ? lead.brand : lead.brand_name;
  s += " · ";
  return s;
}
}  // namespace

std::string headline(const Alert& a, std::string_view lang) {
  return headline_prefix(a, a.resolved(), lang) + std::string(detector_label(a.detector, lang));
}

std::string alert_link(const Alert& a, const FormatOptions& o) {
  if (o.link_url.empty()) return "";
  std::string out = o.link_url;
  const auto at = out.find("{id}");
  if (at != std::string::npos) out.replace(at, 4, url_encode(a.id));
  return out;
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t cut = max_bytes >= 3 ? max_bytes - 3 : 0;  // room for "…"
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "…";
}

namespace {

// The chat messages, from their parts: one alert or a group share the layout.
struct Message {
  std::string head;      // headline
  std::string details;   // markdown body (flavour of the sink)
  const Alert* lead;     // the alert whose tier and state colour the message
};

std::string slack_message(const Message& m) {
  const std::string colour = m.lead->resolved() ? "#2eb67d" : std::string(alert::tier_names(m.lead->tier).hex);
  // Slack section text is limited to 3000 characters.
  const auto body = truncate_utf8(m.details, 2900);
  std::string out = "{\"text\":" + json_str(m.head);
  out += ",\"attachments\":[{\"color\":" + json_str(colour) + ",\"fallback\":" + json_str(m.head);
  out += ",\"blocks\":[";
  out += "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":" + json_str(bold(m.head, Md::slack)) + "}},";
  out += "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":" + json_str(body) + "}}";
  out += "]}]}";
  return out;
}

std::string wecom_message(const Message& m) {
  // WeCom markdown colours: warning (orange-red), comment (grey), info (green).
  const Alert& a = *m.lead;
  const std::string_view font = a.resolved() ? "info" : a.tier == alert::Tier::P3 ? "comment" : "warning";
  std::string content = "<font color=\"" + std::string(font) + "\">" + bold(m.head, Md::common) + "</font>\n";
  content += m.details;
  // The robot rejects content over 4096 bytes.
  content = truncate_utf8(content, 4000);
  return "{\"msgtype\":\"markdown\",\"markdown\":{\"content\":" + json_str(content) + "}}";
}

std::string feishu_message(const Message& m, std::string_view sign, std::int64_t timestamp_s) {
  const std::string_view tmpl = m.lead->resolved() ? "green" : alert::tier_names(m.lead->tier).color;
  std::string out = "{";
  if (!sign.empty()) {
    out += "\"timestamp\":" + json_str(std::to_string(timestamp_s)) + ",\"sign\":" + json_str(sign) + ",";
  }
  out += "\"msg_type\":\"interactive\",\"card\":{\"config\":{\"wide_screen_mode\":true},";
  out += "\"header\":{\"template\":" + json_str(tmpl) + ",\"title\":{\"tag\":\"plain_text\",\"content\":" +
         json_str(m.head) + "}},";
  out += "\"elements\":[{\"tag\":\"div\",\"text\":{\"tag\":\"lark_md\",\"content\":" +
         json_str(truncate_utf8(m.details, 8000)) + "}}]}}";
  return out;
}

std::string dingtalk_message(const Message& m) {
  std::string text = "### " + m.head + "\n\n" + m.details;
  // DingTalk markdown needs a blank line between lines to keep them apart.
  std::string spaced;
  for (char c : text) {
    spaced += c;
    if (c == '\n') spaced += '\n';
  }
  return "{\"msgtype\":\"markdown\",\"markdown\":{\"title\":" + json_str(m.head) +
         ",\"text\":" + json_str(truncate_utf8(spaced, 18000)) + "}}";
}

Message single(const Alert& a, const FormatOptions& o, Md md) {
  const auto lang = message_lang(a, o);
  return {headline(a, lang), details(a, o, lang, md), &a};
}

// A group: the group's headline, then each alert's headline and details; the top mentions
// once (the lead alert's), since one brand's alerts show the same ones.
Message grouped(const std::vector<Alert>& g, const FormatOptions& o, Md md) {
  const auto lang = message_lang(g.front(), o);
  Message m{group_headline(g, lang), {}, &g.front()};
  FormatOptions rest = o;
  rest.max_mentions = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (i > 0) m.details += "\n\n";
    m.details += bold(headline(g[i], lang), md) + "\n" + details(g[i], i == 0 ? o : rest, lang, md);
  }
  return m;
}

}  // namespace

std::string group_headline(const std::vector<Alert>& g, std::string_view lang) {
  bool all_resolved = true;
  for (const auto& a : g) all_resolved = all_resolved && a.resolved();
  return headline_prefix(g.front(), all_resolved, lang) + std::to_string(g.size()) +
         (zh(lang) ? " 条预警" : " alerts");
}

std::string slack_body(const Alert& a, const FormatOptions& o) { return slack_message(single(a, o, Md::slack)); }
std::string slack_body(const std::vector<Alert>& g, const FormatOptions& o) {
  return slack_message(grouped(g, o, Md::slack));
}

std::string wecom_body(const Alert& a, const FormatOptions& o) { return wecom_message(single(a, o, Md::common)); }
std::string wecom_body(const std::vector<Alert>& g, const FormatOptions& o) {
  return wecom_message(grouped(g, o, Md::common));
}

std::string feishu_body(const Alert& a, const FormatOptions& o, std::string_view sign, std::int64_t timestamp_s) {
  return feishu_message(single(a, o, Md::common), sign, timestamp_s);
}
std::string feishu_body(const std::vector<Alert>& g, const FormatOptions& o, std::string_view sign,
                        std::int64_t timestamp_s) {
  return feishu_message(grouped(g, o, Md::common), sign, timestamp_s);
}

std::string dingtalk_body(const Alert& a, const FormatOptions& o) { return dingtalk_message(single(a, o, Md::common)); }
std::string dingtalk_body(const std::vector<Alert>& g, const FormatOptions& o) {
  return dingtalk_message(grouped(g, o, Md::common));
}

std::string alertmanager_body(const Alert& a, const FormatOptions& o, std::int64_t now_ms) {
  const auto lang = message_lang(a, o);
  const auto generator = alert_link(a, o);
  auto one = [&](alert::Tier tier, bool resolved_now) {
    std::string s = "{\"labels\":{";
    s += "\"alertname\":\"yuqing\"";
    s += ",\"alert_id\":" + json_str(a.id);
    s += ",\"brand\":" + json_str(a.brand);
    s += ",\"tier\":" + json_str(alert::tier_name(tier));
    s += ",\"detector\":" + json_str(alert::detector_name(a.detector));
    s += "},\"annotations\":{";
    Alert shown = a;
    shown.tier = tier;
    s += "\"summary\":" + json_str(headline(shown, lang));
    s += ",\"description\":" + json_str(a.reason);
    s += ",\"severity\":" + json_str(std::to_string(a.severity));
    s += ",\"tier_name\":" + json_str(zh(lang) ? alert::tier_names(tier).zh : alert::tier_names(tier).en);
    if (!a.brand_name.empty()) s += ",\"brand_name\":" + json_str(a.brand_name);
    s += ",\"event_started_at\":" + json_str(alert::format_time_ms(a.started_ms));
    s += ",\"event_updated_at\":" + json_str(alert::format_time_ms(a.updated_ms));
    std::string links;
    for (std::size_t i = 0; i < a.top_mentions.size() && i < o.max_mentions; ++i) {
      if (a.top_mentions[i].url.empty()) continue;
      if (!links.empty()) links += "\n";
      links += a.top_mentions[i].url;
    }
    if (!links.empty()) s += ",\"links\":" + json_str(links);
    if (!a.crisis_terms.empty()) {
      std::string terms;
      for (std::size_t i = 0; i < a.crisis_terms.size(); ++i) terms += (i ? ", " : "") + a.crisis_terms[i].term;
      s += ",\"crisis_terms\":" + json_str(terms);
    }
    s += "}";
    s += ",\"startsAt\":" + json_str(alert::format_time_ms(a.processing_started_ms));
    std::int64_t ends = now_ms + o.firing_ttl_ms;
    if (resolved_now) ends = now_ms;
    if (a.resolved()) ends = a.processing_resolved_ms.value_or(now_ms);
    s += ",\"endsAt\":" + json_str(alert::format_time_ms(ends));
    if (!generator.empty()) s += ",\"generatorURL\":" + json_str(generator);
    s += "}";
    return s;
  };
  std::string out = "[" + one(a.tier, false);
  // Tier is a label, so an escalated incident is a new Alertmanager alert: end the lower
  // tiers it may have been sent at, so they do not linger until their endsAt.
  if (!a.resolved()) {
    for (int t = static_cast<int>(a.tier) + 1; t < alert::kTierCount; ++t) {
      out += "," + one(static_cast<alert::Tier>(t), true);
    }
  }
  out += "]";
  return out;
}

}  // namespace yuqing::alert_sinks
