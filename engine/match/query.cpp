#include "engine/match/query.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "engine/match/diagnostics.h"

namespace yuqing::match {
namespace {

using normalize::decode_utf8;

constexpr int kMaxDepth = 100;
constexpr std::uint32_t kMaxDistance = 1000;

struct FieldName {
  std::string_view name;
  FieldKind kind;
};
constexpr std::array<FieldName, 7> kFields = {{
    {"platform", FieldKind::platform},
    {"lang", FieldKind::lang},
    {"author", FieldKind::author},
    {"site", FieldKind::site},
    {"author.verified", FieldKind::verified},
    {"author.followers", FieldKind::followers},
    {"region", FieldKind::region},
}};
// Names users bring from other tools, and what to write here instead.
constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kFieldAliases = {{
    {"language", "lang"}, {"country", "region"}, {"location", "region"}, {"province", "region"},
    {"source", "platform"}, {"sourcetype", "platform"}, {"domain", "site"}, {"url", "site"},
    {"followers", "author.followers"}, {"verified", "author.verified"},
    {"authorname", "author"}, {"author.name", "author"}, {"user", "author"},
    {"author.followers_count", "author.followers"},
}};

enum class Tok : std::uint8_t { word, phrase, lparen, rparen, and_, or_, not_, near, field, end };

struct Token {
  Tok kind = Tok::end;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;  // word/phrase text (phrase without quotes), field value
  std::uint32_t distance = 0;
  bool ordered = false;
  FieldKind field = FieldKind::platform;
  std::string field_text;  // the whole field token as written
};

std::string_view tok_name(const Token& t, std::string_view q) {
  return q.substr(t.begin, t.end - t.begin);
}

bool is_space_cp(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0x3000 ||
         c == 0xa0;
}
bool is_quote_cp(char32_t c) { return c == '"' || c == 0x201c || c == 0x201d || c == 0xff02; }
bool is_lparen_cp(char32_t c) { return c == '(' || c == 0xff08; }
bool is_rparen_cp(char32_t c) { return c == ')' || c == 0xff09; }

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class Error {
 public:
  Error(std::size_t offset, std::string message) : e_{offset, std::move(message)} {}
  QueryError e_;
};

class Lexer {
 public:
  explicit Lexer(std::string_view q) : q_(q), s_(reinterpret_cast<const unsigned char*>(q.data())) {}

  std::vector<Token> run(std::vector<QueryWarning>& warnings) {
    std::vector<Token> out;
    for (;;) {
      skip_space();
      if (i_ >= q_.size()) break;
      out.push_back(next(warnings));
    }
    Token end;
    end.kind = Tok::end;
    end.begin = end.end = q_.size();
    out.push_back(end);
    return out;
  }

 private:
  char32_t peek(std::size_t& len) const { return decode_utf8(s_, q_.size(), i_, len); }

  void skip_space() {
    while (i_ < q_.size()) {
      std::size_t len = 0;
      if (!is_space_cp(peek(len))) return;
      i_ += len;
    }
  }

  std::string read_quoted(std::size_t open) {
    std::size_t len = 0;
    std::string text;
    while (i_ < q_.size()) {
      const char32_t c = peek(len);
      if (is_quote_cp(c)) {
        i_ += len;
        return text;
      }
      text.append(q_.substr(i_, len));
      i_ += len;
    }
    throw Error(open, "this quoted phrase is never closed: add a closing \" after the phrase");
  }

