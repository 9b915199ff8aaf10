#include "engine/cli/report_command.h"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/cli/api_client.h"
#include "engine/dashboard/dashboard.h"
#include "engine/window/api.h"
#include "engine/window/window.h"

namespace yuqing::cli {
namespace {

namespace json = boost::json;

struct ReportFlags {
  std::string server = "127.0.0.1:8080";
  std::string brand, window = "7d", out = "report.html";
};

// ---------- small helpers ----------

std::string esc(std::string_view s) {  // HTML text and attribute values
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
std::string num(double v) {  // 12,345
  std::string digits = std::to_string(std::llround(v));
  const bool neg = !digits.empty() && digits[0] == '-';
  if (neg) digits.erase(0, 1);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return neg ? "-" + digits : digits;
}
std::string pct(double v, int digits = 1) { return fmt(digits ? "%.1f%%" : "%.0f%%", v * 100); }
std::string compact(double v) {
  if (v >= 1e8) return fmt("%.1f亿", v / 1e8);
  if (v >= 1e4) return fmt("%.1f万", v / 1e4);
  return num(v);
}

const json::value* at(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.as_object().if_contains(key);
}
double dbl(const json::value& v, std::string_view key) {
  const auto* x = at(v, key);
  if (!x) return 0;
  if (x->is_double()) return x->as_double();
  if (x->is_int64()) return static_cast<double>(x->as_int64());
  if (x->is_uint64()) return static_cast<double>(x->as_uint64());
  return 0;
}
std::string str(const json::value& v, std::string_view key) {
  const auto* x = at(v, key);
  return x && x->is_string() ? std::string(x->as_string()) : std::string();
}
const json::array& arr(const json::value& v, std::string_view key) {
  static const json::array kEmpty;
  const auto* x = at(v, key);
  return x && x->is_array() ? x->as_array() : kEmpty;
}
std::int64_t ms_of(const std::string& rfc3339) {
  auto t = window::parse_time(rfc3339);
  return t ? *t : 0;
}
// "2026-11-01T00:05:00.000Z" -> "11-01 00:05" (UTC)
std::string short_time(const std::string& t) {
  if (t.size() < 16) return t;
  return t.substr(5, 5) + " " + t.substr(11, 5);
}
std::string safe_url(const std::string& u) {
  if (u.starts_with("https://") || u.starts_with("http://")) return u;
  return {};
}

std::string detector_label(const std::string& d) {
  static const std::map<std::string, std::string> kNames = {
      {"negative_volume_spike", "负面声量激增 · Negative volume spike"},
      {"negative_ratio", "负面占比过高 · High negative ratio"},
      {"sentiment_drop", "情感骤降 · Sentiment drop"},
      {"influencer_negative", "大V负面发声 · Influencer negative post"},
      {"crisis_term_burst", "危机词爆发 · Crisis-term burst"},
      {"share_of_voice_swing", "声量份额异动 · Share-of-voice swing"},
      {"story_velocity", "传播速度异常 · Story spreading fast"},
  };
  const auto it = kNames.find(d);
  return it == kNames.end() ? d : it->second;
}

// The step for a window: the smallest of the usual steps giving at most 40 points.
std::string step_for(std::int64_t window_ms) {
  static constexpr std::pair<const char*, std::int64_t> kSteps[] = {
      {"1m", 1}, {"2m", 2}, {"5m", 5}, {"10m", 10}, {"15m", 15}, {"30m", 30}, {"1h", 60},
      {"2h", 120}, {"3h", 180}, {"6h", 360}, {"12h", 720}, {"1d", 1440}, {"7d", 10080}};
  for (const auto& [text, minutes] : kSteps) {
    if (window_ms / (minutes * window::kMinuteMs) <= 40) return text;
  }
  return "30d";
}

// ---------- data ----------

struct Data {
  std::string brand_name;
  std::vector<std::string> competitors;
  std::map<std::string, std::string> names;  // brand id -> display name
  json::value trend, compare, mentions, alerts;
};

struct Fetcher {
  const std::string& server;
  std::string error;
  std::optional<json::value> get(const std::string& target) {
    auto r = api_get(server, target);
    if (!r) {
      error = r.error();
      return std::nullopt;
    }
    if (r->status != 200) {
      error = std::to_string(r->status) + " from " + target + ": " + problem_detail(*r);
      return std::nullopt;
    }
    boost::system::error_code ec;
    auto v = json::parse(r->body, ec);
    if (ec) {
      error = "the answer to " + target + " is not JSON (" + ec.message() + ")";
      return std::nullopt;
    }
    return v;
  }
};

// ---------- charts ----------

// Volume (area + line + points), the baseline band (mean ± 2 sd) with its mean, the negative
// ratio on the right axis and a marker where each alert started. Fixed 960 x 300 user units;
// the SVG scales to the page width.
std::string trend_svg(const Data& d) {
  const auto& points = arr(d.trend, "points");
  constexpr double W = 960, H = 300, L = 56, R = 56, T = 14, B = 30;
  const double iw = W - L - R, ih = H - T - B;
  std::string s = "<svg class=\"trend\" viewBox=\"0 0 960 300\" width=\"100%\" role=\"img\" aria-label=\"trend\" "
                  "xmlns=\"http://www.w3.org/2000/svg\">";
  if (points.empty()) return s + "</svg>";
  struct P {
    std::int64_t from, to;
    double mentions, negative, ratio;
    bool has_base;
    double mean, sd;
  };
  std::vector<P> ps;
  double vmax = 0;
  for (const auto& p : points) {
    P x{ms_of(str(p, "from")), ms_of(str(p, "to")), dbl(p, "mentions"), dbl(p, "negative"), dbl(p, "negative_ratio"), false, 0, 0};
    if (const auto* b = at(p, "baseline"); b && str(*b, "kind") != "insufficient_history" && at(*b, "mean")) {
      x.has_base = true;
      x.mean = dbl(*b, "mean");
      x.sd = dbl(*b, "stddev");
      vmax = std::max(vmax, x.mean + 2 * x.sd);
    }
    vmax = std::max(vmax, x.mentions);
    ps.push_back(x);
  }
  vmax = std::max(1.0, vmax * 1.05);
  {  // a round axis maximum
    const double p10 = std::pow(10.0, std::floor(std::log10(vmax)));
    for (double m : {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
      if (m * p10 >= vmax) {
        vmax = m * p10;
        break;
      }
    }
  }
  const double t0 = static_cast<double>(ps.front().from), t1 = static_cast<double>(ps.back().to);
  auto x = [&](double ms) { return L + (ms - t0) / std::max(1.0, t1 - t0) * iw; };
  auto mid = [&](const P& p) { return x((static_cast<double>(p.from) + static_cast<double>(p.to)) / 2); };
  auto y = [&](double v) { return T + ih - v / vmax * ih; };
  auto yr = [&](double r) { return T + ih - r * ih; };
  auto xy = [](double a, double b) { return fmt("%.1f", a) + "," + fmt("%.1f", b); };

  s += "<g class=\"grid\">";
  for (int i = 0; i <= 4; ++i) {
    const double gy = T + ih * i / 4;
    s += "<line x1=\"" + fmt("%.0f", L) + "\" x2=\"" + fmt("%.0f", L + iw) + "\" y1=\"" + fmt("%.1f", gy) + "\" y2=\"" + fmt("%.1f", gy) + "\"/>";
    s += "<text class=\"axis-left\" text-anchor=\"end\" x=\"" + fmt("%.0f", L - 8) + "\" y=\"" + fmt("%.1f", gy + 4) + "\">" +
         compact(vmax * (1 - i / 4.0)) + "</text>";
    s += "<text class=\"axis-right\" x=\"" + fmt("%.0f", L + iw + 8) + "\" y=\"" + fmt("%.1f", gy + 4) + "\">" +
         std::to_string(100 - i * 25) + "%</text>";
  }
  constexpr int kTicks = 6;
  for (int i = 0; i <= kTicks; ++i) {
    const double ms = t0 + (t1 - t0) * i / kTicks;
    const char* anchor = i == 0 ? "start" : i == kTicks ? "end" : "middle";
    s += "<text class=\"axis-x\" text-anchor=\"" + std::string(anchor) + "\" x=\"" + fmt("%.1f", x(ms)) + "\" y=\"" +
         fmt("%.0f", H - 8) + "\">" + esc(short_time(window::format_time(static_cast<std::int64_t>(ms)))) + "</text>";
  }
  s += "</g>";

  // baseline band, in runs of points that have a baseline
  for (std::size_t i = 0; i < ps.size();) {
    if (!ps[i].has_base) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < ps.size() && ps[j].has_base) ++j;
    std::string upper, lower, mean;
    for (std::size_t k = i; k < j; ++k) {
      upper += (k == i ? "M" : "L") + xy(mid(ps[k]), y(ps[k].mean + 2 * ps[k].sd));
      mean += (k == i ? "M" : "L") + xy(mid(ps[k]), y(ps[k].mean));
    }
    for (std::size_t k = j; k-- > i;) lower += "L" + xy(mid(ps[k]), y(std::max(0.0, ps[k].mean - 2 * ps[k].sd)));
    if (j - i == 1) {
      const double hw = std::max(3.0, iw / static_cast<double>(ps.size()) / 3);
      const double top = y(ps[i].mean + 2 * ps[i].sd), bottom = y(std::max(0.0, ps[i].mean - 2 * ps[i].sd));
      s += "<rect class=\"baseline-band\" x=\"" + fmt("%.1f", mid(ps[i]) - hw) + "\" width=\"" + fmt("%.1f", 2 * hw) + "\" y=\"" +
           fmt("%.1f", top) + "\" height=\"" + fmt("%.1f", std::max(1.0, bottom - top)) + "\"/>";
    } else {
      s += "<path class=\"baseline-band\" d=\"" + upper + lower + "Z\"/>";
      s += "<path class=\"baseline-mean\" d=\"" + mean + "\"/>";
    }
    i = j;
  }

  for (const auto& a : arr(d.alerts, "alerts")) {
    const double ms = static_cast<double>(ms_of(str(a, "started_at")));
    if (ms < t0 || ms > t1) continue;
    const std::string tier = esc(str(a, "tier"));
    s += "<g class=\"alert-marker tier-" + tier + "\"><line x1=\"" + fmt("%.1f", x(ms)) + "\" x2=\"" + fmt("%.1f", x(ms)) +
         "\" y1=\"" + fmt("%.0f", T) + "\" y2=\"" + fmt("%.0f", T + ih) + "\"/><path d=\"M" + xy(x(ms) - 6, T) + "L" +
         xy(x(ms) + 6, T) + "L" + xy(x(ms), T + 9) + "Z\"/><title>" + tier + " " + esc(str(a, "detector")) + ": " +
         esc(str(a, "reason")) + "</title></g>";
  }

  std::string line;
  for (std::size_t k = 0; k < ps.size(); ++k) line += (k ? "L" : "M") + xy(mid(ps[k]), y(ps[k].mentions));
  s += "<path class=\"volume-area\" d=\"M" + xy(mid(ps.front()), y(0)) + "L" + line.substr(1) + "L" + xy(mid(ps.back()), y(0)) + "Z\"/>";
  s += "<path class=\"volume-line\" d=\"" + line + "\"/>";
  std::string ratio;
  for (const auto& p : ps) {
    if (p.mentions <= 0) {
      if (!ratio.empty()) s += "<path class=\"ratio-line\" d=\"" + ratio + "\"/>";
      ratio.clear();
      continue;
    }
    ratio += (ratio.empty() ? "M" : "L") + xy(mid(p), yr(p.ratio));
  }
  if (!ratio.empty()) s += "<path class=\"ratio-line\" d=\"" + ratio + "\"/>";
  s += "<g class=\"points\">";
  for (const auto& p : ps) {
    s += "<circle class=\"point volume-point\" r=\"3\" cx=\"" + fmt("%.1f", mid(p)) + "\" cy=\"" + fmt("%.1f", y(p.mentions)) +
         "\"><title>" + esc(short_time(window::format_time(p.from))) + ": " + num(p.mentions) + " / " + pct(p.ratio) +
         "</title></circle>";
    if (p.mentions > 0) {
      s += "<circle class=\"point ratio-point\" r=\"2.5\" cx=\"" + fmt("%.1f", mid(p)) + "\" cy=\"" + fmt("%.1f", yr(p.ratio)) + "\"/>";
    }
  }
  s += "</g></svg>";
  return s;
}

std::string sentiment_svg(double pos, double neu, double neg) {
  const double total = pos + neu + neg;
  std::string s = "<svg class=\"split\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"sentiment\" "
                  "xmlns=\"http://www.w3.org/2000/svg\">";
  double acc = 0;
  for (const auto& [cls, v] : {std::pair{"positive", pos}, std::pair{"neutral", neu}, std::pair{"negative", neg}}) {
    const double w = total > 0 ? v / total * 100 : 0;
    if (w > 0) {
      s += "<rect class=\"seg-" + std::string(cls) + "\" x=\"" + fmt("%.3f", acc) + "\" y=\"0\" width=\"" + fmt("%.3f", w) +
           "\" height=\"8\"/>";
    }
    acc += w;
  }
  return s + "</svg>";
}

// ---------- the page ----------

std::string kpi(const std::string& label, const std::string& value, const std::string& sub, const std::string& cls = "") {
  return "<div class=\"kpi " + cls + "\"><div class=\"kpi-label\">" + label + "</div><div class=\"kpi-value\">" + value +
         "</div><div class=\"kpi-sub\">" + sub + "</div></div>";
}

std::string mention_html(const json::value& m) {
  std::string s = "<li class=\"mention\"><div class=\"mention-meta\"><span class=\"chip\">" + esc(str(m, "platform")) +
                  "</span><span class=\"author\">" + esc(str(m, "author")) + "</span>";
  if (dbl(m, "followers") > 0) s += "<span class=\"muted\">粉丝 followers " + compact(dbl(m, "followers")) + "</span>";
  if (!str(m, "created_at").empty()) s += "<span class=\"muted\">" + esc(short_time(str(m, "created_at"))) + " UTC</span>";
  if (at(m, "score")) s += "<span class=\"muted\">score " + fmt("%.2f", dbl(m, "score")) + "</span>";
  if (const auto url = safe_url(str(m, "url")); !url.empty()) {
    s += "<a class=\"mention-link\" href=\"" + esc(url) + "\" rel=\"noopener noreferrer nofollow\">原文 Open ↗</a>";
  }
  return s + "</div><p class=\"mention-text full\">" + esc(str(m, "text")) + "</p></li>";
}

constexpr std::string_view kReportStyle = R"(
body { background: #fff; }
.report { max-width: 1040px; margin: 0 auto; padding: 28px 32px 12px; display: grid; gap: 18px; }
.report-head { border-bottom: 3px solid #1d2433; padding-bottom: 12px; }
.report-head h1 { margin: 0 0 4px; font-size: 24px; }
.report-head .meta { color: var(--muted); font-size: 13px; }
.report .kpis { grid-template-columns: repeat(4, 1fr); }
.report .grid { grid-template-columns: 1fr 1fr; }
.report svg.trend text { font-size: 12px; }
.report .card { break-inside: avoid; }
.mention-text.full { display: block; -webkit-line-clamp: unset; overflow: visible; }
.report .split { height: 26px; }
.report .sov-row .fill { background: #8a94a6; }
.report .sov-row.self .fill { background: var(--accent); }
table.alerts-table { width: 100%; border-collapse: collapse; font-size: 13px; }
@media print { .report { padding: 0; } .report .grid { grid-template-columns: 1fr 1fr; } }
)";

std::string render(const ReportFlags& f, const Data& d, const std::string& step) {
  const auto& points = arr(d.trend, "points");
  double mentions = 0, neg = 0, pos = 0, neu = 0, sent = 0;
  for (const auto& p : points) {
    mentions += dbl(p, "mentions");
    neg += dbl(p, "negative");
    pos += dbl(p, "positive");
    neu += dbl(p, "neutral");
    sent += dbl(p, "avg_sentiment") * dbl(p, "mentions");
  }
  const json::value* self = nullptr;
  for (const auto& r : arr(d.compare, "brands")) {
    if (str(r, "brand") == f.brand) self = &r;
  }
  const double prev_mentions = self ? dbl(*at(*self, "previous"), "mentions") : 0;
  const double prev_neg = self ? dbl(*at(*self, "previous"), "negative") : 0;
  const double ratio = mentions > 0 ? neg / mentions : 0, prev_ratio = prev_mentions > 0 ? prev_neg / prev_mentions : 0;
  const auto& alerts = arr(d.alerts, "alerts");
  std::map<std::string, int> tiers;
  for (const auto& a : alerts) ++tiers[str(a, "tier")];
  const std::string top_tier = tiers["P1"] ? "P1" : tiers["P2"] ? "P2" : tiers["P3"] ? "P3" : "";

  const auto* css = dashboard::find_asset("dashboard.css");
  const std::string title = "舆情报告 Brand report — " + d.brand_name;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();

  std::string h;
  h.reserve(64 * 1024);
  h += "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
       "<title>" + esc(title) + "</title>\n<style>\n" + std::string(css ? css->body : "") + std::string(kReportStyle) +
       "</style>\n</head>\n<body>\n<div class=\"report\">\n";
  h += "<header class=\"report-head\"><h1>" + esc(title) + " <span class=\"muted\">(" + esc(f.brand) + ")</span></h1>";
  h += "<div class=\"meta\">时间窗口 Window: " + esc(f.window) + " · " + esc(str(d.trend, "from")) + " — " + esc(str(d.trend, "to")) +
       " (UTC, event time) · step " + esc(step) + " · 生成于 generated " + esc(window::format_time(now - now % 1000)) +
       " · yuqing report</div></header>\n";

  h += "<section class=\"kpis\">";
  std::string vs;
  if (prev_mentions > 0) {
    const double c = (mentions - prev_mentions) / prev_mentions * 100;
    vs = std::string(c >= 0 ? "▲ " : "▼ ") + fmt("%.0f%%", std::abs(c)) + " 较上期 vs previous";
  } else {
    vs = "上期 previous: " + num(prev_mentions);
  }
  h += kpi("提及量 Mentions", num(mentions), vs);
  h += kpi("负面占比 Negative ratio", pct(ratio),
           prev_mentions > 0 ? std::string(ratio >= prev_ratio ? "▲ " : "▼ ") + fmt("%.1f pt", std::abs(ratio - prev_ratio) * 100) + " vs previous" : "",
           ratio >= 0.55 ? "bad" : "");
  const double avg = mentions > 0 ? sent / mentions : 0;
  h += kpi("平均情感 Avg. sentiment", fmt("%.2f", avg), "−1 … +1", avg < -0.1 ? "bad" : avg > 0.1 ? "good" : "");
  h += kpi("预警 Alerts", std::to_string(alerts.size()),
           "P1 " + std::to_string(tiers["P1"]) + " · P2 " + std::to_string(tiers["P2"]) + " · P3 " + std::to_string(tiers["P3"]),
           top_tier.empty() ? "" : "tier-" + top_tier);
  h += "</section>\n";

  h += "<section class=\"card\"><div class=\"card-head\"><h2>声量与负面占比趋势 Volume and negative ratio</h2><div class=\"legend\">"
       "<span class=\"key key-volume\">提及量 Mentions</span><span class=\"key key-ratio\">负面占比 Negative %</span>"
       "<span class=\"key key-band\">基线 Baseline (mean ± 2σ)</span><span class=\"key key-alert\">预警 Alert</span></div></div>";
  h += "<div class=\"chart\">" + trend_svg(d) + "</div>";
  const bool any_base = std::any_of(points.begin(), points.end(), [](const json::value& p) {
    const auto* b = at(p, "baseline");
    return b && str(*b, "kind") != "insufficient_history";
  });
  h += std::string("<p class=\"note\">") +
       (any_base ? "阴影为基线正常波动范围（往期同期或之前窗口的指数加权均值）。 The band is the baseline's normal range."
                 : "历史数据不足，暂无基线。 Not enough history for a baseline.") +
       "</p></section>\n";

  h += "<div class=\"grid\"><section class=\"card\"><div class=\"card-head\"><h2>情感分布 Sentiment split</h2></div>";
  const double total = pos + neu + neg;
  h += sentiment_svg(pos, neu, neg) + "<div class=\"split-legend\">";
  for (const auto& [cls, label, v] : {std::tuple{"positive", "正面 Positive", pos}, std::tuple{"neutral", "中性 Neutral", neu},
                                      std::tuple{"negative", "负面 Negative", neg}}) {
    h += "<div class=\"split-item item-" + std::string(cls) + "\"><span class=\"dot\"></span><span class=\"name\">" + label +
         "</span><b>" + pct(total > 0 ? v / total : 0) + "</b><span class=\"muted\">" + num(v) + "</span></div>";
  }
  h += "</div></section>";

  h += "<section class=\"card\"><div class=\"card-head\"><h2>声量份额 Share of voice</h2></div><div class=\"sov\">";
  for (const auto& r : arr(d.compare, "brands")) {
    const std::string id = str(r, "brand");
    const double share = dbl(r, "share_of_voice"), change = dbl(r, "share_change") * 100;
    h += "<div class=\"sov-row" + std::string(id == f.brand ? " self" : "") + "\"><div class=\"sov-head\"><span class=\"sov-name\">" +
         esc(d.names.contains(id) && !d.names.at(id).empty() ? d.names.at(id) : id) + "</span><b class=\"sov-share\">" + pct(share) + "</b><span class=\"delta " +
         (change > 0.05 ? "up" : change < -0.05 ? "down" : "") + "\">" + (change >= 0 ? "▲ " : "▼ ") +
         fmt("%.1f pt", std::abs(change)) + "</span></div><span class=\"bar-track\"><span class=\"fill\" style=\"width:" +
         fmt("%.1f", share * 100) + "%\"></span></span><div class=\"sov-sub muted\">提及 mentions " + num(dbl(r, "mentions")) +
         " · 负面占比 negative " + pct(dbl(r, "negative_ratio")) + "</div></div>";
  }
  h += "</div><p class=\"note\">";
  h += d.competitors.empty() ? "品牌规则中未配置竞品。 No competitors in the brand rules."
                             : "变化为较上一同长度窗口。 Change against the previous window of the same length.";
  h += "</p></section></div>\n";

  h += "<section class=\"card\"><div class=\"card-head\"><h2>预警 Alerts</h2><span class=\"count\">" + std::to_string(alerts.size()) +
       "</span></div><ol class=\"alerts\">";
  if (alerts.empty()) h += "<li class=\"empty\">该时间窗口内没有预警 No alerts in this window</li>";
  for (const auto& a : alerts) {
    const std::string tier = esc(str(a, "tier"));
    std::string tier_name;
    if (const auto* tn = at(a, "tier_name")) tier_name = str(*tn, "zh") + " " + str(*tn, "en");
    const bool resolved = str(a, "state") == "resolved";
    h += "<li class=\"alert tier-" + tier + (resolved ? " is-resolved" : "") + "\"><div class=\"alert-head\"><span class=\"badge tier-" +
         tier + "\">" + tier + " " + esc(tier_name) + "</span><span class=\"detector\">" + esc(detector_label(str(a, "detector"))) +
         "</span><span class=\"state\">" + esc(str(a, "state")) + "</span><span class=\"muted when\">" +
         esc(short_time(str(a, "started_at"))) + " → " + esc(short_time(str(a, "updated_at"))) + " UTC</span></div><p class=\"reason\">" +
         esc(str(a, "reason")) + "</p>";
    if (const auto& tm = arr(a, "top_mentions"); !tm.empty()) {
      h += "<ol class=\"mentions compact\">";
      for (std::size_t i = 0; i < tm.size() && i < 3; ++i) h += mention_html(tm[i]);
      h += "</ol>";
    }
    h += "</li>";
  }
  h += "</ol></section>\n";

  h += "<section class=\"card\"><div class=\"card-head\"><h2>热门负面提及 Top negative mentions</h2></div><ol class=\"mentions\">";
  const auto& ms = arr(d.mentions, "mentions");
  if (ms.empty()) h += "<li class=\"empty\">暂无负面提及 No negative mentions</li>";
  for (const auto& m : ms) h += mention_html(m);
  h += "</ol></section>\n";
  h += "<footer class=\"footer\">yuqing report · " + esc(f.server) +
       " · 数据为事件时间（UTC） Times are event times in UTC · 本文件不含脚本，不引用外部资源 no scripts, no external resources</footer>\n";
  h += "</div>\n</body>\n</html>\n";
  return h;
}

int run_report(const ReportFlags& f) {
  auto window_ms = window::parse_window(f.window);
  if (!window_ms) {
    std::cerr << "yuqing report: --window: " << window_ms.error() << "\n";
    return kExitUsage;
  }
  const std::string step = step_for(*window_ms);
  Fetcher api{f.server, {}};
  auto brands = api.get("/api/v1/brands");
  if (!brands) {
    std::cerr << "yuqing report: " << api.error << "\n";
    return api.error.starts_with("--server") ? kExitUsage : kExitFailure;
  }
  Data d;
  bool found = false;
  std::string known;
  for (const auto& b : arr(*brands, "brands")) {
    known += (known.empty() ? "" : ", ") + str(b, "id");
    d.names[str(b, "id")] = str(b, "name");
    if (str(b, "id") != f.brand) continue;
    found = true;
    d.brand_name = str(b, "name");
    for (const auto& c : arr(b, "competitors")) {
      if (c.is_string()) d.competitors.emplace_back(c.as_string());
    }
  }
  if (!found) {
    std::cerr << "yuqing report: the engine at " << f.server << " has no brand '" << f.brand << "' (brands: " << known << ")\n";
    return kExitFailure;
  }
  if (d.brand_name.empty()) d.brand_name = f.brand;
  const std::string id = url_encode(f.brand), w = url_encode(f.window);
  auto trend = api.get("/api/v1/brands/" + id + "/trend?window=" + w + "&step=" + step);
  if (!trend) {
    std::cerr << "yuqing report: " << api.error << "\n";
    return kExitFailure;
  }
  const std::int64_t from = ms_of(str(*trend, "from"));
  auto compare = api.get("/api/v1/compare?brands=" + id + "&window=" + w);
  auto mentions = compare ? api.get("/api/v1/brands/" + id + "/mentions?label=negative&limit=10&window=" + w) : std::nullopt;
  auto alerts = mentions ? api.get("/api/v1/alerts?brand=" + id + "&since=" + std::to_string(std::max<std::int64_t>(0, from)))
                         : std::nullopt;
  if (!alerts) {
    std::cerr << "yuqing report: " << api.error << "\n";
    return kExitFailure;
  }
  d.trend = std::move(*trend);
  d.compare = std::move(*compare);
  d.mentions = std::move(*mentions);
  d.alerts = std::move(*alerts);
  const std::string html = render(f, d, step);
  std::ofstream out(f.out, std::ios::binary | std::ios::trunc);
  out << html;
  out.close();
  if (!out) {
    std::cerr << "yuqing report: cannot write " << f.out << "\n";
    return kExitFailure;
  }
  std::cout << "Wrote " << f.out << " (" << html.size() << " bytes): " << d.brand_name << ", window " << f.window << ", "
            << arr(d.alerts, "alerts").size() << " alert(s).\n";
  return kExitOk;
}

}  // namespace

void register_report_command(CLI::App& root, CommandResult& result) {
  auto f = std::make_shared<ReportFlags>();
  auto* cmd = root.add_subcommand(
      "report", "Write a self-contained HTML report of one brand (trend, sentiment, share of voice, alerts, top negative "
                "mentions) from a running engine, for the weekly PR review.");
  cmd->add_option("--brand", f->brand, "Brand id (as in the rules / GET /api/v1/brands)")->required();
  cmd->add_option("--window", f->window, "Period up to the newest event: 1h, 24h, 7d, 30d ... (default 7d)");
  cmd->add_option("--out", f->out, "Output HTML file (default report.html)");
  cmd->add_option("--server", f->server,
                  "Engine HTTP address, HOST:PORT or http://HOST:PORT (default 127.0.0.1:8080); token from YUQING_API_TOKEN");
  cmd->footer("Example:\n  yuqing report --brand lantu-auto --window 7d --out report.html --server http://127.0.0.1:8080");
  cmd->callback([f, &result] { result.exit_code = run_report(*f); });
}

}  // namespace yuqing::cli
