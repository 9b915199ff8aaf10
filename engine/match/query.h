#pragma once
// The query language (see docs/query-language.md): Brandwatch-style boolean queries over
// words, phrases, handles, hashtags and suffix wildcards, with NEAR/n, ONEAR/n and field
// filters. Precedence, tightest first: NOT > NEAR > AND (or adjacency) > OR.
//
// parse_query() turns one query string into a small tree; errors carry the byte offset in the
// query and a sentence for people. It runs at load time only (it allocates freely).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"
#include "engine/mention/mention.h"
#include "engine/normalize/normalize.h"

namespace yuqing::match {

// One search term as it appears in a query (or an aspect / extra group keyword).
struct TermSpec {
  std::string text;     // as written, e.g. "Acme Phone", acme*, #艾克米#
  std::string literal;  // normalized bytes searched for (without the trailing '*')
  bool prefix = false;  // suffix wildcard: acme*
  std::size_t offset = 0;  // byte offset in the query
};

enum class FieldKind : std::uint8_t { platform, lang, author, site, verified, followers, region };
enum class Compare : std::uint8_t { eq, gt, ge, lt, le };

std::string_view field_name(FieldKind k);

struct FieldFilter {
  FieldKind kind = FieldKind::platform;
  Compare op = Compare::eq;
  std::string value;          // lower-cased text value (lang, author, site, region)
  std::int64_t number = 0;    // author.followers
  bool flag = false;          // author.verified
  Platform platform = Platform::other;
  std::size_t offset = 0;
  std::string text;           // as written
};

// True when `f` holds for `m` (no allocation).
bool field_matches(const FieldFilter& f, const Mention& m);

enum class NodeKind : std::uint8_t { term, all_of, any_of, none_of, near, field };
// none_of has exactly one child (NOT x). near has exactly two children, each a term or an
// any_of of terms; `distance` and `ordered` describe it.

struct QueryNode {
  NodeKind kind = NodeKind::term;
  bool ordered = false;        // ONEAR
  std::uint32_t index = 0;     // term: index into terms; field: index into fields
  std::uint32_t distance = 0;  // near: max tokens between the two sides
  std::size_t offset = 0;      // byte offset in the query (for explain and errors)
  std::vector<std::uint32_t> children;
};

struct QueryWarning {
  std::size_t offset;
  std::string message;
};

struct ParsedQuery {
  std::vector<QueryNode> nodes;
  std::vector<TermSpec> terms;
  std::vector<FieldFilter> fields;
  std::uint32_t root = 0;
  std::vector<QueryWarning> warnings;
};

struct QueryError {
  std::size_t offset = 0;  // byte offset in the query
  std::string message;
};

Result<ParsedQuery, QueryError> parse_query(std::string_view query,
                                            const normalize::FoldTable& fold = normalize::FoldTable::shared());

// Normalizes one keyword (aspect keyword, extra group term) into a TermSpec with the same
// rules as a query term: a trailing '*' is a prefix wildcard. Error text on failure.
Result<TermSpec, std::string> make_term(std::string_view text, bool quoted,
                                        const normalize::FoldTable& fold = normalize::FoldTable::shared());

// Code points before byte `offset` in `s`, plus one (a 1-based character position).
std::size_t char_position(std::string_view s, std::size_t offset);

// True when the literal contains at least one NEAR token (a word or a CJK character).
bool has_token(std::string_view literal);

}  // namespace yuqing::match