  Token next(std::vector<QueryWarning>& warnings) {
    Token t;
    t.begin = i_;
    std::size_t len = 0;
    const char32_t c = peek(len);
    if (is_lparen_cp(c)) {
      i_ += len;
      t.kind = Tok::lparen;
    } else if (is_rparen_cp(c)) {
      i_ += len;
      t.kind = Tok::rparen;
    } else if (is_quote_cp(c)) {
      i_ += len;
      t.kind = Tok::phrase;
      t.text = read_quoted(t.begin);
      if (i_ < q_.size() && q_[i_] == '~') {
        throw Error(i_, "proximity with ~ is not supported here; write the words with NEAR/n, "
                        "for example: apple NEAR/5 juice");
      }
      if (i_ < q_.size() && q_[i_] == '*') {  // "acme ph"* reads as a wildcard phrase
        t.text.push_back('*');
        ++i_;
      }
    } else {
      while (i_ < q_.size()) {
        const char32_t d = peek(len);
        if (is_space_cp(d) || is_lparen_cp(d) || is_rparen_cp(d) || is_quote_cp(d)) break;
        i_ += len;
      }
      t.text = std::string(q_.substr(t.begin, i_ - t.begin));
      t.kind = Tok::word;
      classify(t, warnings);
    }
    t.end = i_;
    return t;
  }

  void classify(Token& t, std::vector<QueryWarning>& warnings) {
    const std::string& w = t.text;
    if (w == "AND" || w == "&&") { t.kind = Tok::and_; return; }
    if (w == "OR" || w == "||") { t.kind = Tok::or_; return; }
    if (w == "NOT") { t.kind = Tok::not_; return; }
    if (w == "and" || w == "or" || w == "not" || w == "And" || w == "Or" || w == "Not") {
      std::string upper = w;
      for (char& ch : upper) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
      warnings.push_back({t.begin, "'" + w + "' is not in capitals, so it is searched as a word; write " +
                                       upper + " if you meant the operator"});
    }
    if (w == "NEAR" || w == "ONEAR" || w.rfind("NEAR/", 0) == 0 || w.rfind("ONEAR/", 0) == 0 ||
        w.rfind("W/", 0) == 0) {
      lex_near(t);
      return;
    }
    const std::size_t colon = w.find(':');
    if (colon != std::string::npos && colon > 0 && w.find("://") == std::string::npos) {
      const std::string_view name = std::string_view(w).substr(0, colon);
      const bool looks_like_field = std::all_of(name.begin(), name.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '.' || ch == '_';
      });
      if (looks_like_field) lex_field(t, ascii_lower(name), colon);
    }
  }

  void lex_near(Token& t) {
    const std::string& w = t.text;
    t.kind = Tok::near;
    t.ordered = w[0] == 'O';
    const std::string_view head = t.ordered ? "ONEAR" : (w[0] == 'W' ? "W" : "NEAR");
    std::string_view rest = std::string_view(w).substr(head.size());
    if (rest.empty()) {
      throw Error(t.begin, std::string(head) + " needs a distance in words, for example " +
                               std::string(head) + "/5");
    }
    if (rest[0] != '/') {
      throw Error(t.begin, "bad NEAR distance in '" + w + "': write " + std::string(head) +
                               "/n where n is a number of words, for example " + std::string(head) + "/5");
    }
    rest.remove_prefix(1);
    if (!t.ordered && !rest.empty() && (rest.back() == 'f' || rest.back() == 'F')) {
      t.ordered = true;  // Brandwatch's NEAR/5f: ordered
      rest.remove_suffix(1);
    }
    std::uint32_t n = 0;
    const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (rest.empty() || ec != std::errc() || p != rest.data() + rest.size()) {
      throw Error(t.begin, "bad NEAR distance in '" + w + "': after the / write a whole number of words, "
                               "for example " + std::string(head) + "/5");
    }
    if (n > kMaxDistance) {
      throw Error(t.begin, "bad NEAR distance in '" + w + "': at most " + std::to_string(kMaxDistance) +
                               " words apart is supported");
    }
    t.distance = n;
  }

