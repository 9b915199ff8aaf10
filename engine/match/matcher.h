#pragma once
// Matcher: one mention in, the brands (rules) it matches out, with the terms that made each
// match (offsets into the ORIGINAL text or title), the aspects hit, and extra-group hits.
//
// Per mention: normalize title + text once into a reused buffer, scan it once with the
// RuleSet's Hyperscan database, check word boundaries around each literal hit, then evaluate
// only the rules that use a term that was seen.
//
// Threading: a Matcher is single-threaded (one per worker thread). It owns the Hyperscan
// scratch, the normalization buffers and per-term/per-rule state, and allocates nothing per
// mention once warmed up. The RuleSet is shared and read-only; passing a different RuleSet
// (hot reload) re-sizes the per-thread state on that call.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/match/rule_set.h"
#include "engine/mention/mention.h"
#include "engine/normalize/normalize.h"

struct hs_scratch;

namespace yuqing::match {

enum class TextField : std::uint8_t { text, title };

struct TermHit {
  std::uint32_t term = 0;  // RuleSet::term(term)
  TextField field = TextField::text;
  std::uint32_t begin = 0;  // byte offsets into the ORIGINAL mention.text (or .title)
  std::uint32_t end = 0;
};

struct AspectHit {
  std::uint32_t aspect = 0;  // RuleSet::aspect_name(aspect)
  TermHit hit;               // the first occurrence of one of its keywords
};

struct GroupHit {
  std::uint32_t group = 0;  // RuleSet::group(group)
  std::uint32_t index = 0;  // index of the term inside the group's `terms`
  TermHit hit;
};

struct BrandMatch {
  std::uint32_t rule = 0;  // RuleSet::rule(rule)
  std::uint32_t hits_begin = 0, hits_count = 0;        // into MatchResult::hits
  std::uint32_t aspects_begin = 0, aspects_count = 0;  // into MatchResult::aspects
};

struct MatchResult {
  std::vector<BrandMatch> brands;  // ascending rule index
  std::vector<TermHit> hits;
  std::vector<AspectHit> aspects;
  std::vector<GroupHit> groups;  // in text order per term

  std::span<const TermHit> hits_of(const BrandMatch& b) const { return {hits.data() + b.hits_begin, b.hits_count}; }
  std::span<const AspectHit> aspects_of(const BrandMatch& b) const {
    return {aspects.data() + b.aspects_begin, b.aspects_count};
  }
  void clear() {
    brands.clear();
    hits.clear();
    aspects.clear();
    groups.clear();
  }
};

class Matcher {
 public:
  Matcher();
  explicit Matcher(const normalize::FoldTable& fold);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Matches one mention. The result is valid until the next call. Never throws (a Hyperscan
  // scan error yields an empty result and counts in scan_errors()).
  const MatchResult& match(const Mention& m, const RuleSet& rules);

  // Why rule `rule` did or did not match the mention passed to the last match() call (same
  // mention and RuleSet). Several lines, one per clause; allocates.
  std::string explain(const Mention& m, const RuleSet& rules, std::uint32_t rule) const;

  // Per-rule match counters for the RuleSet last used (index = rule index), reset when a
  // different RuleSet is used; rule_hits_instance() names the set (RuleSet::instance_id).
  std::span<const std::uint64_t> rule_hits() const { return counters_; }
  std::uint64_t rule_hits_instance() const { return instance_; }
  std::uint64_t mentions() const { return mentions_; }
  std::uint64_t scan_errors() const { return scan_errors_; }

  // The normalized title + '\n' + text of the last mention (debugging, tests).
  std::string_view normalized() const { return norm_.text(); }

 private:
  struct Hit {
    std::uint32_t term;
    std::uint32_t begin;  // normalized offsets
    std::uint32_t end;
    std::uint32_t next;   // next hit of the same term, or kNone
    bool prefix;          // the term is a wildcard (acme*)
  };
  // Per term, valid while the term's bit is set in seen_: its hit list, and the stamp of the
  // last rule that collected it (terms reported once per rule).
  struct TermSlot {
    std::uint32_t head;
    std::uint32_t tail;
    std::uint32_t collected;
  };
  struct RawHit {
    std::uint32_t lit;  // Hyperscan id = literal index
    std::uint32_t end;  // normalized offset one past the literal
  };
  // A hit term's postings (range and first posting, copied from its literal's record) and
  // whether it belongs to extra groups.
  struct TermRules {
    std::uint32_t rules_begin, rules_end;
    RuleSet::Posting first;
    std::uint32_t groups;
  };
  static constexpr std::uint32_t kNone = 0xffffffffu;

  static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                      void* ctx);
  void prepare(const RuleSet& rules);
  void next_generation();
  void resolve_hits(const RuleSet& rs);
  void prefetch_next(std::uint32_t lit) const;
  bool eval(const RuleSet& rs, std::uint32_t node) const;
  bool eval_near(const RuleSet& rs, std::uint32_t node, int* best_gap) const;
  void collect(const RuleSet& rs, std::uint32_t node);
  void collect_term(std::uint32_t term);
  void ensure_tokens() const;
  TermHit to_original(const Hit& hit) const;
  bool seen(std::uint32_t term) const { return (seen_[term >> 6] >> (term & 63)) & 1u; }
  bool was_candidate(std::uint32_t rule) const;
  void explain_node(const RuleSet& rs, std::uint32_t node, int depth, std::string& out) const;

  normalize::Normalizer norm_;
  hs_scratch* scratch_ = nullptr;
  std::uint64_t instance_ = 0;
  std::uint32_t gen_ = 0;

  // Per mention.
  const RuleSet* rs_ = nullptr;
  const Mention* mention_ = nullptr;
  std::uint32_t text_start_ = 0;  // normalized offset where mention.text starts
  bool has_title_ = false;
  std::vector<RawHit> raw_;  // literal hits as the scan reports them
  const RuleSet::LitHot* lits_base_ = nullptr;  // rs_->lits_.data(), for the scan callback
  std::vector<Hit> hits_;
  std::vector<TermRules> hit_rules_;   // per hit: its term's postings
  std::vector<TermRules> seen_rules_;  // parallel to seen_terms_
  std::vector<std::uint32_t> seen_terms_;    // terms with a hit, in order of their first hit
  // A rule to evaluate: key = rule << 32 | its posting's root (sorted, one per rule); for a
  // pair rule (RuleSet::kPairRule) the term it was posted under and the other one.
  struct Candidate {
    std::uint64_t key;
    std::uint32_t anchor;
    std::uint32_t other;
  };
  std::vector<Candidate> candidates_;
  std::vector<std::uint32_t> collected_;
  std::uint32_t collect_stamp_ = 0;
  mutable std::vector<std::uint32_t> tokens_;
  mutable std::uint32_t tokens_gen_ = 0;

  // Per RuleSet (sized in prepare()).
  std::vector<std::uint64_t> seen_;  // bit per term: it has a hit in this mention
  std::vector<TermSlot> slots_;
  std::vector<std::uint64_t> counters_;

  MatchResult result_;
  std::uint64_t mentions_ = 0;
  std::uint64_t scan_errors_ = 0;
};

}  // namespace yuqing::match
