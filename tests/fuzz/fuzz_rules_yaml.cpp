// Fuzz target: one brand rule file (engine/match rule loading: YAML structure, keys, types,
// query, aspects, lexicon overrides) through read_rule_text, then, for a file that reads,
// compile_rule_set and one match. Every diagnostic must carry a message and a sane position.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/match/matcher.h"
#include "engine/match/rule_set.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yuqing;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  match::Diagnostics diags;
  auto spec = match::read_rule_text(text, "fuzz.yaml", diags);
  for (const auto& d : diags.items) {
    FUZZ_CHECK(!d.message.empty());
    FUZZ_CHECK(d.line >= 0 && d.column >= 0);
  }
  (void)diags.to_string();
  (void)diags.to_json();
  if (!spec || size > 4096) return 0;
  std::vector<match::RuleSpec> specs{*spec};
  auto rules = match::compile_rule_set(std::move(specs));
  if (!rules) {
    FUZZ_CHECK(rules.error().has_errors());
    return 0;
  }
  static match::Matcher matcher;
  Mention m;
  m.id = "fuzz:1";
  m.platform = Platform::x;
  m.text = "Aurora Phone battery exploded 续航 爆炸 #auroraphone @auroraphone aurora x5";
  (void)matcher.match(m, **rules);
  return 0;
}
