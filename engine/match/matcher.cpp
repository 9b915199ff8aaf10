#include "engine/match/matcher.h"

#include <hs/hs.h>

#include <algorithm>
#include <climits>

namespace yuqing::match {
namespace {

constexpr std::uint32_t kNonToken = 0x80000000u;
constexpr std::uint32_t kTokenMask = 0x7fffffffu;
constexpr std::uint32_t kMaxHitsPerTermReported = 16;

}  // namespace

Matcher::Matcher() : norm_(normalize::FoldTable::shared()) {}
Matcher::Matcher(const normalize::FoldTable& fold) : norm_(fold) {}

Matcher::~Matcher() {
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
}

void Matcher::prepare(const RuleSet& rs) {
  if (rs.db_ != nullptr) {
    // Grows the existing scratch if this database needs more; never shrinks.
    if (hs_alloc_scratch(rs.db_, &scratch_) != HS_SUCCESS) ++scan_errors_;
  }
  const std::size_t nt = rs.terms_.size();
  term_gen_.assign(nt, 0);
  term_head_.assign(nt, kNone);
  term_tail_.assign(nt, kNone);
  rule_gen_.assign(rs.rules_.size(), 0);
  collect_gen_.assign(nt, 0);
  counters_.assign(rs.rules_.size(), 0);
  candidates_.reserve(rs.rules_.size());
  seen_terms_.reserve(std::min<std::size_t>(nt, 4096));
  gen_ = 0;
  tokens_gen_ = 0;
  instance_ = rs.instance_id_;
}

void Matcher::next_generation() {
  if (gen_ == UINT32_MAX - 1) {
    std::fill(term_gen_.begin(), term_gen_.end(), 0);
    std::fill(rule_gen_.begin(), rule_gen_.end(), 0);
    std::fill(collect_gen_.begin(), collect_gen_.end(), 0);
    tokens_gen_ = 0;
    gen_ = 0;
  }
  ++gen_;
}

int Matcher::on_match(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/,
                      void* ctx) {
  auto* self = static_cast<Matcher*>(ctx);
  const RuleSet& rs = *self->rs_;
  const auto end = static_cast<std::uint32_t>(to);
  const std::uint32_t begin = end - rs.literal_len_[id];
  const std::string_view text = self->norm_.text();
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  // Word-boundary facts, computed lazily once for all terms of this literal.
  int before_word = -1;
  int after_word = -1;
  for (std::uint32_t k = rs.literal_terms_begin_[id]; k < rs.literal_terms_begin_[id + 1]; ++k) {
    const std::uint32_t t = rs.literal_terms_[k];
    const TermInfo& ti = rs.terms_[t];
    if (ti.start_boundary) {
      if (before_word < 0) before_word = begin > 0 && normalize::is_word_cp(normalize::decode_utf8_before(s, begin));
      if (before_word != 0) continue;
    }
    if (ti.end_boundary) {
      if (after_word < 0) {
        std::size_t len = 0;
        after_word = end < text.size() && normalize::is_word_cp(normalize::decode_utf8(s, text.size(), end, len));
      }
      if (after_word != 0) continue;
    }
    const auto h = static_cast<std::uint32_t>(self->hits_.size());
    self->hits_.push_back({t, begin, end, kNone});
    if (self->term_gen_[t] != self->gen_) {
      self->term_gen_[t] = self->gen_;
      self->term_head_[t] = h;
      self->seen_terms_.push_back(t);
    } else {
      self->hits_[self->term_tail_[t]].next = h;
    }
    self->term_tail_[t] = h;
  }
  return 0;
}

const MatchResult& Matcher::match(const Mention& m, const RuleSet& rs) {
  if (rs.instance_id_ != instance_) prepare(rs);
  result_.clear();
  hits_.clear();
  seen_terms_.clear();
  candidates_.clear();
  next_generation();
  ++mentions_;
  rs_ = &rs;
  mention_ = &m;

  norm_.clear();
  has_title_ = !m.title.empty();
  if (has_title_) {
    norm_.append(m.title);
    norm_.append_separator();
  }
  text_start_ = static_cast<std::uint32_t>(norm_.append(m.text));
  const std::string_view text = norm_.text();
  if (rs.db_ == nullptr || text.empty()) return result_;

  if (hs_scan(rs.db_, text.data(), static_cast<unsigned int>(text.size()), 0, scratch_, &Matcher::on_match, this) !=
      HS_SUCCESS) {
    ++scan_errors_;
    return result_;
  }

  // Candidate rules: those using a term that was seen. Extra groups are reported directly.
  for (const std::uint32_t t : seen_terms_) {
    for (std::uint32_t k = rs.term_rules_begin_[t]; k < rs.term_rules_begin_[t + 1]; ++k) {
      const std::uint32_t r = rs.term_rules_[k];
      if (rule_gen_[r] != gen_) {
        rule_gen_[r] = gen_;
        candidates_.push_back(r);
      }
    }
    for (std::uint32_t k = rs.term_groups_begin_[t]; k < rs.term_groups_begin_[t + 1]; ++k) {
      const auto [g, i] = rs.term_groups_[k];
      for (std::uint32_t h = term_head_[t]; h != kNone; h = hits_[h].next) {
        result_.groups.push_back({g, i, to_original(hits_[h])});
      }
    }
  }
  if (candidates_.size() > 1) std::sort(candidates_.begin(), candidates_.end());

  for (const std::uint32_t r : candidates_) {
    // A candidate whose rule is one term or an OR of terms is posted only under those terms,
    // so it matches without evaluation.
    if (rs.always_[r] == 0 && !eval(rs, rs.roots_[r])) continue;
    const RuleSet::Rule& rule = rs.rules_[r];
    ++counters_[r];
    BrandMatch b;
    b.rule = r;
    // The terms that made the match: positive terms in satisfied clauses.
    collected_.clear();
    collect(rs, rule.root);
    b.hits_begin = static_cast<std::uint32_t>(result_.hits.size());
    for (const std::uint32_t t : collected_) {
      std::uint32_t n = 0;
      for (std::uint32_t h = term_head_[t]; h != kNone && n < kMaxHitsPerTermReported; h = hits_[h].next, ++n) {
        result_.hits.push_back(to_original(hits_[h]));
      }
    }
    b.hits_count = static_cast<std::uint32_t>(result_.hits.size()) - b.hits_begin;
    // Aspects: the brand's own sets, then default sets it does not override.
    b.aspects_begin = static_cast<std::uint32_t>(result_.aspects.size());
    auto add_aspect = [&](const RuleSet::Aspect& a) {
      for (const std::uint32_t t : a.terms) {
        if (seen(t)) {
          result_.aspects.push_back({a.name, to_original(hits_[term_head_[t]])});
          return;
        }
      }
    };
    for (const std::uint32_t a : rule.aspects) add_aspect(rs.aspects_[a]);
    for (const std::uint32_t a : rs.default_aspects_) {
      const RuleSet::Aspect& da = rs.aspects_[a];
      const bool overridden = std::any_of(rule.aspects.begin(), rule.aspects.end(),
                                          [&](std::uint32_t own) { return rs.aspects_[own].name == da.name; });
      if (!overridden) add_aspect(da);
    }
    b.aspects_count = static_cast<std::uint32_t>(result_.aspects.size()) - b.aspects_begin;
    result_.brands.push_back(b);
  }
  return result_;
}

TermHit Matcher::to_original(const Hit& hit) const {
  Hit h = hit;
  if (rs_->terms_[h.term].prefix) {  // report the whole word a wildcard matched
    const std::string_view text = norm_.text();
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    while (h.end < text.size()) {
      std::size_t len = 0;
      if (!normalize::is_word_cp(normalize::decode_utf8(s, text.size(), h.end, len))) break;
      h.end += static_cast<std::uint32_t>(len);
    }
  }
  TermHit out;
  out.term = h.term;
  if (has_title_ && h.begin < text_start_) {
    out.field = TextField::title;
    const auto span = norm_.source_span(h.begin, h.end, mention_->title);
    out.begin = span.begin;
    out.end = span.end;
  } else {
    out.field = TextField::text;
    const auto span = norm_.source_span(h.begin, h.end, mention_->text);
    out.begin = span.begin;
    out.end = span.end;
  }
  return out;
}

bool Matcher::eval(const RuleSet& rs, std::uint32_t node) const {
  const RuleSet::Node& n = rs.nodes_[node];
  const std::uint32_t* kids = rs.children_.data() + n.child_begin;
  switch (n.kind) {
    case NodeKind::term:
      return seen(n.arg);
    case NodeKind::all_of:
      for (std::uint32_t i = 0; i < n.child_count; ++i) {
        if (!eval(rs, kids[i])) return false;
      }
      return true;
    case NodeKind::any_of:
      for (std::uint32_t i = 0; i < n.child_count; ++i) {
        if (eval(rs, kids[i])) return true;
      }
      return false;
    case NodeKind::none_of:
      return !eval(rs, kids[0]);
    case NodeKind::field:
      return field_matches(rs.fields_[n.arg], *mention_);
    case NodeKind::near:
      return eval_near(rs, n, nullptr);
  }
  return false;
}

void Matcher::ensure_tokens() const {
  if (tokens_gen_ == gen_) return;
  tokens_gen_ = gen_;
  const std::string_view text = norm_.text();
  if (tokens_.size() < text.size() + 1) tokens_.resize(text.size() + text.size() / 2 + 64);
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::uint32_t count = 0;
  bool in_word = false;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t len = 0;
    const char32_t cp = s[i] < 0x80 ? s[i] : normalize::decode_utf8(s, text.size(), i, len);
    if (s[i] < 0x80) len = 1;
    std::uint32_t v;
    if (normalize::is_cjk_token_cp(cp)) {
      v = count++;
      in_word = false;
    } else if (normalize::is_word_cp(cp)) {
      if (!in_word) {
        ++count;
        in_word = true;
      }
      v = count - 1;
    } else {
      in_word = false;
      v = count | kNonToken;
    }
    for (std::size_t j = 0; j < len; ++j) tokens_[i + j] = v;
    i += len;
  }
}

