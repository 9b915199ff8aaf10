// Compiling RuleSpecs into a RuleSet: parse queries, intern terms and literals, build the
// boolean programs and the one Hyperscan database.

#include "engine/match/rule_set.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iterator>
#include <cstdio>
#include <set>
#include <unordered_map>

namespace yuqing::match {
namespace {

std::atomic<std::uint64_t> g_next_instance{1};

std::uint64_t fnv1a(std::uint64_t h, std::string_view s) {
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  h ^= 0xff;
  h *= 1099511628211ull;
  return h;
}

bool starts_with_word(std::string_view lit) {
  if (lit.empty()) return false;
  if (lit[0] == '@' || lit[0] == '#') return true;
  std::size_t len = 0;
  return normalize::is_word_cp(
      normalize::decode_utf8(reinterpret_cast<const unsigned char*>(lit.data()), lit.size(), 0, len));
}

bool ends_with_word(std::string_view lit) {
  if (lit.empty()) return false;
  return normalize::is_word_cp(
      normalize::decode_utf8_before(reinterpret_cast<const unsigned char*>(lit.data()), lit.size()));
}

struct Origin {
  std::string file;
  SourcePos pos;
  std::string what;
};

}  // namespace

RuleSet::RuleSet() = default;
RuleSet::~RuleSet() {
  if (db_ != nullptr) hs_free_database(db_);
}

std::optional<std::uint32_t> RuleSet::find_rule(std::string_view id) const {
  const auto it = rule_index_.find(id);
  if (it == rule_index_.end()) return std::nullopt;
  return it->second;
}

class RuleSetBuilder {
 public:
  RuleSetBuilder(const RuleSetOptions& options, Diagnostics& diags)
      : options_(options),
        fold_(options.fold != nullptr ? *options.fold : normalize::FoldTable::shared()),
        diags_(diags),
        rs_(new RuleSet()) {}

  Result<RuleSetPtr, Diagnostics> build(std::vector<RuleSpec> specs) {
    const auto t0 = std::chrono::steady_clock::now();
    if (options_.require_t2s && !fold_.has_t2s()) {
      diags_.error("", 0, 0, "traditional-to-simplified folding is unavailable (" + fold_.load_error() +
                                 "); install OpenCC's data (Debian: libopencc-dev / opencc)");
    }
    std::uint64_t h = 1469598103934665603ull;
    std::set<std::string, std::less<>> ids;
    for (const RuleSpec& s : specs) ids.insert(s.id);
    std::map<std::string, std::pair<std::string, int>> first_by_id;  // id -> file, line
    for (RuleSpec& spec : specs) {
      h = fnv1a(h, spec.id);
      h = fnv1a(h, spec.query);
      h = fnv1a(h, spec.enabled ? "1" : "0");
      for (const auto& a : spec.aspects) {
        h = fnv1a(h, a.name);
        for (const auto& k : a.keywords) h = fnv1a(h, k);
      }
      for (const auto& c : spec.competitors) h = fnv1a(h, c);
      if (auto [it, inserted] = first_by_id.emplace(spec.id, std::make_pair(spec.file, spec.pos.line)); !inserted) {
        diags_.error(spec.file, spec.pos.line, spec.pos.column,
                     "duplicate rule id '" + spec.id + "': it is also defined in " + it->second.first +
                         (it->second.second ? ":" + std::to_string(it->second.second) : ""));
        continue;
      }
      add_rule(std::move(spec), ids);
    }
    for (const LiteralGroup& g : options_.default_aspects) {
      RuleSet::Aspect a;
      a.name = intern_aspect_name(g.id);
      for (const std::string& kw : g.terms) {
        const auto t = intern_keyword(kw, Origin{"", {}, "default aspect '" + g.id + "'"});
        if (t) a.terms.push_back(*t);
      }
      rs_->default_aspects_.push_back(static_cast<std::uint32_t>(rs_->aspects_.size()));
      rs_->aspects_.push_back(std::move(a));
    }
    for (std::uint32_t gi = 0; gi < options_.extra_groups.size(); ++gi) {
      const LiteralGroup& g = options_.extra_groups[gi];
      rs_->groups_.push_back(g);
      for (std::uint32_t i = 0; i < g.terms.size(); ++i) {
        const auto t = intern_keyword(g.terms[i], Origin{"", {}, "group '" + g.id + "'"});
        if (t) group_terms_.push_back({*t, {gi, i}});
      }
    }
    if (diags_.has_errors()) return finish_error();
    build_indexes();
    if (!compile_db()) return finish_error();
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    rs_->version_ = buf;
    rs_->instance_id_ = g_next_instance.fetch_add(1);
    rs_->compile_ms_ =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    for (const Diagnostic& d : diags_.items) rs_->warnings_.items.push_back(d);
    rs_->warnings_.sort();
    return RuleSetPtr(std::move(rs_));
  }

