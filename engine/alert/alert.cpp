#include "engine/alert/alert.h"
#include "engine/base/civil_date.h"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <regex>

#include "engine/base/text.h"

namespace yuqing::alert {
namespace {

constexpr std::array<std::string_view, kTierCount> kTierCodes = {"P1", "P2", "P3"};
constexpr std::array<TierNames, kTierCount> kTierNames = {{
    {"red", "critical", "红色预警", "#d9333f"},
    {"orange", "high", "橙色预警", "#f08c00"},
    {"yellow", "elevated", "黄色预警", "#f5c400"},
}};
constexpr std::array<std::string_view, kDetectorCount> kDetectorNames = {
    "negative_volume_spike", "negative_ratio",       "sentiment_drop", "influencer_negative",
    "crisis_term_burst",     "share_of_voice_swing", "story_velocity"};

void append_number(std::string& out, double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) {
    out += '0';
    return;
  }
  out.append(buf, end);
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, end);
}

// Writes `"key":` with a leading comma when needed.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  void key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    text::append_json_string(out_, k);
    out_ += ':';
  }
  void str(std::string_view k, std::string_view v) {
    key(k);
    text::append_json_string(out_, v);
  }
  void num(std::string_view k, double v) {
    if (!std::isfinite(v)) return;
    key(k);
    append_number(out_, v);
  }
  void integer(std::string_view k, std::int64_t v) {
    key(k);
    append_int(out_, v);
  }
  void time(std::string_view k, std::int64_t ms) { str(k, format_time_ms(ms)); }
  void close() { out_ += '}'; }

 private:
  std::string& out_;
  bool first_ = true;
};

// --- parsing helpers (Boost.JSON, no exceptions escape) ---

struct Reader {
  std::string error;
  bool failed() const { return !error.empty(); }
  void fail(std::string msg) {
    if (error.empty()) error = std::move(msg);
  }

  const boost::json::value* get(const boost::json::object& o, std::string_view k, bool required) {
    auto it = o.find(k);
    if (it == o.end()) {
      if (required) fail("missing '" + std::string(k) + "'");
      return nullptr;
    }
    return &it->value();
  }
  std::string str(const boost::json::object& o, std::string_view k, bool required) {
    const auto* v = get(o, k, required);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      fail("'" + std::string(k) + "' must be a string");
      return {};
    }
    return std::string(v->get_string());
  }
  std::optional<double> num(const boost::json::object& o, std::string_view k) {
    const auto* v = get(o, k, false);
    if (v == nullptr) return std::nullopt;
    if (v->is_double()) return v->get_double();
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    fail("'" + std::string(k) + "' must be a number");
    return std::nullopt;
  }
  std::optional<std::int64_t> integer(const boost::json::object& o, std::string_view k, bool required) {
    const auto* v = get(o, k, required);
    if (v == nullptr) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(v->get_uint64());
    }
    if (v->is_double() && std::floor(v->get_double()) == v->get_double() && std::abs(v->get_double()) < 9e15) {
      return static_cast<std::int64_t>(v->get_double());
    }
    fail("'" + std::string(k) + "' must be an integer");
    return std::nullopt;
  }
  std::optional<std::int64_t> time(const boost::json::object& o, std::string_view k, bool required) {
    const auto* v = get(o, k, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
      fail("'" + std::string(k) + "' must be an RFC 3339 string");
      return std::nullopt;
    }
    auto t = parse_time_ms(std::string_view(v->get_string()));
    if (!t) fail("'" + std::string(k) + "' is not an RFC 3339 time: " + std::string(v->get_string()));
    return t;
  }
  const boost::json::object* obj(const boost::json::object& o, std::string_view k, bool required) {
    const auto* v = get(o, k, required);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) {
      fail("'" + std::string(k) + "' must be an object");
      return nullptr;
    }
    return &v->get_object();
  }
  const boost::json::array* arr(const boost::json::object& o, std::string_view k) {
    const auto* v = get(o, k, false);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      fail("'" + std::string(k) + "' must be an array");
      return nullptr;
    }
    return &v->get_array();
  }
};

}  // namespace