bool Matcher::eval_near(const RuleSet& rs, const RuleSet::Node& n, int* best_gap) const {
  const std::uint32_t* kids = rs.children_.data() + n.child_begin;
  auto side_terms = [&](std::uint32_t node, std::uint32_t* out, std::uint32_t& count, std::uint32_t cap) {
    const RuleSet::Node& s = rs.nodes_[node];
    count = 0;
    if (s.kind == NodeKind::term) {
      if (seen(s.arg)) out[count++] = s.arg;
      return;
    }
    for (std::uint32_t i = 0; i < s.child_count; ++i) {
      const std::uint32_t t = rs.nodes_[rs.children_[s.child_begin + i]].arg;
      if (seen(t) && count < cap) out[count++] = t;
    }
  };
  constexpr std::uint32_t kCap = 64;
  std::uint32_t left[kCap], right[kCap];
  std::uint32_t nl = 0, nr = 0;
  side_terms(kids[0], left, nl, kCap);
  side_terms(kids[1], right, nr, kCap);
  if (nl == 0 || nr == 0) return false;
  ensure_tokens();
  auto start_tok = [&](std::uint32_t b) { return tokens_[b] & kTokenMask; };
  auto end_tok = [&](std::uint32_t e) {
    const std::uint32_t v = tokens_[e - 1];
    return (v & kNonToken) ? (v & kTokenMask) - 1 : v;
  };
  const auto limit = static_cast<std::int64_t>(n.arg);
  std::int64_t best = INT_MAX;
  for (std::uint32_t a = 0; a < nl; ++a) {
    for (std::uint32_t ha = term_head_[left[a]]; ha != kNone; ha = hits_[ha].next) {
      const Hit& x = hits_[ha];
      const std::int64_t as = start_tok(x.begin), ae = end_tok(x.end);
      for (std::uint32_t b = 0; b < nr; ++b) {
        for (std::uint32_t hb = term_head_[right[b]]; hb != kNone; hb = hits_[hb].next) {
          const Hit& y = hits_[hb];
          if (x.begin == y.begin && x.end == y.end) continue;  // the same occurrence
          const std::int64_t bs = start_tok(y.begin), be = end_tok(y.end);
          std::int64_t gap;
          if (ae < bs) {
            gap = bs - ae - 1;
          } else if (n.ordered) {
            continue;
          } else if (be < as) {
            gap = as - be - 1;
          } else {
            gap = 0;
          }
          if (gap < best) best = gap;
          if (gap <= limit && best_gap == nullptr) return true;
        }
      }
    }
  }
  if (best_gap != nullptr) *best_gap = best == INT_MAX ? -1 : static_cast<int>(best);
  return best <= limit;
}

