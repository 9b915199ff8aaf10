#include "connectors/adapters/time.h"

#include <array>
#include <cstdio>

#include "engine/base/civil_date.h"
#include "engine/parse/parse.h"

namespace yuqing::adapters {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

constexpr bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
constexpr int days_in_month(std::int64_t y, int m) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

// Splits on runs of spaces (and tabs).
std::size_t split(std::string_view s, std::array<std::string_view, 8>& out) {
  std::size_t n = 0, i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i == s.size()) break;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (n == out.size()) return n + 1;  // too many
    out[n++] = s.substr(start, i - start);
  }
  return n;
}

// "May", also the full name ("September") that some feeds write.
int month_number(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kFull = {"January", "February", "March",     "April",
                                                             "May",     "June",     "July",      "August",
                                                             "September", "October", "November", "December"};
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (iequals(name, kMonths[i]) || iequals(name, kFull[i])) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool is_weekday(std::string_view name) {
  for (auto w : kWeekdays) {
    if (iequals(name, w)) return true;
  }
  return false;
}

// "HH:MM:SS" or, when seconds are optional, "HH:MM".
bool parse_clock(std::string_view s, bool seconds_optional, int& h, int& mi, int& sec) {
  sec = 0;
  if (s.size() == 8 && s[2] == ':' && s[5] == ':' && all_digits(s.substr(0, 2)) && all_digits(s.substr(3, 2)) &&
      all_digits(s.substr(6, 2))) {
    h = to_int(s.substr(0, 2));
    mi = to_int(s.substr(3, 2));
    sec = to_int(s.substr(6, 2));
  } else if (seconds_optional && s.size() == 5 && s[2] == ':' && all_digits(s.substr(0, 2)) &&
             all_digits(s.substr(3, 2))) {
    h = to_int(s.substr(0, 2));
    mi = to_int(s.substr(3, 2));
  } else {
    return false;
  }
  return h <= 23 && mi <= 59 && sec <= 60;
}

// "+0800", "-0530", "+08:00" -> offset in minutes east of UTC.
bool parse_numeric_zone(std::string_view s, int& minutes) {
  if (s.size() < 5 || (s[0] != '+' && s[0] != '-')) return false;
  std::string_view hh = s.substr(1, 2), mm;
  if (s.size() == 5) {
    mm = s.substr(3, 2);
  } else if (s.size() == 6 && s[3] == ':') {
    mm = s.substr(4, 2);
  } else {
    return false;
  }
  if (!all_digits(hh) || !all_digits(mm)) return false;
  const int h = to_int(hh), m = to_int(mm);
  if (h > 23 || m > 59) return false;
  minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
  return true;
}

Result<std::int64_t, std::string> assemble(std::int64_t y, int mo, int d, int h, int mi, int sec, int zone_minutes) {
  if (d < 1 || d > days_in_month(y, mo)) {
    return Unexpected{"day " + std::to_string(d) + " does not exist in " + std::to_string(y) + "-" +
                      std::to_string(mo)};
  }
  std::int64_t ms = 0;
  if (sec == 60) {  // a leap second, read as :59.999 like engine/parse
    ms = 999;
    sec = 59;
  }
  const std::int64_t secs = civil::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86'400 +
                            h * 3600 + mi * 60 + sec - static_cast<std::int64_t>(zone_minutes) * 60;
  ms += secs * 1000;
  if (ms < parse::kMinCreatedAtMs || ms > parse::kMaxCreatedAtMs) {
    return Unexpected{std::string("outside 1970..2200 in UTC")};
  }
  return ms;
}

}  // namespace

Result<std::int64_t, std::string> parse_weibo_time_ms(std::string_view s) {
  std::array<std::string_view, 8> t;
  if (split(s, t) != 6) return Unexpected{std::string("expected 'Www Mmm dd HH:MM:SS +hhmm yyyy'")};
  if (!is_weekday(t[0])) return Unexpected{"'" + std::string(t[0]) + "' is not a weekday name"};
  const int mo = month_number(t[1]);
  if (mo == 0) return Unexpected{"'" + std::string(t[1]) + "' is not a month name"};
  if (!all_digits(t[2]) || t[2].size() > 2) return Unexpected{"day '" + std::string(t[2]) + "' is not a number"};
  int h = 0, mi = 0, sec = 0;
  if (!parse_clock(t[3], false, h, mi, sec)) return Unexpected{"time '" + std::string(t[3]) + "' is not HH:MM:SS"};
  int zone = 0;
  if (!parse_numeric_zone(t[4], zone)) return Unexpected{"offset '" + std::string(t[4]) + "' is not +hhmm"};
  if (!all_digits(t[5]) || t[5].size() != 4) return Unexpected{"year '" + std::string(t[5]) + "' is not 4 digits"};
  return assemble(to_int(t[5]), mo, to_int(t[2]), h, mi, sec, zone);
}

