// load_brands() and extract_query_terms(): just enough of the Brandwatch-style query language
// to know which strings make a mention match a brand. The real query compiler lives in the
// matcher; this reader only has to agree with it on which terms are positive.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/gen/gen.h"
#include "engine/gen/yaml_util.h"

namespace yuqing::gen {
namespace {

// --- tokens --------------------------------------------------------------------------------
enum class Tok : std::uint8_t { lparen, rparen, term, field, op_and, op_or, op_not, op_near, end };

struct Token {
  Tok kind = Tok::end;
  std::string text;       // term or field text (phrases without their quotes)
  bool wildcard = false;  // term ends with '*'
  int column = 1;         // 1-based, in characters
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Columns count code points, so a message about a Chinese query points at the right place.
int column_of(std::string_view s, std::size_t byte_pos) {
  int col = 1;
  for (std::size_t i = 0; i < byte_pos && i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++col;
  }
  return col;
}

bool is_field_word(std::string_view w) {
  const auto colon = w.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const char first = w.front();
  if (first < 'a' || first > 'z') return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = w[i];
    if (!((c >= 'a' && c <= 'z') || c == '.' || c == '_')) return false;
  }
  return true;
}

Result<std::vector<Token>, std::string> tokenize(std::string_view q) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < q.size()) {
    const char c = q[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    Token t;
    t.column = column_of(q, i);
    if (c == '(' || c == ')') {
      t.kind = c == '(' ? Tok::lparen : Tok::rparen;
      ++i;
    } else if (c == '"') {
      const auto close = q.find('"', i + 1);
      if (close == std::string_view::npos) {
        return Unexpected{std::string("column ") + std::to_string(t.column) +
                          ": a quoted phrase is not closed (missing \")"};
      }
      t.kind = Tok::term;
      t.text = std::string(q.substr(i + 1, close - i - 1));
      if (t.text.find_first_not_of(" \t") == std::string::npos) {
        return Unexpected{std::string("column ") + std::to_string(t.column) +
                          ": empty phrase \"\""};
      }
      i = close + 1;
    } else {
      std::size_t j = i;
      while (j < q.size() && !is_space(q[j]) && q[j] != '(' && q[j] != ')' && q[j] != '"') ++j;
      std::string word(q.substr(i, j - i));
      // field:"quoted value"
      if (!word.empty() && word.back() == ':' && j < q.size() && q[j] == '"') {
        const auto close = q.find('"', j + 1);
        if (close == std::string_view::npos) {
          return Unexpected{std::string("column ") + std::to_string(t.column) +
                            ": a quoted value is not closed (missing \")"};
        }
        word += std::string(q.substr(j, close - j + 1));
        j = close + 1;
      }
      i = j;
      if (word == "AND") {
        t.kind = Tok::op_and;
      } else if (word == "OR") {
        t.kind = Tok::op_or;
      } else if (word == "NOT") {
        t.kind = Tok::op_not;
      } else if (word.rfind("NEAR/", 0) == 0 || word.rfind("ONEAR/", 0) == 0) {
        t.kind = Tok::op_near;
        const auto digits = word.substr(word.find('/') + 1);
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
          return Unexpected{std::string("column ") + std::to_string(t.column) + ": '" + word +
                            "' needs a number, e.g. NEAR/5"};
        }
      } else if (is_field_word(word)) {
        t.kind = Tok::field;
        t.text = std::move(word);
      } else {
        t.kind = Tok::term;
        t.wildcard = word.size() > 1 && word.back() == '*';
        t.text = std::move(word);
      }
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.kind = Tok::end;
  end.column = column_of(q, q.size());
  out.push_back(end);
  return out;
}

// --- tree ----------------------------------------------------------------------------------
enum class Kind : std::uint8_t { term, field, op_and, op_or, op_not, op_near };

struct Node {
  Kind kind = Kind::term;
  std::string text;
  bool wildcard = false;
  std::vector<int> kids;
};

// Precedence (loosest first): OR, AND (explicit or adjacency), NEAR/ONEAR, NOT.
class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : toks_(std::move(toks)) {}

  Result<int, std::string> parse() {
    const int root = parse_or();
    if (!error_.empty()) return Unexpected{error_};
    if (peek().kind == Tok::rparen) return fail_at(peek(), "unbalanced parenthesis: ')' has no '('");
    if (peek().kind != Tok::end) return fail_at(peek(), "unexpected token");
    return root;
  }
  std::vector<Node>& nodes() { return nodes_; }

 private:
  const Token& peek() const { return toks_[pos_]; }
  Unexpected<std::string> fail_at(const Token& t, const std::string& msg) {
    return Unexpected{std::string("column ") + std::to_string(t.column) + ": " + msg};
  }
  void set_error(const Token& t, const std::string& msg) {
    if (error_.empty()) error_ = "column " + std::to_string(t.column) + ": " + msg;
  }
  int add(Kind k, std::vector<int> kids) {
    Node n;
    n.kind = k;
    n.kids = std::move(kids);
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }
  bool starts_operand(Tok k) const {
    return k == Tok::term || k == Tok::field || k == Tok::lparen || k == Tok::op_not;
  }

  int parse_or() {
    int left = parse_and();
    while (error_.empty() && peek().kind == Tok::op_or) {
      ++pos_;
      const int right = parse_and();
      left = add(Kind::op_or, {left, right});
    }
    return left;
  }
  int parse_and() {
    int left = parse_near();
    while (error_.empty()) {
      if (peek().kind == Tok::op_and) {
        ++pos_;
      } else if (!starts_operand(peek().kind)) {
        break;
      }
      const int right = parse_near();
      left = add(Kind::op_and, {left, right});
    }
    return left;
  }
  int parse_near() {
    int left = parse_unary();
    while (error_.empty() && peek().kind == Tok::op_near) {
      ++pos_;
      const int right = parse_unary();
      left = add(Kind::op_near, {left, right});
    }
    return left;
  }
  int parse_unary() {
    if (peek().kind == Tok::op_not) {
      ++pos_;
      const int inner = parse_unary();
      return add(Kind::op_not, {inner});
    }
    return parse_primary();
  }
  int parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::lparen: {
        ++pos_;
        const int inner = parse_or();
        if (!error_.empty()) return inner;
        if (peek().kind != Tok::rparen) {
          set_error(t, "unbalanced parenthesis: '(' is never closed");
          return inner;
        }
        ++pos_;
        return inner;
      }
      case Tok::term:
      case Tok::field: {
        Node n;
        n.kind = t.kind == Tok::term ? Kind::term : Kind::field;
        n.text = t.text;
        n.wildcard = t.wildcard;
        nodes_.push_back(std::move(n));
        ++pos_;
        return static_cast<int>(nodes_.size()) - 1;
      }
      case Tok::end:
        set_error(t, pos_ == 0 ? "empty query" : "the query ends after an operator");
        return 0;
      case Tok::rparen:
        set_error(t, "expected a term before ')'");
        return 0;
      default:
        set_error(t, "an operator needs a term on each side");
        return 0;
    }
  }

  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  std::vector<Node> nodes_;
  std::string error_;
};