  void lex_field(Token& t, const std::string& name, std::size_t colon) {
    std::optional<FieldKind> kind;
    for (const FieldName& f : kFields) {
      if (f.name == name) kind = f.kind;
    }
    if (!kind) {
      std::string hint;
      for (const auto& [alias, real] : kFieldAliases) {
        if (alias == name) hint = std::string(real);
      }
      if (hint.empty()) {
        std::vector<std::string> names;
        for (const FieldName& f : kFields) names.emplace_back(f.name);
        hint = closest(name, names);
      }
      std::string msg = "unknown field '" + name + ":'";
      if (!hint.empty()) msg += "; did you mean '" + hint + ":'?";
      msg += " Valid fields: platform, lang, author, site, author.verified, author.followers, region."
             " To search for the text itself, put it in quotes: \"" + t.text + "\"";
      throw Error(t.begin, msg);
    }
    t.kind = Tok::field;
    t.field = *kind;
    std::string value = t.text.substr(colon + 1);
    if (value.empty() && i_ < q_.size()) {
      std::size_t len = 0;
      if (is_quote_cp(peek(len))) {
        const std::size_t open = i_;
        i_ += len;
        value = read_quoted(open);
      }
    }
    t.field_text = std::string(q_.substr(t.begin, i_ - t.begin));
    t.text = value;
    if (value.empty()) {
      throw Error(t.begin, "the field '" + name + ":' needs a value right after the colon, for example " +
                               name + ":" + example_value(*kind));
    }
  }

  static std::string example_value(FieldKind k) {
    switch (k) {
      case FieldKind::platform: return "weibo";
      case FieldKind::lang: return "zh";
      case FieldKind::author: return "acme_official";
      case FieldKind::site: return "example.com";
      case FieldKind::verified: return "true";
      case FieldKind::followers: return ">10000";
      case FieldKind::region: return "CN-GD";
    }
    return "";
  }

  std::string_view q_;
  const unsigned char* s_;
  std::size_t i_ = 0;
};

FieldFilter make_filter(const Token& t) {
  FieldFilter f;
  f.kind = t.field;
  f.offset = t.begin;
  f.text = t.field_text;
  const std::string v = ascii_lower(t.text);
  const std::string fname(field_name(t.field));
  switch (t.field) {
    case FieldKind::platform: {
      const auto p = platform_from_name(v);
      if (!p) {
        std::vector<std::string> names;
        for (int i = 0; i < kPlatformCount; ++i) names.emplace_back(platform_name(static_cast<Platform>(i)));
        std::string msg = "unknown platform '" + t.text + "'";
        const std::string c = closest(v, names);
        if (!c.empty()) msg += "; did you mean '" + c + "'?";
        msg += " Known platforms:";
        for (const auto& n : names) msg += " " + n;
        throw Error(t.begin, msg);
      }
      f.platform = *p;
      break;
    }
    case FieldKind::verified:
      if (v == "true" || v == "yes") {
        f.flag = true;
      } else if (v == "false" || v == "no") {
        f.flag = false;
      } else {
        throw Error(t.begin, "author.verified: takes true or false, not '" + t.text + "'");
      }
      break;
    case FieldKind::followers: {
      std::string_view s = v;
      if (s.rfind(">=", 0) == 0) { f.op = Compare::ge; s.remove_prefix(2); }
      else if (s.rfind("<=", 0) == 0) { f.op = Compare::le; s.remove_prefix(2); }
      else if (s.rfind(">", 0) == 0) { f.op = Compare::gt; s.remove_prefix(1); }
      else if (s.rfind("<", 0) == 0) { f.op = Compare::lt; s.remove_prefix(1); }
      else if (s.rfind("=", 0) == 0) { s.remove_prefix(1); }
      std::int64_t mult = 1;
      if (!s.empty() && s.back() == 'k') { mult = 1000; s.remove_suffix(1); }
      else if (!s.empty() && s.back() == 'm') { mult = 1000000; s.remove_suffix(1); }
      std::int64_t n = 0;
      const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size() || n < 0) {
        throw Error(t.begin, "author.followers: needs a number, optionally after >, >=, < or <=, "
                             "for example author.followers:>10000 (not '" + t.text + "')");
      }
      f.number = n * mult;
      break;
    }
    case FieldKind::site: {
      std::string d = v;
      if (const auto p = d.find("://"); p != std::string::npos) d = d.substr(p + 3);
      while (!d.empty() && d.back() == '/') d.pop_back();
      if (d.rfind("www.", 0) == 0) d = d.substr(4);
      if (d.empty() || d.find('/') != std::string::npos) {
        throw Error(t.begin, "site: takes a domain name such as example.com, not '" + t.text + "'");
      }
      f.value = d;
      break;
    }
    case FieldKind::lang:
    case FieldKind::author:
    case FieldKind::region:
      f.value = v;
      break;
  }
  (void)fname;
  return f;
}

