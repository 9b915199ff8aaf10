// Fuzz target: the query language (engine/match/query.h). Every input goes through
// parse_query; an error must point inside the query. A query that parses (and is short enough
// to keep the run fast) is compiled into a one-rule RuleSet and matched against a mention made
// of the query text itself and against a fixed mixed zh/en text, which drives the matcher's
// boolean, NEAR and field-filter evaluation with arbitrary trees.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/match/matcher.h"
#include "engine/match/query.h"
#include "engine/match/rule_set.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yuqing;
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  auto parsed = match::parse_query(query);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().offset <= size);
    FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(parsed->root < parsed->nodes.size());
  for (const auto& n : parsed->nodes) {
    for (const auto c : n.children) FUZZ_CHECK(c < parsed->nodes.size());
    if (n.kind == match::NodeKind::term) FUZZ_CHECK(n.index < parsed->terms.size());
    if (n.kind == match::NodeKind::field) FUZZ_CHECK(n.index < parsed->fields.size());
  }
  (void)match::char_position(query, size);
  if (size > 256) return 0;

  match::RuleSpec spec;
  spec.id = "fuzz";
  spec.query = std::string(query);
  auto rules = match::compile_rule_set({spec});
  if (!rules) return 0;  // e.g. a rule whose every term is excluded: reported, not built
  static match::Matcher matcher;
  Mention m;
  m.id = "fuzz:1";
  m.platform = Platform::weibo;
  m.lang = "zh";
  m.author.followers = 1000;
  const std::string text(query);
  m.text = text;
  const auto& r1 = matcher.match(m, **rules);
  for (const auto& b : r1.brands) {
    for (const auto& h : r1.hits_of(b)) FUZZ_CHECK(h.begin <= h.end && h.end <= m.text.size());
  }
  m.text = "Acme 手机 explodes!! 艾克米手機爆炸了 #艾克米# @acme_official NOT near the store, 客服 ＡＣＭＥ";
  m.title = text;
  const auto& r2 = matcher.match(m, **rules);
  for (const auto& b : r2.brands) {
    for (const auto& h : r2.hits_of(b)) {
      const std::size_t len = h.field == match::TextField::text ? m.text.size() : m.title.size();
      FUZZ_CHECK(h.begin <= h.end && h.end <= len);
    }
  }
  if (!r2.brands.empty()) (void)matcher.explain(m, **rules, r2.brands.front().rule);
  return 0;
}
