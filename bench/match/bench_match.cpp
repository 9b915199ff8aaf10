// bench_match: throughput of the matcher stage on generated mixed zh/en mentions.
//
//   BM_Normalize                 normalization alone (case, width, 繁→简, white space, offsets)
//   BM_Match/N                   normalize + Hyperscan scan + rule evaluation, N rules
//   BM_RE2Set/N                  the same terms in an RE2::Set (normalize + Set::Match +
//                                the same boolean evaluation, NEAR treated as AND), N rules
//   BM_CompileRules/N            building a RuleSet (parse + Hyperscan compile), N rules
//   BM_MatchVsRE2Set/N           BM_Match and BM_RE2Set alternately in one run (ratio =
//                                RE2::Set time / matcher time; bench/common/paired.h)
//   BM_Shared*                   issue 4, not in the gate: what sharing the matcher's scan with
//                                sentiment would cost (see "Sharing the matcher's Hyperscan pass"
//                                below and in docs/sentiment.md)
//
// Rules have 1-3 terms each (single term, a OR b, a AND b, (a OR b) NOT c, a NEAR/5 b) drawn
// from a 30,000-word mixed Latin/Chinese vocabulary; mentions are 150-300 bytes of filler
// with vocabulary words mixed in, some in traditional characters or full-width letters.
// Counters: items_per_second = mentions/s on one core, bytes_per_second = input bytes/s.

#include <benchmark/benchmark.h>
#include <hs/hs.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/common/paired.h"
#include "engine/match/matcher.h"
#include "engine/match/rule_set.h"
#include "engine/normalize/normalize.h"
#include "engine/sentiment/sentiment.h"