class Parser {
 public:
  Parser(std::string_view q, std::vector<Token> toks, const normalize::FoldTable& fold, ParsedQuery& out)
      : q_(q), toks_(std::move(toks)), fold_(fold), out_(out) {}

  std::uint32_t parse() {
    if (toks_.front().kind == Tok::end) throw Error(0, "the query is empty: write at least one word to look for");
    const std::uint32_t root = parse_or(0);
    const Token& t = cur();
    if (t.kind == Tok::rparen) {
      throw Error(t.begin, "unbalanced parenthesis: this ) has no matching ( before it");
    }
    if (t.kind != Tok::end) throw Error(t.begin, "unexpected '" + std::string(tok_name(t, q_)) + "'");
    return root;
  }

 private:
  const Token& cur() const { return toks_[pos_]; }
  const Token& prev() const { return toks_[pos_ - 1]; }

  static bool starts_operand(Tok k) {
    return k == Tok::word || k == Tok::phrase || k == Tok::lparen || k == Tok::not_ || k == Tok::field;
  }
  static bool is_binary(Tok k) { return k == Tok::and_ || k == Tok::or_ || k == Tok::near; }

  std::uint32_t add(QueryNode n) {
    out_.nodes.push_back(std::move(n));
    return static_cast<std::uint32_t>(out_.nodes.size() - 1);
  }

  void need_operand_after(const Token& op) {
    const Token& t = cur();
    if (t.kind == Tok::end || t.kind == Tok::rparen) {
      throw Error(op.begin, "dangling operator: " + std::string(tok_name(op, q_)) +
                                " has nothing after it; add a word after it or remove it");
    }
    if (is_binary(t.kind)) {
      throw Error(t.begin, "two operators in a row: " + std::string(tok_name(op, q_)) + " followed by " +
                               std::string(tok_name(t, q_)) + "; put a word between them or remove one");
    }
  }

  std::uint32_t parse_or(int depth) {
    std::uint32_t left = parse_and(depth);
    if (cur().kind != Tok::or_) return left;
    QueryNode n;
    n.kind = NodeKind::any_of;
    n.offset = out_.nodes[left].offset;
    n.children.push_back(left);
    while (cur().kind == Tok::or_) {
      const Token& op = cur();
      ++pos_;
      need_operand_after(op);
      n.children.push_back(parse_and(depth));
    }
    return add(std::move(n));
  }

  std::uint32_t parse_and(int depth) {
    std::uint32_t left = parse_near(depth);
    QueryNode n;
    n.kind = NodeKind::all_of;
    n.offset = out_.nodes[left].offset;
    n.children.push_back(left);
    for (;;) {
      if (cur().kind == Tok::and_) {
        const Token& op = cur();
        ++pos_;
        need_operand_after(op);
        n.children.push_back(parse_near(depth));
      } else if (starts_operand(cur().kind)) {
        n.children.push_back(parse_near(depth));  // adjacency means AND
      } else {
        break;
      }
    }
    if (n.children.size() == 1) return left;
    return add(std::move(n));
  }

  bool near_operand_ok(std::uint32_t idx) const {
    const QueryNode& n = out_.nodes[idx];
    if (n.kind == NodeKind::term) return true;
    if (n.kind != NodeKind::any_of) return false;
    return std::all_of(n.children.begin(), n.children.end(),
                       [&](std::uint32_t c) { return out_.nodes[c].kind == NodeKind::term; });
  }