 private:
  Result<RuleSetPtr, Diagnostics> finish_error() {
    diags_.sort();
    return Unexpected(diags_);
  }

  SourcePos query_pos(const RuleSpec& s, std::size_t offset) const {
    if (offset < s.query_offset_pos.size() && s.query_offset_pos[offset].line > 0) return s.query_offset_pos[offset];
    SourcePos p = s.query_pos;
    if (p.line > 0) p.column += static_cast<int>(char_position(s.query, offset)) - 1;
    return p;
  }

  std::uint32_t intern_literal(const std::string& lit, const Origin& origin) {
    const auto it = literal_ids_.find(lit);
    if (it != literal_ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(rs_->literals_.size());
    rs_->literals_.push_back(lit);
    literal_origin_.push_back(origin);
    literal_ids_.emplace(lit, id);
    return id;
  }

  std::uint32_t intern_term(const TermSpec& ts, const Origin& origin) {
    const bool sb = starts_with_word(ts.literal);
    const bool eb = !ts.prefix && ends_with_word(ts.literal);
    std::string key = ts.literal;
    key.push_back('\0');
    key.push_back(sb ? '1' : '0');
    key.push_back(eb ? '1' : '0');
    key.push_back(ts.prefix ? '*' : ' ');
    const auto it = term_ids_.find(key);
    if (it != term_ids_.end()) return it->second;
    TermInfo info;
    info.text = ts.text;
    info.literal = intern_literal(ts.literal, origin);
    info.start_boundary = sb;
    info.end_boundary = eb;
    info.prefix = ts.prefix;
    const auto id = static_cast<std::uint32_t>(rs_->terms_.size());
    rs_->terms_.push_back(std::move(info));
    term_ids_.emplace(std::move(key), id);
    return id;
  }

  std::optional<std::uint32_t> intern_keyword(const std::string& kw, const Origin& origin) {
    std::string_view body = kw;
    bool quoted = false;
    if (body.size() >= 2 && body.front() == '"' && body.back() == '"') {
      body = body.substr(1, body.size() - 2);
      quoted = true;
    }
    auto ts = make_term(body, quoted, fold_);
    if (!ts) {
      diags_.error(origin.file, origin.pos.line, origin.pos.column, origin.what + ": " + ts.error());
      return std::nullopt;
    }
    return intern_term(*ts, origin);
  }

  std::uint32_t intern_aspect_name(const std::string& name) {
    for (std::uint32_t i = 0; i < rs_->aspect_names_.size(); ++i) {
      if (rs_->aspect_names_[i] == name) return i;
    }
    rs_->aspect_names_.push_back(name);
    return static_cast<std::uint32_t>(rs_->aspect_names_.size() - 1);
  }

  // Appends node `idx` of `q` and its subtree to nodes_ in preorder; returns its index.
  std::uint32_t add_node(const ParsedQuery& q, std::uint32_t idx, const std::vector<std::uint32_t>& term_map,
                         std::uint32_t field_base, int nots, std::vector<std::uint32_t>& positive) {
    const QueryNode& n = q.nodes[idx];
    RuleSet::Node out{};
    out.kind = n.kind;
    out.ordered = n.ordered;
    out.offset = static_cast<std::uint32_t>(n.offset);
    switch (n.kind) {
      case NodeKind::term:
        out.arg = term_map[n.index];
        if (nots % 2 == 0) positive.push_back(out.arg);
        break;
      case NodeKind::field:
        out.arg = field_base + n.index;
        break;
      case NodeKind::near:
        out.arg = n.distance;
        break;
      default:
        break;
    }
    if (n.kind == NodeKind::any_of) {
      out.terms_only = std::all_of(n.children.begin(), n.children.end(),
                                   [&](std::uint32_t c) { return q.nodes[c].kind == NodeKind::term; });
    }
    const auto at = static_cast<std::uint32_t>(rs_->nodes_.size());
    rs_->nodes_.push_back(out);
    for (std::uint32_t c : n.children) {
      add_node(q, c, term_map, field_base, nots + (n.kind == NodeKind::none_of ? 1 : 0), positive);
    }
    rs_->nodes_[at].end = static_cast<std::uint32_t>(rs_->nodes_.size());
    return at;
  }

  void add_rule(RuleSpec spec, const std::set<std::string, std::less<>>& ids) {
    RuleSet::Rule rule;
    auto parsed = parse_query(spec.query, fold_);
    if (!parsed) {
      const SourcePos p = query_pos(spec, parsed.error().offset);
      std::string msg = "in the query of '" + spec.id + "': " + parsed.error().message;
      if (!spec.query.empty()) {
        msg += " (at character " + std::to_string(char_position(spec.query, parsed.error().offset)) +
               " of the query)";
      }
      diags_.error(spec.file, p.line, p.column, msg);
    } else {
      const ParsedQuery& q = parsed.value();
      for (const QueryWarning& w : q.warnings) {
        const SourcePos p = query_pos(spec, w.offset);
        diags_.warning(spec.file, p.line, p.column, "in the query of '" + spec.id + "': " + w.message);
      }
      std::vector<std::uint32_t> term_map;
      for (const TermSpec& ts : q.terms) {
        term_map.push_back(intern_term(ts, Origin{spec.file, query_pos(spec, ts.offset), "term '" + ts.text + "'"}));
      }
      const auto field_base = static_cast<std::uint32_t>(rs_->fields_.size());
      rs_->fields_.insert(rs_->fields_.end(), q.fields.begin(), q.fields.end());
      rule.root = add_node(q, q.root, term_map, field_base, 0, rule.positive);
      std::sort(rule.positive.begin(), rule.positive.end());
      rule.positive.erase(std::unique(rule.positive.begin(), rule.positive.end()), rule.positive.end());
    }
    for (std::size_t i = 0; i < spec.competitors.size(); ++i) {
      const std::string& c = spec.competitors[i];
      const SourcePos p = i < spec.competitor_pos.size() ? spec.competitor_pos[i] : spec.pos;
      if (c == spec.id) {
        diags_.warning(spec.file, p.line, p.column, "'" + spec.id + "' lists itself as a competitor");
      } else if (ids.find(c) == ids.end()) {
        std::string msg = "competitor '" + c + "' is not a known rule id";
        const std::string near = closest(c, std::vector<std::string>(ids.begin(), ids.end()));
        if (!near.empty()) msg += "; did you mean '" + near + "'?";
        diags_.warning(spec.file, p.line, p.column, msg);
      }
    }
    if (spec.competitors.empty() && spec.enabled) {
      diags_.warning(spec.file, spec.pos.line, spec.pos.column,
                     "'" + spec.id + "' lists no competitors, so share-of-voice comparisons will be empty");
    }
    for (const AspectSpec& as : spec.aspects) {
      RuleSet::Aspect a;
      a.name = intern_aspect_name(as.name);
      for (std::size_t k = 0; k < as.keywords.size(); ++k) {
        const SourcePos p = k < as.keyword_pos.size() ? as.keyword_pos[k] : as.pos;
        const auto t = intern_keyword(as.keywords[k], Origin{spec.file, p, "aspect '" + as.name + "' keyword"});
        if (t) a.terms.push_back(*t);
      }
      rule.aspects.push_back(static_cast<std::uint32_t>(rs_->aspects_.size()));
      rs_->aspects_.push_back(std::move(a));
    }
    const auto index = static_cast<std::uint32_t>(rs_->rules_.size());
    rs_->rule_index_.emplace(spec.id, index);
    rule.spec = std::move(spec);
    rs_->rules_.push_back(std::move(rule));
  }

  void build_indexes() {
    RuleSet& rs = *rs_;
    const std::size_t nt = rs.terms_.size();
    // literal -> terms (ascending term id), packed for the match callback.
    std::vector<std::vector<std::uint32_t>> lt(rs.literals_.size());
    for (std::uint32_t t = 0; t < nt; ++t) lt[rs.terms_[t].literal].push_back(t);
    auto flags = [&](std::uint32_t t) {
      const TermInfo& ti = rs.terms_[t];
      return static_cast<std::uint8_t>((ti.end_boundary ? RuleSet::kEndBoundary : 0) |
                                       (ti.prefix ? RuleSet::kPrefix : 0));
    };
    rs.lits_.resize(rs.literals_.size());
    for (std::size_t l = 0; l < rs.literals_.size(); ++l) {
      RuleSet::LitHot& h = rs.lits_[l];
      const std::size_t len = rs.literals_[l].size();
      h.len = len >= RuleSet::kLongLiteral ? RuleSet::kLongLiteral : static_cast<std::uint16_t>(len);
      h.start_boundary = starts_with_word(rs.literals_[l]) ? 1 : 0;
      // Every literal belongs to a term, and to at most two (with and without '*').
      h.term0 = lt[l].empty() ? 0 : lt[l][0];
      h.flags0 = lt[l].empty() ? 0 : flags(lt[l][0]);
      if (lt[l].size() > 1) h.flags0 |= RuleSet::kHasTerm1;
      rs.lit_term1_.push_back(lt[l].size() > 1 ? RuleSet::LitTerm{lt[l][1], flags(lt[l][1])}
                                               : RuleSet::LitTerm{RuleSet::kNoTerm, 0});
    }
    // term -> enabled rules that must be evaluated when it occurs. Only a rule's ANCHOR terms
    // are posted: a set of terms at least one of which occurs whenever the rule matches
    // (every query is anchored, see parse_query). For AND the cheapest anchored part is
    // chosen, so `a AND b` is evaluated only when the rarer-looking term (the longer literal)
    // occurs, and NOT terms never trigger an evaluation.
    std::vector<std::vector<std::uint32_t>> tr(nt);
    for (std::uint32_t r = 0; r < rs.rules_.size(); ++r) {
      if (!rs.rules_[r].spec.enabled) continue;
      std::vector<std::uint32_t> terms;
      if (!anchors(rs.rules_[r].root, terms)) {  // cannot happen for parsed queries; be safe
        collect_all_terms(rs.rules_[r].root, terms);
      }
      std::sort(terms.begin(), terms.end());
      terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
      for (std::uint32_t t : terms) tr[t].push_back(r);
    }
    std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> tg(nt);
    for (const auto& [t, gi] : group_terms_) tg[t].push_back(gi);
    rs.term_hot_.resize(nt);
    for (std::size_t t = 0; t < nt; ++t) {
      RuleSet::TermHot& h = rs.term_hot_[t];
      h.rules_begin = static_cast<std::uint32_t>(rs.postings_.size());
      for (std::uint32_t r : tr[t]) {
        const std::uint32_t root = rs.rules_[r].root;
        const RuleSet::Node& n = rs.nodes_[root];
        // Term indices stay below 2^31 and node indices below 2^30 (vectors of 16-byte
        // records): the flags above them cannot collide.
        std::uint32_t a = 0, b = 0;
        std::uint32_t pos = root;  // the rule without its excluded term, if it has one
        const std::uint32_t forbid = excluded_term(root, pos);
        const RuleSet::Node& pn = rs.nodes_[pos];
        if (n.kind == NodeKind::term || (pn.kind == NodeKind::term && pn.arg == t)) {
          rs.postings_.push_back({r, RuleSet::kTermRule | pn.arg, need_term(root, t), forbid});
        } else if (pair_terms(pos, a, b) && (t == a || t == b)) {
          const std::uint32_t pair = RuleSet::kPairRule | (t == a ? RuleSet::kAnchorFirst : 0u) |
                                      (pn.kind == NodeKind::any_of ? RuleSet::kPairOr : 0u);
          rs.postings_.push_back({r, pair, t == a ? b : a, forbid});
        } else {
          rs.postings_.push_back({r, root, need_term(root, t), forbid});
        }
      }
      h.rules_end = static_cast<std::uint32_t>(rs.postings_.size());
      h.groups_begin = static_cast<std::uint32_t>(rs.term_groups_.size());
      rs.term_groups_.insert(rs.term_groups_.end(), tg[t].begin(), tg[t].end());
      h.groups_end = static_cast<std::uint32_t>(rs.term_groups_.size());
    }
    for (RuleSet::LitHot& h : rs.lits_) {
      const RuleSet::TermHot& th = rs.term_hot_[h.term0];
      h.rules_begin = th.rules_begin;
      h.rules_end = th.rules_end;
      h.first = th.rules_end > th.rules_begin ? rs.postings_[th.rules_begin]
                                              : RuleSet::Posting{0, 0, RuleSet::kNoTerm, RuleSet::kNoTerm};
      if (th.groups_end > th.groups_begin) h.flags0 |= RuleSet::kGroups;
    }
    // Aspects reported per rule: its own sets, then default sets it does not override.
    for (const RuleSet::Rule& r : rs.rules_) {
      rs.rule_aspects_begin_.push_back(static_cast<std::uint32_t>(rs.rule_aspects_.size()));
      rs.rule_aspects_.insert(rs.rule_aspects_.end(), r.aspects.begin(), r.aspects.end());
      for (const std::uint32_t a : rs.default_aspects_) {
        const bool overridden = std::any_of(r.aspects.begin(), r.aspects.end(), [&](std::uint32_t own) {
          return rs.aspects_[own].name == rs.aspects_[a].name;
        });
        if (!overridden) rs.rule_aspects_.push_back(a);
      }
    }
    rs.rule_aspects_begin_.push_back(static_cast<std::uint32_t>(rs.rule_aspects_.size()));
  }

  // Terms that occur whenever `node` holds (sorted, unique): a term itself, every part of an
  // AND or NEAR, what all parts of an OR share; nothing for NOT and field filters.
  std::vector<std::uint32_t> required_terms(std::uint32_t node) const {
    const RuleSet& rs = *rs_;
    const RuleSet::Node& n = rs.nodes_[node];
    std::vector<std::uint32_t> out;
    switch (n.kind) {
      case NodeKind::term:
        out.push_back(n.arg);
        break;
      case NodeKind::all_of:
      case NodeKind::near:
        for (std::uint32_t c = node + 1; c < n.end; c = rs.nodes_[c].end) {
          const auto r = required_terms(c);
          out.insert(out.end(), r.begin(), r.end());
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        break;
      case NodeKind::any_of: {
        bool first = true;
        for (std::uint32_t c = node + 1; c < n.end; c = rs.nodes_[c].end) {
          const auto r = required_terms(c);
          if (first) {
            out = r;
            first = false;
          } else {
            std::vector<std::uint32_t> both;
            std::set_intersection(out.begin(), out.end(), r.begin(), r.end(), std::back_inserter(both));
            out = std::move(both);
          }
        }
        break;
      }
      case NodeKind::none_of:
      case NodeKind::field:
        break;
    }
    return out;
  }

  // For an AND of two parts one of which is NOT of a single term (`X NOT c`): sets `rest` to
  // the other part and returns c; else kNoTerm.
  std::uint32_t excluded_term(std::uint32_t node, std::uint32_t& rest) const {
    const RuleSet& rs = *rs_;
    const RuleSet::Node& n = rs.nodes_[node];
    if (n.kind != NodeKind::all_of) return RuleSet::kNoTerm;
    const std::uint32_t first = node + 1;
    if (first >= n.end) return RuleSet::kNoTerm;
    const std::uint32_t second = rs.nodes_[first].end;
    if (second >= n.end || rs.nodes_[second].end != n.end) return RuleSet::kNoTerm;
    auto not_term = [&](std::uint32_t c) {
      return rs.nodes_[c].kind == NodeKind::none_of && rs.nodes_[c].end == c + 2 &&
             rs.nodes_[c + 1].kind == NodeKind::term;
    };
    if (not_term(second)) {
      rest = first;
      return rs.nodes_[second + 1].arg;
    }
    if (not_term(first)) {
      rest = second;
      return rs.nodes_[first + 1].arg;
    }
    return RuleSet::kNoTerm;
  }

  // Whether `node` is an AND or OR of exactly two different terms (a, b in query order).
  bool pair_terms(std::uint32_t node, std::uint32_t& a, std::uint32_t& b) const {
    const RuleSet& rs = *rs_;
    const RuleSet::Node& n = rs.nodes_[node];
    if (n.kind != NodeKind::all_of && n.kind != NodeKind::any_of) return false;
    const std::uint32_t first = node + 1;
    if (first >= n.end) return false;
    const std::uint32_t second = rs.nodes_[first].end;
    if (second >= n.end || rs.nodes_[second].end != n.end) return false;
    if (rs.nodes_[first].kind != NodeKind::term || rs.nodes_[second].kind != NodeKind::term) return false;
    a = rs.nodes_[first].arg;
    b = rs.nodes_[second].arg;
    return a != b;
  }

  // A term other than `anchor` that must occur for the rule at `root` to match (the longest
  // literal: the least likely to occur), or kNoTerm.
  std::uint32_t need_term(std::uint32_t root, std::uint32_t anchor) const {
    const RuleSet& rs = *rs_;
    std::uint32_t best = RuleSet::kNoTerm;
    std::size_t best_len = 0;
    for (const std::uint32_t t : required_terms(root)) {
      if (t == anchor) continue;
      const std::size_t len = rs.literals_[rs.terms_[t].literal].size();
      if (best == RuleSet::kNoTerm || len > best_len) {
        best = t;
        best_len = len;
      }
    }
    return best;
  }

  // Appends an anchor set of `node` to `out`; false when the node is not anchored.
  bool anchors(std::uint32_t node, std::vector<std::uint32_t>& out) const {
    const RuleSet& rs = *rs_;
    const RuleSet::Node& n = rs.nodes_[node];
    switch (n.kind) {
      case NodeKind::term:
        out.push_back(n.arg);
        return true;
      case NodeKind::any_of:
        for (std::uint32_t c = node + 1; c < n.end; c = rs.nodes_[c].end) {
          if (!anchors(c, out)) return false;
        }
        return true;
      case NodeKind::all_of:
      case NodeKind::near: {
        std::vector<std::uint32_t> best;
        double best_cost = 0;
        bool found = false;
        for (std::uint32_t c = node + 1; c < n.end; c = rs.nodes_[c].end) {
          std::vector<std::uint32_t> a;
          if (!anchors(c, a)) continue;
          double cost = 0;  // shorter literals occur more often
          for (std::uint32_t t : a) cost += 1.0 / static_cast<double>(rs.literals_[rs.terms_[t].literal].size());
          if (!found || cost < best_cost) {
            best = std::move(a);
            best_cost = cost;
            found = true;
          }
        }
        out.insert(out.end(), best.begin(), best.end());
        return found;
      }
      case NodeKind::none_of:
      case NodeKind::field:
        return false;
    }
    return false;
  }

  void collect_all_terms(std::uint32_t node, std::vector<std::uint32_t>& out) const {
    const RuleSet::Node& n = rs_->nodes_[node];
    if (n.kind == NodeKind::term) out.push_back(n.arg);
    for (std::uint32_t c = node + 1; c < n.end; c = rs_->nodes_[c].end) collect_all_terms(c, out);
  }

  bool compile_db() {
    RuleSet& rs = *rs_;
    if (rs.literals_.empty()) return true;
    std::vector<std::uint32_t> all;
    for (std::uint32_t l = 0; l < rs.literals_.size(); ++l) all.push_back(l);
    return compile_literals(all, &rs.db_);
  }

  // One Hyperscan literal database of the given literals; ids are literal indices.
  bool compile_literals(const std::vector<std::uint32_t>& lits, hs_database** out) {
    const RuleSet& rs = *rs_;
    std::vector<const char*> exprs;
    std::vector<std::size_t> lens;
    std::vector<unsigned> flags(lits.size(), 0);
    std::vector<unsigned> idv;
    for (const std::uint32_t l : lits) {
      exprs.push_back(rs.literals_[l].data());
      lens.push_back(rs.literals_[l].size());
      idv.push_back(l);
    }
    hs_compile_error_t* err = nullptr;
    const hs_error_t rc = hs_compile_lit_multi(exprs.data(), flags.data(), idv.data(), lens.data(),
                                               static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, out,
                                               &err);
    if (rc != HS_SUCCESS) {
      std::string msg = err != nullptr && err->message != nullptr ? err->message : "unknown error";
      if (err != nullptr && err->expression >= 0 && static_cast<std::size_t>(err->expression) < lits.size()) {
        const Origin& o = literal_origin_[lits[static_cast<std::size_t>(err->expression)]];
        diags_.error(o.file, o.pos.line, o.pos.column,
                     "the matcher cannot compile " + o.what + ": " + msg);
      } else {
        diags_.error("", 0, 0, "the matcher cannot compile the rules: " + msg);
      }
      if (err != nullptr) hs_free_compile_error(err);
      return false;
    }
    return true;
  }

  const RuleSetOptions& options_;
  const normalize::FoldTable& fold_;
  Diagnostics& diags_;
  std::unique_ptr<RuleSet> rs_;
  std::unordered_map<std::string, std::uint32_t> literal_ids_;
  std::unordered_map<std::string, std::uint32_t> term_ids_;
  std::vector<Origin> literal_origin_;
  std::vector<std::pair<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>>> group_terms_;
};

Result<RuleSetPtr, Diagnostics> compile_rule_set(std::vector<RuleSpec> rules, const RuleSetOptions& options) {
  Diagnostics diags;
  RuleSetBuilder b(options, diags);
  return b.build(std::move(rules));
}

Result<RuleSetPtr, Diagnostics> load_rule_set(const std::filesystem::path& dir, const RuleSetOptions& options) {
  Diagnostics diags;
  RuleSetOptions opts = options;
  std::vector<RuleSpec> specs;
  try {
    specs = read_rule_files(dir, diags, &opts.default_aspects);
  } catch (const std::exception& e) {
    diags.error(dir.string(), 0, 0, std::string("cannot read the rules: ") + e.what());
  }
  RuleSetBuilder b(opts, diags);  // file-level problems are reported together with query ones
  return b.build(std::move(specs));
}

}  // namespace yuqing::match