std::string_view tier_name(Tier t) { return kTierCodes[static_cast<std::size_t>(t)]; }

std::optional<Tier> tier_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kTierCodes.size(); ++i) {
    if (kTierCodes[i] == name) return static_cast<Tier>(i);
  }
  return std::nullopt;
}

const TierNames& tier_names(Tier t) { return kTierNames[static_cast<std::size_t>(t)]; }

std::string_view detector_name(Detector d) { return kDetectorNames[static_cast<std::size_t>(d)]; }

std::optional<Detector> detector_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kDetectorNames.size(); ++i) {
    if (kDetectorNames[i] == name) return static_cast<Detector>(i);
  }
  return std::nullopt;
}

std::string_view state_name(AlertState s) { return s == AlertState::firing ? "firing" : "resolved"; }

std::string format_time_ms(std::int64_t epoch_ms) {
  std::int64_t days = epoch_ms / 86'400'000;
  std::int64_t rem = epoch_ms % 86'400'000;
  if (rem < 0) {
    rem += 86'400'000;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil::civil_from_days(days, y, m, d);
  const auto h = rem / 3'600'000, mi = rem / 60'000 % 60, s = rem / 1000 % 60, ms = rem % 1000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(h), static_cast<long long>(mi), static_cast<long long>(s),
                static_cast<long long>(ms));
  return buf;
}

std::optional<std::int64_t> parse_time_ms(std::string_view s) {
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' ||
      !digits(17, 2, sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t i = 19;
  int ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 3) ms = ms * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return std::nullopt;
    for (; n < 3; ++n) ms *= 10;
  }
  std::int64_t offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh = 0, om = 0;
    if (!digits(i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(i + 4, 2, om)) return std::nullopt;
    offset_min = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t days = civil::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi - offset_min) * 60'000 + sec * 1000 + ms;
}

std::vector<std::string> check(const Alert& a) {
  std::vector<std::string> problems;
  static const std::regex kBrand("^[a-z0-9][a-z0-9_-]{0,63}$");
  static const std::regex kCategory("^[a-z][a-z0-9_]*$");
  if (a.id.empty() || a.id.size() > 256) problems.push_back("id must be 1 to 256 characters");
  if (!std::regex_match(a.brand, kBrand)) problems.push_back("brand '" + a.brand + "' is not a brand id");
  if (a.severity < 1 || a.severity > 10) problems.push_back("severity must be 1..10");
  if (a.lang != "zh" && a.lang != "en") problems.push_back("lang must be zh or en");
  if (a.reason.empty()) problems.push_back("reason must not be empty");
  if (a.resolved() != a.resolved_ms.has_value() || a.resolved() != a.processing_resolved_ms.has_value()) {
    problems.push_back("resolved_at (event and processing) must be set exactly when the state is resolved");
  }
  if (a.metrics.window_s && !(*a.metrics.window_s > 0)) problems.push_back("metrics.window must be > 0");
  if (a.metrics.count && *a.metrics.count < 0) problems.push_back("metrics.count must be >= 0");
  for (const auto& m : a.top_mentions) {
    if (m.id.empty()) problems.push_back("top mention without id");
    if (m.score && (*m.score < -1 || *m.score > 1)) problems.push_back("top mention score out of -1..1");
  }
  for (const auto& as : a.aspects) {
    if (as.aspect.empty() || as.score < -1 || as.score > 1) problems.push_back("bad aspect '" + as.aspect + "'");
  }
  for (const auto& c : a.crisis_terms) {
    if (c.term.empty() || !std::regex_match(c.category, kCategory)) problems.push_back("bad crisis term '" + c.term + "'");
  }
  if (a.acked && a.acked->by.empty()) problems.push_back("acked.by must not be empty");
  return problems;
}

