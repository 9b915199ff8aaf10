// Fuzz target: one JSON line through the parse stage (engine/parse). One parser is reused for
// every input, as a pipeline worker does. Beyond "no crash", an accepted line must give a
// mention within the documented limits (id 1..256 bytes, created_at in 1970..2200, text valid
// UTF-8), and a rejected one a known reason. Short inputs also go to parse_rfc3339_ms.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/parse/parse.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yuqing;
  static parse::MentionParser parser;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto r = parser.parse(line);
  if (r) {
    const Mention& m = *r;
    FUZZ_CHECK(!m.id.empty() && m.id.size() <= parse::kMaxIdBytes);
    FUZZ_CHECK(m.created_at_ms >= parse::kMinCreatedAtMs && m.created_at_ms <= parse::kMaxCreatedAtMs);
    FUZZ_CHECK(fuzz::valid_utf8(m.text));
    FUZZ_CHECK(fuzz::valid_utf8(m.id));
    FUZZ_CHECK(!platform_name(m.platform).empty());
  } else {
    FUZZ_CHECK(static_cast<int>(r.error().reason) < parse::kRejectCount);
    FUZZ_CHECK(!parse::reject_name(r.error().reason).empty());
  }
  if (size <= 64) {
    auto t = parse::parse_rfc3339_ms(line);
    // Four-digit years with offsets up to ±23:59: 0000-01-01 minus a day .. 9999-12-31 plus a day.
    if (t) FUZZ_CHECK(*t >= -62167219200000 - 86400000 && *t <= 253402300799999 + 86400000);
  }
  return 0;
}
