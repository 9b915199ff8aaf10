// Differential test: the Hyperscan matcher and a deliberately simple reference evaluator
// (std::string::find over the normalized text, a naive tokenizer for NEAR, a tree walk for
// the boolean logic) agree on 20,000 generated mentions x 500 generated rules.
//
// The generator builds each rule as a tree, prints it as a fully parenthesized query (so the
// parser is exercised too) and the reference evaluates the generator's own tree.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/match/matcher.h"
#include "engine/normalize/normalize.h"
#include "tests/match/match_test_util.h"

namespace yuqing::match {
namespace {

constexpr int kMentions = 20000;
constexpr int kRules = 500;

// Text pools: (form written in queries, forms that may appear in mentions)
struct Word {
  const char* query;
  std::vector<const char*> forms;
  bool latin;
};
const std::vector<Word>& words() {
  static const std::vector<Word> w = {
      {"acme", {"acme", "Acme", "ACME", "ａｃｍｅ"}, true},
      {"acmecorp", {"acmecorp", "AcmeCorp"}, true},
      {"bolt", {"bolt", "Bolt", "ＢＯＬＴ"}, true},
      {"volt", {"volt"}, true},
      {"phone", {"phone", "Phone", "PHONE"}, true},
      {"phones", {"phones"}, true},
      {"battery", {"battery", "Battery"}, true},
      {"apple", {"apple", "Apple"}, true},
      {"pineapple", {"pineapple"}, true},
      {"juice", {"juice", "JUICE"}, true},
      {"pie", {"pie"}, true},
      {"red", {"red", "Red"}, true},
      {"green", {"green"}, true},
      {"zap", {"zap", "Zap"}, true},
      {"zapper", {"zapper"}, true},
      {"艾克米", {"艾克米"}, false},
      {"电池", {"电池", "電池"}, false},
      {"手机", {"手机", "手機"}, false},
      {"华为", {"华为", "華為"}, false},
      {"投诉", {"投诉", "投訴"}, false},
      {"闪电", {"闪电", "閃電"}, false},
      {"续航", {"续航", "續航"}, false},
      {"后来", {"后来", "後來"}, false},
      {"发", {"发", "發"}, false},
      {"头发", {"头发", "頭髮"}, false},
  };
  return w;
}

// ---- generated rules ----------------------------------------------------------------------

enum class G { term, all, any, and_not, near, field };
struct Gen {
  G kind = G::term;
  int term = -1;  // index into terms()
  std::vector<std::unique_ptr<Gen>> kids;
  int distance = 0;
  bool ordered = false;
  int field = 0;  // 0 platform:weibo, 1 followers>500, 2 verified:true, 3 lang:zh
};

struct RefTerm {
  std::string query;    // as written in the query
  std::string literal;  // normalized, without '*'
  bool prefix = false;
};
std::vector<RefTerm> g_terms;
std::unordered_map<std::string, int> g_term_ids;

int term_id(const std::string& q, const std::string& lit, bool prefix) {
  const auto it = g_term_ids.find(q);
  if (it != g_term_ids.end()) return it->second;
  g_terms.push_back({q, lit, prefix});
  g_term_ids.emplace(q, static_cast<int>(g_terms.size() - 1));
  return static_cast<int>(g_terms.size() - 1);
}

int random_term(std::mt19937& rng) {
  const auto& w = words();
  const Word& a = w[rng() % w.size()];
  switch (rng() % 8) {
    case 0:
      if (a.latin && std::string(a.query).size() > 3) {  // wildcard
        const std::string p = std::string(a.query).substr(0, 3 + rng() % (std::string(a.query).size() - 3));
        return term_id(p + "*", p, true);
      }
      break;
    case 1: {  // phrase of two words
      const Word& b = w[rng() % w.size()];
      if (a.latin && b.latin) {
        return term_id("\"" + std::string(a.query) + " " + b.query + "\"", std::string(a.query) + " " + b.query, false);
      }
      if (!a.latin && !b.latin) return term_id(std::string(a.query) + b.query, std::string(a.query) + b.query, false);
      break;
    }
    case 2:
      return term_id(std::string("#") + a.query + (a.latin ? "" : "#"), std::string("#") + a.query + (a.latin ? "" : "#"),
                     false);
    case 3:
      if (a.latin) return term_id(std::string("@") + a.query, std::string("@") + a.query, false);
      break;
    default:
      break;
  }
  return term_id(a.query, a.query, false);
}

std::unique_ptr<Gen> leaf(int t) {
  auto g = std::make_unique<Gen>();
  g->kind = G::term;
  g->term = t;
  return g;
}

std::unique_ptr<Gen> near_side(std::mt19937& rng) {
  if (rng() % 3) return leaf(random_term(rng));
  auto g = std::make_unique<Gen>();
  g->kind = G::any;
  for (int i = 0; i < 2 + static_cast<int>(rng() % 2); ++i) g->kids.push_back(leaf(random_term(rng)));
  return g;
}

// Every generated tree is anchored: it cannot match without one of its terms.
std::unique_ptr<Gen> gen(std::mt19937& rng, int depth) {
  const unsigned pick = depth <= 0 ? 0 : rng() % 7;
  auto g = std::make_unique<Gen>();
  switch (pick) {
    case 0:
      return leaf(random_term(rng));
    case 1:
      g->kind = G::all;
      g->kids.push_back(gen(rng, depth - 1));
      g->kids.push_back(gen(rng, depth - 1));
      return g;
    case 2:
    case 3:
      g->kind = G::any;
      g->kids.push_back(gen(rng, depth - 1));
      g->kids.push_back(gen(rng, depth - 1));
      return g;
    case 4:
      g->kind = G::and_not;
      g->kids.push_back(gen(rng, depth - 1));
      g->kids.push_back(gen(rng, depth - 1));
      return g;
    case 5:
      g->kind = G::near;
      g->distance = static_cast<int>(rng() % 6);
      g->ordered = rng() % 3 == 0;
      g->kids.push_back(near_side(rng));
      g->kids.push_back(near_side(rng));
      return g;
    default: {
      g->kind = G::all;
      g->kids.push_back(gen(rng, depth - 1));
      auto f = std::make_unique<Gen>();
      f->kind = G::field;
      f->field = static_cast<int>(rng() % 4);
      g->kids.push_back(std::move(f));
      return g;
    }
  }
}

std::string print(const Gen& g) {
  switch (g.kind) {
    case G::term: return g_terms[static_cast<std::size_t>(g.term)].query;
    case G::all: return "(" + print(*g.kids[0]) + (g.kids[0]->term % 2 ? " AND " : " ") + print(*g.kids[1]) + ")";
    case G::any: {
      std::string s = "(" + print(*g.kids[0]);
      for (std::size_t i = 1; i < g.kids.size(); ++i) s += " OR " + print(*g.kids[i]);
      return s + ")";
    }
    case G::and_not: return "(" + print(*g.kids[0]) + " NOT " + print(*g.kids[1]) + ")";
    case G::near:
      return "(" + print(*g.kids[0]) + (g.ordered ? " ONEAR/" : " NEAR/") + std::to_string(g.distance) + " " +
             print(*g.kids[1]) + ")";
    case G::field: {
      const char* f[] = {"platform:weibo", "author.followers:>500", "author.verified:true", "lang:zh"};
      return f[g.field];
    }
  }
  return "";
}

// ---- the reference evaluator ----------------------------------------------------------------

bool ascii_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (c >= 'A' && c <= 'Z');
}

struct Ref {
  std::string text;  // normalized
  std::vector<std::pair<std::size_t, std::size_t>> tokens;  // byte ranges
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> occ;  // per term id
  std::vector<int> occ_done;
  int stamp = 0;
  Platform platform = Platform::other;
  std::int64_t followers = 0;
  bool verified = false;
  std::string lang;