  void check_near_operand(std::uint32_t idx, const Token& op) {
    const QueryNode& n = out_.nodes[idx];
    if (n.kind == NodeKind::near) {
      throw Error(op.begin, "NEAR can join only two sides; instead of a NEAR/n b NEAR/n c write "
                            "(a NEAR/n b) AND (b NEAR/n c)");
    }
    if (!near_operand_ok(idx)) {
      throw Error(n.offset, "each side of " + std::string(tok_name(op, q_)) +
                                " must be a word, a \"phrase\" or (word OR word ...) in parentheses; "
                                "to exclude words, write (a NEAR/5 b) NOT c");
    }
    auto check_term = [&](std::uint32_t t) {
      const TermSpec& ts = out_.terms[out_.nodes[t].index];
      if (!has_token(ts.literal)) {
        throw Error(ts.offset, "'" + ts.text + "' has no letters, digits or Chinese characters, so it has "
                               "no position in words and cannot be used with NEAR");
      }
    };
    if (n.kind == NodeKind::term) {
      check_term(idx);
    } else {
      for (std::uint32_t c : n.children) check_term(c);
    }
  }

  std::uint32_t parse_near(int depth) {
    std::uint32_t left = parse_unary(depth);
    while (cur().kind == Tok::near) {
      const Token op = cur();
      ++pos_;
      need_operand_after(op);
      check_near_operand(left, op);
      const std::uint32_t right = parse_unary(depth);
      check_near_operand(right, op);
      QueryNode n;
      n.kind = NodeKind::near;
      n.ordered = op.ordered;
      n.distance = op.distance;
      n.offset = op.begin;
      n.children = {left, right};
      left = add(std::move(n));
      if (cur().kind == Tok::near) check_near_operand(left, cur());
    }
    return left;
  }

  std::uint32_t parse_unary(int depth) {
    if (cur().kind == Tok::not_) {
      const Token& op = cur();
      ++pos_;
      need_operand_after(op);
      QueryNode n;
      n.kind = NodeKind::none_of;
      n.offset = op.begin;
      n.children.push_back(parse_unary(depth + 1));
      return add(std::move(n));
    }
    return parse_primary(depth);
  }

  std::uint32_t parse_primary(int depth) {
    if (depth > kMaxDepth) throw Error(cur().begin, "the query is nested too deeply (more than 100 levels)");
    const Token& t = cur();
    switch (t.kind) {
      case Tok::lparen: {
        ++pos_;
        if (cur().kind == Tok::rparen) {
          throw Error(t.begin, "empty parentheses (): put words inside them or remove them");
        }
        if (cur().kind == Tok::end) {
          throw Error(t.begin, "unbalanced parenthesis: this ( is never closed; add a ) at the end");
        }
        const std::uint32_t inner = parse_or(depth + 1);
        if (cur().kind != Tok::rparen) {
          throw Error(t.begin, "unbalanced parenthesis: this ( is never closed; add a ) where the group ends");
        }
        ++pos_;
        return inner;
      }
      case Tok::word:
      case Tok::phrase: {
        ++pos_;
        return add_term(t);
      }
      case Tok::field: {
        ++pos_;
        out_.fields.push_back(make_filter(t));
        QueryNode n;
        n.kind = NodeKind::field;
        n.index = static_cast<std::uint32_t>(out_.fields.size() - 1);
        n.offset = t.begin;
        return add(std::move(n));
      }
      case Tok::rparen:
        throw Error(t.begin, "unbalanced parenthesis: this ) has no matching ( before it");
      case Tok::and_:
      case Tok::or_:
      case Tok::near:
        if (pos_ > 0 && is_binary(prev().kind)) {
          throw Error(t.begin, "two operators in a row: " + std::string(tok_name(prev(), q_)) + " followed by " +
                                   std::string(tok_name(t, q_)) + "; put a word between them or remove one");
        }
        throw Error(t.begin, "dangling operator: " + std::string(tok_name(t, q_)) +
                                 " has nothing before it; add a word before it or remove it");
      case Tok::not_:
      case Tok::end:
        break;
    }
    throw Error(t.begin, "the query ends where a word was expected");
  }

