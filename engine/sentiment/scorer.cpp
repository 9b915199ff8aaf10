// The scorer: one Hyperscan scan of the normalized mention, longest-match selection, then the
// VADER-like rules (see sentiment.h and docs/sentiment.md).

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "engine/base/text.h"
#include "engine/sentiment/sentiment.h"

namespace yuqing::sentiment {

namespace {

constexpr float kNegScalar = -0.5F;     // VADER uses -0.74; a negated word is weaker than its antonym ("not good" is not "bad")
constexpr float kCapsIncr = 0.733F;     // VADER's C_INCR
constexpr float kExclIncr = 0.292F;     // per '!', at most 4
constexpr float kQuestionDamp = 0.7F;
constexpr float kLoneNegator = -0.3F;
constexpr float kAlpha = 15.0F;         // compound = S / sqrt(S^2 + alpha)
constexpr float kRepeatStep = 0.3F;     // 好好好: x(1 + 0.3 per repeat), at most x1.9
constexpr float kElongatedMult = 1.2F;      // sooo good
constexpr float kEmoticonMult = 1.5F;   // emoji and text emoticons: chosen stance markers
constexpr float kPlatformEmoticonMult = 2.25F;  // [哈哈] [泪]: picked by name from the platform panel
constexpr int kZhScope = 3;             // code points between a modifier and its term
constexpr int kEnScope = 3;             // words between a modifier and its term

bool is_ascii_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

float sign(float v) { return v > 0 ? 1.0F : (v < 0 ? -1.0F : 0.0F); }

void append_num(std::string& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  std::string s(buf);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  out += s;
}

}  // namespace

Scorer::Scorer(const normalize::FoldTable& fold) : norm_(fold) {
  raw_.reserve(512);
  sel_.reserve(256);
  clauses_.reserve(128);
  hit_clause_.reserve(256);
  degree_reading_.reserve(256);
  trace_.reserve(256);
  result_.aspects.reserve(16);
  result_.crisis.reserve(kMaxCrisisHits);
}

Scorer::~Scorer() {
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
}

void Scorer::ensure_scratch(const Lexicon& lex) {
  if (scratch_for_ == lex.instance_id_ && scratch_ != nullptr) return;
  // hs_alloc_scratch grows an existing scratch to fit another database; it is a no-op when the
  // scratch is already large enough (the usual case after a reload).
  if (hs_alloc_scratch(lex.db_, &scratch_) != HS_SUCCESS) std::abort();
  scratch_for_ = lex.instance_id_;
  if (aspect_sum_.size() < lex.aspect_count()) {
    aspect_sum_.assign(lex.aspect_count(), 0);
    aspect_last_clause_.assign(lex.aspect_count(), 0);
    aspect_seen_.assign(lex.aspect_count(), 0);
  }
}

namespace {
bool is_ascii_alnum(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

// A term that starts with an ASCII symbol (text emoticons: ":/", "):", ":p") is noise when it sits
// inside a URL ("http://", "www.x.com/:p") or is a reversed emoticon glued to a word ("(Classico):").
bool symbol_term_is_noise(const unsigned char* s, std::size_t n, std::uint32_t begin) {
  if ((s[begin] == '(' || s[begin] == ')') && begin > 0 && is_ascii_alnum(s[begin - 1])) return true;
  std::size_t ts = begin;
  for (std::size_t k = 0; ts > 0 && s[ts - 1] != ' ' && s[ts - 1] != '\n' && k < 512; ++k) --ts;
  std::size_t te = begin;
  for (std::size_t k = 0; te < n && s[te] != ' ' && s[te] != '\n' && k < 512; ++k) ++te;
  const std::string_view tok(reinterpret_cast<const char*>(s) + ts, te - ts);
  return tok.find("://") != std::string_view::npos || tok.starts_with("www.");
}
}  // namespace

int Scorer::on_match(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/, void* ctx) {
  auto* self = static_cast<Scorer*>(ctx);
  const TermInfo& info = self->scanning_->info_[id];
  const auto end = static_cast<std::uint32_t>(to);
  const std::uint32_t begin = end - info.len;
  const auto* s = reinterpret_cast<const unsigned char*>(self->ntext_.data());
  const std::size_t n = self->ntext_.size();
  if (info.start_boundary && begin > 0 && normalize::is_word_cp(normalize::decode_utf8_before(s, begin))) return 0;
  if (info.end_boundary && end < n) {
    std::size_t len = 0;
    if (normalize::is_word_cp(normalize::decode_utf8(s, n, end, len))) return 0;
  }
  if (!info.start_boundary && s[begin] < 0x80 && symbol_term_is_noise(s, n, begin)) return 0;
  if (self->raw_count_ >= 8192) return 0;
  ++self->raw_count_;
  // Terms that take part in scoring go straight to sel_ (longest match is chosen in select()),
  // aspect and crisis terms to raw_; a term may be both.
  constexpr std::uint16_t kScoring = TermInfo::kPolar | TermInfo::kNegator | TermInfo::kDegree | TermInfo::kContrast;
  if ((info.roles & kScoring) != 0 || (self->brand_ != nullptr && self->brand_->find(id) != nullptr)) {
    self->sel_.push_back({begin, end, id});
  }
  if ((info.roles & (TermInfo::kAspect | TermInfo::kCrisis)) != 0) self->raw_.push_back({begin, end, id});
  return 0;
}

void Scorer::scan(const Lexicon& lex, const BrandOverrides* brand) {
  raw_.clear();
  sel_.clear();
  raw_count_ = 0;
  brand_ = brand;
  scanning_ = &lex;
  if (ntext_.empty()) return;
  hs_scan(lex.db_, ntext_.data(), static_cast<unsigned>(ntext_.size()), 0, scratch_, &Scorer::on_match, this);
}

// Clause and sentence breaks on normalized text (full-width punctuation is already ASCII).
void Scorer::split_clauses() {
  clauses_.clear();
  has_elongation_ = false;
  const auto* s = reinterpret_cast<const unsigned char*>(ntext_.data());
  const std::size_t n = ntext_.size();
  std::uint32_t start = 0;
  std::size_t i = 0;
  std::uint16_t sentence = 0;
  auto punct = [&](std::size_t at, std::size_t& len, bool& strong) -> bool {
    const unsigned char c = s[at];
    len = 1;
    switch (c) {
      case ',': case ';': case ':': case '~': strong = false; return true;
      case '!': case '?': case '\n': strong = true; return true;
      case '.':
        // 3.5 and 1.2k are numbers, not sentence ends.
        strong = true;
        return !(at > 0 && at + 1 < n && s[at - 1] >= '0' && s[at - 1] <= '9' && s[at + 1] >= '0' && s[at + 1] <= '9');
      case 0xe3:  // 。 U+3002, 、 U+3001 (not a break)
        if (at + 2 < n + 0 && s[at + 1] == 0x80 && s[at + 2] == 0x82) { len = 3; strong = true; return true; }
        return false;
      case 0xe2:  // … U+2026
        if (at + 2 < n + 0 && s[at + 1] == 0x80 && s[at + 2] == 0xa6) { len = 3; strong = true; return true; }
        return false;
      default: return false;
    }
  };
  // Any Latin word: elongation and inflection lookups run.
  {
    unsigned alpha = 0;  // no early exit: the loop vectorizes
    for (std::size_t k = 0; k < n; ++k) alpha |= static_cast<unsigned>(static_cast<unsigned char>((s[k] | 0x20) - 'a') <= 'z' - 'a');
    has_elongation_ = alpha != 0;
  }
  // Bytes that may start a break (the first byte of every case in punct()).
  static constexpr auto kMayBreak = [] {
    std::array<bool, 256> t{};
    for (const unsigned char c : {',', ';', ':', '~', '!', '?', '\n', '.'}) t[c] = true;
    t[0xe3] = true;
    t[0xe2] = true;
    return t;
  }();
  while (i < n) {
    if (!kMayBreak[s[i]]) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    bool strong = false;
    if (!punct(i, len, strong)) {
      ++i;
      continue;
    }
    // Consume the whole punctuation run ("!!!", "?!", "。。。", ", ").
    std::uint16_t excl = 0;
    bool question = false;
    bool sentence_end = false;
    std::size_t j = i;
    while (j < n) {
      std::size_t l = 0;
      bool st = false;
      if (punct(j, l, st)) {
        excl = static_cast<std::uint16_t>(excl + (s[j] == '!' ? 1 : 0));
        question = question || s[j] == '?';
        sentence_end = sentence_end || st;
        j += l;
      } else if (s[j] == ' ') {
        ++j;
      } else {
        break;
      }
    }
    clauses_.push_back({start, static_cast<std::uint32_t>(j), excl, question, sentence_end, sentence, 0});
    if (sentence_end) ++sentence;
    start = static_cast<std::uint32_t>(j);
    i = j;
  }
  if (start < n || clauses_.empty()) {
    clauses_.push_back({start, static_cast<std::uint32_t>(n), 0, false, true, sentence, 0});
  }
}

// Longest, leftmost, non-overlapping matches among the terms that take part in scoring.
void Scorer::select() {
  // on_match() put the hits of scoring terms (and of brand-overridden ones) in sel_.
  // Hyperscan reports matches by end offset, so sel_ is nearly sorted by begin already: an
  // insertion pass is cheaper than std::sort. (begin, end) identifies a hit (one term per
  // normalized string), so the order is the same as any full sort's.
  {
    Hit* const a = sel_.data();
    const std::size_t cnt = sel_.size();
    for (std::size_t k = 1; k < cnt; ++k) {
      const Hit x = a[k];
      std::size_t j = k;
      while (j > 0 && (a[j - 1].begin > x.begin || (a[j - 1].begin == x.begin && a[j - 1].end < x.end))) {
        a[j] = a[j - 1];
        --j;
      }
      a[j] = x;
    }
  }
  std::size_t out = 0;
  std::uint32_t covered = 0;
  for (const Hit& h : sel_) {
    if (h.begin < covered) continue;
    sel_[out++] = h;
    covered = h.end;
  }
  sel_.resize(out);
}

// English elongations ("sooo", "goooood"): a word with a run of 3+ identical letters that no
// selected term covers is looked up with the run cut to one and to two letters.
// English inflections ("coolest", "happiest", "loves", "annoyed", "hating"): a word no selected
// term covers is looked up without its suffix (-est/-iest, -s/-es, -ed/-ied, -ing; a doubled final
// consonant undone, a dropped "e" restored); only polar terms of weight >= 1 are taken, so weak or
// neutral bases ("new" in "news") do not fire.
namespace {
bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
}  // namespace

void Scorer::elongations(const Lexicon& lex) {
  auto inflected = [&lex](const unsigned char* w, std::size_t len) -> std::int64_t {
  if (len < 4 || len >= 40) return -1;
  char buf[48];
  for (std::size_t k = 0; k < len; ++k) {
    if (!is_ascii_alpha(w[k])) return -1;
    buf[k] = static_cast<char>(w[k]);
  }
  const std::string_view word(buf, len);
  auto try_base = [&](std::size_t keep, const char* add) -> std::int64_t {
    if (keep < 3) return -1;
    char b[48];
    std::size_t m = 0;
    for (std::size_t k = 0; k < keep; ++k) b[m++] = buf[k];
    for (const char* q = add; *q != 0; ++q) b[m++] = *q;
    const std::int64_t t = lex.find(std::string_view(b, m));
    if (t < 0) return -1;
    const TermInfo& ti = lex.info_[static_cast<std::size_t>(t)];
    if ((ti.roles & TermInfo::kPolar) == 0 || (ti.roles & TermInfo::kEmoticon) != 0 || std::fabs(ti.weight) < 1.0F) return -1;
    return t;
  };
  auto stem = [&](std::size_t keep) -> std::int64_t {  // base = word[0, keep)
    std::int64_t t = try_base(keep, "");
    if (t < 0 && keep >= 2 && buf[keep - 1] == buf[keep - 2] && !is_vowel(buf[keep - 1])) t = try_base(keep - 1, "");
    if (t < 0) t = try_base(keep, "e");
    return t;
  };
  std::int64_t t = -1;
  if (word.ends_with("iest")) t = try_base(len - 4, "y");
  if (t < 0 && word.ends_with("est")) t = stem(len - 3);
  if (t < 0 && word.ends_with("ied")) t = try_base(len - 3, "y");
  if (t < 0 && word.ends_with("ies")) t = try_base(len - 3, "y");
  if (t < 0 && word.ends_with("ed")) t = stem(len - 2);
  if (t < 0 && word.ends_with("ing")) t = stem(len - 3);
  // -es is a plural / 3rd-person ending only after a sibilant or o (boxes, wishes, goes); elsewhere
  // the e belongs to the stem (dudes = dude + s, not dud + es; angeles is not angel + es).
  if (t < 0 && word.ends_with("es") && len >= 5) {
    const char b1 = buf[len - 3];
    const char b2 = buf[len - 4];
    if (b1 == 's' || b1 == 'x' || b1 == 'z' || b1 == 'o' || ((b1 == 'h') && (b2 == 'c' || b2 == 's'))) t = try_base(len - 2, "");
  }
  if (t < 0 && word.ends_with("s") && !word.ends_with("ss") && !word.ends_with("us") && !word.ends_with("is")) t = try_base(len - 1, "");
  return t;
};
  const auto* s = reinterpret_cast<const unsigned char*>(ntext_.data());
  const std::size_t n = ntext_.size();
  std::size_t i = 0;
  std::size_t next_sel = 0;
  while (i < n) {
    if (!is_ascii_alpha(s[i]) || (i > 0 && is_ascii_alpha(s[i - 1]))) {
      ++i;
      continue;
    }
    std::size_t e = i;
    bool elongated = false;
    while (e < n && is_ascii_alpha(s[e])) {
      if (e >= i + 2 && s[e] == s[e - 1] && s[e] == s[e - 2]) elongated = true;
      ++e;
    }
    // A word glued to digits or apostrophes ("it's", "mp3s") is not looked up.
    const bool clean_end = e >= n || (s[e] != '\'' && !(s[e] >= '0' && s[e] <= '9'));
    if (e - i < 48) {
      while (next_sel < sel_.size() && sel_[next_sel].end <= i) ++next_sel;
      const bool covered = next_sel < sel_.size() && sel_[next_sel].begin < e;
      std::int64_t found = -1;
      if (!covered && elongated) {
        for (int keep = 1; keep <= 2 && found < 0; ++keep) {
          char buf[48];
          std::size_t m = 0;
          for (std::size_t k = i; k < e; ++k) {
            std::size_t same = 0;
            while (same < m && same < static_cast<std::size_t>(keep) && buf[m - 1 - same] == static_cast<char>(s[k])) ++same;
            if (same >= static_cast<std::size_t>(keep) && k >= i + 1 && s[k] == s[k - 1]) continue;
            buf[m++] = static_cast<char>(s[k]);
          }
          const std::int64_t t = lex.find(std::string_view(buf, m));
          if (t >= 0 && (lex.info_[static_cast<std::size_t>(t)].roles & (TermInfo::kPolar | TermInfo::kDegree)) != 0) found = t;
        }
      } else if (!covered && clean_end && (i == 0 || s[i - 1] != '\'')) {
        found = inflected(s + i, e - i);
      }
      if (found >= 0) {
        // Marked by end != begin + len; the insert keeps sel_ sorted.
        sel_.insert(sel_.begin() + static_cast<std::ptrdiff_t>(next_sel),
                    {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(e), static_cast<std::uint32_t>(found)});
      }
    }
    i = e;
  }
}

const SentimentResult& Scorer::score_text(std::string_view text, const Lexicon& lex, const BrandOverrides* brand,
                                          std::string_view lang) {
  Mention m;
  m.text = text;
  m.lang = lang;
  return score(m, lex, brand);
}

const SentimentResult& Scorer::score(const Mention& m, const Lexicon& lex, const BrandOverrides* brand) {
  result_.clear();
  trace_.clear();
  sum_ = 0;
  norm_.clear();
  title_end_ = 0;
  if (!m.title.empty()) {
    norm_.append(m.title);
    norm_.append_separator();
    title_end_ = norm_.size();
  }
  norm_.append(m.text);
  ntext_ = norm_.text();
  if (m.lang.starts_with("zh")) result_.lang = Lang::zh;
  else if (m.lang.starts_with("en")) result_.lang = Lang::en;
  else result_.lang = detect_lang(ntext_);

  ensure_scratch(lex);
  scan(lex, brand);
  split_clauses();
  select();
  if (has_elongation_) elongations(lex);
  evaluate(lex, brand, m.title, m.text);
  return result_;
}

void Scorer::evaluate(const Lexicon& lex, const BrandOverrides* brand, std::string_view title, std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(ntext_.data());
  const std::size_t n = ntext_.size();
  const auto& info = lex.info_;
  const std::size_t count = sel_.size();

  // Clause of each selected hit.
  hit_clause_.resize(count);
  {
    std::size_t c = 0;
    for (std::size_t k = 0; k < count; ++k) {
      while (c + 1 < clauses_.size() && clauses_[c].end <= sel_[k].begin) ++c;
      hit_clause_[k] = static_cast<std::uint32_t>(c);
    }
  }

  // Units of unmatched text between two offsets: code points (Han) or words (Latin).
  auto gap_units = [&](std::uint32_t a, std::uint32_t b, bool words) -> int {
    int units = 0;
    std::size_t i = a;
    bool in_word = false;
    while (i < b) {
      std::size_t len = 0;
      const char32_t cp = normalize::decode_utf8(s, n, i, len);
      if (words) {
        // A Han character is a word of its own (a run of them is not one word).
        if (normalize::is_cjk_token_cp(cp)) {
          ++units;
          in_word = false;
        } else {
          const bool w = normalize::is_word_cp(cp);
          if (w && !in_word) ++units;
          in_word = w;
        }
      } else if (cp != ' ') {
        ++units;
      }
      i += len;
    }
    return units;
  };

  // Pass A, right to left: each polar term claims the negators and degree words before it.
  // degree_reading_[k]: 0 = free, 1 = claimed as a modifier.
  degree_reading_.assign(count, 0);
  trace_.clear();
  auto weight_of = [&](std::size_t k, bool& overridden) -> float {
    overridden = false;
    if (brand != nullptr) {
      if (const float* w = brand->find(sel_[k].term)) {
        overridden = true;
        return *w;
      }
    }
    return info[sel_[k].term].weight;
  };
  for (std::size_t kk = count; kk-- > 0;) {
    if (degree_reading_[kk] != 0) continue;
    const Hit& h = sel_[kk];
    const TermInfo& ti = info[h.term];
    bool overridden = false;
    const float w = weight_of(kk, overridden);
    if (!overridden && (ti.roles & TermInfo::kPolar) == 0 && (ti.roles & TermInfo::kNegator) != 0 && kLoneNegator != 0 &&
        !clauses_[hit_clause_[kk]].question) {
      // A negator with nothing polar to act on ("没送饮料", "didn't show up") leans negative.
      Trace tr;
      tr.term = h.term;
      tr.begin = h.begin;
      tr.end = h.end;
      tr.weight = kLoneNegator;
      tr.contribution = kLoneNegator;
      trace_.push_back(tr);
      continue;
    }
    if (!overridden && ((ti.roles & TermInfo::kPolar) == 0 || w == 0)) continue;
    if (overridden && w == 0) continue;
    Trace tr;
    tr.term = h.term;
    tr.begin = h.begin;
    tr.end = h.end;
    tr.weight = w;
    if (overridden) tr.flags |= kOverride;
    if (h.end - h.begin != ti.len) {
      // An elongation has a run of 3+ identical letters; otherwise the hit is an inflection (x1).
      bool run3 = false;
      for (std::uint32_t q = h.begin + 2; q < h.end && !run3; ++q) run3 = s[q] == s[q - 1] && s[q] == s[q - 2];
      if (run3) tr.flags |= kElongated;
    }
    float v = w;
    if ((ti.roles & TermInfo::kEmoticon) == 0) {
      const bool words = ti.latin;
      const int budget = words ? kEnScope : kZhScope;
      int used = 0;
      std::uint32_t pos = h.begin;
      float mult = 1;
      int negs = 0;
      for (std::size_t j = kk; j-- > 0;) {
        if (hit_clause_[j] != hit_clause_[kk] || degree_reading_[j] != 0) break;
        const Hit& m = sel_[j];
        const TermInfo& mi = info[m.term];
        const int gap = gap_units(m.end, pos, words);
        if (used + gap > budget) break;
        if ((mi.roles & TermInfo::kNegator) != 0) {
          // Chinese: a negator negates the predicate right after it. When other words stand
          // between it and an intensified term (没结束真的很绝望 / 没洗头真的很开心), the degree
          // word starts a new predicate and the negator stays with its own verb.
          if (!mi.latin && gap > 0 && tr.degree >= 0) break;
          ++negs;
          if (tr.negator < 0) tr.negator = static_cast<std::int32_t>(m.term);
        } else if ((mi.roles & TermInfo::kDegree) != 0) {
          // A word that is also polar (好, 真, damn) is a degree word only right before the term.
          if ((mi.roles & TermInfo::kPolar) != 0 && gap > 0) break;
          if (gap > 2) break;
          mult *= mi.degree;
          if (tr.degree < 0) tr.degree = static_cast<std::int32_t>(m.term);
        } else {
          break;
        }
        degree_reading_[j] = 1;
        used += gap;
        pos = m.begin;
      }
      tr.degree_mult = mult;
      v *= mult;
      tr.negations = static_cast<std::uint8_t>(negs);
      for (int q = 0; q < negs; ++q) v *= kNegScalar;
      if (negs % 2 == 0) tr.negator = -1;
      // ALL CAPS (English): the original word is upper case while the text is not.
      if (ti.latin && h.begin >= title_end_) {
        const auto span = norm_.source_span(h.begin, h.end, text);
        int upper = 0;
        bool lower = false;
        for (std::uint32_t q = span.begin; q < span.end && q < text.size(); ++q) {
          const auto c = static_cast<unsigned char>(text[q]);
          if (c >= 'A' && c <= 'Z') ++upper;
          if (c >= 'a' && c <= 'z') lower = true;
        }
        if (upper >= 2 && !lower) {
          bool text_lower = false;
          for (const char c : text) {
            if (c >= 'a' && c <= 'z') {
              text_lower = true;
              break;
            }
          }
          if (text_lower) {
            v += sign(v) * kCapsIncr;
            tr.flags |= kCaps;
          }
        }
      }
    }
    if ((tr.flags & kElongated) != 0) v *= kElongatedMult;
    // Emoji and emoticons are picked by the writer to show a stance, not used descriptively.
    // A bracketed platform emoticon ([哈哈], [泪], [微笑]) is picked by name from the platform's
    // panel and is the main stance marker of a Weibo / Douyin post: it weighs more than an emoji.
    if ((ti.roles & TermInfo::kEmoticon) != 0) {
      const bool platform = h.end - h.begin > 2 && s[h.begin] == '[' && s[h.end - 1] == ']';
      v *= platform ? kPlatformEmoticonMult : kEmoticonMult;
    }
    tr.contribution = v;
    trace_.push_back(tr);
  }
  std::reverse(trace_.begin(), trace_.end());
  (void)title;

  // Repetition: the same term back to back (好好好, 哈哈 哈哈) counts once, amplified.
  {
    std::size_t out = 0;
    for (std::size_t k = 0; k < trace_.size(); ++k) {
      if (out > 0) {
        Trace& prev = trace_[out - 1];
        const Trace& cur = trace_[k];
        if (prev.term == cur.term && prev.end <= cur.begin && gap_units(prev.end, cur.begin, false) == 0 &&
            prev.negations == 0 && cur.negations == 0) {
          prev.repeats = static_cast<std::uint8_t>(std::min(prev.repeats + 1, 255));
          prev.flags |= kRepeat;
          prev.end = cur.end;
          continue;
        }
      }
      trace_[out++] = trace_[k];
    }
    trace_.resize(out);
    for (Trace& t : trace_) {
      if (t.repeats > 1) t.contribution *= std::min(1.0F + kRepeatStep * static_cast<float>(t.repeats - 1), 1.9F);
    }
  }

  // Contrast: 但是/but weight the sentence before (0.5) and after (1.5); 虽然/although weaken
  // their own clause. The scope before reaches back into the previous sentence when nothing
  // polar precedes the word in its own ("房间不错。但是服务差").
  std::uint32_t prev_contrast_end = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const TermInfo& ci = info[sel_[k].term];
    if ((ci.roles & TermInfo::kContrast) == 0 || degree_reading_[k] != 0) continue;
    const Hit& c = sel_[k];
    const std::uint16_t sent = clauses_[hit_clause_[k]].sentence;
    std::uint32_t sent_begin = c.begin;
    std::uint32_t prev_sent_begin = c.begin;
    std::uint32_t sent_end = static_cast<std::uint32_t>(n);
    for (const Clause& cl : clauses_) {
      if (cl.sentence == sent) {
        sent_begin = std::min(sent_begin, cl.begin);
        if (cl.sentence_end) {
          sent_end = cl.end;
          break;
        }
      }
      if (sent > 0 && cl.sentence == sent - 1) prev_sent_begin = std::min(prev_sent_begin, cl.begin);
    }
    std::uint32_t next_contrast = sent_end;
    for (std::size_t j = k + 1; j < count; ++j) {
      if ((info[sel_[j].term].roles & TermInfo::kContrast) != 0 && degree_reading_[j] == 0) {
        next_contrast = std::min(next_contrast, sel_[j].begin);
        break;
      }
    }
    bool polar_before = false;
    for (const Trace& t : trace_) polar_before = polar_before || (t.begin >= sent_begin && t.end <= c.begin);
    const std::uint32_t lo = std::max(polar_before ? sent_begin : prev_sent_begin, prev_contrast_end);
    for (Trace& t : trace_) {
      if (t.term == c.term && t.begin == c.begin) continue;  // 可惜 itself
      float w = 1;
      if (t.begin >= lo && t.end <= c.begin) w = ci.before;
      else if (t.begin >= c.end && t.begin < next_contrast) w = ci.after;
      if (w != 1) {
        t.contrast_mult *= w;
        t.contrast = static_cast<std::int32_t>(c.term);
        t.contribution *= w;
      }
    }
    prev_contrast_end = c.end;
  }