namespace yuqing::match {
namespace {

constexpr std::uint32_t kSeed = 42;

const char* kEnFiller[] = {"the", "a", "my", "new", "is", "was", "really", "not", "so", "and", "but", "for",
                           "with", "today", "again", "just", "bought", "love", "hate", "service", "store",
                           "phone", "price", "app", "update", "delivery", "customer", "good", "bad", "why",
                           "this", "that", "they", "we", "it", "very", "still", "never", "always", "week"};
const char* kZhFiller[] = {"今天", "我的", "这个", "真的", "太", "了", "不", "是", "在", "和", "也", "都", "很",
                           "还是", "已经", "客服", "价格", "质量", "体验", "朋友", "推荐", "吐槽", "一下",
                           "门店", "新品", "问题", "感觉", "觉得", "可以", "没有"};

struct Vocab {
  std::vector<std::string> words;  // normalized forms (rules use these)
  std::vector<bool> latin;
};

std::string random_latin(std::mt19937& rng) {
  static const char* syll[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "qua", "bri", "dor",
                               "fen", "gal", "hux", "jor", "pex", "tra", "wen", "yol"};
  std::string w;
  const int n = 2 + static_cast<int>(rng() % 3);
  for (int i = 0; i < n; ++i) w += syll[rng() % 20];
  return w;
}

std::string random_han(std::mt19937& rng, int n) {
  std::string w;
  for (int i = 0; i < n; ++i) {
    char buf[4];
    // CJK unified ideographs 4E00..6FFF: mostly common characters, traditional ones included.
    const auto cp = static_cast<char32_t>(0x4e00 + rng() % 0x2200);
    w.append(buf, normalize::encode_utf8(cp, buf));
  }
  return w;
}

const Vocab& vocab() {
  static const Vocab v = [] {
    Vocab out;
    std::mt19937 rng(kSeed);
    std::vector<std::string> seen;
    for (int i = 0; i < 30000; ++i) {
      const bool latin = i % 2 == 0;
      std::string w = latin ? random_latin(rng) : random_han(rng, 2 + static_cast<int>(rng() % 2));
      w = normalize::normalize_copy(w);  // rule terms are written in simplified form
      out.words.push_back(w);
      out.latin.push_back(latin);
    }
    return out;
  }();
  return v;
}

struct GenRule {
  int kind;  // 0 a, 1 a OR b, 2 a AND b, 3 (a OR b) NOT c, 4 a NEAR/5 b
  std::vector<int> terms;
};

std::string term_text(int t) {
  const std::string& w = vocab().words[static_cast<std::size_t>(t)];
  return w;
}

std::vector<GenRule> make_rules(int n) {
  std::mt19937 rng(kSeed + 1);
  std::vector<GenRule> out;
  const int pool = static_cast<int>(vocab().words.size());
  for (int i = 0; i < n; ++i) {
    GenRule r;
    r.kind = static_cast<int>(rng() % 5);
    const int nterms = r.kind == 0 ? 1 : r.kind == 3 ? 3 : 2;
    for (int k = 0; k < nterms; ++k) r.terms.push_back(static_cast<int>(rng() % static_cast<unsigned>(pool)));
    out.push_back(r);
  }
  return out;
}

std::string query_of(const GenRule& r) {
  switch (r.kind) {
    case 0: return term_text(r.terms[0]);
    case 1: return term_text(r.terms[0]) + " OR " + term_text(r.terms[1]);
    case 2: return term_text(r.terms[0]) + " AND " + term_text(r.terms[1]);
    case 3: return "(" + term_text(r.terms[0]) + " OR " + term_text(r.terms[1]) + ") NOT " + term_text(r.terms[2]);
    default: return term_text(r.terms[0]) + " NEAR/5 " + term_text(r.terms[1]);
  }
}

std::vector<RuleSpec> specs_of(const std::vector<GenRule>& rules) {
  std::vector<RuleSpec> specs;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    RuleSpec s;
    s.id = "r";
    s.id += std::to_string(i);
    s.query = query_of(rules[i]);
    s.competitors = {"r0"};
    specs.push_back(std::move(s));
  }
  return specs;
}

struct Corpus {
  std::vector<std::string> texts;
  std::size_t bytes = 0;
};

// Mentions draw vocabulary words from the terms of the 10,000-rule set, so that every rule
// count sees hits (fewer rules, fewer hits).
const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus out;
    std::mt19937 rng(kSeed + 2);
    const auto rules = make_rules(10000);
    std::vector<int> terms;
    for (const auto& r : rules) terms.insert(terms.end(), r.terms.begin(), r.terms.end());
    for (int i = 0; i < 10000; ++i) {
      const bool zh = i % 2 == 0;
      const std::size_t target = 150 + rng() % 150;
      std::string s;
      while (s.size() < target) {
        if (rng() % 12 == 0) {
          std::string w = vocab().words[static_cast<std::size_t>(terms[rng() % terms.size()])];
          if (rng() % 4 == 0 && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 32);
          s += w;
        } else if (zh) {
          s += kZhFiller[rng() % (sizeof kZhFiller / sizeof *kZhFiller)];
        } else {
          s += kEnFiller[rng() % (sizeof kEnFiller / sizeof *kEnFiller)];
        }
        s += zh ? (rng() % 6 == 0 ? "，" : "") : (rng() % 8 == 0 ? ", " : " ");
        if (zh && rng() % 20 == 0) s += "ＡＰＰ ";
      }
      out.bytes += s.size();
      out.texts.push_back(std::move(s));
    }
    return out;
  }();
  return c;
}

RuleSetPtr rule_set(int n) {
  static std::map<int, RuleSetPtr> cache;
  auto& rs = cache[n];
  if (!rs) {
    auto built = compile_rule_set(specs_of(make_rules(n)));
    if (!built) {
      std::fprintf(stderr, "%s", built.error().to_string().c_str());
      std::abort();
    }
    rs = built.value();
  }
  return rs;
}

void BM_Normalize(benchmark::State& state) {
  const Corpus& c = corpus();
  normalize::Normalizer n;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(n.normalize(c.texts[i]).size());
    if (++i == c.texts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes / c.texts.size()));
}
BENCHMARK(BM_Normalize);