std::string to_json(const Alert& a) {
  std::string out;
  out.reserve(1024 + a.reason.size() + a.top_mentions.size() * 256);
  ObjectWriter w(out);
  w.str("id", a.id);
  w.str("brand", a.brand);
  if (!a.brand_name.empty()) w.str("brand_name", a.brand_name);
  w.str("tier", tier_name(a.tier));
  {
    const auto& n = tier_names(a.tier);
    w.key("tier_name");
    ObjectWriter t(out);
    t.str("color", n.color);
    t.str("en", n.en);
    t.str("zh", n.zh);
    t.close();
  }
  w.integer("severity", a.severity);
  w.str("detector", detector_name(a.detector));
  w.str("state", state_name(a.state));
  w.time("started_at", a.started_ms);
  w.time("updated_at", a.updated_ms);
  if (a.resolved_ms) w.time("resolved_at", *a.resolved_ms);
  {
    w.key("processing");
    ObjectWriter p(out);
    p.time("started_at", a.processing_started_ms);
    p.time("updated_at", a.processing_updated_ms);
    if (a.processing_resolved_ms) p.time("resolved_at", *a.processing_resolved_ms);
    p.close();
  }
  w.str("lang", a.lang);
  w.str("reason", a.reason);
  if (!a.metrics.empty()) {
    w.key("metrics");
    ObjectWriter m(out);
    if (a.metrics.window_s) m.num("window", *a.metrics.window_s);
    if (a.metrics.value) m.num("value", *a.metrics.value);
    if (a.metrics.baseline) m.num("baseline", *a.metrics.baseline);
    if (a.metrics.ratio) m.num("ratio", *a.metrics.ratio);
    if (a.metrics.z_score) m.num("z_score", *a.metrics.z_score);
    if (a.metrics.count) m.integer("count", *a.metrics.count);
    m.close();
  }
  if (!a.top_mentions.empty()) {
    w.key("top_mentions");
    out += '[';
    const std::size_t n = std::min(a.top_mentions.size(), kMaxTopMentions);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& tm = a.top_mentions[i];
      if (i) out += ',';
      ObjectWriter o(out);
      o.str("id", tm.id);
      o.str("platform", tm.platform);
      if (!tm.url.empty()) o.str("url", tm.url);
      o.str("text", tm.text);
      if (!tm.author.empty()) o.str("author", tm.author);
      if (tm.followers) o.integer("followers", *tm.followers);
      if (tm.reach) o.integer("reach", *tm.reach);
      if (tm.score) o.num("score", *tm.score);
      o.close();
    }
    out += ']';
  }
  if (!a.aspects.empty()) {
    w.key("aspects");
    out += '[';
    for (std::size_t i = 0; i < a.aspects.size(); ++i) {
      if (i) out += ',';
      ObjectWriter o(out);
      o.str("aspect", a.aspects[i].aspect);
      o.num("score", a.aspects[i].score);
      o.close();
    }
    out += ']';
  }
  if (!a.crisis_terms.empty()) {
    w.key("crisis_terms");
    out += '[';
    for (std::size_t i = 0; i < a.crisis_terms.size(); ++i) {
      if (i) out += ',';
      ObjectWriter o(out);
      o.str("term", a.crisis_terms[i].term);
      o.str("category", a.crisis_terms[i].category);
      o.close();
    }
    out += ']';
  }
  if (a.acked) {
    w.key("acked");
    ObjectWriter o(out);
    o.str("by", a.acked->by);
    o.time("at", a.acked->at_ms);
    o.close();
  }
  w.close();
  return out;
}

