// MentionParser front: picks the simdjson kernel at run time and forwards to the parser proper
// (parse_kernel.cpp, compiled once per kernel; see parse_kernel.h). Also reject_name() and the
// RFC 3339 reader, which do not depend on the kernel.

#include "engine/parse/parse.h"

#include <simdjson.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/base/civil_date.h"
#include "engine/base/log.h"
#include "engine/parse/parse_kernel.h"

#if defined(__x86_64__) && (YUQING_PARSE_HAS_HASWELL || YUQING_PARSE_HAS_ICELAKE)
#include <cpuid.h>
#define YUQING_PARSE_X86_DISPATCH 1
#endif

namespace yuqing::parse {

std::string_view reject_name(Reject r) {
  switch (r) {
    case Reject::malformed_json: return "malformed_json";
    case Reject::invalid_utf8: return "invalid_utf8";
    case Reject::missing_field: return "missing_field";
    case Reject::bad_type: return "bad_type";
    case Reject::bad_value: return "bad_value";
    case Reject::duplicate_field: return "duplicate_field";
    case Reject::too_large: return "too_large";
    case Reject::bad_timestamp: return "bad_timestamp";
  }
  return "unknown";
}

namespace detail {
ParserBackend::~ParserBackend() = default;
}  // namespace detail

namespace {

// ---------------------------------------------------------------------------------------------
// Kernel selection.

struct Variant {
  std::string_view (*name)();
  std::unique_ptr<detail::ParserBackend> (*make)(ParserOptions, bool);
  bool (*runs_here)();
};

#if YUQING_PARSE_X86_DISPATCH
// What this CPU and OS support, read with cpuid/xgetbv (the same bits simdjson's own run-time
// dispatch reads, plus LZCNT and POPCNT, which the variants are also compiled with).
struct CpuFeatures {
  bool avx2_kernel = false;    // AVX2 BMI1 BMI2 LZCNT POPCNT PCLMULQDQ, YMM state enabled by the OS
  bool avx512_kernel = false;  // and AVX-512 F DQ CD BW VL VBMI VBMI2, ZMM/opmask state enabled
};

CpuFeatures cpu_features() {
  CpuFeatures f;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return f;
  const bool pclmul = (c & (1U << 1)) != 0;
  const bool popcnt = (c & (1U << 23)) != 0;
  const bool osxsave = (c & (1U << 27)) != 0;
  if (!osxsave) return f;
  unsigned xcr0_lo = 0, xcr0_hi = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  const bool ymm_state = (xcr0_lo & 0x6U) == 0x6U;       // SSE and AVX state
  const bool zmm_state = (xcr0_lo & 0xE6U) == 0xE6U;     // and opmask, ZMM_Hi256, Hi16_ZMM
  unsigned b7 = 0, c7 = 0, d7 = 0;
  if (__get_cpuid_count(7, 0, &a, &b7, &c7, &d7) == 0) return f;
  unsigned c81 = 0;
  if (__get_cpuid(0x80000001U, &a, &b, &c81, &d) == 0) return f;
  const bool lzcnt = (c81 & (1U << 5)) != 0;
  const bool avx2 = (b7 & (1U << 5)) != 0;
  const bool bmi1 = (b7 & (1U << 3)) != 0;
  const bool bmi2 = (b7 & (1U << 8)) != 0;
  f.avx2_kernel = ymm_state && avx2 && bmi1 && bmi2 && lzcnt && popcnt && pclmul;
  const bool avx512 = (b7 & (1U << 16)) != 0 && (b7 & (1U << 17)) != 0 && (b7 & (1U << 28)) != 0 &&
                      (b7 & (1U << 30)) != 0 && (b7 & (1U << 31)) != 0 &&  // F DQ CD BW VL
                      (c7 & (1U << 1)) != 0 && (c7 & (1U << 6)) != 0;      // VBMI VBMI2
  f.avx512_kernel = f.avx2_kernel && zmm_state && avx512;
  return f;
}

const CpuFeatures& cpu() {
  static const CpuFeatures f = cpu_features();
  return f;
}

// simdjson's own verdict for its kernel of that name, when its library has one.
bool simdjson_runs(std::string_view name) {
  const auto* impl = simdjson::get_available_implementations()[std::string(name)];
  return impl == nullptr || impl->supported_by_runtime_system();
}
#endif

bool always() { return true; }

// Best first.
constexpr std::array kVariants = {
#if YUQING_PARSE_HAS_ICELAKE
    Variant{detail::kernel_name_icelake, detail::make_parser_icelake,
            [] { return cpu().avx512_kernel && simdjson_runs(detail::kernel_name_icelake()); }},
#endif
#if YUQING_PARSE_HAS_HASWELL
    Variant{detail::kernel_name_haswell, detail::make_parser_haswell,
            [] { return cpu().avx2_kernel && simdjson_runs(detail::kernel_name_haswell()); }},
#endif
    Variant{detail::kernel_name_baseline, detail::make_parser_baseline, always},
};

struct Kernels {
  std::array<const Variant*, kVariants.size()> usable{};
  std::array<std::string_view, kVariants.size()> names{};
  std::size_t count = 0;
  const Variant* chosen = nullptr;
};

const Kernels& kernels() {
  static const Kernels k = [] {
    Kernels out;
    for (const Variant& v : kVariants) {
      // The baseline variant may itself be built for a better kernel (e.g. with -march=native);
      // list each kernel once.
      bool dup = false;
      for (std::size_t i = 0; i < out.count; ++i) dup = dup || out.names[i] == v.name();
      if (dup || !v.runs_here()) continue;
      out.usable[out.count] = &v;
      out.names[out.count] = v.name();
      ++out.count;
    }
    out.chosen = out.usable[0];
    std::string list;
    for (std::size_t i = 0; i < out.count; ++i) {
      if (i > 0) list += ", ";
      list += out.names[i];
    }
    const char* env = std::getenv("YUQING_PARSE_KERNEL");
    const std::string_view wanted = env != nullptr ? env : "";
    if (!wanted.empty()) {
      const Variant* found = nullptr;
      for (std::size_t i = 0; i < out.count; ++i) {
        if (out.names[i] == wanted) found = out.usable[i];
      }
      if (found != nullptr) {
        out.chosen = found;
      } else {
        log::warn("YUQING_PARSE_KERNEL={} is not a kernel this binary and CPU can run ({}); using {}.", wanted, list,
                  out.chosen->name());
      }
    }
    log::info("Parse: simdjson On-Demand kernel {} (this CPU can run: {}{}).", out.chosen->name(), list,
              out.chosen == out.usable[0] ? "" : "; set by YUQING_PARSE_KERNEL");
    return out;
  }();
  return k;
}

const Variant& variant_for(std::string_view name) {
  const Kernels& k = kernels();
  if (!name.empty()) {
    for (std::size_t i = 0; i < k.count; ++i) {
      if (k.names[i] == name) return *k.usable[i];
    }
  }
  return *k.chosen;
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, no locale, no allocation).

constexpr bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int days_in_month(std::int64_t y, int m) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

static_assert(civil::days_from_civil(2201, 1, 1) * 86'400'000 - 1 == kMaxCreatedAtMs);

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::span<const std::string_view> available_kernels() {
  const Kernels& k = kernels();
  return {k.names.data(), k.count};
}

std::string_view default_kernel() { return kernels().chosen->name(); }

MentionParser::MentionParser(ParserOptions options) : MentionParser(options, {}) {}

MentionParser::MentionParser(ParserOptions options, std::string_view kernel) {
  const Variant& v = variant_for(kernel);
  impl_ = v.make(options, /*fast_path=*/true);
  kernel_ = v.name();
}

MentionParser::~MentionParser() = default;

Result<Mention, ParseError> MentionParser::parse(std::string_view line) { return impl_->parse(line); }

// ---------------------------------------------------------------------------------------------

Result<std::int64_t, std::string> parse_rfc3339_ms(std::string_view s) {
  // date-time = full-date ("T" / "t") full-time; full-time = partial-time time-offset
  // YYYY-MM-DDThh:mm:ss[.f+](Z / z / +hh:mm / -hh:mm)
  std::size_t i = 0;
  auto number = [&](std::size_t digits, int& out) {
    if (i + digits > s.size()) return false;
    int v = 0;
    for (std::size_t k = 0; k < digits; ++k) {
      const char c = s[i + k];
      if (!is_digit(c)) return false;
      v = v * 10 + (c - '0');
    }
    out = v;
    i += digits;
    return true;
  };
  auto expect = [&](char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (s.empty()) return Unexpected{std::string("empty string")};
  if (!number(4, year)) return Unexpected{std::string("expected a 4-digit year")};
  if (!expect('-')) return Unexpected{std::string("expected '-' after the year")};
  if (!number(2, month)) return Unexpected{std::string("expected a 2-digit month")};
  if (month < 1 || month > 12) return Unexpected{"month " + std::to_string(month) + " is out of range 01..12"};
  if (!expect('-')) return Unexpected{std::string("expected '-' after the month")};
  if (!number(2, day)) return Unexpected{std::string("expected a 2-digit day")};
  if (day < 1 || day > days_in_month(year, month)) {
    char ym[8] = {};
    std::snprintf(ym, sizeof ym, "%04d-%02d", year, month);
    return Unexpected{"day " + std::to_string(day) + " does not exist in " + ym};
  }
  if (!expect('T') && !expect('t')) return Unexpected{std::string("expected 'T' between date and time")};
  if (!number(2, hour)) return Unexpected{std::string("expected a 2-digit hour")};
  if (hour > 23) return Unexpected{"hour " + std::to_string(hour) + " is out of range 00..23"};
  if (!expect(':')) return Unexpected{std::string("expected ':' after the hour")};
  if (!number(2, minute)) return Unexpected{std::string("expected 2-digit minutes")};
  if (minute > 59) return Unexpected{"minute " + std::to_string(minute) + " is out of range 00..59"};
  if (!expect(':')) return Unexpected{std::string("expected ':' after the minutes")};
  if (!number(2, second)) return Unexpected{std::string("expected 2-digit seconds")};
  if (second > 60) return Unexpected{"second " + std::to_string(second) + " is out of range 00..60"};
  int millis = 0;
  if (expect('.')) {
    const std::size_t begin = i;
    while (i < s.size() && is_digit(s[i])) {
      if (i - begin < 3) millis = millis * 10 + (s[i] - '0');
      ++i;
    }
    if (i == begin) return Unexpected{std::string("expected digits after '.'")};
    for (std::size_t k = i - begin; k < 3; ++k) millis *= 10;
  }
  if (second == 60) {  // a leap second: keep it inside its minute
    second = 59;
    millis = 999;
  }
  int offset_minutes = 0;
  if (expect('Z') || expect('z')) {
    // UTC
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const bool minus = s[i] == '-';
    ++i;
    int oh = 0;
    int om = 0;
    if (!number(2, oh) || !expect(':') || !number(2, om)) {
      return Unexpected{std::string("expected a +hh:mm or -hh:mm offset")};
    }
    if (oh > 23 || om > 59) return Unexpected{std::string("the offset is out of range")};
    offset_minutes = (oh * 60 + om) * (minus ? -1 : 1);
  } else {
    return Unexpected{std::string(i < s.size() ? "expected 'Z' or a +hh:mm/-hh:mm offset after the time"
                                               : "missing the 'Z' or +hh:mm offset")};
  }
  if (i != s.size()) return Unexpected{std::string("unexpected characters after the offset")};

  const std::int64_t days = civil::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - std::int64_t{offset_minutes} * 60;
  return seconds * 1000 + millis;
}

}  // namespace yuqing::parse