void BM_Match(benchmark::State& state) {
  const Corpus& c = corpus();
  const RuleSetPtr rs = rule_set(static_cast<int>(state.range(0)));
  Matcher matcher;
  Mention m;
  m.id = "bench";
  std::size_t i = 0, matched = 0;
  for (auto _ : state) {
    m.text = c.texts[i];
    matched += matcher.match(m, *rs).brands.size();
    if (++i == c.texts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes / c.texts.size()));
  state.counters["matches_per_mention"] = static_cast<double>(matched) / static_cast<double>(state.iterations());
  state.counters["literals"] = static_cast<double>(rs->literal_count());
}
BENCHMARK(BM_Match)->Arg(100)->Arg(1000)->Arg(10000);

// ---- RE2::Set baseline ---------------------------------------------------------------------

struct Re2Baseline {
  std::unique_ptr<re2::RE2::Set> set;
  std::vector<GenRule> rules;
  std::vector<int> pattern_term;                 // pattern -> term id (vocab index)
  std::vector<std::vector<int>> term_rules;      // vocab index -> rules
  bool ok = false;
};

std::string re2_pattern(int t) {
  const std::string& w = vocab().words[static_cast<std::size_t>(t)];
  const std::string q = re2::RE2::QuoteMeta(w);
  if (!vocab().latin[static_cast<std::size_t>(t)]) return q;
  std::string p = "\\b";
  p += q;
  p += "\\b";
  return p;
}

Re2Baseline& re2_baseline(int n) {
  static std::map<int, std::unique_ptr<Re2Baseline>> cache;
  auto& b = cache[n];
  if (!b) {
    b = std::make_unique<Re2Baseline>();
    b->rules = make_rules(n);
    re2::RE2::Options opts;
    opts.set_max_mem(std::int64_t{2} << 30);
    opts.set_log_errors(false);
    b->set = std::make_unique<re2::RE2::Set>(opts, re2::RE2::UNANCHORED);
    std::map<int, int> added;
    b->term_rules.assign(vocab().words.size(), {});
    for (std::size_t r = 0; r < b->rules.size(); ++r) {
      for (int t : b->rules[r].terms) {
        b->term_rules[static_cast<std::size_t>(t)].push_back(static_cast<int>(r));
        if (added.count(t)) continue;
        added[t] = b->set->Add(re2_pattern(t), nullptr);
        b->pattern_term.push_back(t);
      }
    }
    b->ok = b->set->Compile();
  }
  return *b;
}

// One RE2::Set pass per mention: normalize, Set::Match, the same boolean evaluation.
class Re2Runner {
 public:
  explicit Re2Runner(Re2Baseline& b)
      : b_(b), term_seen_(vocab().words.size(), 0), rule_seen_(b.rules.size(), 0) {}

  // Returns the number of rules matched.
  std::size_t operator()(const std::string& mention) {
    ++gen_;
    std::size_t matched = 0;
    const std::string_view text = norm_.normalize(mention);
    hits_.clear();
    re2::RE2::Set::ErrorInfo err;
    if (!b_.set->Match(re2::StringPiece(text.data(), text.size()), &hits_, &err) &&
        err.kind != re2::RE2::Set::kNoError) {
      ++dfa_failures;
    }
    for (int p : hits_) term_seen_[static_cast<std::size_t>(b_.pattern_term[static_cast<std::size_t>(p)])] = gen_;
    for (int p : hits_) {
      for (int r : b_.term_rules[static_cast<std::size_t>(b_.pattern_term[static_cast<std::size_t>(p)])]) {
        if (rule_seen_[static_cast<std::size_t>(r)] == gen_) continue;
        rule_seen_[static_cast<std::size_t>(r)] = gen_;
        const GenRule& g = b_.rules[static_cast<std::size_t>(r)];
        auto s = [&](int k) { return term_seen_[static_cast<std::size_t>(g.terms[static_cast<std::size_t>(k)])] == gen_; };
        bool ok = false;
        switch (g.kind) {
          case 0: ok = s(0); break;
          case 1: ok = s(0) || s(1); break;
          case 2: case 4: ok = s(0) && s(1); break;  // NEAR approximated as AND (no positions)
          default: ok = (s(0) || s(1)) && !s(2); break;
        }
        matched += ok ? 1 : 0;
      }
    }
    return matched;
  }

