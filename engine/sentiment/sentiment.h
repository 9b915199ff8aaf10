#pragma once
// Sentiment for Chinese and English mentions: lexicons as configuration, a VADER-like scorer
// extended to Chinese, aspects and crisis terms.
//
//   auto lex = sentiment::load_lexicon("rules");          // rules/lexicons/...; all errors at once
//   sentiment::Scorer scorer;                              // one per worker thread
//   const SentimentResult& r = scorer.score(mention, **lex);
//
// Lexicon: immutable once loaded, shared read-only by every thread through
// std::shared_ptr<const Lexicon>. Hot reload loads a new one next to the new RuleSet and swaps
// the pointer; a Scorer notices the swap (Lexicon::instance_id) and re-allocates its Hyperscan
// scratch once.
//
// Scorer: single-threaded (one per worker). Owns the normalizer, the Hyperscan scratch and
// reused buffers; after warm-up, score() allocates nothing. The returned result (and the trace
// behind explain()) stays valid until the next score() call.
//
// How a score is made (docs/sentiment.md has the full rules and the measured accuracy):
//   1. normalize (case, width, 繁→简) and find every lexicon term with one Hyperscan scan;
//      keep the longest non-overlapping matches (weight-0 "shield" entries hide polar words
//      inside neutral compounds such as 差不多).
//   2. per polar term: valence from the lexicon (slang > polarity; user lexicons and brand
//      overrides win), scaled by degree words before it (很 非常 有点 / very slightly), flipped
//      and damped by an odd number of negators in scope (zh: <= 3 characters between, en: <= 3
//      words, never across punctuation), amplified for ALL CAPS (en) and repetition (好好好,
//      sooo); emoji and emoticons are neither negated nor scaled and weigh x1.5, bracketed
//      platform emoticons ([哈哈], [泪]) x2.25.
//   3. contrast words weight the clause before and after them (但是/but: 0.5 / 1.5;
//      虽然/although: its own clause 0.5), '!' amplifies a clause, '?' damps it.
//   4. compound = S / sqrt(S^2 + 15) in [-1, 1]; label positive >= +0.05, negative <= -0.05.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/base/result.h"
#include "engine/mention/mention.h"
#include "engine/normalize/normalize.h"

struct hs_database;
struct hs_scratch;