Result<Alert, std::string> alert_from_json(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(boost::json::string_view(json.data(), json.size()), ec);
  if (ec) return Unexpected{"alert is not JSON: " + ec.message()};
  if (!doc.is_object()) return Unexpected{std::string("alert must be a JSON object")};
  const auto& o = doc.get_object();
  Reader r;
  Alert a;
  a.id = r.str(o, "id", true);
  a.brand = r.str(o, "brand", true);
  a.brand_name = r.str(o, "brand_name", false);
  const auto tier = r.str(o, "tier", true);
  if (auto t = tier_from_name(tier)) {
    a.tier = *t;
  } else if (!r.failed()) {
    r.fail("unknown tier '" + tier + "'");
  }
  if (auto s = r.integer(o, "severity", true)) a.severity = static_cast<int>(*s);
  const auto det = r.str(o, "detector", true);
  if (auto d = detector_from_name(det)) {
    a.detector = *d;
  } else if (!r.failed()) {
    r.fail("unknown detector '" + det + "'");
  }
  const auto state = r.str(o, "state", true);
  if (state == "firing") {
    a.state = AlertState::firing;
  } else if (state == "resolved") {
    a.state = AlertState::resolved;
  } else if (!r.failed()) {
    r.fail("unknown state '" + state + "'");
  }
  a.started_ms = r.time(o, "started_at", true).value_or(0);
  a.updated_ms = r.time(o, "updated_at", true).value_or(0);
  a.resolved_ms = r.time(o, "resolved_at", false);
  if (const auto* p = r.obj(o, "processing", true)) {
    a.processing_started_ms = r.time(*p, "started_at", true).value_or(0);
    a.processing_updated_ms = r.time(*p, "updated_at", true).value_or(0);
    a.processing_resolved_ms = r.time(*p, "resolved_at", false);
  }
  a.lang = r.str(o, "lang", true);
  a.reason = r.str(o, "reason", true);
  if (const auto* m = r.obj(o, "metrics", false)) {
    a.metrics.window_s = r.num(*m, "window");
    a.metrics.value = r.num(*m, "value");
    a.metrics.baseline = r.num(*m, "baseline");
    a.metrics.ratio = r.num(*m, "ratio");
    a.metrics.z_score = r.num(*m, "z_score");
    a.metrics.count = r.integer(*m, "count", false);
  }
  if (const auto* arr = r.arr(o, "top_mentions")) {
    for (const auto& v : *arr) {
      if (!v.is_object()) {
        r.fail("top_mentions items must be objects");
        break;
      }
      const auto& mo = v.get_object();
      TopMention tm;
      tm.id = r.str(mo, "id", true);
      tm.platform = r.str(mo, "platform", true);
      tm.url = r.str(mo, "url", false);
      tm.text = r.str(mo, "text", true);
      tm.author = r.str(mo, "author", false);
      tm.followers = r.integer(mo, "followers", false);
      tm.reach = r.integer(mo, "reach", false);
      tm.score = r.num(mo, "score");
      a.top_mentions.push_back(std::move(tm));
    }
  }
  if (const auto* arr = r.arr(o, "aspects")) {
    for (const auto& v : *arr) {
      if (!v.is_object()) {
        r.fail("aspects items must be objects");
        break;
      }
      AspectScore as;
      as.aspect = r.str(v.get_object(), "aspect", true);
      as.score = r.num(v.get_object(), "score").value_or(0);
      a.aspects.push_back(std::move(as));
    }
  }
  if (const auto* arr = r.arr(o, "crisis_terms")) {
    for (const auto& v : *arr) {
      if (!v.is_object()) {
        r.fail("crisis_terms items must be objects");
        break;
      }
      CrisisTerm c;
      c.term = r.str(v.get_object(), "term", true);
      c.category = r.str(v.get_object(), "category", true);
      a.crisis_terms.push_back(std::move(c));
    }
  }
  if (const auto* ack = r.obj(o, "acked", false)) {
    Ack k;
    k.by = r.str(*ack, "by", true);
    k.at_ms = r.time(*ack, "at", true).value_or(0);
    a.acked = std::move(k);
  }
  if (r.failed()) return Unexpected{"bad alert: " + r.error};
  return a;
}

}  // namespace yuqing::alert