  std::size_t dfa_failures = 0;

 private:
  Re2Baseline& b_;
  normalize::Normalizer norm_;
  std::vector<int> hits_;
  std::vector<std::uint32_t> term_seen_, rule_seen_;
  std::uint32_t gen_ = 0;
};

void BM_RE2Set(benchmark::State& state) {
  const Corpus& c = corpus();
  Re2Baseline& b = re2_baseline(static_cast<int>(state.range(0)));
  if (!b.ok) {
    state.SkipWithError("RE2::Set failed to compile");
    return;
  }
  Re2Runner run(b);
  std::size_t i = 0, matched = 0;
  for (auto _ : state) {
    matched += run(c.texts[i]);
    if (++i == c.texts.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes / c.texts.size()));
  state.counters["matches_per_mention"] = static_cast<double>(matched) / static_cast<double>(state.iterations());
  state.counters["dfa_failures"] = static_cast<double>(run.dfa_failures);
}
BENCHMARK(BM_RE2Set)->Arg(100)->Arg(1000)->Arg(10000);

// The matcher and the RE2::Set baseline alternately on the same mentions (bench/common/paired.h):
// ratio = RE2::Set time / matcher time, i.e. how many times faster than the baseline the
// matcher is (the target is >= 3). The gate's match figure (at 1,000 rules).
void BM_MatchVsRE2Set(benchmark::State& state) {
  const Corpus& c = corpus();
  const RuleSetPtr rs = rule_set(static_cast<int>(state.range(0)));
  Re2Baseline& b = re2_baseline(static_cast<int>(state.range(0)));
  if (!b.ok) {
    state.SkipWithError("RE2::Set failed to compile");
    return;
  }
  Re2Runner run(b);
  Matcher matcher;
  Mention m;
  m.id = "bench";
  bench::run_paired(
      state, c.texts.size(), 64,
      [&](std::size_t i) {
        m.text = c.texts[i];
        benchmark::DoNotOptimize(matcher.match(m, *rs).brands.size());
      },
      [&](std::size_t i) { benchmark::DoNotOptimize(run(c.texts[i])); });
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 64 * c.bytes / c.texts.size()));
}
BENCHMARK(BM_MatchVsRE2Set)->Arg(1000)->Arg(10000)->UseManualTime();

void BM_CompileRules(benchmark::State& state) {
  const auto specs = specs_of(make_rules(static_cast<int>(state.range(0))));
  (void)normalize::FoldTable::shared();  // built once per process, not part of a reload
  for (auto _ : state) {
    auto rs = compile_rule_set(specs);
    benchmark::DoNotOptimize(rs.ok());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * specs.size()));
}
BENCHMARK(BM_CompileRules)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_FoldTableBuild(benchmark::State& state) {
  for (auto _ : state) {
    auto t = normalize::FoldTable::build();
    benchmark::DoNotOptimize(t.ok());
  }
}
BENCHMARK(BM_FoldTableBuild)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- Sharing the matcher's Hyperscan pass with sentiment (issue 4; not in the gate) --------
//
// On the same mentions as BM_Match, per mention:
//   BM_SharedRules/R        (a) Matcher::match, rules alone
//   BM_SharedScore          (b) sentiment::Scorer::score with the project lexicons
//   BM_SharedScorerScan     the scan share of (b): normalize + one Hyperscan pass over every
//                           lexicon term with the scorer's boundary checks, hits kept (what
//                           Scorer::score does before its rules; a copy of its step 1)
//   BM_SharedMerged/R       (c) Matcher::match, rules + every lexicon term as one extra
//                           LiteralGroup (RuleSetOptions::extra_groups) in the same database
//   BM_SharedLexiconOnly    the merged path with no rules: normalize + scan + group hits
//   BM_SharedVsSeparate/R   paired: (c) vs (a) followed by BM_SharedScorerScan
//   BM_SharedCompile/R/g    building the rule set with (g = 1) or without (g = 0) the lexicon group
// R = 0: the shipped rules (rules/brands, rules/lexicons/aspects.tsv as default aspects);
// R = 10000: the generated rules of BM_Match/10000.