  std::uint32_t add_term(const Token& t) {
    auto term = make_term(t.text, t.kind == Tok::phrase, fold_);
    if (!term) throw Error(t.begin, term.error());
    term->offset = t.begin;
    if (t.kind == Tok::word) {
      std::size_t cps = 0;
      bool ascii_letter = true;
      for (std::size_t i = 0; i < term->literal.size(); ++i) {
        const auto c = static_cast<unsigned char>(term->literal[i]);
        if ((c & 0xc0) != 0x80) ++cps;
        if (!(c >= 'a' && c <= 'z')) ascii_letter = false;
      }
      if (cps == 1 && ascii_letter && !term->prefix) {
        out_.warnings.push_back({t.begin, "one-letter term '" + t.text + "' will match very many mentions"});
      }
      if (term->prefix && cps < 3) {
        out_.warnings.push_back({t.begin, "wildcard '" + t.text + "' has fewer than 3 characters before the * "
                                          "and will match very many words"});
      }
    }
    out_.terms.push_back(std::move(term.value()));
    QueryNode n;
    n.kind = NodeKind::term;
    n.index = static_cast<std::uint32_t>(out_.terms.size() - 1);
    n.offset = t.begin;
    return add(std::move(n));
  }

  std::string_view q_;
  std::vector<Token> toks_;
  const normalize::FoldTable& fold_;
  ParsedQuery& out_;
  std::size_t pos_ = 0;
};

// A query is "anchored" when it cannot match unless at least one of its terms occurs; the
// matcher only evaluates rules whose terms were seen, so every query must be anchored.
bool anchored(const ParsedQuery& q, std::uint32_t idx) {
  const QueryNode& n = q.nodes[idx];
  switch (n.kind) {
    case NodeKind::term:
    case NodeKind::near:
      return true;
    case NodeKind::all_of:
      return std::any_of(n.children.begin(), n.children.end(), [&](std::uint32_t c) { return anchored(q, c); });
    case NodeKind::any_of:
      return std::all_of(n.children.begin(), n.children.end(), [&](std::uint32_t c) { return anchored(q, c); });
    case NodeKind::none_of:
    case NodeKind::field:
      return false;
  }
  return false;
}

bool has_kind(const ParsedQuery& q, NodeKind k) {
  return std::any_of(q.nodes.begin(), q.nodes.end(), [&](const QueryNode& n) { return n.kind == k; });
}

}  // namespace

std::string_view field_name(FieldKind k) {
  for (const FieldName& f : kFields) {
    if (f.kind == k) return f.name;
  }
  return "?";
}

bool has_token(std::string_view literal) {
  const auto* s = reinterpret_cast<const unsigned char*>(literal.data());
  std::size_t i = 0;
  while (i < literal.size()) {
    std::size_t len = 0;
    const char32_t cp = decode_utf8(s, literal.size(), i, len);
    if (normalize::is_word_cp(cp) || normalize::is_cjk_token_cp(cp)) return true;
    i += len;
  }
  return false;
}

std::size_t char_position(std::string_view s, std::size_t offset) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < offset && i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) ++n;
  }
  return n;
}