void Matcher::collect(const RuleSet& rs, std::uint32_t node) {
  const RuleSet::Node& n = rs.nodes_[node];
  const std::uint32_t* kids = rs.children_.data() + n.child_begin;
  switch (n.kind) {
    case NodeKind::term:
      if (seen(n.arg) && collect_gen_[n.arg] != gen_) {
        collect_gen_[n.arg] = gen_;
        collected_.push_back(n.arg);
      }
      return;
    case NodeKind::all_of:
    case NodeKind::near:
      for (std::uint32_t i = 0; i < n.child_count; ++i) collect(rs, kids[i]);
      return;
    case NodeKind::any_of:
      for (std::uint32_t i = 0; i < n.child_count; ++i) {
        if (eval(rs, kids[i])) collect(rs, kids[i]);
      }
      return;
    case NodeKind::none_of:
    case NodeKind::field:
      return;
  }
}

// ---- explain (allocates; for `rules test --explain`) --------------------------------------

void Matcher::explain_node(const RuleSet& rs, std::uint32_t node, int depth, std::string& out) const {
  const RuleSet::Node& n = rs.nodes_[node];
  const std::uint32_t* kids = rs.children_.data() + n.child_begin;
  const bool ok = eval(rs, node);
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
  out += ok ? "[pass] " : "[fail] ";
  switch (n.kind) {
    case NodeKind::term: {
      const TermInfo& ti = rs.terms_[n.arg];
      out += "'" + ti.text + "'";
      if (ok) {
        const TermHit h = to_original(hits_[term_head_[n.arg]]);
        const std::string_view src = h.field == TextField::title ? mention_->title : mention_->text;
        out += " found in the " + std::string(h.field == TextField::title ? "title" : "text") + " as '" +
               std::string(src.substr(h.begin, h.end - h.begin)) + "' at bytes " + std::to_string(h.begin) + "-" +
               std::to_string(h.end);
      } else {
        out += " not found";
        const std::string& lit = rs.literals_[ti.literal];
        const bool latin = std::any_of(lit.begin(), lit.end(), [](char c) { return c >= 'a' && c <= 'z'; });
        if (latin && (ti.start_boundary || ti.end_boundary)) out += " as a whole word";
      }
      out += '\n';
      return;
    }
    case NodeKind::all_of:
      out += ok ? "AND: every part holds\n" : "AND: some part does not hold\n";
      break;
    case NodeKind::any_of:
      out += ok ? "OR: at least one part holds\n" : "OR: no part holds\n";
      break;
    case NodeKind::none_of:
      out += ok ? "NOT: the excluded part is absent\n" : "NOT: the excluded part is present\n";
      break;
    case NodeKind::field: {
      const FieldFilter& f = rs.fields_[n.arg];
      out += f.text + " (mention has ";
      switch (f.kind) {
        case FieldKind::platform: out += "platform " + std::string(platform_name(mention_->platform)); break;
        case FieldKind::lang: out += "lang '" + std::string(mention_->lang) + "'"; break;
        case FieldKind::author: out += "author '" + std::string(mention_->author.name) + "'"; break;
        case FieldKind::site: out += "url '" + std::string(mention_->url) + "'"; break;
        case FieldKind::verified: out += mention_->author.verified ? "a verified author" : "an unverified author"; break;
        case FieldKind::followers: out += std::to_string(mention_->author.followers) + " followers"; break;
        case FieldKind::region: out += "region '" + std::string(mention_->region) + "'"; break;
      }
      out += ")\n";
      return;
    }
    case NodeKind::near: {
      int gap = -1;
      eval_near(rs, n, &gap);
      out += std::string(n.ordered ? "ONEAR/" : "NEAR/") + std::to_string(n.arg) + ": ";
      if (gap < 0) {
        out += n.ordered ? "the two sides do not both occur in this order" : "the two sides do not both occur";
      } else {
        out += "closest occurrences have " + std::to_string(gap) + " word(s) between them";
      }
      out += '\n';
      break;
    }
  }
  for (std::uint32_t i = 0; i < n.child_count; ++i) explain_node(rs, kids[i], depth + 1, out);
}

std::string Matcher::explain(const Mention& m, const RuleSet& rs, std::uint32_t rule) const {
  if (rs.instance_id_ != instance_ || mention_ != &m || rule >= rs.rules_.size()) {
    return "explain() must follow match() of the same mention and rule set\n";
  }
  const RuleSet::Rule& r = rs.rules_[rule];
  std::string out = "rule '" + r.spec.id + "'";
  if (!r.spec.enabled) out += " (disabled)";
  const bool ok = r.spec.enabled && rule_gen_[rule] == gen_ && eval(rs, r.root);
  out += ok ? ": MATCH\n" : ": no match\n";
  if (rule_gen_[rule] != gen_) {
    out += "  none of its words occur in the mention\n";
  }
  explain_node(rs, r.root, 1, out);
  return out;
}

}  // namespace yuqing::match