namespace shared {

std::filesystem::path rules_dir() {
  const char* env = std::getenv("YUQING_SOURCE_DIR");
  return std::filesystem::path(env != nullptr ? env : YUQING_SOURCE_DIR_DEFAULT) / "rules";
}

const sentiment::Lexicon& lexicon() {
  static const sentiment::LexiconPtr lex = [] {
    auto r = sentiment::load_lexicon(rules_dir());
    if (!r) {
      for (const auto& e : r.error()) std::fprintf(stderr, "%s\n", e.c_str());
      std::abort();
    }
    return r.value();
  }();
  return *lex;
}

// Every lexicon term (polar, negators, degree, contrast, emoticons, crisis, aspects: all that
// the scorer's database holds) as one group; index i of the group is lexicon term
// group_term()[i]. Terms the query-term syntax cannot express (a '*' inside, an emoticon such
// as *_*) are left out and counted.
struct Groups {
  std::vector<LiteralGroup> groups;
  std::vector<std::uint32_t> term;
  std::size_t skipped = 0;
};

const Groups& lexicon_groups() {
  static const Groups g = [] {
    Groups out;
    const sentiment::Lexicon& lex = lexicon();
    LiteralGroup grp;
    grp.id = "lexicon";
    for (std::uint32_t t = 0; t < lex.term_count(); ++t) {
      const std::string& s = lex.term(t);
      if (s.find('*') != std::string::npos || (s.size() >= 2 && s.front() == '"' && s.back() == '"')) {
        ++out.skipped;
        continue;
      }
      grp.terms.push_back(s);
      out.term.push_back(t);
    }
    out.groups.push_back(std::move(grp));
    return out;
  }();
  return g;
}

Result<RuleSetPtr, Diagnostics> build(int rules, bool merged) {
  RuleSetOptions opts;
  if (merged) opts.extra_groups = lexicon_groups().groups;
  if (rules == 0) return load_rule_set(rules_dir(), opts);
  if (rules < 0) return compile_rule_set({}, opts);
  return compile_rule_set(specs_of(make_rules(rules)), opts);
}

RuleSetPtr rule_set(int rules, bool merged) {
  static std::map<std::pair<int, bool>, RuleSetPtr> cache;
  auto& rs = cache[{rules, merged}];
  if (!rs) {
    auto built = build(rules, merged);
    if (!built) {
      std::fprintf(stderr, "%s", built.error().to_string().c_str());
      std::abort();
    }
    rs = built.value();
  }
  return rs;
}

void set_counters(benchmark::State& state, const Corpus& c) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes / c.texts.size()));
}

void run_match(benchmark::State& state, bool merged) {
  const Corpus& c = corpus();
  const RuleSetPtr rs = rule_set(static_cast<int>(state.range(0)), merged);
  Matcher matcher;
  Mention m;
  m.id = "bench";
  std::size_t i = 0, matched = 0, groups = 0;
  for (auto _ : state) {
    m.text = c.texts[i];
    const MatchResult& r = matcher.match(m, *rs);
    matched += r.brands.size();
    groups += r.groups.size();
    if (++i == c.texts.size()) i = 0;
  }
  set_counters(state, c);
  const auto n = static_cast<double>(state.iterations());
  state.counters["matches_per_mention"] = static_cast<double>(matched) / n;
  state.counters["group_hits_per_mention"] = static_cast<double>(groups) / n;
  state.counters["literals"] = static_cast<double>(rs->literal_count());
  state.counters["skipped_terms"] = static_cast<double>(merged ? lexicon_groups().skipped : 0);
}