bool is_ascii(unsigned char c) { return c < 0x80; }

std::string join_terms(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  const bool han_a = !is_ascii(static_cast<unsigned char>(a.back()));
  const bool han_b = !is_ascii(static_cast<unsigned char>(b.front()));
  return han_a && han_b ? a + b : a + " " + b;
}

std::string ascii_lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

constexpr std::size_t kMaxForms = 64;

class Extractor {
 public:
  explicit Extractor(const std::vector<Node>& nodes) : n_(nodes) {}

  void surface(int id, bool negated, std::vector<std::string>& out) const {
    const Node& node = n_[static_cast<std::size_t>(id)];
    switch (node.kind) {
      case Kind::term:
        if (!negated && !node.wildcard &&
            std::find(out.begin(), out.end(), node.text) == out.end()) {
          out.push_back(node.text);
        }
        return;
      case Kind::field:
        return;
      case Kind::op_not:
        surface(node.kids[0], !negated, out);
        return;
      default:
        for (int k : node.kids) surface(k, negated, out);
    }
  }

  // Strings that satisfy the positive part of `id` on their own.
  std::vector<std::string> forms(int id) const {
    const Node& node = n_[static_cast<std::size_t>(id)];
    switch (node.kind) {
      case Kind::term:
        if (node.wildcard) return {};
        return {node.text};
      case Kind::field:
      case Kind::op_not:
        return {};
      case Kind::op_or: {
        std::vector<std::string> r = forms(node.kids[0]);
        for (auto& s : forms(node.kids[1])) {
          if (r.size() < kMaxForms) r.push_back(std::move(s));
        }
        return r;
      }
      case Kind::op_and:
      case Kind::op_near: {
        std::vector<std::string> r;
        bool any_positive = false;
        for (int k : node.kids) {
          if (n_[static_cast<std::size_t>(k)].kind == Kind::op_not) continue;  // checked later
          std::vector<std::string> f = forms(k);
          if (f.empty()) return {};
          if (!any_positive) {
            r = std::move(f);
            any_positive = true;
            continue;
          }
          std::vector<std::string> product;
          for (const auto& a : r) {
            for (const auto& b : f) {
              if (product.size() < kMaxForms) product.push_back(join_terms(a, b));
            }
          }
          r = std::move(product);
        }
        return any_positive ? r : std::vector<std::string>{};
      }
    }
    return {};
  }

