#include "engine/window/api.h"
#include "engine/base/civil_date.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>

namespace yuqing::window {
namespace {

namespace json = boost::json;

constexpr std::int64_t kMaxPoints = 2000;
constexpr std::size_t kMaxLimit = 200;
constexpr std::size_t kMaxCompare = 50;

// Percent-decodes a path segment (brand ids may be non-ASCII).
std::string decode_segment(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() + 0 && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::string label_name(std::int8_t l) { return l < 0 ? "negative" : l > 0 ? "positive" : "neutral"; }

http::Response bad(std::string_view detail) { return http::problem(400, "Bad parameter", detail); }
http::Response unknown_brand(std::string_view id) {
  return http::problem(404, "Unknown brand", "no brand with id '" + std::string(id) + "' is configured");
}

// `until` parameter or the watermark (exclusive end: the end of the watermark's minute).
Result<std::int64_t, std::string> end_time(const http::Request& req, const WindowStore& store) {
  const std::string until = req.param("until");
  if (until.empty()) {
    const std::int64_t wm = store.watermark_ms();
    return wm <= 0 ? std::int64_t{0} : (wm / kMinuteMs + 1) * kMinuteMs;
  }
  auto t = parse_time(until);
  if (!t) return Unexpected{"until: " + t.error()};
  return *t;
}

Result<std::int64_t, std::string> window_param(const http::Request& req, std::string_view name, std::string_view dflt) {
  std::string v = req.param(name);
  if (v.empty()) v = std::string(dflt);
  auto w = parse_window(v);
  if (!w) return Unexpected{std::string(name) + ": " + w.error()};
  return *w;
}

json::object baseline_json(const Baseline& b) {
  json::object o;
  o["kind"] = baseline_kind_name(b.kind);
  o["samples"] = b.samples;
  if (b.kind != Baseline::Kind::insufficient_history) {
    o["mean"] = b.mean;
    o["stddev"] = b.stddev;
  }
  return o;
}

http::Response brands(const WindowStore& store) {
  json::array arr;
  for (const auto& b : store.brands()) {
    json::object o;
    o["id"] = b.id;
    o["name"] = b.name.empty() ? b.id : b.name;
    json::array comp;
    for (const auto& c : b.competitors) comp.emplace_back(c);
    o["competitors"] = std::move(comp);
    arr.emplace_back(std::move(o));
  }
  json::object body;
  body["brands"] = std::move(arr);
  const std::int64_t wm = store.watermark_ms();
  body["watermark"] = wm > 0 ? json::value(format_time(wm)) : json::value(nullptr);
  return http::json(json::serialize(body));
}

http::Response trend(const http::Request& req, const WindowStore& store, const std::string& brand) {
  auto window = window_param(req, "window", "24h");
  if (!window) return bad(window.error());
  const std::string step_text = req.param("step");
  std::int64_t step = 0;
  if (step_text.empty()) {
    step = std::max(kMinuteMs, (*window / 24 + kMinuteMs - 1) / kMinuteMs * kMinuteMs);
  } else {
    auto s = parse_window(step_text);
    if (!s) return bad("step: " + s.error());
    step = *s;
  }
  if (step > *window) return bad("step (" + step_text + ") is longer than the window");
  if (*window / step > kMaxPoints) {
    return bad("window / step gives " + std::to_string(*window / step) + " points; at most " +
               std::to_string(kMaxPoints) + " (use a larger step)");
  }
  auto end = end_time(req, store);
  if (!end) return bad(end.error());
  // Without `until`, end on the step grid (UTC) so steps line up with hour/day buckets (a
  // 24h/1h trend reads 24 hour keys instead of 1,440 minutes); the last step may be partial.
  if (req.param("until").empty() && *end > 0 && kDayMs % step == 0) *end = (*end + step - 1) / step * step;
  bool with_baseline = true;
  Metric metric = Metric::mentions;
  if (const std::string b = req.param("baseline"); !b.empty()) {
    if (b == "off") {
      with_baseline = false;
    } else if (auto m = metric_from_name(b)) {
      metric = *m;
    } else {
      return bad("baseline: use mentions, negatives, stories, reach or off (got '" + b + "')");
    }
  }
  const auto aspects = store.aspect_names();
  const auto points = store.query(brand, *end - *window, *end, step);
  json::array arr;
  for (const auto& p : points) {
    json::object o;
    o["from"] = format_time(p.from_ms);
    o["to"] = format_time(p.to_ms);
    o["mentions"] = p.mentions;
    o["unique_stories"] = p.stories;
    o["reposts"] = p.reposts;
    o["positive"] = p.positive;
    o["neutral"] = p.neutral;
    o["negative"] = p.negative;
    o["avg_sentiment"] = p.avg_sentiment;
    o["negative_ratio"] = p.negative_ratio;
    o["reach"] = p.reach;
    o["unique_authors"] = std::llround(p.unique_authors);
    json::object plat;
    for (int i = 0; i < kPlatformCount; ++i) {
      if (p.platform[static_cast<std::size_t>(i)]) plat[platform_name(static_cast<Platform>(i))] = p.platform[static_cast<std::size_t>(i)];
    }
    o["platforms"] = std::move(plat);
    json::object asp;
    for (std::size_t i = 0; i < aspects.size(); ++i) {
      if (p.aspect[i] || p.negative_aspect[i]) {
        asp[aspects[i]] = json::object{{"mentions", p.aspect[i]}, {"negative", p.negative_aspect[i]}};
      }
    }
    o["aspects"] = std::move(asp);
    json::object cr;
    for (int i = 0; i < kCrisisCount; ++i) {
      if (p.crisis[static_cast<std::size_t>(i)]) cr[crisis_name(i)] = p.crisis[static_cast<std::size_t>(i)];
    }
    o["crisis"] = std::move(cr);
    if (with_baseline) o["baseline"] = baseline_json(store.baseline(brand, metric, p.to_ms, p.to_ms - p.from_ms));
    arr.emplace_back(std::move(o));
  }
  json::object body;
  body["brand"] = brand;
  body["from"] = format_time(*end - *window);
  body["to"] = format_time(*end);
  body["step_ms"] = step;
  if (with_baseline) {
    static constexpr std::string_view kNames[] = {"mentions", "negatives", "stories", "reach"};
    body["baseline_metric"] = kNames[static_cast<int>(metric)];
  }
  body["points"] = std::move(arr);
  return http::json(json::serialize(body));
}

http::Response mentions(const http::Request& req, const WindowStore& store, const std::string& brand) {
  std::optional<std::int8_t> label;
  const std::string l = req.param("label");
  if (l == "negative") label = -1;
  else if (l == "neutral") label = 0;
  else if (l == "positive") label = 1;
  else if (!l.empty() && l != "any") return bad("label: use negative, neutral, positive or any (got '" + l + "')");
  std::size_t limit = 20;
  if (const std::string s = req.param("limit"); !s.empty()) {
    unsigned long v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || v == 0 || v > kMaxLimit) {
      return bad("limit: a whole number from 1 to " + std::to_string(kMaxLimit) + " (got '" + s + "')");
    }
    limit = v;
  }
  std::optional<Platform> platform;
  if (const std::string p = req.param("platform"); !p.empty() && p != "any") {
    platform = platform_from_name(p);
    if (!platform) return bad("platform: unknown platform '" + p + "' (weibo, wechat, douyin, x, reddit, news, ...)");
  }
  std::int64_t since = 0;
  if (!req.param("window").empty()) {
    auto w = window_param(req, "window", "");
    if (!w) return bad(w.error());
    auto end = end_time(req, store);
    if (!end) return bad(end.error());
    since = *end - *w;
  }
  json::array arr;
  // The ring is small (docs/windows.md), so a platform filter reads all of it and cuts after.
  auto top = store.top_mentions(brand, label, platform ? std::numeric_limits<std::size_t>::max() : limit, since);
  if (platform) {
    std::erase_if(top, [&](const TopMention& m) { return m.platform != *platform; });
    if (top.size() > limit) top.resize(limit);
  }
  for (const auto& m : top) {
    json::object o;
    o["id"] = m.id;
    o["platform"] = platform_name(m.platform);
    o["url"] = m.url;
    o["text"] = m.text;
    o["author"] = m.author_name;
    o["followers"] = m.followers;
    o["reach"] = m.reach;
    o["score"] = static_cast<double>(m.score);
    o["label"] = label_name(m.label);
    o["created_at"] = format_time(m.event_ms);
    arr.emplace_back(std::move(o));
  }
  json::object body;
  body["brand"] = brand;
  body["mentions"] = std::move(arr);
  return http::json(json::serialize(body));
}

http::Response compare(const http::Request& req, const WindowStore& store) {
  const std::string list = req.param("brands");
  if (list.empty()) return bad("brands: give one or more brand ids, comma separated (brands=a,b,c)");
  std::vector<std::string> ids;
  for (std::size_t i = 0; i <= list.size();) {
    const std::size_t j = std::min(list.find(',', i), list.size());
    std::string id = list.substr(i, j - i);
    if (id.empty()) return bad("brands: empty brand id in '" + list + "'");
    if (!store.has_brand(id)) return unknown_brand(id);
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
    i = j + 1;
  }
  if (ids.size() > kMaxCompare) return bad("brands: at most " + std::to_string(kMaxCompare) + " brands");
  auto window = window_param(req, "window", "7d");
  if (!window) return bad(window.error());
  auto end = end_time(req, store);
  if (!end) return bad(end.error());
  const auto rows = ids.size() == 1 ? store.share_of_voice(ids[0], *end, *window) : store.compare(ids, *end, *window);
  json::array arr;
  for (const auto& r : rows) {
    json::object o;
    o["brand"] = r.brand;
    o["mentions"] = r.mentions;
    o["negative"] = r.negatives;
    o["share_of_voice"] = r.share;
    o["negative_share_of_voice"] = r.negative_share;
    o["avg_sentiment"] = r.avg_sentiment;
    o["negative_ratio"] = r.negative_ratio;
    o["previous"] = json::object{{"mentions", r.prev_mentions},
                                 {"negative", r.prev_negatives},
                                 {"share_of_voice", r.prev_share},
                                 {"negative_share_of_voice", r.prev_negative_share}};
    o["share_change"] = r.share_change;
    o["negative_share_change"] = r.negative_share_change;
    arr.emplace_back(std::move(o));
  }
  json::object body;
  body["from"] = format_time(*end - *window);
  body["to"] = format_time(*end);
  body["previous_from"] = format_time(*end - 2 * *window);
  body["brands"] = std::move(arr);
  return http::json(json::serialize(body));
}

}  // namespace

std::string format_time(std::int64_t ms) {
  std::int64_t days = ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
  std::int64_t rem = ms - days * kDayMs;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil::civil_from_days(days, y, m, d);
  char buf[96];
  const auto h = rem / kHourMs, mi = rem % kHourMs / kMinuteMs, s = rem % kMinuteMs / 1000, frac = rem % 1000;
  if (frac) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(h), static_cast<long long>(mi), static_cast<long long>(s), static_cast<long long>(frac));
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(h), static_cast<long long>(mi), static_cast<long long>(s));
  }
  return buf;
}

void register_routes(http::Server& server, const WindowStore& store) {
  const WindowStore* s = &store;
  server.route("GET", "/api/v1/brands", [s](const http::Request&) { return brands(*s); });
  server.route("GET", "/api/v1/compare", [s](const http::Request& req) { return compare(req, *s); });
  server.route_prefix("GET", "/api/v1/brands/", [s](const http::Request& req) {
    // /api/v1/brands/{id}/{what}
    std::string_view rest = req.path.substr(std::string_view("/api/v1/brands/").size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) {
      return http::problem(404, "Not found", "use /api/v1/brands/{id}/trend or /api/v1/brands/{id}/mentions");
    }
    const std::string id = decode_segment(rest.substr(0, slash));
    const std::string_view what = rest.substr(slash + 1);
    if (what != "trend" && what != "mentions") {
      return http::problem(404, "Not found", "unknown resource '" + std::string(what) + "'; use trend or mentions");
    }
    if (!s->has_brand(id)) return unknown_brand(id);
    return what == "trend" ? trend(req, *s, id) : mentions(req, *s, id);
  });
}

}  // namespace yuqing::window
