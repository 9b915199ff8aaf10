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
  seen_.assign((nt + 63) / 64, 0);
  slots_.assign(nt, TermSlot{kNone, kNone, 0});
  counters_.assign(rs.rules_.size(), 0);
  candidates_.reserve(std::min<std::size_t>(rs.postings_.size(), 1u << 16));
  raw_.reserve(256);
  hits_.reserve(256);
  hit_rules_.reserve(256);
  seen_rules_.reserve(256);
  seen_terms_.clear();
  seen_terms_.reserve(std::min<std::size_t>(nt, 4096));
  collect_stamp_ = 0;
  gen_ = 0;
  tokens_gen_ = 0;
  instance_ = rs.instance_id_;
}

void Matcher::next_generation() {
  if (gen_ == UINT32_MAX - 1) {
    tokens_gen_ = 0;
    gen_ = 0;
  }
  ++gen_;
}

// During the scan the callback only records (literal, end): reading the rule set there
// would serialize one cache miss per hit with the scan. The hits are resolved afterwards
// in stages, each of which first prefetches what it reads, so that the misses of a stage
// overlap (at 10,000 rules the rule set does not stay in cache between mentions when
// something else runs on the core).
int Matcher::on_match(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/,
                      void* ctx) {
  auto* self = static_cast<Matcher*>(ctx);
  // Only prefetches this hit's literal record, and reads nothing: reading the previous
  // hit's record here (to prefetch what it leads to) stalled the scan whenever that record
  // had not arrived yet; resolve_hits() does it for all hits at once instead.
  __builtin_prefetch(self->lits_base_ + id);
  self->raw_.push_back({id, static_cast<std::uint32_t>(to)});
  return 0;
}

// What resolve_hits() and the candidate loop read for a hit of literal `lit`: the slot of its
// (first) term, and the postings, or, for a term posted under one rule, that rule's nodes and
// counter.
inline void Matcher::prefetch_next(std::uint32_t lit) const {
  const RuleSet::LitHot& h = lits_base_[lit];
  __builtin_prefetch(slots_.data() + h.term0, 1);
  const std::uint32_t n = h.rules_end - h.rules_begin;
  if (n == 1) {
    if (RuleSet::root_is_node(h.first.root)) __builtin_prefetch(rs_->nodes_.data() + h.first.root);
    __builtin_prefetch(counters_.data() + h.first.rule, 1);
  } else if (n > 1) {
    __builtin_prefetch(rs_->postings_.data() + h.rules_begin);
  }
}

namespace {

// Whether the code point ending just before `begin` / starting at `end` is a word character.
inline bool word_before(const unsigned char* s, std::uint32_t begin) {
  if (begin == 0) return false;
  const unsigned char c = s[begin - 1];
  return c < 0x80 ? normalize::is_word_cp(c) : normalize::is_word_cp(normalize::decode_utf8_before(s, begin));
}

inline bool word_after(const unsigned char* s, std::size_t n, std::uint32_t end) {
  if (end >= n) return false;
  if (s[end] < 0x80) return normalize::is_word_cp(s[end]);
  std::size_t len = 0;
  return normalize::is_word_cp(normalize::decode_utf8(s, n, end, len));
}

}  // namespace