Result<std::int64_t, std::string> parse_rfc822_time_ms(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (!s.empty() && s.back() == ')') {  // "... +0000 (UTC)"
    if (const auto open = s.rfind('('); open != std::string_view::npos) s = s.substr(0, open);
  }
  std::array<std::string_view, 8> t;
  std::size_t n = split(s, t);
  std::size_t i = 0;
  if (n > 0 && (t[0].back() == ',' || is_weekday(t[0]))) {
    std::string_view wd = t[0];
    if (wd.back() == ',') wd.remove_suffix(1);
    // Some feeds write full names ("Wednesday,"); the weekday is informative only.
    if (wd.size() < 3 || !is_weekday(wd.substr(0, 3))) {
      return Unexpected{"'" + std::string(wd) + "' is not a weekday name"};
    }
    i = 1;
  }
  if (n - i != 5) {
    // Not RFC 822: some feeds put RFC 3339 in pubDate.
    if (n == 1) {
      if (auto r = parse::parse_rfc3339_ms(t[0]); r) return parse_rfc3339_time_ms(t[0]);
    }
    return Unexpected{std::string("expected '[Www, ]dd Mmm yyyy HH:MM[:SS] zone'")};
  }
  const std::string_view day = t[i], mon = t[i + 1], year = t[i + 2], clock = t[i + 3], zone_s = t[i + 4];
  if (!all_digits(day) || day.size() > 2) return Unexpected{"day '" + std::string(day) + "' is not a number"};
  const int mo = month_number(mon);
  if (mo == 0) return Unexpected{"'" + std::string(mon) + "' is not a month name"};
  if (!all_digits(year) || (year.size() != 4 && year.size() != 2)) {
    return Unexpected{"year '" + std::string(year) + "' is not 2 or 4 digits"};
  }
  std::int64_t y = to_int(year);
  if (year.size() == 2) y += y < 50 ? 2000 : 1900;  // RFC 2822 section 4.3
  int h = 0, mi = 0, sec = 0;
  if (!parse_clock(clock, true, h, mi, sec)) return Unexpected{"time '" + std::string(clock) + "' is not HH:MM[:SS]"};
  int zone = 0;
  struct Named {
    std::string_view name;
    int minutes;
  };
  static constexpr std::array<Named, 12> kZones = {{{"GMT", 0},
                                                    {"UT", 0},
                                                    {"UTC", 0},
                                                    {"Z", 0},
                                                    {"EST", -300},
                                                    {"EDT", -240},
                                                    {"CST", -360},
                                                    {"CDT", -300},
                                                    {"MST", -420},
                                                    {"MDT", -360},
                                                    {"PST", -480},
                                                    {"PDT", -420}}};
  bool found = parse_numeric_zone(zone_s, zone);
  for (std::size_t k = 0; !found && k < kZones.size(); ++k) {
    if (iequals(zone_s, kZones[k].name)) {
      zone = kZones[k].minutes;
      found = true;
    }
  }
  if (!found) return Unexpected{"zone '" + std::string(zone_s) + "' is not +hhmm or a known name"};
  return assemble(y, mo, to_int(day), h, mi, sec, zone);
}

Result<std::int64_t, std::string> parse_rfc3339_time_ms(std::string_view s) {
  auto r = parse::parse_rfc3339_ms(s);
  if (!r) return Unexpected{r.error()};
  if (*r < parse::kMinCreatedAtMs || *r > parse::kMaxCreatedAtMs) {
    return Unexpected{std::string("outside 1970..2200 in UTC")};
  }
  return *r;
}

std::string format_rfc3339_utc(std::int64_t ms) {
  const std::int64_t days = (ms >= 0 ? ms : ms - 86'399'999) / 86'400'000;
  const std::int64_t in_day = ms - days * 86'400'000;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil::civil_from_days(days, y, m, d);
  const auto secs = in_day / 1000;
  const auto milli = in_day % 1000;
  char buf[40];
  int n = 0;
  if (milli == 0) {
    n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                      static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                      static_cast<long long>(secs % 60));
  } else {
    n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m,
                      d, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                      static_cast<long long>(secs % 60), static_cast<long long>(milli));
  }
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace yuqing::adapters
