// Lexicon loading and validation (rules/lexicons/README.md describes the files).

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <system_error>

#include "engine/base/text.h"
#include "engine/sentiment/sentiment.h"

namespace yuqing::sentiment {

namespace {

std::atomic<std::uint64_t> g_next_instance{1};

constexpr std::string_view kCategoryNames[kCrisisCategoryCount] = {"safety", "quality", "legal",
                                                                   "service", "reputation", "privacy"};

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 0;
    const char32_t cp = normalize::decode_utf8(p, s.size(), i, len);
    if (cp == 0xfffd && !(len == 3 && s.compare(i, 3, "\xef\xbf\xbd") == 0)) return false;
    i += len;
  }
  return true;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

bool parse_float(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(out);
}

std::string fmt_num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

std::string_view label_name(Label l) {
  switch (l) {
    case Label::negative: return "negative";
    case Label::neutral: return "neutral";
    case Label::positive: return "positive";
  }
  return "neutral";
}

std::string_view lang_name(Lang l) {
  switch (l) {
    case Lang::unknown: return "unknown";
    case Lang::zh: return "zh";
    case Lang::en: return "en";
  }
  return "unknown";
}

std::string_view crisis_category_name(std::uint8_t category) {
  return category < kCrisisCategoryCount ? kCategoryNames[category] : std::string_view("unknown");
}

Lang detect_lang(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t han = 0;
  std::size_t latin = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ++latin;
      ++i;
      continue;
    }
    // Lead bytes 0xe4..0xe9 with two continuation bytes are U+4000..U+9FFF: Han, no decoding
    // or range tests needed (most of a Chinese text).
    if (c >= 0xe4 && c <= 0xe9 && i + 2 < text.size() && (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80) {
      han += 3;
      i += 3;
      continue;
    }
    std::size_t len = 0;
    const char32_t cp = normalize::decode_utf8(p, text.size(), i, len);
    if (normalize::is_cjk_token_cp(cp)) han += 3;  // a Han character carries about a word's worth
    else if (normalize::is_word_cp(cp)) ++latin;
    i += len;
  }
  if (han == 0 && latin == 0) return Lang::unknown;
  // Latin letters are ~5 per word; a Han character is weighted 3 above, so >= 30 % Han by this
  // measure means a text that is mostly Chinese with some English words in it.
  return han * 10 >= (han + latin) * 3 ? Lang::zh : Lang::en;
}

// ---- builder ------------------------------------------------------------------------------

class LexiconBuilder {
 public:
  explicit LexiconBuilder(const normalize::FoldTable& fold) : lex_(new Lexicon()) { lex_->fold_ = &fold; }

  std::vector<std::string> errors;