void BM_SharedRules(benchmark::State& state) { run_match(state, false); }
BENCHMARK(BM_SharedRules)->Arg(0)->Arg(10000);

void BM_SharedMerged(benchmark::State& state) { run_match(state, true); }
BENCHMARK(BM_SharedMerged)->Arg(0)->Arg(10000);

void BM_SharedLexiconOnly(benchmark::State& state) { run_match(state, true); }
BENCHMARK(BM_SharedLexiconOnly)->Arg(-1);

void BM_SharedScore(benchmark::State& state) {
  const Corpus& c = corpus();
  const sentiment::Lexicon& lex = lexicon();
  sentiment::Scorer scorer;
  Mention m;
  std::size_t i = 0, crisis = 0, polar = 0;
  for (auto _ : state) {
    m.text = c.texts[i];
    const sentiment::SentimentResult& r = scorer.score(m, lex);
    crisis += r.crisis.size();
    polar += scorer.trace().size();
    benchmark::DoNotOptimize(r.score);
    if (++i == c.texts.size()) i = 0;
  }
  set_counters(state, c);
  state.counters["polar_terms_per_mention"] = static_cast<double>(polar) / static_cast<double>(state.iterations());
  state.counters["crisis_hits_per_mention"] = static_cast<double>(crisis) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SharedScore);

// The scorer's step 1 alone: its database (every lexicon term, hs_compile_lit_multi, no flags,
// as in engine/sentiment/lexicon.cpp), normalize, scan, the same boundary checks, hits kept.
struct ScanCopy {
  hs_database_t* db = nullptr;
  hs_scratch_t* scratch = nullptr;
  double compile_ms = 0;
  ScanCopy() {
    const sentiment::Lexicon& lex = lexicon();
    std::vector<const char*> exprs;
    std::vector<std::size_t> lens;
    std::vector<unsigned> ids, flags;
    for (std::uint32_t t = 0; t < lex.term_count(); ++t) {
      exprs.push_back(lex.term(t).data());
      lens.push_back(lex.term(t).size());
      ids.push_back(t);
      flags.push_back(0);
    }
    const auto t0 = std::chrono::steady_clock::now();
    hs_compile_error_t* err = nullptr;
    if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(), static_cast<unsigned>(exprs.size()),
                             HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS ||
        hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
      std::abort();
    }
    compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  ~ScanCopy() {
    hs_free_scratch(scratch);
    hs_free_database(db);
  }
  ScanCopy(const ScanCopy&) = delete;
  ScanCopy& operator=(const ScanCopy&) = delete;
};

struct ScanState {
  const sentiment::Lexicon* lex;
  std::string_view text;
  std::vector<std::uint32_t> hits;
};

int on_lexicon_hit(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/, void* ctx) {
  auto* st = static_cast<ScanState*>(ctx);
  const sentiment::TermInfo& info = st->lex->info(id);
  const auto end = static_cast<std::uint32_t>(to);
  const std::uint32_t begin = end - info.len;
  const auto* s = reinterpret_cast<const unsigned char*>(st->text.data());
  const std::size_t n = st->text.size();
  if (info.start_boundary && begin > 0 && normalize::is_word_cp(normalize::decode_utf8_before(s, begin))) return 0;
  if (info.end_boundary && end < n) {
    std::size_t len = 0;
    if (normalize::is_word_cp(normalize::decode_utf8(s, n, end, len))) return 0;
  }
  st->hits.push_back(begin);
  st->hits.push_back(end);
  st->hits.push_back(id);
  return 0;
}

