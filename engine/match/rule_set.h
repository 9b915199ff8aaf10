#pragma once
// RuleSet: every enabled rule (brand or topic) compiled into ONE Hyperscan database of
// normalized literals, plus the boolean programs evaluated from the terms hit.
//
// A RuleSet is immutable once built and is shared read-only by all matcher threads through
// std::shared_ptr<const RuleSet>. Hot reload builds a new one off the hot path (load_rule_set)
// and swaps the pointer atomically; mentions in flight finish on the set they started with.
//
// Extension hook: RuleSetOptions::extra_groups adds more literal groups (sentiment lexicon
// terms, crisis terms, ...) to the same database; their hits come back in
// MatchResult::group_hits with the group and the term's index inside the group.
// RuleSetOptions::default_aspects adds aspect keyword sets (rules/lexicons/aspects.tsv) that
// apply to every brand which does not define an aspect of the same name itself.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"
#include "engine/match/diagnostics.h"
#include "engine/match/query.h"
#include "engine/normalize/normalize.h"

struct hs_database;

namespace yuqing::match {

struct SourcePos {
  int line = 0;    // 1-based, 0 = unknown
  int column = 0;  // 1-based characters
};

// One aspect keyword set of a rule, e.g. battery: [battery, charging, 续航].
struct AspectSpec {
  std::string name;
  std::vector<std::string> keywords;
  std::vector<SourcePos> keyword_pos;  // parallel to keywords (may be empty)
  SourcePos pos;
};

// A rule as read from a file (or built in memory by tests and benchmarks).
struct RuleSpec {
  std::string id;
  std::string name;
  std::string lang;
  std::string query;
  std::vector<std::string> competitors;
  std::vector<AspectSpec> aspects;
  std::vector<std::string> tags;
  std::map<std::string, double> lexicon;  // per-brand sentiment overrides (used by sentiment)
  bool enabled = true;

  std::string file;      // for diagnostics
  SourcePos pos;         // of the rule (the `id` key)
  SourcePos query_pos;   // of the first character of the query scalar
  std::vector<SourcePos> competitor_pos;
  // Maps a byte offset inside `query` to a file position (set by the YAML loader; when empty,
  // the column is query_pos.column + the character offset).
  std::vector<SourcePos> query_offset_pos;
};

// A named group of extra literals compiled into the same database (see the file comment).
struct LiteralGroup {
  std::string id;                  // e.g. "lexicon.zh.negative", "crisis", "aspect:price"
  std::vector<std::string> terms;  // keywords with query-term semantics (acme*, "a b", 爆炸)
};

struct RuleSetOptions {
  std::vector<LiteralGroup> extra_groups;
  std::vector<LiteralGroup> default_aspects;  // id = aspect name
  const normalize::FoldTable* fold = nullptr;  // nullptr = FoldTable::shared()
  // Require the fold table to have traditional->simplified folding (error if OpenCC failed).
  bool require_t2s = true;
};

// A compiled term: a normalized literal plus its boundary checks.
struct TermInfo {
  std::string text;         // as first written
  std::uint32_t literal = 0;
  bool start_boundary = false;  // previous code point must not be a word character
  bool end_boundary = false;    // next code point must not be a word character
  bool prefix = false;          // acme*: reported hits extend to the end of the word
};

class RuleSet {
 public:
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // ---- rules (enabled and disabled; only enabled ones are matched) ----
  std::size_t rule_count() const { return rules_.size(); }
  const RuleSpec& rule(std::size_t i) const { return rules_[i].spec; }
  bool rule_enabled(std::size_t i) const { return rules_[i].spec.enabled; }
  std::optional<std::uint32_t> find_rule(std::string_view id) const;

  // ---- terms, aspects, groups (for printing results) ----
  std::size_t term_count() const { return terms_.size(); }
  const TermInfo& term(std::uint32_t t) const { return terms_[t]; }
  const std::string& literal(std::uint32_t l) const { return literals_[l]; }
  std::size_t literal_count() const { return literals_.size(); }
  const std::string& aspect_name(std::uint32_t a) const { return aspect_names_[a]; }
  std::size_t aspect_name_count() const { return aspect_names_.size(); }
  const LiteralGroup& group(std::uint32_t g) const { return groups_[g]; }
  std::size_t group_count() const { return groups_.size(); }