// Raw literal hits -> term hits (word boundaries checked), in hit order, then the per-term
// hit lists and the seen bits.
void Matcher::resolve_hits(const RuleSet& rs) {
  const std::string_view text = norm_.text();
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  // Independent reads, so their misses overlap: what each hit leads to is asked for before
  // the first is resolved.
  for (const RawHit& r : raw_) prefetch_next(r.lit);
  for (const RawHit& r : raw_) {
    const RuleSet::LitHot& lit = rs.lits_[r.lit];
    const std::uint32_t end = r.end;
    const std::uint32_t len = lit.len != RuleSet::kLongLiteral ? lit.len
                                                                : static_cast<std::uint32_t>(rs.literals_[r.lit].size());
    const std::uint32_t begin = end - len;
    // The start boundary is the same for every term of the literal; the end one is computed
    // at most once.
    if (lit.start_boundary != 0 && word_before(s, begin)) continue;
    int after_word = -1;
    auto end_ok = [&]() {
      if (after_word < 0) after_word = word_after(s, text.size(), end) ? 1 : 0;
      return after_word == 0;
    };
    if ((lit.flags0 & RuleSet::kEndBoundary) == 0 || end_ok()) {
      // Asked for again: the scan's own tables (1.5 MB at 10,000 rules) may have pushed the
      // lines asked for during the scan out of L2 again.
      if (lit.rules_end - lit.rules_begin == 1) {
        if (RuleSet::root_is_node(lit.first.root)) __builtin_prefetch(rs.nodes_.data() + lit.first.root);
      } else if (lit.rules_end > lit.rules_begin) {
        __builtin_prefetch(rs.postings_.data() + lit.rules_begin);
      }
      hits_.push_back({lit.term0, begin, end, kNone, (lit.flags0 & RuleSet::kPrefix) != 0});
      hit_rules_.push_back(
          {lit.rules_begin, lit.rules_end, lit.first, (lit.flags0 & RuleSet::kGroups) != 0 ? 1u : 0u});
    }
    if ((lit.flags0 & RuleSet::kHasTerm1) == 0) continue;
    // The rare second term (the literal is also written with '*'): its postings are looked up.
    const RuleSet::LitTerm& t1 = rs.lit_term1_[r.lit];
    if ((t1.flags & RuleSet::kEndBoundary) == 0 || end_ok()) {
      const RuleSet::TermHot& th = rs.term_hot_[t1.term];
      const RuleSet::Posting first =
          th.rules_end > th.rules_begin ? rs.postings_[th.rules_begin]
                                        : RuleSet::Posting{0, 0, RuleSet::kNoTerm, RuleSet::kNoTerm};
      hits_.push_back({t1.term, begin, end, kNone, (t1.flags & RuleSet::kPrefix) != 0});
      hit_rules_.push_back({th.rules_begin, th.rules_end, first, th.groups_end > th.groups_begin ? 1u : 0u});
    }
  }
  for (std::uint32_t h = 0; h < hits_.size(); ++h) {
    const std::uint32_t t = hits_[h].term;
    std::uint64_t& word = seen_[t >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (t & 63);
    TermSlot& slot = slots_[t];
    if ((word & bit) == 0) {
      word |= bit;
      slot.head = h;
      seen_terms_.push_back(t);
      seen_rules_.push_back(hit_rules_[h]);
    } else {
      hits_[slot.tail].next = h;
    }
    slot.tail = h;
  }
}

const MatchResult& Matcher::match(const Mention& m, const RuleSet& rs) {
  if (rs.instance_id_ != instance_) prepare(rs);
  result_.clear();
  hits_.clear();
  hit_rules_.clear();
  seen_rules_.clear();
  raw_.clear();
  for (const std::uint32_t t : seen_terms_) seen_[t >> 6] = 0;  // the previous mention's bits
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
  lits_base_ = rs.lits_.data();

  if (hs_scan(rs.db_, text.data(), static_cast<unsigned int>(text.size()), 0, scratch_, &Matcher::on_match, this) !=
      HS_SUCCESS) {
    ++scan_errors_;
    return result_;
  }
  resolve_hits(rs);

  // Candidate rules: those posted under a term that was seen (keyed rule << 32 | root, so
  // that sorting orders them by rule). Extra groups are reported directly. As above, each step
  // first prefetches what it reads.
  for (std::size_t st = 0; st < seen_terms_.size(); ++st) {
    const std::uint32_t t = seen_terms_[st];
    const TermRules& tr = seen_rules_[st];
    // A posting whose `need` term was not seen, or whose `forbid` term was, cannot match:
    // dropped before its nodes are read.
    if (tr.rules_end - tr.rules_begin == 1) {
      if ((!RuleSet::needs_need(tr.first) || seen(tr.first.need)) &&
          (tr.first.forbid == RuleSet::kNoTerm || !seen(tr.first.forbid))) {
        candidates_.push_back({std::uint64_t{tr.first.rule} << 32 | tr.first.root, t, tr.first.need});
      }
    } else {
      for (std::uint32_t k = tr.rules_begin; k < tr.rules_end; ++k) {
        const RuleSet::Posting& p = rs.postings_[k];
        if (RuleSet::needs_need(p) && !seen(p.need)) continue;
        if (p.forbid != RuleSet::kNoTerm && seen(p.forbid)) continue;
        candidates_.push_back({std::uint64_t{p.rule} << 32 | p.root, t, p.need});
        // Not asked for during the scan.
        if (RuleSet::root_is_node(p.root)) __builtin_prefetch(rs.nodes_.data() + p.root);
        __builtin_prefetch(counters_.data() + p.rule, 1);
      }
    }
    if (tr.groups == 0) continue;
    const RuleSet::TermHot& th = rs.term_hot_[t];
    for (std::uint32_t k = th.groups_begin; k < th.groups_end; ++k) {
      const auto [g, i] = rs.term_groups_[k];
      for (std::uint32_t h = slots_[t].head; h != kNone; h = hits_[h].next) {
        result_.groups.push_back({g, i, to_original(hits_[h])});
      }
    }
  }
  if (candidates_.size() > 1) {
    // One candidate per rule (an OR pair's postings under each of its terms differ in
    // kAnchorFirst; any of them will do).
    std::sort(candidates_.begin(), candidates_.end(),
              [](const Candidate& x, const Candidate& y) { return x.key < y.key; });
    candidates_.erase(std::unique(candidates_.begin(), candidates_.end(),
                                  [](const Candidate& x, const Candidate& y) { return x.key >> 32 == y.key >> 32; }),
                      candidates_.end());
  }
  for (const Candidate& c : candidates_) {
    const auto r = static_cast<std::uint32_t>(c.key >> 32);
    const auto root = static_cast<std::uint32_t>(c.key);
    // A rule that is one term or an OR of terms is posted only under those terms, so it
    // matches without evaluation; a one-term rule's posting names the term instead of the
    // root node, a pair's posting names both terms (nothing to read).
    const bool term_rule = (root & RuleSet::kTermRule) != 0;
    const bool pair_rule = !term_rule && (root & RuleSet::kPairRule) != 0;
    if (!term_rule && !pair_rule) {
      const RuleSet::Node& n = rs.nodes_[root];
      const bool always = n.kind == NodeKind::term || (n.kind == NodeKind::any_of && n.terms_only);
      if (!always && !eval(rs, root)) continue;
    }
    ++counters_[r];
    BrandMatch b;
    b.rule = r;
    // The terms that made the match: positive terms in satisfied clauses, each once.
    collected_.clear();
    if (++collect_stamp_ == 0) {  // wrapped: forget old stamps
      for (TermSlot& slot : slots_) slot.collected = 0;
      collect_stamp_ = 1;
    }
    if (term_rule) {
      collect_term(root & ~RuleSet::kTermRule);
    } else if (pair_rule) {  // in query order; collect_term() skips a term not seen
      const bool anchor_first = (root & RuleSet::kAnchorFirst) != 0;
      collect_term(anchor_first ? c.anchor : c.other);
      collect_term(anchor_first ? c.other : c.anchor);
    } else {
      collect(rs, root);
    }
    b.hits_begin = static_cast<std::uint32_t>(result_.hits.size());
    for (const std::uint32_t t : collected_) {
      std::uint32_t k = 0;
      for (std::uint32_t h = slots_[t].head; h != kNone && k < kMaxHitsPerTermReported; h = hits_[h].next, ++k) {
        result_.hits.push_back(to_original(hits_[h]));
      }
    }
    b.hits_count = static_cast<std::uint32_t>(result_.hits.size()) - b.hits_begin;
    // Aspects: the brand's own sets, then default sets it does not override (precomputed).
    b.aspects_begin = static_cast<std::uint32_t>(result_.aspects.size());
    if (!rs.rule_aspects_.empty()) {
      for (std::uint32_t k = rs.rule_aspects_begin_[r]; k < rs.rule_aspects_begin_[r + 1]; ++k) {
        const RuleSet::Aspect& a = rs.aspects_[rs.rule_aspects_[k]];
        for (const std::uint32_t t : a.terms) {
          if (seen(t)) {
            result_.aspects.push_back({a.name, to_original(hits_[slots_[t].head])});
            break;
          }
        }
      }
    }
    b.aspects_count = static_cast<std::uint32_t>(result_.aspects.size()) - b.aspects_begin;
    result_.brands.push_back(b);
  }
  return result_;
}

// Whether the rule is posted under a term of the last mention (one of its anchors occurs).
// Not candidates_: candidates whose `need` term is absent were dropped from it.
bool Matcher::was_candidate(std::uint32_t rule) const {
  for (const std::uint32_t t : seen_terms_) {
    const RuleSet::TermHot& th = rs_->term_hot_[t];
    for (std::uint32_t k = th.rules_begin; k < th.rules_end; ++k) {
      if (rs_->postings_[k].rule == rule) return true;
    }
  }
  return false;
}

TermHit Matcher::to_original(const Hit& hit) const {
  std::uint32_t end = hit.end;
  if (hit.prefix) {  // report the whole word a wildcard matched
    const std::string_view text = norm_.text();
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    while (end < text.size()) {
      std::size_t len = 0;
      if (!normalize::is_word_cp(normalize::decode_utf8(s, text.size(), end, len))) break;
      end += static_cast<std::uint32_t>(len);
    }
  }
  TermHit out;
  out.term = hit.term;
  if (has_title_ && hit.begin < text_start_) {
    out.field = TextField::title;
    const auto span = norm_.source_span(hit.begin, end, mention_->title);
    out.begin = span.begin;
    out.end = span.end;
  } else {
    out.field = TextField::text;
    const auto span = norm_.source_span(hit.begin, end, mention_->text);
    out.begin = span.begin;
    out.end = span.end;
  }
  return out;
}

bool Matcher::eval(const RuleSet& rs, std::uint32_t node) const {
  const RuleSet::Node* nodes = rs.nodes_.data();
  const RuleSet::Node& n = nodes[node];
  switch (n.kind) {
    case NodeKind::term:
      return seen(n.arg);
    case NodeKind::all_of:
      for (std::uint32_t c = node + 1; c < n.end; c = nodes[c].end) {
        if (!eval(rs, c)) return false;
      }
      return true;
    case NodeKind::any_of:
      if (n.terms_only) {
        for (std::uint32_t c = node + 1; c < n.end; ++c) {
          if (seen(nodes[c].arg)) return true;
        }
        return false;
      }
      for (std::uint32_t c = node + 1; c < n.end; c = nodes[c].end) {
        if (eval(rs, c)) return true;
      }
      return false;
    case NodeKind::none_of:
      return !eval(rs, node + 1);
    case NodeKind::field:
      return field_matches(rs.fields_[n.arg], *mention_);
    case NodeKind::near:
      return eval_near(rs, node, nullptr);
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

bool Matcher::eval_near(const RuleSet& rs, std::uint32_t node, int* best_gap) const {
  const RuleSet::Node* nodes = rs.nodes_.data();
  const RuleSet::Node& n = nodes[node];
  // Each side is a term or an OR of terms (the parser guarantees it).
  auto side_terms = [&](std::uint32_t side, std::uint32_t* out, std::uint32_t& count, std::uint32_t cap) {
    const RuleSet::Node& s = nodes[side];
    count = 0;
    if (s.kind == NodeKind::term) {
      if (seen(s.arg)) out[count++] = s.arg;
      return;
    }
    for (std::uint32_t c = side + 1; c < s.end; c = nodes[c].end) {
      const std::uint32_t t = nodes[c].arg;
      if (seen(t) && count < cap) out[count++] = t;
    }
  };
  constexpr std::uint32_t kCap = 64;
  std::uint32_t left[kCap], right[kCap];
  std::uint32_t nl = 0, nr = 0;
  const std::uint32_t left_side = node + 1;
  const std::uint32_t right_side = nodes[left_side].end;
  side_terms(left_side, left, nl, kCap);
  side_terms(right_side, right, nr, kCap);
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
    for (std::uint32_t ha = slots_[left[a]].head; ha != kNone; ha = hits_[ha].next) {
      const Hit& x = hits_[ha];
      const std::int64_t as = start_tok(x.begin), ae = end_tok(x.end);
      for (std::uint32_t b = 0; b < nr; ++b) {
        for (std::uint32_t hb = slots_[right[b]].head; hb != kNone; hb = hits_[hb].next) {
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

inline void Matcher::collect_term(std::uint32_t t) {
  if (!seen(t)) return;
  TermSlot& slot = slots_[t];
  if (slot.collected == collect_stamp_) return;
  slot.collected = collect_stamp_;
  collected_.push_back(t);
}

void Matcher::collect(const RuleSet& rs, std::uint32_t node) {
  const RuleSet::Node* nodes = rs.nodes_.data();
  const RuleSet::Node& n = nodes[node];
  switch (n.kind) {
    case NodeKind::term:
      collect_term(n.arg);
      return;
    case NodeKind::all_of:
    case NodeKind::near:
      for (std::uint32_t c = node + 1; c < n.end; c = nodes[c].end) collect(rs, c);
      return;
    case NodeKind::any_of:
      if (n.terms_only) {
        for (std::uint32_t c = node + 1; c < n.end; ++c) collect_term(nodes[c].arg);
        return;
      }
      for (std::uint32_t c = node + 1; c < n.end; c = nodes[c].end) {
        if (eval(rs, c)) collect(rs, c);
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
  const bool ok = eval(rs, node);
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
  out += ok ? "[pass] " : "[fail] ";
  switch (n.kind) {
    case NodeKind::term: {
      const TermInfo& ti = rs.terms_[n.arg];
      out += "'" + ti.text + "'";
      if (ok) {
        const TermHit h = to_original(hits_[slots_[n.arg].head]);
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
      eval_near(rs, node, &gap);
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
  for (std::uint32_t c = node + 1; c < n.end; c = rs.nodes_[c].end) explain_node(rs, c, depth + 1, out);
}

std::string Matcher::explain(const Mention& m, const RuleSet& rs, std::uint32_t rule) const {
  if (rs.instance_id_ != instance_ || mention_ != &m || rule >= rs.rules_.size()) {
    return "explain() must follow match() of the same mention and rule set\n";
  }
  const RuleSet::Rule& r = rs.rules_[rule];
  std::string out = "rule '" + r.spec.id + "'";
  if (!r.spec.enabled) out += " (disabled)";
  const bool candidate = was_candidate(rule);
  const bool ok = r.spec.enabled && candidate && eval(rs, r.root);
  out += ok ? ": MATCH\n" : ": no match\n";
  if (!candidate) {
    out += "  none of its words occur in the mention\n";
  }
  explain_node(rs, r.root, 1, out);
  return out;
}

}  // namespace yuqing::match