  // Clause sums, then per sentence: '!' amplifies, '?' damps.
  for (Clause& cl : clauses_) cl.sum = 0;
  {
    std::size_t c = 0;
    for (const Trace& t : trace_) {
      while (c + 1 < clauses_.size() && clauses_[c].end <= t.begin) ++c;
      clauses_[c].sum += t.contribution;
    }
  }
  float total = 0;
  {
    float sent_sum = 0;
    for (std::size_t c = 0; c < clauses_.size(); ++c) {
      Clause& cl = clauses_[c];
      sent_sum += cl.sum;
      const bool last = c + 1 == clauses_.size() || clauses_[c + 1].sentence != cl.sentence;
      if (!last) continue;
      if (sent_sum != 0) {
        if (cl.excl > 0) sent_sum += sign(sent_sum) * kExclIncr * static_cast<float>(std::min<int>(cl.excl, 4));
        if (cl.question) sent_sum *= kQuestionDamp;
      }
      total += sent_sum;
      sent_sum = 0;
    }
  }
  sum_ = total;
  float compound = total / std::sqrt(total * total + kAlpha);
  compound = std::clamp(compound, -1.0F, 1.0F);
  result_.score = compound;
  result_.label = compound >= kPositiveThreshold ? Label::positive
                  : compound <= kNegativeThreshold ? Label::negative : Label::neutral;