  // Warnings found while loading (errors prevent a RuleSet from being built).
  const Diagnostics& warnings() const { return warnings_; }
  // Hash of all rule content ("rules version"), hex; equal content gives equal versions.
  const std::string& version() const { return version_; }
  // Unique per built RuleSet in this process (matchers use it to notice a swap).
  std::uint64_t instance_id() const { return instance_id_; }
  double compile_ms() const { return compile_ms_; }

  // Explains why rule `r` did or did not match, given the set of terms seen (one line per
  // clause, indented). Used by `rules test --explain`; allocates.
  // (Declared here, implemented with the Matcher which owns the per-mention state.)

 private:
  friend class Matcher;
  friend class RuleSetBuilder;
  RuleSet();

  // Boolean programs: every rule's nodes are contiguous in nodes_, in preorder; a node's
  // children follow it (the first at index + 1, the next at the previous child's `end`), and
  // `end` is one past its subtree. One rule's program is one or two cache lines.
  struct Node {
    NodeKind kind;
    bool ordered;             // near: ONEAR
    bool terms_only;          // any_of: every child is a term
    std::uint32_t arg;        // term id (term), field index (field), distance (near)
    std::uint32_t end;        // one past the last node of this subtree
    std::uint32_t offset;     // byte offset in the rule's query
  };
  struct Rule {
    RuleSpec spec;
    std::uint32_t root = 0;                 // node index
    std::vector<std::uint32_t> positive;    // term ids whose hits "made" a match
    std::vector<std::uint32_t> aspects;     // indices into aspects_
  };
  struct Aspect {
    std::uint32_t name;                     // into aspect_names_
    std::vector<std::uint32_t> terms;
  };
  // Per term: the rules posted under it and the extra-group entries it belongs to.
  struct TermHot {
    std::uint32_t rules_begin, rules_end;    // into postings_
    std::uint32_t groups_begin, groups_end;  // into term_groups_
  };
  // A rule posted under a term: the rule and its root node, so that a candidate needs no
  // other lookup before evaluation. A rule that is a single term is posted with
  // root = kTermRule | term: it matches whenever the term occurs, and its nodes need not be
  // read.
  // `need` is a term that must occur for the rule to match, other than the one it is posted
  // under (e.g. b for `a AND b` posted under a), or kNoTerm: a candidate whose `need` was not
  // seen is dropped without reading its nodes.
  // A rule that is two different terms joined by AND or OR (`a AND b`, `a OR b`) is posted
  // with root = kPairRule | kAnchorFirst (the term it is posted under comes first in the
  // query) | kPairOr (OR), and the other term in `need`: once posted (AND: with its need
  // seen) it matches, and its terms are collected from the posting, so its nodes are not read
  // either. For kPairOr the other term is optional (collected when seen), not needed.
  // `forbid` is a term whose presence means the rule cannot match (c in `a NOT c`,
  // `(a OR b) NOT c`), or kNoTerm: such a candidate is dropped too, so that a one-term or pair
  // rule with one excluded term is also decided by its posting.
  static constexpr std::uint32_t kNoTerm = 0xffffffffu;
  struct Posting {
    std::uint32_t rule;
    std::uint32_t root;
    std::uint32_t need;
    std::uint32_t forbid;
  };
  static constexpr std::uint32_t kTermRule = 0x80000000u;
  static constexpr std::uint32_t kPairRule = 0x40000000u;  // with kTermRule clear
  static constexpr std::uint32_t kAnchorFirst = 0x20000000u;
  static constexpr std::uint32_t kPairOr = 0x10000000u;
  // Whether a posting's root is a node index (node indices stay below kPairRule).
  static bool root_is_node(std::uint32_t root) { return (root & (kTermRule | kPairRule)) == 0; }
  // Whether a candidate from this posting needs its `need` term seen.
  static bool needs_need(const Posting& p) {
    return p.need != kNoTerm && (p.root & (kTermRule | kPairRule | kPairOr)) != (kPairRule | kPairOr);
  }
  // Per literal (Hyperscan id): everything a hit needs, in one 32-byte record, so that a hit
  // costs one cache line until its rule's nodes. All terms of a literal share the start
  // boundary (it depends on the literal only); a literal has one term, or two when it is
  // also written with '*' (the end boundary depends on the literal and the '*' only).
  // term0's postings range and its first posting are copied in: most terms are posted under
  // at most one rule, whose nodes can then be prefetched as soon as the record is read.
  static constexpr std::uint8_t kEndBoundary = 1;
  static constexpr std::uint8_t kPrefix = 2;
  static constexpr std::uint8_t kGroups = 4;    // LitHot::flags0: term0 belongs to extra groups (see term_hot_)
  static constexpr std::uint8_t kHasTerm1 = 8;  // LitHot::flags0: a second term, lit_term1_[literal]
  static constexpr std::uint16_t kLongLiteral = 0xffff;  // len: see literals_[l].size()
  struct alignas(32) LitHot {
    std::uint16_t len;            // kLongLiteral when >= 65535 bytes
    std::uint8_t start_boundary;
    std::uint8_t flags0;          // kEndBoundary | kPrefix of term0, kGroups, kHasTerm1
    std::uint32_t term0;
    std::uint32_t rules_begin, rules_end;  // term0's postings
    Posting first;                // postings_[rules_begin] when the range is not empty
  };
  static_assert(sizeof(LitHot) == 32);
  struct LitTerm {
    std::uint32_t term;
    std::uint8_t flags;
  };