  // Reads a file line by line; `fn(fields, lineno, error)` handles one data line.
  template <class Fn>
  bool read(const std::filesystem::path& path, bool required, Fn&& fn) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      if (required) errors.push_back(path.string() + ": cannot open the file");
      return false;
    }
    file_ = path.string();
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (lineno == 1 && line.starts_with("\xef\xbb\xbf")) line.erase(0, 3);
      if (line.empty() || line.front() == '#') continue;
      bool blank = true;
      for (const char c : line) blank = blank && (c == ' ' || c == '\t');
      if (blank) continue;
      line_ = lineno;
      if (!valid_utf8(line)) {
        error("the line is not valid UTF-8");
        continue;
      }
      fn(split_tabs(line));
    }
    return true;
  }

  void error(const std::string& reason) { errors.push_back(file_ + ":" + std::to_string(line_) + ": " + reason); }

  bool fields(const std::vector<std::string_view>& f, std::size_t n, std::string_view format) {
    if (f.size() == n) return true;
    error("expected " + std::to_string(n) + (n == 1 ? " field (" : " fields (") + std::string(format) +
          ") separated by one TAB, found " + std::to_string(f.size()));
    return false;
  }

  bool number(std::string_view s, std::string_view what, double lo, double hi, double& out) {
    if (!parse_float(s, out)) {
      error(std::string(what) + " '" + std::string(s) + "' is not a number");
      return false;
    }
    if (out < lo || out > hi) {
      error(std::string(what) + " " + std::string(s) + " is outside " + fmt_num(lo) + ".." + fmt_num(hi));
      return false;
    }
    return true;
  }

  // Normalizes and interns a term; -1 (with an error) when it is malformed or a duplicate in
  // the current file under `dup_key` (e.g. the file, or file+lang).
  std::int64_t term(std::string_view raw, std::string_view dup_scope = {}) {
    if (raw.empty()) {
      error("empty term");
      return -1;
    }
    if (raw.front() == ' ' || raw.back() == ' ') {
      error("term '" + std::string(raw) + "' has leading or trailing spaces");
      return -1;
    }
    std::string norm = normalize::normalize_copy(raw, *lex_->fold_);
    if (norm.empty() || norm == " ") {
      error("term '" + std::string(raw) + "' is empty after normalization");
      return -1;
    }
    std::string key = file_ + '\t' + std::string(dup_scope) + '\t' + norm;
    const auto [it, inserted] = seen_.emplace(std::move(key), line_);
    if (!inserted) {
      error("duplicate term '" + std::string(raw) + "' (same as line " + std::to_string(it->second) +
            " after case, width and 繁→简 folding)");
      return -1;
    }
    return intern(norm);
  }

  std::uint32_t intern(const std::string& norm) {
    const auto found = lex_->index_.find(norm);
    if (found != lex_->index_.end()) return found->second;
    const auto id = static_cast<std::uint32_t>(lex_->terms_.size());
    lex_->terms_.push_back(norm);
    lex_->info_.emplace_back();
    lex_->index_.emplace(norm, id);
    return id;
  }

  TermInfo& info(std::int64_t t) { return lex_->info_[static_cast<std::size_t>(t)]; }

  // Polarity: `tier` 0 = polarity.tsv, 1 = slang.tsv / emoticons, 2 = user lexicons. A higher
  // tier overrides a lower one; within a tier the first file loaded keeps the term.
  void polar(std::int64_t t, double w, int tier, bool emoticon) {
    if (t < 0) return;
    auto& i = info(t);
    const auto idx = static_cast<std::size_t>(t);
    if (tier_.size() <= idx) tier_.resize(idx + 1, -1);
    if (tier_[idx] >= tier) return;
    tier_[idx] = static_cast<std::int8_t>(tier);
    i.weight = static_cast<float>(w);
    i.roles |= TermInfo::kPolar;
    if (emoticon) i.roles |= TermInfo::kEmoticon;
  }

  void load_polarity(const std::filesystem::path& p, int tier, bool emoticon) {
    read(p, false, [&](const std::vector<std::string_view>& f) {
      if (!fields(f, 2, "term<TAB>weight")) return;
      double w = 0;
      if (!number(f[1], "weight", -4, 4, w)) return;
      polar(term(f[0]), w, tier, emoticon);
    });
  }

  void load_negators(const std::filesystem::path& p) {
    read(p, false, [&](const std::vector<std::string_view>& f) {
      if (!fields(f, 1, "term")) return;
      const auto t = term(f[0]);
      if (t >= 0) info(t).roles |= TermInfo::kNegator;
    });
  }

  void load_degree(const std::filesystem::path& p) {
    read(p, false, [&](const std::vector<std::string_view>& f) {
      if (!fields(f, 2, "term<TAB>multiplier")) return;
      double m = 0;
      if (!number(f[1], "multiplier", 0.05, 3, m)) return;
      const auto t = term(f[0]);
      if (t < 0) return;
      info(t).roles |= TermInfo::kDegree;
      info(t).degree = static_cast<float>(m);
    });
  }

  void load_contrast(const std::filesystem::path& p) {
    read(p, false, [&](const std::vector<std::string_view>& f) {
      if (!fields(f, 3, "term<TAB>before_weight<TAB>after_weight")) return;
      double b = 0;
      double a = 0;
      if (!number(f[1], "before_weight", 0, 3, b) || !number(f[2], "after_weight", 0, 3, a)) return;
      const auto t = term(f[0]);
      if (t < 0) return;
      info(t).roles |= TermInfo::kContrast;
      info(t).before = static_cast<float>(b);
      info(t).after = static_cast<float>(a);
    });
  }

  bool lang_ok(std::string_view l) {
    if (l == "zh" || l == "en") return true;
    error("unknown lang '" + std::string(l) + "' (expected zh or en)");
    return false;
  }

  void load_crisis(const std::filesystem::path& p) {
    const std::vector<std::string> names(std::begin(kCategoryNames), std::end(kCategoryNames));
    read(p, false, [&](const std::vector<std::string_view>& f) {
      if (!fields(f, 3, "term<TAB>category<TAB>lang")) return;
      const auto it = std::find(std::begin(kCategoryNames), std::end(kCategoryNames), f[1]);
      if (it == std::end(kCategoryNames)) {
        std::string msg = "unknown crisis category '" + std::string(f[1]) + "'";
        const std::string near = text::closest(f[1], names);
        if (!near.empty()) msg += " (did you mean '" + near + "'?)";
        msg += "; expected one of safety, quality, legal, service, reputation, privacy";
        error(msg);
        return;
      }
      if (!lang_ok(f[2])) return;
      const auto t = term(f[0], f[2]);
      if (t < 0 || (info(t).roles & TermInfo::kCrisis) != 0) return;  // first category wins
      info(t).roles |= TermInfo::kCrisis;
      info(t).crisis = static_cast<std::uint8_t>(it - std::begin(kCategoryNames));
    });
  }

  void load_aspects(const std::filesystem::path& p) {
    read(p, false, [&](const std::vector<std::string_view>& f) {
      if (!fields(f, 3, "term<TAB>aspect<TAB>lang")) return;
      if (f[1].empty()) {
        error("empty aspect name");
        return;
      }
      if (!lang_ok(f[2])) return;
      const auto t = term(f[0], f[2]);
      if (t < 0 || (info(t).roles & TermInfo::kAspect) != 0) return;
      auto& names = lex_->aspects_;
      auto it = std::find(names.begin(), names.end(), f[1]);
      if (it == names.end()) it = names.insert(names.end(), std::string(f[1]));
      info(t).roles |= TermInfo::kAspect;
      info(t).aspect = static_cast<std::uint16_t>(it - names.begin());
    });
  }

  void load_user(const UserLexicon& u) {
    const bool opened = read(u.path, true, [&](const std::vector<std::string_view>& f) {
      switch (u.format) {
        case UserLexicon::Format::vader: {
          if (f.size() < 2) {
            error("expected token<TAB>mean<TAB>... (VADER format), found " + std::to_string(f.size()) + " field");
            return;
          }
          double w = 0;
          if (!number(f[1], "mean", -4, 4, w)) return;
          polar(term(f[0]), w, 2, false);
          return;
        }
        case UserLexicon::Format::afinn: {
          if (!fields(f, 2, "word<TAB>score, AFINN format")) return;
          double w = 0;
          if (!number(f[1], "score", -5, 5, w)) return;
          polar(term(f[0]), w * 0.8, 2, false);
          return;
        }
        case UserLexicon::Format::plain: {
          if (!fields(f, 1, "one word per line")) return;
          polar(term(f[0]), u.weight, 2, false);
          return;
        }
      }
    });
    (void)opened;
  }

  void add_extra(const std::string& raw) {
    std::string norm = normalize::normalize_copy(raw, *lex_->fold_);
    if (!norm.empty() && norm != " ") intern(norm);
  }

  // Apostrophe variants ("don't" also matches "don’t"), boundaries, lengths; then compile.
  Result<LexiconPtr, std::vector<std::string>> finish() {
    if (!errors.empty()) return Unexpected(std::move(errors));
    const std::size_t n0 = lex_->terms_.size();
    for (std::size_t t = 0; t < n0; ++t) {
      const std::string& s = lex_->terms_[t];
      if (s.find('\'') == std::string::npos) continue;
      std::string alt;
      for (const char c : s) {
        if (c == '\'') alt += "\xe2\x80\x99";
        else alt += c;
      }
      if (lex_->index_.find(alt) != lex_->index_.end()) continue;
      const std::uint32_t id = intern(alt);
      lex_->info_[id] = lex_->info_[t];
    }
    std::vector<const char*> exprs;
    std::vector<std::size_t> lens;
    std::vector<unsigned> ids;
    std::vector<unsigned> flags;
    for (std::size_t t = 0; t < lex_->terms_.size(); ++t) {
      const std::string& s = lex_->terms_[t];
      auto& i = lex_->info_[t];
      const auto* p = reinterpret_cast<const unsigned char*>(s.data());
      std::size_t len = 0;
      const char32_t first = normalize::decode_utf8(p, s.size(), 0, len);
      const char32_t last = normalize::decode_utf8_before(p, s.size());
      i.start_boundary = normalize::is_word_cp(first);
      i.end_boundary = normalize::is_word_cp(last);
      i.latin = i.start_boundary || i.end_boundary;
      i.len = static_cast<std::uint32_t>(s.size());
      exprs.push_back(s.data());
      lens.push_back(s.size());
      ids.push_back(static_cast<unsigned>(t));
      flags.push_back(0);
    }
    if (exprs.empty()) return Unexpected(std::vector<std::string>{"the lexicons hold no terms"});
    const auto t0 = std::chrono::steady_clock::now();
    hs_compile_error_t* err = nullptr;
    const hs_error_t rc = hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                                               static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr,
                                               &lex_->db_, &err);
    if (rc != HS_SUCCESS) {
      std::string msg = "the lexicon terms do not compile: ";
      msg += err != nullptr && err->message != nullptr ? err->message : "unknown error";
      if (err != nullptr && err->expression >= 0) msg += " (term '" + lex_->terms_[static_cast<std::size_t>(err->expression)] + "')";
      hs_free_compile_error(err);
      return Unexpected(std::vector<std::string>{msg});
    }
    lex_->compile_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    lex_->instance_id_ = g_next_instance.fetch_add(1);
    return LexiconPtr(std::move(lex_));
  }

 private:
  std::unique_ptr<Lexicon> lex_;
  std::string file_;
  int line_ = 0;
  std::unordered_map<std::string, int> seen_;
  std::vector<std::int8_t> tier_;
};