  // The subtrees under a NOT.
  void negated_roots(int id, std::vector<int>& out) const {
    const Node& node = n_[static_cast<std::size_t>(id)];
    if (node.kind == Kind::op_not) {
      out.push_back(node.kids[0]);
      return;
    }
    for (int k : node.kids) negated_roots(k, out);
  }

  // A deliberately simple evaluation (substring, case-insensitive; NEAR as AND) used to make
  // sure a form does not trip an exclusion on its own.
  bool holds(int id, const std::string& lower_text) const {
    const Node& node = n_[static_cast<std::size_t>(id)];
    switch (node.kind) {
      case Kind::term: {
        std::string t = ascii_lower(node.text);
        if (node.wildcard) t.pop_back();
        return lower_text.find(t) != std::string::npos;
      }
      case Kind::field:
        return false;
      case Kind::op_not:
        return !holds(node.kids[0], lower_text);
      case Kind::op_or:
        return holds(node.kids[0], lower_text) || holds(node.kids[1], lower_text);
      case Kind::op_and:
      case Kind::op_near:
        return holds(node.kids[0], lower_text) && holds(node.kids[1], lower_text);
    }
    return false;
  }

 private:
  const std::vector<Node>& n_;
};

bool valid_id(std::string_view id) {
  if (id.empty()) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

Result<QueryTerms, std::string> extract_query_terms(std::string_view query) {
  auto toks = tokenize(query);
  if (!toks) return Unexpected{toks.error()};
  Parser parser(std::move(toks.value()));
  auto root = parser.parse();
  if (!root) return Unexpected{root.error()};
  const Extractor ex(parser.nodes());
  QueryTerms out;
  ex.surface(*root, false, out.surface_terms);
  std::vector<int> excluded;
  ex.negated_roots(*root, excluded);
  for (auto& f : ex.forms(*root)) {
    const std::string lower = ascii_lower(f);
    const bool trips = std::any_of(excluded.begin(), excluded.end(),
                                   [&](int e) { return ex.holds(e, lower); });
    if (!trips && std::find(out.mention_forms.begin(), out.mention_forms.end(), f) ==
                      out.mention_forms.end()) {
      out.mention_forms.push_back(std::move(f));
    }
  }
  if (out.mention_forms.empty()) {
    return Unexpected{std::string(
        "column 1: the query has no alternative that plain text can satisfy (every positive "
        "branch needs a field filter or a wildcard, or the query is NOT-only)")};
  }
  return out;
}

Result<std::vector<BrandInfo>, std::string> load_brands(const std::filesystem::path& rules_dir) {
  namespace fs = std::filesystem;
  const fs::path dir = rules_dir / "brands";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Unexpected{dir.string() + ": not a directory (expected rules/brands/*.yaml)"};
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& p = it->path();
    if (p.extension() == ".yaml" && it->is_regular_file(ec)) files.push_back(p);
  }
  if (ec) return Unexpected{dir.string() + ": " + ec.message()};
  std::sort(files.begin(), files.end());  // byte order of the names: same on every machine
  if (files.empty()) return Unexpected{dir.string() + ": no *.yaml brand files"};

  std::vector<BrandInfo> brands;
  std::vector<int> competitor_lines;  // line of the competitors key per brand, for messages
  for (const auto& file : files) {
    const std::string fname = file.string();
    auto loaded = detail::load_yaml(file);
    if (!loaded) return Unexpected{loaded.error()};
    const YAML::Node& root = *loaded;
    const detail::YamlPlace place{fname, root};
    if (!root.IsMap()) return Unexpected{place.at(root, "a brand file must be a mapping of keys")};

    BrandInfo b;
    auto req = [&](const char* key, std::string& dst) -> Status<std::string> {
      const YAML::Node n = root[key];
      if (!n) return Unexpected{place.at(root, std::string("missing required key '") + key + "'")};
      if (!n.IsScalar() || n.Scalar().empty()) {
        return Unexpected{place.at(n, std::string("'") + key + "' must be a non-empty string")};
      }
      dst = n.Scalar();
      return {};
    };
    std::string query;
    const std::pair<const char*, std::string*> required[] = {
        {"id", &b.id}, {"name", &b.name}, {"lang", &b.lang}, {"query", &query}};
    for (const auto& [key, dst] : required) {
      if (auto st = req(key, *dst); !st) return Unexpected{st.error()};
    }
    auto terms = extract_query_terms(query);
    if (!terms) return Unexpected{place.at(root["query"], "query: " + terms.error())};
    b.surface_terms = std::move(terms->surface_terms);
    b.mention_forms = std::move(terms->mention_forms);
    if (!valid_id(b.id)) {
      return Unexpected{place.at(root["id"], "id '" + b.id + "' may use only a-z, 0-9 and '-'")};
    }
    if (b.id != file.stem().string()) {
      return Unexpected{place.at(root["id"], "id '" + b.id + "' must equal the file name '" +
                                                 file.stem().string() + "'")};
    }
    if (b.lang != "zh" && b.lang != "en") {
      return Unexpected{place.at(root["lang"], "lang must be zh or en, got '" + b.lang + "'")};
    }
    auto seq = [&](const char* key, std::vector<std::string>& dst) -> Status<std::string> {
      const YAML::Node n = root[key];
      if (!n || n.IsNull()) return {};
      if (!n.IsSequence()) return Unexpected{place.at(n, std::string("'") + key + "' must be a list")};
      for (const auto& item : n) {
        if (!item.IsScalar()) {
          return Unexpected{place.at(item, std::string("'") + key + "' items must be strings")};
        }
        dst.push_back(item.Scalar());
      }
      return {};
    };
    if (auto st = seq("competitors", b.competitors); !st) return Unexpected{st.error()};
    if (auto st = seq("tags", b.tags); !st) return Unexpected{st.error()};
    if (const YAML::Node a = root["aspects"]; a && !a.IsNull()) {
      if (!a.IsMap()) return Unexpected{place.at(a, "'aspects' must map aspect names to lists")};
      for (const auto& kv : a) {
        std::vector<std::string> words;
        if (!kv.second.IsSequence()) {
          return Unexpected{place.at(kv.second, "aspect '" + kv.first.Scalar() +
                                                    "' must be a list of keywords")};
        }
        for (const auto& w : kv.second) {
          if (!w.IsScalar() || w.Scalar().empty()) {
            return Unexpected{place.at(w, "aspect keywords must be non-empty strings")};
          }
          words.push_back(w.Scalar());
        }
        b.aspects.emplace_back(kv.first.Scalar(), std::move(words));
      }
    }
    if (const YAML::Node e = root["enabled"]; e && !e.IsNull()) {
      bool v = true;
      if (!e.IsScalar() || !YAML::convert<bool>::decode(e, v)) {
        return Unexpected{place.at(e, "'enabled' must be true or false")};
      }
      b.enabled = v;
    }
    const YAML::Node cn = root["competitors"];
    competitor_lines.push_back(cn ? cn.Mark().line + 1 : 1);
    brands.push_back(std::move(b));
  }

  for (std::size_t i = 0; i < brands.size(); ++i) {
    for (const auto& c : brands[i].competitors) {
      const bool known = std::any_of(brands.begin(), brands.end(),
                                     [&](const BrandInfo& o) { return o.id == c; });
      if (!known || c == brands[i].id) {
        return Unexpected{files[i].string() + ":" + std::to_string(competitor_lines[i]) +
                          ": competitor '" + c + "' is " +
                          (known ? "the brand itself" : "not a brand in " + dir.string())};
      }
    }
  }
  return brands;
}

}  // namespace yuqing::gen