namespace yuqing::sentiment {

enum class Label : std::uint8_t { negative, neutral, positive };
std::string_view label_name(Label l);  // "negative", "neutral", "positive"

// Language of a mention: from Mention::lang when set ("zh", "zh-Hans", "en-US"...), else
// detected from the share of Han characters among letters (>= 30 % Han -> zh).
enum class Lang : std::uint8_t { unknown, zh, en };
std::string_view lang_name(Lang l);  // "unknown", "zh", "en"
Lang detect_lang(std::string_view text);

// Crisis categories (rules/lexicons/crisis.tsv). The mask in SentimentResult has bit i set for
// category i.
enum class CrisisCategory : std::uint8_t { safety, quality, legal, service, reputation, privacy };
inline constexpr std::size_t kCrisisCategoryCount = 6;
std::string_view crisis_category_name(std::uint8_t category);

struct AspectSentiment {
  std::uint32_t aspect;  // index into Lexicon::aspect_name()
  float score;           // [-1, 1], the compound of the clauses the aspect's terms sit in
};

struct CrisisHit {
  std::uint32_t term;      // index into Lexicon::term()
  std::uint8_t category;   // index into crisis_category_name()
  std::uint8_t field;      // 0 = Mention::text, 1 = Mention::title
  std::uint32_t begin, end;  // byte offsets into the ORIGINAL field (text or title)
};

struct SentimentResult {
  float score = 0;  // compound, [-1, 1]
  Label label = Label::neutral;
  Lang lang = Lang::unknown;
  std::vector<AspectSentiment> aspects;
  std::vector<CrisisHit> crisis;  // at most kMaxCrisisHits, in text order
  std::uint32_t crisis_mask = 0;  // bit per CrisisCategory
  void clear() {
    score = 0;
    label = Label::neutral;
    lang = Lang::unknown;
    aspects.clear();
    crisis.clear();
    crisis_mask = 0;
  }
};
inline constexpr std::size_t kMaxCrisisHits = 32;

// Label thresholds on the compound score (VADER's defaults).
inline constexpr float kPositiveThreshold = 0.05F;
inline constexpr float kNegativeThreshold = -0.05F;

// ---- lexicon ------------------------------------------------------------------------------

// An extra lexicon in a standard format, loaded after the project's own files (its weights win
// over polarity.tsv and slang.tsv).
struct UserLexicon {
  enum class Format : std::uint8_t {
    vader,  // token<TAB>mean<TAB>...   (mean on -4..+4, used as is)
    afinn,  // word<TAB>score           (-5..+5, scaled by 0.8 onto -4..+4)
    plain,  // one word per line        (every word gets `weight`)
  };
  std::filesystem::path path;
  Format format = Format::plain;
  float weight = 0;  // plain lists only: e.g. +2 for a positive list, -2 for a negative one
};

struct LexiconOptions {
  std::vector<UserLexicon> user;
  // Terms that must be matchable even when no lexicon lists them: every key of every brand's
  // `lexicon:` map (so BrandOverrides can give them a weight). They are added with no role.
  std::vector<std::string> extra_terms;
  const normalize::FoldTable* fold = nullptr;  // nullptr = FoldTable::shared()
};

// What one term means. A term may have several roles (好 is polar and a degree word, 可惜 is
// polar and a contrast word, an aspect keyword may also be a crisis term).
struct TermInfo {
  enum Role : std::uint16_t {
    kPolar = 1,      // has a polarity weight (0 = shield)
    kNegator = 2,
    kDegree = 4,
    kContrast = 8,
    kEmoticon = 16,  // emoji / emoticon: polar, never negated or scaled
    kAspect = 32,
    kCrisis = 64,
  };
  float weight = 0;      // polarity, -4..+4
  float degree = 1;      // multiplier (kDegree)
  float before = 1;      // contrast: multiplier of the clause before
  float after = 1;       // contrast: multiplier of the clause after
  std::uint16_t roles = 0;
  std::uint16_t aspect = 0;       // kAspect: index into aspect_name()
  std::uint8_t crisis = 0;        // kCrisis: CrisisCategory
  bool latin = false;             // starts or ends with a word character -> boundaries checked
  bool start_boundary = false;
  bool end_boundary = false;
  std::uint32_t len = 0;          // normalized bytes
};

class Lexicon {
 public:
  ~Lexicon();
  Lexicon(const Lexicon&) = delete;
  Lexicon& operator=(const Lexicon&) = delete;

  std::size_t term_count() const { return terms_.size(); }
  const std::string& term(std::uint32_t t) const { return terms_[t]; }  // normalized form
  const TermInfo& info(std::uint32_t t) const { return info_[t]; }
  // Index of a normalized term; -1 if absent. No allocation.
  std::int64_t find(std::string_view normalized) const;

  std::size_t aspect_count() const { return aspects_.size(); }
  const std::string& aspect_name(std::uint32_t a) const { return aspects_[a]; }

  // Entry counts by role (for `yuqing score --stats` and the docs).
  std::size_t count(TermInfo::Role role) const;
  std::uint64_t instance_id() const { return instance_id_; }
  double compile_ms() const { return compile_ms_; }
  const normalize::FoldTable& fold() const { return *fold_; }

 private:
  friend class LexiconBuilder;
  friend class Scorer;
  Lexicon() = default;

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> terms_;
  std::vector<TermInfo> info_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> index_;
  std::vector<std::string> aspects_;
  hs_database* db_ = nullptr;
  const normalize::FoldTable* fold_ = nullptr;
  std::uint64_t instance_id_ = 0;
  double compile_ms_ = 0;
};

using LexiconPtr = std::shared_ptr<const Lexicon>;

// Loads rules_dir/lexicons/{zh,en,common}/... and crisis.tsv, aspects.tsv (formats in
// rules/lexicons/README.md), then the user lexicons. Every problem is reported, each as
// "file:line: reason"; any error means no lexicon. Never throws.
Result<LexiconPtr, std::vector<std::string>> load_lexicon(const std::filesystem::path& rules_dir,
                                                          const LexiconOptions& options = {});

// Per-brand term weights (a brand rule file's `lexicon:` map, e.g. cheap: +1.5), resolved
// against one Lexicon. Build it once per RuleSet/Lexicon swap, never per mention.
class BrandOverrides {
 public:
  BrandOverrides() = default;
  // Terms not in the lexicon are listed in missing() (load them with
  // LexiconOptions::extra_terms so they can match). Weights are clamped to -4..+4.
  static BrandOverrides build(const Lexicon& lex, const std::map<std::string, double>& weights);
  // The override for term t, or nullptr.
  const float* find(std::uint32_t t) const;
  const std::vector<std::string>& missing() const { return missing_; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::uint32_t, float>> entries_;  // sorted by term
  std::vector<std::string> missing_;
};

// ---- scorer -------------------------------------------------------------------------------

class Scorer {
 public:
  explicit Scorer(const normalize::FoldTable& fold = normalize::FoldTable::shared());
  ~Scorer();
  Scorer(const Scorer&) = delete;
  Scorer& operator=(const Scorer&) = delete;

