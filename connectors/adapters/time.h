#pragma once
// Platform date formats -> epoch milliseconds (UTC), and back to RFC 3339 UTC.
// Pure functions, no locale, no allocation on success. Every parser accepts only instants in
// 1970-01-01T00:00:00Z..2200-12-31T23:59:59.999Z (what engine/parse accepts); errors are short
// phrases for a rejection's detail ("month 'Mai' is not a month name").

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/result.h"

namespace yuqing::adapters {

// Weibo's created_at, e.g. "Tue May 31 17:46:55 +0800 2011": weekday, month name, day,
// HH:MM:SS, a ±hhmm (or ±hh:mm) offset, year. The weekday is checked to be a weekday name, not
// to agree with the date (Weibo's own values always agree).
Result<std::int64_t, std::string> parse_weibo_time_ms(std::string_view s);

// RSS pubDate: RFC 822 / RFC 2822 "Wed, 01 May 2024 20:00:00 +0800". The weekday is optional,
// the day may have one digit, seconds are optional, a two-digit year is 19xx from 50 and 20xx
// below; zones: ±hhmm, GMT, UT, UTC, Z, and the US names EST EDT CST CDT MST MDT PST PDT; a
// trailing "(comment)" is ignored. Feeds that put RFC 3339 in pubDate are accepted too.
Result<std::int64_t, std::string> parse_rfc822_time_ms(std::string_view s);

// RFC 3339 (Atom, X): engine/parse's reader, with the same range.
Result<std::int64_t, std::string> parse_rfc3339_time_ms(std::string_view s);

// "2011-05-31T09:46:55Z", or "2024-05-01T12:00:00.123Z" when there are milliseconds.
std::string format_rfc3339_utc(std::int64_t ms);

}  // namespace yuqing::adapters
