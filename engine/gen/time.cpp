// RFC 3339 formatting and parsing in integer arithmetic (no time zone database, no libc
// locale): the civil-date conversions are Howard Hinnant's public-domain algorithms.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "engine/gen/gen.h"
#include "engine/base/civil_date.h"

namespace yuqing::gen {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

void put2(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& v) {
  if (pos + n > s.size()) return false;
  v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

}  // namespace

void format_rfc3339(std::string& out, std::int64_t epoch_ms, int offset_minutes, bool millis) {
  const std::int64_t local = epoch_ms + std::int64_t{offset_minutes} * 60'000;
  std::int64_t days = local / kMsPerDay;
  std::int64_t rem = local % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil::civil_from_days(days, y, m, d);
  const auto secs = static_cast<unsigned>(rem / 1000);
  const auto ms = static_cast<unsigned>(rem % 1000);
  const auto yy = static_cast<unsigned>(y);
  out.push_back(static_cast<char>('0' + yy / 1000 % 10));
  out.push_back(static_cast<char>('0' + yy / 100 % 10));
  put2(out, yy % 100);
  out.push_back('-');
  put2(out, m);
  out.push_back('-');
  put2(out, d);
  out.push_back('T');
  put2(out, secs / 3600);
  out.push_back(':');
  put2(out, secs / 60 % 60);
  out.push_back(':');
  put2(out, secs % 60);
  if (millis) {
    out.push_back('.');
    out.push_back(static_cast<char>('0' + ms / 100));
    put2(out, ms % 100);
  }
  if (offset_minutes == 0) {
    out.push_back('Z');
    return;
  }
  const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  out.push_back(offset_minutes < 0 ? '-' : '+');
  put2(out, static_cast<unsigned>(a / 60));
  out.push_back(':');
  put2(out, static_cast<unsigned>(a % 60));
}

Result<std::int64_t, std::string> parse_rfc3339(std::string_view s) {
  auto bad = [&](const char* why) {
    std::string msg;
    msg.reserve(s.size() + 80);
    msg.append("'").append(s).append("' is not an RFC 3339 time (").append(why);
    msg.append("), e.g. 2026-11-01T00:00:00Z");
    return Unexpected{std::move(msg)};
  };
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, se)) {
    return bad("expected YYYY-MM-DDThh:mm:ss");
  }
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || se > 60) {
    return bad("a field is out of range");
  }
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return bad("February 29 in a common year");
  std::size_t pos = 19;
  std::int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 3) frac_ms = frac_ms * 10 + (s[pos] - '0');
      ++pos;
      ++n;
    }
    if (n == 0) return bad("empty fraction");
    for (; n < 3; ++n) frac_ms *= 10;
  }
  std::int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    unsigned oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return bad("bad UTC offset");
    }
    offset_min = (s[pos] == '-' ? -1 : 1) * static_cast<std::int64_t>(oh * 60 + om);
    pos += 6;
  } else {
    return bad("missing 'Z' or UTC offset");
  }
  if (pos != s.size()) return bad("trailing characters");
  const std::int64_t days = civil::days_from_civil(y, mo, d);
  const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se);
  return secs * 1000 + frac_ms - offset_min * 60'000;
}

}  // namespace yuqing::gen
