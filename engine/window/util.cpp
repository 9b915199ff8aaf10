// Small free functions of the window module: names, window/time parsing, SimHash.
#include <array>
#include <cctype>
#include <string>
#include <vector>
#include <charconv>
#include <cstring>

#include "engine/window/window.h"
#include "engine/base/civil_date.h"

namespace yuqing::window {

std::string_view crisis_name(int index) {
  static constexpr std::array<std::string_view, kCrisisCount> kNames = {"safety", "quality", "legal",
                                                                        "service", "reputation", "privacy"};
  return index >= 0 && index < kCrisisCount ? kNames[static_cast<std::size_t>(index)] : std::string_view{};
}

std::optional<Metric> metric_from_name(std::string_view name) {
  if (name == "mentions") return Metric::mentions;
  if (name == "negatives" || name == "negative") return Metric::negatives;
  if (name == "stories") return Metric::stories;
  if (name == "reach") return Metric::reach;
  return std::nullopt;
}

std::string_view baseline_kind_name(Baseline::Kind k) {
  switch (k) {
    case Baseline::Kind::seasonal: return "seasonal";
    case Baseline::Kind::ewma: return "ewma";
    case Baseline::Kind::insufficient_history: return "insufficient_history";
  }
  return "insufficient_history";
}

Result<std::int64_t, std::string> parse_window(std::string_view text) {
  const std::string shown(text);
  if (text.empty()) return Unexpected{std::string("empty window; use e.g. 5m, 1h, 24h, 7d")};
  std::int64_t n = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || ptr == text.data() || n <= 0) {
    return Unexpected{"window '" + shown + "' must be a positive number and a unit (s, m, h, d, w), e.g. 24h"};
  }
  const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
  std::int64_t mult = 0;
  if (unit == "s") mult = 1000;
  else if (unit == "m" || unit == "min") mult = kMinuteMs;
  else if (unit == "h") mult = kHourMs;
  else if (unit == "d") mult = kDayMs;
  else if (unit == "w") mult = 7 * kDayMs;
  else return Unexpected{"window '" + shown + "' has an unknown unit '" + std::string(unit) + "' (use s, m, h, d or w)"};
  if (n > 3650 * kDayMs / mult) return Unexpected{"window '" + shown + "' is longer than 10 years"};
  const std::int64_t ms = n * mult;
  if (ms % kMinuteMs != 0) return Unexpected{"window '" + shown + "' must be a whole number of minutes (buckets are minutes)"};
  return ms;
}

namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

Result<std::int64_t, std::string> parse_time(std::string_view text) {
  const std::string shown(text);
  if (text.empty()) return Unexpected{std::string("empty time; use RFC 3339 or epoch milliseconds")};
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t ms = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || ptr != text.data() + text.size()) return Unexpected{"time '" + shown + "' is out of range"};
    return ms;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(text, 0, 4, y) || text.size() < 19 || text[4] != '-' || !digits(text, 5, 2, mo) || text[7] != '-' ||
      !digits(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !digits(text, 11, 2, h) ||
      text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' || !digits(text, 17, 2, s) || mo < 1 || mo > 12 ||
      d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return Unexpected{"time '" + shown + "' is neither RFC 3339 (2024-05-01T12:00:00Z) nor epoch milliseconds"};
  }
  std::size_t i = 19;
  std::int64_t frac_ms = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int scale = 100;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      frac_ms += (text[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
  }
  std::int64_t offset_min = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int oh = 0, om = 0;
    if (!digits(text, i + 1, 2, oh) || i + 3 >= text.size() || text[i + 3] != ':' || !digits(text, i + 4, 2, om)) {
      return Unexpected{"time '" + shown + "' has a bad UTC offset (use Z or +08:00)"};
    }
    offset_min = (text[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return Unexpected{"time '" + shown + "' needs a UTC offset (Z or +08:00)"};
  }
  if (i != text.size()) return Unexpected{"time '" + shown + "' has trailing characters"};
  const std::int64_t days = civil::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi - offset_min) * kMinuteMs + s * 1000 + frac_ms;
}

// ---- SimHash ----------------------------------------------------------------------------