  void reset(const std::string& t) {
    text = t;
    tokens.clear();
    for (std::size_t i = 0; i < text.size();) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (ascii_word(c)) {
        std::size_t j = i;
        while (j < text.size() && ascii_word(static_cast<unsigned char>(text[j]))) ++j;
        tokens.emplace_back(i, j);
        i = j;
      } else if (c >= 0xe0 && c < 0xf0) {  // the pools' Han characters are 3-byte UTF-8
        tokens.emplace_back(i, i + 3);
        i += 3;
      } else {
        ++i;
      }
    }
    ++stamp;
    if (occ.size() < g_terms.size()) {
      occ.resize(g_terms.size());
      occ_done.resize(g_terms.size(), 0);
    }
  }

  const std::vector<std::pair<std::size_t, std::size_t>>& occurrences(int t) {
    auto& out = occ[static_cast<std::size_t>(t)];
    if (occ_done[static_cast<std::size_t>(t)] == stamp) return out;
    occ_done[static_cast<std::size_t>(t)] = stamp;
    out.clear();
    const RefTerm& rt = g_terms[static_cast<std::size_t>(t)];
    const std::string& lit = rt.literal;
    const bool sb = ascii_word(static_cast<unsigned char>(lit[0])) || lit[0] == '@' || lit[0] == '#';
    const bool eb = !rt.prefix && ascii_word(static_cast<unsigned char>(lit.back()));
    for (std::size_t p = text.find(lit); p != std::string::npos; p = text.find(lit, p + 1)) {
      const std::size_t e = p + lit.size();
      if (sb && p > 0 && ascii_word(static_cast<unsigned char>(text[p - 1]))) continue;
      if (eb && e < text.size() && ascii_word(static_cast<unsigned char>(text[e]))) continue;
      out.emplace_back(p, e);
    }
    return out;
  }