void BM_SharedScorerScan(benchmark::State& state) {
  const Corpus& c = corpus();
  static const ScanCopy copy;
  normalize::Normalizer norm;
  ScanState st{&lexicon(), {}, {}};
  std::size_t i = 0, hits = 0;
  for (auto _ : state) {
    st.text = norm.normalize(c.texts[i]);
    st.hits.clear();
    hs_scan(copy.db, st.text.data(), static_cast<unsigned>(st.text.size()), 0, copy.scratch, &on_lexicon_hit, &st);
    hits += st.hits.size() / 3;
    if (++i == c.texts.size()) i = 0;
  }
  set_counters(state, c);
  state.counters["lexicon_hits_per_mention"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
  state.counters["compile_ms"] = copy.compile_ms;
}
BENCHMARK(BM_SharedScorerScan);

// Paired (bench/common/paired.h), the robust form of the comparison: subject = (c) the merged
// match; reference = (a) the rules-only match followed by the scorer's step 1
// (BM_SharedScorerScan) on the same mention, i.e. the two passes the merge replaces.
// ratio = reference / subject (> 1: the merged pass is cheaper); ns = (c), ref_ns = (a) + scan,
// per mention. (Not (c) vs (a) alone: paired.h repeats the shorter side's slice on the same
// mentions, which flatters it.)
void BM_SharedVsSeparate(benchmark::State& state) {
  const Corpus& c = corpus();
  const int rules = static_cast<int>(state.range(0));
  const RuleSetPtr merged = rule_set(rules, true);
  const RuleSetPtr alone = rule_set(rules, false);
  static const ScanCopy copy;
  normalize::Normalizer norm;
  ScanState st{&lexicon(), {}, {}};
  Matcher mm, ma;
  Mention m1, m2;
  m1.id = m2.id = "bench";
  bench::run_paired(
      state, c.texts.size(), 32,
      [&](std::size_t i) {
        m1.text = c.texts[i];
        benchmark::DoNotOptimize(mm.match(m1, *merged).groups.size());
      },
      [&](std::size_t i) {
        m2.text = c.texts[i];
        benchmark::DoNotOptimize(ma.match(m2, *alone).brands.size());
        st.text = norm.normalize(c.texts[i]);
        st.hits.clear();
        hs_scan(copy.db, st.text.data(), static_cast<unsigned>(st.text.size()), 0, copy.scratch, &on_lexicon_hit, &st);
        benchmark::DoNotOptimize(st.hits.size());
      });
}
BENCHMARK(BM_SharedVsSeparate)->Arg(0)->Arg(10000)->UseManualTime();

// range(0) = rules (0 shipped, 10000 generated), range(1) = 1 with the lexicon group.
void BM_SharedCompile(benchmark::State& state) {
  (void)normalize::FoldTable::shared();
  (void)lexicon_groups();
  const int rules = static_cast<int>(state.range(0));
  const bool merged = state.range(1) != 0;
  const auto specs = rules > 0 ? specs_of(make_rules(rules)) : std::vector<RuleSpec>{};
  RuleSetOptions opts;
  if (merged) opts.extra_groups = lexicon_groups().groups;
  double ms = 0;
  for (auto _ : state) {
    auto rs = rules > 0 ? compile_rule_set(specs, opts) : load_rule_set(rules_dir(), opts);
    if (!rs) {
      state.SkipWithError("rule set failed to compile");
      return;
    }
    ms += rs.value()->compile_ms();
  }
  state.counters["compile_ms"] = ms / static_cast<double>(state.iterations());
  state.counters["lexicon_compile_ms"] = lexicon().compile_ms();
}
BENCHMARK(BM_SharedCompile)
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({10000, 0})
    ->Args({10000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace shared

}  // namespace
}  // namespace yuqing::match

BENCHMARK_MAIN();