  // Aspects and crisis terms come from all raw hits (they do not compete in longest match),
  // except when a longer neutral "shield" term covers them (信息爆炸 is not an explosion).
  // raw_ comes in end order, so consecutive hits sit close together: both lookups below walk a
  // cursor from the previous hit's answer instead of a binary search (same answer: sel_ begins
  // and clause ends are increasing).
  std::size_t sel_cur = 0;  // sel_[0, sel_cur) begin <= h.begin < sel_[sel_cur, ...) begin
  auto shielded = [&](const Hit& h) {
    while (sel_cur < sel_.size() && sel_[sel_cur].begin <= h.begin) ++sel_cur;
    while (sel_cur > 0 && sel_[sel_cur - 1].begin > h.begin) --sel_cur;
    if (sel_cur == 0) return false;
    const Hit* it = &sel_[sel_cur - 1];
    if (it->end < h.end || (it->end - it->begin) <= (h.end - h.begin)) return false;
    const TermInfo& si = info[it->term];
    return (si.roles & TermInfo::kPolar) != 0 && si.weight == 0;
  };
  std::size_t clause_cur = 0;
  bool any_aspect = false;
  if (++aspect_epoch_ == 0) {  // wrapped: forget every old stamp
    std::fill(aspect_seen_.begin(), aspect_seen_.end(), 0);
    aspect_epoch_ = 1;
  }
  for (const Hit& h : raw_) {
    const TermInfo& ti = info[h.term];
    if ((ti.roles & (TermInfo::kAspect | TermInfo::kCrisis)) == 0) continue;
    if (shielded(h)) continue;
    if ((ti.roles & TermInfo::kCrisis) != 0) {
      result_.crisis_mask |= 1U << ti.crisis;
      if (result_.crisis.size() < kMaxCrisisHits) {
        const bool in_title = h.begin < title_end_;
        const auto span = in_title ? norm_.source_span(h.begin, h.end, title) : norm_.source_span(h.begin, h.end, text);
        result_.crisis.push_back({h.term, ti.crisis, static_cast<std::uint8_t>(in_title ? 1 : 0), span.begin, span.end});
      }
    }
    if ((ti.roles & TermInfo::kAspect) != 0) {
      // First clause that ends after the hit begins (the last one if none).
      while (clause_cur + 1 < clauses_.size() && clauses_[clause_cur].end <= h.begin) ++clause_cur;
      while (clause_cur > 0 && clauses_[clause_cur - 1].end > h.begin) --clause_cur;
      const std::size_t c = clause_cur;
      const std::uint32_t a = ti.aspect;
      const bool seen = aspect_seen_[a] == aspect_epoch_;
      if (!seen) {
        aspect_seen_[a] = aspect_epoch_;
        result_.aspects.push_back({a, 0});
        aspect_sum_[a] = 0;
        aspect_last_clause_[a] = static_cast<std::uint32_t>(c + 1);
        aspect_sum_[a] += clauses_[c].sum;
      } else if (aspect_last_clause_[a] != c + 1) {
        aspect_last_clause_[a] = static_cast<std::uint32_t>(c + 1);
        aspect_sum_[a] += clauses_[c].sum;
      }
      any_aspect = true;
    }
  }
  if (any_aspect) {
    for (auto& as : result_.aspects) {
      const float x = aspect_sum_[as.aspect];
      as.score = x / std::sqrt(x * x + kAlpha);
    }
  }
  std::sort(result_.crisis.begin(), result_.crisis.end(), [](const CrisisHit& a, const CrisisHit& b) {
    return a.field != b.field ? a.field > b.field : a.begin < b.begin;
  });
}

std::string Scorer::explain(const Lexicon& lex) const {
  std::string out = "\"sum\":";
  append_num(out, sum_);
  out += ",\"terms\":[";
  bool first = true;
  for (const Trace& t : trace_) {
    if (!first) out += ',';
    first = false;
    out += "{\"term\":";
    text::append_json_string(out, lex.term(t.term));
    out += ",\"weight\":";
    append_num(out, t.weight);
    std::string rule;
    auto add = [&](const std::string& r) {
      if (!rule.empty()) rule += "; ";
      rule += r;
    };
    if ((t.flags & kOverride) != 0) add("brand override");
    const std::uint16_t roles = lex.info_[t.term].roles;
    if ((roles & TermInfo::kNegator) != 0 && (roles & TermInfo::kPolar) == 0) add("negator with nothing to negate");
    if (t.degree >= 0) {
      std::string r = "scaled x";
      append_num(r, t.degree_mult);
      add(r + " by " + lex.term(static_cast<std::uint32_t>(t.degree)));
    }
    if (t.negations % 2 == 1 && t.negator >= 0) add("negated by " + lex.term(static_cast<std::uint32_t>(t.negator)));
    else if (t.negations >= 2) add("double negation");
    if ((t.flags & kCaps) != 0) add("ALL CAPS");
    if ((t.flags & kElongated) != 0) add("elongated");
    if (t.repeats > 1) add("repeated x" + std::to_string(t.repeats));
    if (t.contrast >= 0) {
      std::string r = "contrast x";
      append_num(r, t.contrast_mult);
      add(r + " (" + lex.term(static_cast<std::uint32_t>(t.contrast)) + ")");
    }
    if (rule.empty()) rule = "lexicon";
    out += ",\"rule\":";
    text::append_json_string(out, rule);
    out += ",\"contribution\":";
    append_num(out, t.contribution);
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace yuqing::sentiment