  std::pair<long, long> token_span(std::pair<std::size_t, std::size_t> r) const {
    long first = -1, last = -1;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].second > r.first && first < 0) first = static_cast<long>(i);
      if (tokens[i].first < r.second) last = static_cast<long>(i);
    }
    return {first, last};
  }

  void side_occ(const Gen& g, std::vector<std::pair<std::size_t, std::size_t>>& out) {
    if (g.kind == G::term) {
      const auto& o = occurrences(g.term);
      out.insert(out.end(), o.begin(), o.end());
    } else {
      for (const auto& k : g.kids) side_occ(*k, out);
    }
  }

  bool eval(const Gen& g) {
    switch (g.kind) {
      case G::term: return !occurrences(g.term).empty();
      case G::all: return eval(*g.kids[0]) && eval(*g.kids[1]);
      case G::any:
        for (const auto& k : g.kids) {
          if (eval(*k)) return true;
        }
        return false;
      case G::and_not: return eval(*g.kids[0]) && !eval(*g.kids[1]);
      case G::field:
        switch (g.field) {
          case 0: return platform == Platform::weibo;
          case 1: return followers > 500;
          case 2: return verified;
          default: return lang == "zh";
        }
      case G::near: {
        std::vector<std::pair<std::size_t, std::size_t>> a, b;
        side_occ(*g.kids[0], a);
        side_occ(*g.kids[1], b);
        for (const auto& x : a) {
          for (const auto& y : b) {
            if (x == y) continue;
            const auto [as, ae] = token_span(x);
            const auto [bs, be] = token_span(y);
            long gap;
            if (ae < bs) gap = bs - ae - 1;
            else if (g.ordered) continue;
            else if (be < as) gap = as - be - 1;
            else gap = 0;
            if (gap <= g.distance) return true;
          }
        }
        return false;
      }
    }
    return false;
  }
};

