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

  struct Node {
    NodeKind kind;
    bool ordered;
    std::uint32_t arg;          // term id (term), field index (field), distance (near)
    std::uint32_t child_begin;  // into children_
    std::uint32_t child_count;
    std::uint32_t offset;       // byte offset in the rule's query
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

  std::vector<Rule> rules_;
  std::vector<std::uint32_t> roots_;  // rules_[r].root, packed for the hot loop
  std::vector<std::uint8_t> always_;  // 1 = a term or an OR of terms: matched once a candidate
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> children_;
  std::vector<FieldFilter> fields_;

  std::vector<std::string> literals_;
  std::vector<std::uint32_t> literal_len_;
  std::vector<std::uint32_t> literal_terms_begin_;  // CSR: literal -> terms
  std::vector<std::uint32_t> literal_terms_;
  std::vector<TermInfo> terms_;
  std::vector<std::uint32_t> term_rules_begin_;     // CSR: term -> enabled rules using it
  std::vector<std::uint32_t> term_rules_;
  std::vector<std::uint32_t> term_groups_begin_;    // CSR: term -> (group, index) pairs
  std::vector<std::pair<std::uint32_t, std::uint32_t>> term_groups_;

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