Result<TermSpec, std::string> make_term(std::string_view text, bool quoted, const normalize::FoldTable& fold) {
  TermSpec t;
  t.text = std::string(text);
  std::string_view body = text;
  if (!body.empty() && body.back() == '*') {
    t.prefix = true;
    body.remove_suffix(1);
  }
  if (body.find('*') != std::string_view::npos) {
    return Unexpected(std::string("a wildcard * is only supported at the end of a word, like acme* ('") +
                      std::string(text) + "')");
  }
  t.literal = normalize::normalize_copy(body, fold);
  if (t.literal.empty()) {
    if (t.prefix) return Unexpected(std::string("a * needs letters before it, like acme*"));
    return Unexpected(std::string(quoted ? "empty phrase \"\": put words between the quotes or remove them"
                                         : "empty term"));
  }
  if (t.prefix && t.literal.back() == ' ') t.literal.pop_back();
  return t;
}

Result<ParsedQuery, QueryError> parse_query(std::string_view query, const normalize::FoldTable& fold) {
  ParsedQuery out;
  try {
    std::vector<Token> toks = Lexer(query).run(out.warnings);
    Parser p(query, std::move(toks), fold, out);
    out.root = p.parse();
    if (!anchored(out, out.root)) {
      const bool has_terms = has_kind(out, NodeKind::term);
      const bool has_not = has_kind(out, NodeKind::none_of);
      std::string msg;
      if (!has_terms) {
        msg = "this query has only field filters; add at least one word it must contain, "
              "for example: acme AND platform:weibo";
      } else if (has_not && out.nodes[out.root].kind == NodeKind::none_of) {
        msg = "this query only says what to exclude (NOT ...); add a word it must contain, "
              "for example: acme NOT recall";
      } else {
        msg = "part of this query can match a mention without any of its words (an OR whose one side is "
              "only a NOT or a field filter); every alternative needs a word to look for";
      }
      return Unexpected(QueryError{0, msg});
    }
  } catch (const Error& e) {
    return Unexpected(e.e_);
  }
  return out;
}

namespace {
bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}
// value matches exactly or as a prefix followed by '-' (lang:zh matches zh-Hans; region:cn matches CN-GD)
bool tag_match(std::string_view actual, std::string_view want) {
  if (actual.size() < want.size()) return false;
  if (!ieq(actual.substr(0, want.size()), want)) return false;
  return actual.size() == want.size() || actual[want.size()] == '-' || actual[want.size()] == '_';
}
std::string_view url_host(std::string_view url) {
  if (const auto p = url.find("://"); p != std::string_view::npos) url.remove_prefix(p + 3);
  const auto end = url.find_first_of("/?#");
  if (end != std::string_view::npos) url = url.substr(0, end);
  if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (const auto colon = url.rfind(':'); colon != std::string_view::npos) url = url.substr(0, colon);
  while (!url.empty() && url.back() == '.') url.remove_suffix(1);
  return url;
}
}  // namespace

bool field_matches(const FieldFilter& f, const Mention& m) {
  switch (f.kind) {
    case FieldKind::platform:
      return m.platform == f.platform;
    case FieldKind::lang:
      return tag_match(m.lang, f.value);
    case FieldKind::region:
      return tag_match(m.region, f.value);
    case FieldKind::author: {
      std::string_view v = f.value;
      std::string_view name = m.author.name;
      if (!v.empty() && v[0] == '@') v.remove_prefix(1);
      if (!name.empty() && name[0] == '@') name.remove_prefix(1);
      return ieq(name, v) || ieq(m.author.id, v);
    }
    case FieldKind::site: {
      const std::string_view host = url_host(m.url);
      if (host.size() < f.value.size()) return false;
      if (!ieq(host.substr(host.size() - f.value.size()), f.value)) return false;
      return host.size() == f.value.size() || host[host.size() - f.value.size() - 1] == '.';
    }
    case FieldKind::verified:
      return m.author.verified == f.flag;
    case FieldKind::followers: {
      const std::int64_t n = m.author.followers;
      switch (f.op) {
        case Compare::eq: return n == f.number;
        case Compare::gt: return n > f.number;
        case Compare::ge: return n >= f.number;
        case Compare::lt: return n < f.number;
        case Compare::le: return n <= f.number;
      }
    }
  }
  return false;
}

}  // namespace yuqing::match