std::string random_text(std::mt19937& rng) {
  const auto& w = words();
  const char* seps[] = {" ", " ", " ", ", ", "! ", "'s ", "", "\xe3\x80\x80", "-", "_", "，"};
  std::string s;
  const int n = 4 + static_cast<int>(rng() % 18);
  for (int i = 0; i < n; ++i) {
    const Word& x = w[rng() % w.size()];
    const unsigned deco = rng() % 12;
    if (deco == 0) s += "#";
    if (deco == 1) s += "@";
    if (deco == 2) s += "＃";
    s += x.forms[rng() % x.forms.size()];
    if (deco == 0 && !x.latin && rng() % 2) s += "#";
    s += seps[rng() % (sizeof seps / sizeof *seps)];
  }
  return s;
}

TEST(MatchDifferential, HyperscanAgreesWithReference) {
  std::mt19937 rng(20240501);
  std::vector<std::unique_ptr<Gen>> trees;
  std::vector<RuleSpec> specs;
  for (int i = 0; i < kRules; ++i) {
    trees.push_back(gen(rng, 1 + static_cast<int>(rng() % 3)));
    std::string id = "r";
    id += std::to_string(i);
    specs.push_back(testing::spec(std::move(id), print(*trees.back())));
  }
  auto rs = testing::compile_or_die(specs);
  ASSERT_TRUE(rs);
  // The reference normalizes pool literals the same way (the pools are already folded).
  for (RefTerm& t : g_terms) t.literal = normalize::normalize_copy(t.literal);

  Matcher matcher;
  Ref ref;
  std::size_t total_matches = 0, mismatches = 0;
  std::vector<std::uint32_t> got, want;
  for (int i = 0; i < kMentions; ++i) {
    testing::OwnedMention om;
    om.text = random_text(rng);
    if (rng() % 5 == 0) om.title = random_text(rng);
    om.platform = rng() % 2 ? Platform::weibo : Platform::x;
    om.followers = static_cast<std::int64_t>(rng() % 1000);
    om.verified = rng() % 2;
    om.lang = rng() % 2 ? "zh" : "en";
    const Mention m = om.view();
    const MatchResult& r = matcher.match(m, *rs);
    got.clear();
    for (const BrandMatch& b : r.brands) {
      got.push_back(b.rule);
      for (const TermHit& h : r.hits_of(b)) {  // reported offsets point at the term in the original
        const std::string& src = h.field == TextField::title ? om.title : om.text;
        const std::string norm = normalize::normalize_copy(src.substr(h.begin, h.end - h.begin));
        const std::string& lit = rs->literal(rs->term(h.term).literal);
        ASSERT_EQ(norm.compare(0, lit.size(), lit), 0) << "hit '" << src.substr(h.begin, h.end - h.begin)
                                                       << "' for term " << rs->term(h.term).text;
      }
    }
    ref.platform = om.platform;
    ref.followers = om.followers;
    ref.verified = om.verified;
    ref.lang = om.lang;
    ref.reset(om.title.empty() ? normalize::normalize_copy(om.text)
                               : normalize::normalize_copy(om.title) + "\n" + normalize::normalize_copy(om.text));
    want.clear();
    for (std::uint32_t k = 0; k < trees.size(); ++k) {
      if (ref.eval(*trees[k])) want.push_back(k);
    }
    total_matches += want.size();
    if (got != want) {
      ++mismatches;
      if (mismatches <= 5) {
        std::vector<std::uint32_t> only_hs, only_ref;
        std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(only_hs));
        std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(only_ref));
        std::string msg = "mention [" + om.title + " | " + om.text + "] normalized [" + ref.text + "]\n";
        for (auto k : only_hs) msg += "  only matcher: " + specs[k].query + "\n" + matcher.explain(m, *rs, k);
        for (auto k : only_ref) msg += "  only reference: " + specs[k].query + "\n" + matcher.explain(m, *rs, k);
        ADD_FAILURE() << msg;
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
  // The generator must produce plenty of matches for the comparison to mean something.
  EXPECT_GT(total_matches, static_cast<std::size_t>(kMentions) * 5);
  std::printf("differential: %d mentions x %d rules, %zu rule matches, %zu mismatches\n", kMentions, kRules,
              total_matches, mismatches);
}

}  // namespace
}  // namespace yuqing::match