  std::vector<Rule> rules_;
  std::vector<Node> nodes_;
  std::vector<FieldFilter> fields_;

  std::vector<std::string> literals_;
  std::vector<LitHot> lits_;
  std::vector<LitTerm> lit_term1_;  // per literal: its second term, if kHasTerm1
  std::vector<TermInfo> terms_;
  std::vector<TermHot> term_hot_;
  std::vector<Posting> postings_;                   // term -> enabled rules using it (anchors)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> term_groups_;  // (group, index)
  // Per rule, the aspects reported when it matches, in order: its own, then the default sets
  // it does not override (CSR into aspects_).
  std::vector<std::uint32_t> rule_aspects_begin_;
  std::vector<std::uint32_t> rule_aspects_;

  std::vector<std::string> aspect_names_;
  std::vector<Aspect> aspects_;
  std::vector<std::uint32_t> default_aspects_;      // into aspects_
  std::vector<LiteralGroup> groups_;

  hs_database* db_ = nullptr;
  Diagnostics warnings_;
  std::string version_;
  std::uint64_t instance_id_ = 0;
  double compile_ms_ = 0;
  std::map<std::string, std::uint32_t, std::less<>> rule_index_;
};

using RuleSetPtr = std::shared_ptr<const RuleSet>;

// Compiles in-memory rule specs (files already read). All problems are collected; on any
// error the result is the Diagnostics (warnings included), else the RuleSet (whose
// warnings() holds the warnings).
Result<RuleSetPtr, Diagnostics> compile_rule_set(std::vector<RuleSpec> rules, const RuleSetOptions& options = {});

// Reads the rule files of a rules directory: DIR/brands/*.yaml when DIR/brands exists, else
// DIR/*.yaml; DIR/lexicons/aspects.tsv (when present: "aspect<TAB>keyword" lines) becomes
// default aspects. Then compile_rule_set(). Never throws.
Result<RuleSetPtr, Diagnostics> load_rule_set(const std::filesystem::path& dir, const RuleSetOptions& options = {});

// Reads and validates rule files without compiling (YAML structure, keys, types). Appends to
// `diags`. Exposed for tests.
std::vector<RuleSpec> read_rule_files(const std::filesystem::path& dir, Diagnostics& diags,
                                      std::vector<LiteralGroup>* default_aspects = nullptr);
// Parses one rule file's text (`file` is the name used in diagnostics).
std::optional<RuleSpec> read_rule_text(std::string_view text, const std::string& file, Diagnostics& diags);

}  // namespace yuqing::match