  // Scores title + text of `m`. `brand` (optional) overrides term weights for one brand.
  const SentimentResult& score(const Mention& m, const Lexicon& lex, const BrandOverrides* brand = nullptr);
  // Convenience for tools and tests: a mention with only text (and optional lang).
  const SentimentResult& score_text(std::string_view text, const Lexicon& lex,
                                    const BrandOverrides* brand = nullptr, std::string_view lang = {});

  // One entry per polar term of the last score() call.
  struct Trace {
    std::uint32_t term;
    std::uint32_t begin, end;  // normalized offsets
    float weight;              // base weight (after a brand override)
    float contribution;        // what it added to the sum
    std::int32_t negator = -1;   // term that negated it (odd count), -1 none
    std::uint8_t negations = 0;  // negators in scope
    std::int32_t degree = -1;    // nearest degree term, -1 none
    float degree_mult = 1;
    std::int32_t contrast = -1;  // contrast term that weighted its clause, -1 none
    float contrast_mult = 1;
    std::uint8_t flags = 0;      // kCaps, kRepeat, kOverride, kExcl, kQuestion, kElongated
    std::uint8_t repeats = 1;
  };
  enum TraceFlag : std::uint8_t { kCaps = 1, kRepeat = 2, kOverride = 4, kExcl = 8, kQuestion = 16, kElongated = 32 };
  const std::vector<Trace>& trace() const { return trace_; }
  float raw_sum() const { return sum_; }

  // The last score as a JSON object's members (no braces): "terms":[{"term":"好","weight":2,
  // "rule":"negated by 不","contribution":-1.48},...]. Allocates; for tools, not the hot path.
  std::string explain(const Lexicon& lex) const;

 private:
  struct Hit {
    std::uint32_t begin, end, term;
  };
  struct Clause {
    std::uint32_t begin, end;  // normalized offsets, [begin, end) incl. the closing punctuation
    std::uint16_t excl;
    bool question;
    bool sentence_end;  // closed by . ! ? 。 … or a line break (not , ; :)
    std::uint16_t sentence;
    float sum;
  };
  static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void* ctx);
  void ensure_scratch(const Lexicon& lex);
  void scan(const Lexicon& lex, const BrandOverrides* brand);
  void select();
  void split_clauses();
  void elongations(const Lexicon& lex);
  void evaluate(const Lexicon& lex, const BrandOverrides* brand, std::string_view title, std::string_view text);

  normalize::Normalizer norm_;
  hs_scratch* scratch_ = nullptr;
  std::uint64_t scratch_for_ = 0;
  const Lexicon* scanning_ = nullptr;
  std::string_view ntext_;
  std::size_t title_end_ = 0;  // normalized offset where the text piece starts (0 = no title)
  std::vector<Hit> raw_;  // aspect and crisis hits, in Hyperscan's order (by end offset)
  std::uint32_t raw_count_ = 0;  // every accepted hit of this scan (at most 8192 are kept)
  const BrandOverrides* brand_ = nullptr;  // during scan()
  std::vector<Hit> sel_;
  std::vector<Clause> clauses_;
  std::vector<std::uint32_t> hit_clause_;
  std::vector<std::uint8_t> degree_reading_;
  std::vector<Trace> trace_;
  std::vector<float> aspect_sum_;
  std::vector<std::uint32_t> aspect_last_clause_;
  std::vector<std::uint32_t> aspect_seen_;  // == aspect_epoch_: aspect already in result_.aspects
  std::uint32_t aspect_epoch_ = 0;          // bumped once per score()
  bool has_elongation_ = false;
  float sum_ = 0;
  SentimentResult result_;
};

}  // namespace yuqing::sentiment