Lexicon::~Lexicon() {
  if (db_ != nullptr) hs_free_database(db_);
}

std::int64_t Lexicon::find(std::string_view normalized) const {
  const auto it = index_.find(normalized);
  return it == index_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

std::size_t Lexicon::count(TermInfo::Role role) const {
  std::size_t n = 0;
  for (const auto& i : info_) n += (i.roles & role) != 0 ? 1 : 0;
  return n;
}

Result<LexiconPtr, std::vector<std::string>> load_lexicon(const std::filesystem::path& rules_dir,
                                                          const LexiconOptions& options) {
  const normalize::FoldTable& fold = options.fold != nullptr ? *options.fold : normalize::FoldTable::shared();
  LexiconBuilder b(fold);
  const std::filesystem::path dir = rules_dir / "lexicons";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Unexpected(std::vector<std::string>{dir.string() + ": no such directory (expected the lexicons of the rules directory)"});
  }
  for (const char* lang : {"en", "zh"}) {
    const auto d = dir / lang;
    b.load_polarity(d / "polarity.tsv", 0, false);
    b.load_polarity(d / "slang.tsv", 1, false);
    b.load_negators(d / "negators.txt");
    b.load_degree(d / "degree.tsv");
    b.load_contrast(d / "contrast.tsv");
  }
  b.load_polarity(dir / "zh" / "emoticons.tsv", 1, true);
  b.load_polarity(dir / "common" / "emoji.tsv", 1, true);
  b.load_polarity(dir / "common" / "emoticons_ascii.tsv", 1, true);
  b.load_crisis(dir / "crisis.tsv");
  b.load_aspects(dir / "aspects.tsv");
  for (const auto& u : options.user) b.load_user(u);
  for (const auto& t : options.extra_terms) b.add_extra(t);
  return b.finish();
}

// ---- brand overrides ------------------------------------------------------------------------

BrandOverrides BrandOverrides::build(const Lexicon& lex, const std::map<std::string, double>& weights) {
  BrandOverrides o;
  for (const auto& [term, w] : weights) {
    const std::string norm = normalize::normalize_copy(term, lex.fold());
    const std::int64_t t = lex.find(norm);
    if (t < 0) {
      o.missing_.push_back(term);
      continue;
    }
    o.entries_.emplace_back(static_cast<std::uint32_t>(t), static_cast<float>(std::clamp(w, -4.0, 4.0)));
  }
  std::sort(o.entries_.begin(), o.entries_.end());
  return o;
}

const float* BrandOverrides::find(std::uint32_t t) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(t, -1e9F));
  return it != entries_.end() && it->first == t ? &it->second : nullptr;
}

}  // namespace yuqing::sentiment