namespace {

constexpr std::uint64_t kFnvBasis = 0xcbf29ce484222325ULL;

// Final avalanche so that similar shingles give unrelated bit patterns.
std::uint64_t avalanche(std::uint64_t h) {
  h ^= h >> 33; h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

std::uint64_t fnv_bytes(std::uint64_t h, const unsigned char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * kFnvPrime;
  return h;
}

// SimHash votes: per bit position, how many features had it set. Eight features' bits at a
// time go into byte-wide counters (a table spreads a byte's bits over a word's bytes: eight
// loads and adds per feature, no branches), spilled into 32-bit counters every 255 features.
class Votes {
 public:
  void add(std::uint64_t h) {
    if (features_ == kMaxFeatures) return;  // enough evidence (the limit of the old 16-bit counters)
    ++features_;
    for (std::size_t w = 0; w < 8; ++w) bytes_[w] += kSpread[(h >> (8 * w)) & 0xff];
    if (++pending_ == 255) spill();
  }
  int features() const { return static_cast<int>(features_); }
  // Bit b is set when more than half of the features had bit b set (the sign of the vote).
  std::uint64_t result() {
    spill();
    std::uint64_t out = 0;
    for (std::size_t b = 0; b < 64; ++b) {
      if (2 * std::uint64_t{counts_[b]} > features_) out |= std::uint64_t{1} << b;
    }
    return out;
  }

 private:
  static constexpr std::uint32_t kMaxFeatures = 65535;
  // kSpread[v]: byte j is 1 when bit j of v is set.
  static constexpr std::array<std::uint64_t, 256> kSpread = [] {
    std::array<std::uint64_t, 256> t{};
    for (std::size_t v = 0; v < 256; ++v) {
      for (std::size_t j = 0; j < 8; ++j) {
        if (v & (std::size_t{1} << j)) t[v] |= std::uint64_t{1} << (8 * j);
      }
    }
    return t;
  }();
  void spill() {
    for (std::size_t w = 0; w < 8; ++w) {
      for (std::size_t j = 0; j < 8; ++j) counts_[8 * w + j] += static_cast<std::uint32_t>((bytes_[w] >> (8 * j)) & 0xff);
      bytes_[w] = 0;
    }
    pending_ = 0;
  }
  std::array<std::uint64_t, 8> bytes_{};  // byte j of word w: votes for bit 8w + j since the last spill
  std::array<std::uint32_t, 64> counts_{};
  std::uint32_t pending_ = 0;
  std::uint32_t features_ = 0;
};

// std::isalnum in the "C" locale (the engine never changes it), without the call.
inline bool ascii_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

bool all_ascii(const unsigned char* p, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ULL) return false;
  }
  for (; i < n; ++i) {
    if (p[i] & 0x80) return false;
  }
  return true;
}

}  // namespace

// Every feature is FNV-1a of its bytes from the basis, then avalanche. FNV reads bytes in
// order, so a feature that extends a shorter one continues from that one's state instead of
// hashing its bytes again: a word pair continues the first word's state, and a trigram the
// state of its first two code points (kept from the step before), which in turn continued the
// state of its first code point. Same hashes as hashing each feature from scratch, fewer
// multiplies, and the three states per code point do not wait on each other.
std::uint64_t simhash64(std::string_view text) {
  Votes votes;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  if (all_ascii(p, n)) {
    // Word shingles (pairs of adjacent words) plus single words: robust to a prefix like "RT @x:".
    std::uint64_t prev = 0;  // FNV state after the previous word
    std::size_t prev_end = 0;
    bool have_prev = false;
    std::size_t i = 0;
    while (i < n) {
      while (i < n && !ascii_alnum(p[i])) ++i;
      const std::size_t start = i;
      std::uint64_t word = kFnvBasis;
      while (i < n && ascii_alnum(p[i])) word = (word ^ p[i++]) * kFnvPrime;
      if (i == start) break;
      votes.add(avalanche(word));
      // The pair spans the previous word's start to this word's end (separators included).
      if (have_prev) votes.add(avalanche(fnv_bytes(prev, p + prev_end, i - prev_end)) ^ 0x9e3779b97f4a7c15ULL);
      prev = word;
      prev_end = i;
      have_prev = true;
    }
  } else {
    // Code-point trigrams (CJK text has no spaces); white space and punctuation in ASCII are
    // skipped. A text of one or two kept code points votes once with all of them.
    std::uint64_t one = kFnvBasis;  // state after the last kept code point alone
    std::uint64_t two = kFnvBasis;  // state after the last two kept code points
    std::size_t kept = 0;
    std::size_t i = 0;
    while (i < n) {
      const unsigned char c = p[i];
      const std::size_t len = std::min(n - i, std::size_t{c < 0x80 ? 1u : c < 0xe0 ? 2u : c < 0xf0 ? 3u : 4u});
      if (!(c < 0x80 && !ascii_alnum(c))) {
        ++kept;
        if (kept >= 3) votes.add(avalanche(fnv_bytes(two, p + i, len)));
        two = fnv_bytes(one, p + i, len);
        one = fnv_bytes(kFnvBasis, p + i, len);
      }
      i += len;
    }
    if (kept == 1) votes.add(avalanche(one));
    else if (kept == 2) votes.add(avalanche(two));
  }
  if (votes.features() == 0) return 0;
  return votes.result();
}

}  // namespace yuqing::window
