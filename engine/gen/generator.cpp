// The Generator: merges the base stream and the scenario events in event time and writes one
// canonical mention JSON line per call. Everything that reaches the output is integer
// arithmetic on the xoshiro256** stream (see rng.h), so a seed gives the same bytes anywhere.
//
// Per-line work reuses member buffers (text_, title_, id_, ...): after warm-up the only
// allocations are growth of the caller's output string and of a story slot that receives a
// longer text than it ever held.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/text.h"
#include "engine/gen/gen.h"
#include "engine/gen/rng.h"
#include "engine/gen/texts.h"
#include "engine/mention/mention.h"

namespace yuqing::gen {
namespace {

using detail::Lang;
using detail::LangTexts;
using detail::Rng;
using detail::Tone;
using detail::Words;
using SV = std::string_view;

constexpr std::uint64_t kAuthorPool = 200'000;
constexpr std::size_t kRingSize = 64;
constexpr std::size_t kTooLargeBytes = 70'000;
constexpr std::uint64_t kOne32 = std::uint64_t{1} << 32;

// ---- small output helpers -----------------------------------------------------------------
void put_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
void put_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
// Fixed-width encoding of v in an alphabet (most significant first).
void put_base(std::string& out, std::uint64_t v, SV alphabet, int width) {
  char buf[32];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = alphabet[v % alphabet.size()];
    v /= alphabet.size();
  }
  out.append(buf, static_cast<std::size_t>(width));
}
constexpr SV kBase36 = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr SV kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr SV kHex = "0123456789abcdef";

// JSON string body: escapes '"', '\\' and control characters; everything else (UTF-8) as is.
void put_escaped(std::string& out, SV s) {
  static constexpr char kHexU[] = "0123456789abcdef";
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHexU[c >> 4];
        out += kHexU[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
}


bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_han_lead(char c) {  // lead byte of U+4E00..U+9FFF
  const auto u = static_cast<unsigned char>(c);
  return u >= 0xE4 && u <= 0xE9;
}
bool has_non_ascii(SV s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// ASCII letters and digits -> full-width forms (Ａ = U+FF21).
void to_fullwidth(SV in, std::string& out) {
  for (char c : in) {
    if (is_ascii_alnum(c)) {
      text::append_utf8(out, static_cast<char32_t>(0xFF01 + (c - 0x21)));
    } else {
      out += c;
    }
  }
}

// Dense simplified -> traditional lookup for U+4E00..U+9FFF, built once from trad_table().
struct TradDense {
  static constexpr char32_t kLo = 0x4E00;
  static constexpr char32_t kHi = 0x9FFF;
  std::vector<char32_t> map;
  TradDense() : map(kHi - kLo + 1, 0) {
    for (const auto& p : detail::trad_table()) {
      if (p.simp >= kLo && p.simp <= kHi) map[p.simp - kLo] = p.trad;
    }
  }
};
const TradDense& trad_dense() {
  static const TradDense t;
  return t;
}

// Appends `in` with every character of the table replaced by its traditional form.
void convert_trad(SV in, std::string& out) {
  const auto& map = trad_dense().map;
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c >= 0xE4 && c <= 0xE9 && i + 2 < in.size()) {
      const char32_t cp = (static_cast<char32_t>(c & 0x0F) << 12) |
                          (static_cast<char32_t>(in[i + 1] & 0x3F) << 6) |
                          static_cast<char32_t>(in[i + 2] & 0x3F);
      const char32_t tr =
          cp >= TradDense::kLo && cp <= TradDense::kHi ? map[cp - TradDense::kLo] : 0;
      if (tr != 0) {
        text::append_utf8(out, tr);
      } else {
        out.append(in.substr(i, 3));
      }
      i += 3;
      continue;
    }
    out += in[i];
    ++i;
  }
}

// ---- platforms ------------------------------------------------------------------------------
struct PlatformWeight {
  Platform p;
  std::uint32_t w;  // percent
};
constexpr PlatformWeight kZhPlatforms[] = {
    {Platform::weibo, 34},   {Platform::douyin, 14},   {Platform::xiaohongshu, 14},
    {Platform::wechat, 8},   {Platform::bilibili, 8},  {Platform::zhihu, 8},
    {Platform::kuaishou, 5}, {Platform::news, 5},      {Platform::forum, 3},
    {Platform::x, 1},
};
constexpr PlatformWeight kEnPlatforms[] = {
    {Platform::x, 42},    {Platform::reddit, 26}, {Platform::news, 11},
    {Platform::forum, 15}, {Platform::other, 4},  {Platform::weibo, 2},
};
bool chinese_platform(Platform p) { return p <= Platform::kuaishou; }

constexpr SV kZhNewsSites[] = {"news.huanan-ribao.example", "auto.keji-xinwen.example",
                               "finance.jingji-guancha.example"};
constexpr SV kEnNewsSites[] = {"www.dailyledger.example", "tech.morningpost.example",
                               "finance.citynews.example"};
constexpr SV kSubreddits[] = {"technology", "travel", "food", "personalfinance", "cordcutters",
                              "running", "AskReddit", "mildlyinfuriating", "BuyItForLife"};
constexpr SV kBadPlatforms[] = {"myspace", "friendster", "geocities"};

// Heavy-tailed follower counts: a decade by probability, then roughly log-uniform inside it.
constexpr std::uint32_t kDecadeCum[] = {150, 450, 750, 900, 965, 990, 999, 1000};  // permille
constexpr std::uint32_t kVerifiedPermille[] = {3, 3, 5, 20, 80, 300, 800, 950};
constexpr std::int64_t kMantissa[] = {100, 126, 158, 200, 251, 316, 398, 501, 631, 794, 1000};

struct Author {
  std::uint64_t uid = 0;
  std::int64_t followers = 0;
  bool verified = false;
  std::uint32_t name_hash = 0;
  int influencer = -1;  // index into the influencer names, or -1
};

Author author_traits(Lang lang, std::uint64_t idx) {
  const std::uint64_t h = detail::mix64(idx * 2 + (lang == Lang::zh ? 0 : 1) + 0x5EED);
  const std::uint64_t h2 = detail::mix64(h);
  Author a;
  // Bijective over idx * 2 + language (the multiplier is coprime to 9e9): ids never collide.
  a.uid = 1'000'000'000 + ((idx * 2 + (lang == Lang::zh ? 0 : 1)) * 2'654'435'761ULL) % 9'000'000'000ULL;
  const auto roll = static_cast<std::uint32_t>(h % 1000);
  int decade = 0;
  while (roll >= kDecadeCum[decade]) ++decade;
  std::int64_t base = 1;
  for (int i = 0; i < decade; ++i) base *= 10;
  const auto k = static_cast<std::size_t>((h >> 10) % 10);
  const std::int64_t lo = decade == 0 ? 0 : base * kMantissa[k] / 100;
  const std::int64_t hi = base * kMantissa[k + 1] / 100;
  a.followers = lo + static_cast<std::int64_t>((h2 >> 8) % static_cast<std::uint64_t>(hi - lo + 1));
  a.verified = ((h2 >> 40) % 1000) < kVerifiedPermille[decade];
  a.name_hash = static_cast<std::uint32_t>(h2 >> 16);
  return a;
}

Author influencer_traits(Rng& rng, Lang lang, std::size_t names) {
  Author a;
  a.influencer = static_cast<int>(rng.below(names));
  a.uid = 1'000'000 + (static_cast<std::uint64_t>(a.influencer) * 2 + (lang == Lang::zh ? 0 : 1)) * 7919;
  a.followers = rng.between(1'200'000, 30'000'000);
  a.verified = true;
  a.name_hash = 0;
  return a;
}

// ---- runtime structures ----------------------------------------------------------------------
struct BrandRt {
  std::string id;
  Lang lang = Lang::zh;
  std::vector<std::string> forms;
  std::vector<std::string> aspects[2];          // by text language, without crisis aspects
  std::vector<std::string> crisis_aspects[6][2];  // brand keywords per crisis category
  std::vector<int> competitors;
  std::uint32_t weight = 1;
};

struct Story {
  std::string id;
  std::string text;
  std::string author_name;
  Platform platform = Platform::weibo;
  Lang lang = Lang::zh;
  Tone tone = Tone::neutral;
  int brand = -1;
  std::int64_t followers = 0;
  bool valid = false;
};

struct EventRt {
  ScenarioEvent ev;
  int brand = 0;
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
  std::int64_t next_us = 0;
  std::int64_t gap_us = 1;
  std::uint64_t neg_p32 = 0;
  std::uint64_t repost_p32 = 0;
  std::int64_t produced = 0;
  Story seed;
};

enum class Shape : std::uint8_t { original, repost, near_dup };

}  // namespace

struct Generator::Impl {
  GenOptions opt;
  Rng rng;
  Rng bad_rng;
  std::vector<BrandRt> brands;
  std::vector<std::uint32_t> brand_cum;  // cumulative weights
  std::vector<EventRt> events;
  std::int64_t base_next_us = 0;
  std::int64_t base_gap_us = 1;
  std::uint64_t bad_step = 0;
  std::uint64_t bad_acc = 0;
  std::int64_t bad_index = 0;

  std::int64_t produced = 0;
  std::int64_t bad_produced = 0;
  std::int64_t last_event_ms = 0;
  std::int64_t clock_ms = 0;
  LineKind last_kind = LineKind::ok;

  std::array<Story, kRingSize> ring;
  std::size_t ring_next = 0;
  std::size_t ring_count = 0;
  std::array<std::uint64_t, kPlatformCount> counters{};

  // The mention being built.
  Platform platform = Platform::weibo;
  Lang lang = Lang::zh;
  Tone tone = Tone::neutral;
  int brand = -1;
  bool traditional = false;
  bool fullwidth = false;       // all ASCII letters/digits of the text (zh)
  bool fullwidth_brand = false; // only the brand form (en)
  bool omit_lang = false;
  bool has_title = false;
  Author author;
  std::int64_t created_ms = 0;
  int time_style = 0;  // 0 Z, 1 +08:00, 2 epoch ms integer
  bool millis = false;
  SV region;
  std::int64_t likes = 0, reposts = 0, comments = 0, views = 0;
  const Story* parent = nullptr;
  std::string text, text2, title, id, author_name, scratch;
  std::string b_form, c_form;
  SV s_a, s_a2, s_p, s_q, s_g, s_h, s_x, s_y;

  explicit Impl(GenOptions o)
      : opt(std::move(o)), rng(opt.seed), bad_rng(opt.seed ^ 0xBADBADBADBADBADULL) {
    build_brands();
    base_gap_us = std::max<std::int64_t>(1, std::llround(60'000'000.0 / opt.per_minute));
    base_next_us = opt.start_ms * 1000;
    bad_step = detail::to_p32_ceil(opt.bad_share);
    for (const auto& ev : opt.scenario.events) {
      EventRt e;
      e.ev = ev;
      e.brand = brand_index(ev.brand);
      if (e.brand < 0) continue;
      e.start_us = opt.start_ms * 1000 + std::llround(ev.start_minute * 60'000'000.0);
      e.end_us = e.start_us + std::llround(ev.duration_minutes * 60'000'000.0);
      e.next_us = e.start_us;
      e.gap_us = std::max<std::int64_t>(1, std::llround(60'000'000.0 / ev.per_minute));
      e.neg_p32 = detail::to_p32(ev.negative_share);
      e.repost_p32 = detail::to_p32(ev.repost_share);
      events.push_back(std::move(e));
    }
    for (auto& s : ring) {
      s.text.reserve(512);
      s.id.reserve(48);
      s.author_name.reserve(48);
    }
    for (auto* s : {&text, &text2, &title, &scratch}) s->reserve(2048);
    id.reserve(64);
    author_name.reserve(64);
    b_form.reserve(64);
    c_form.reserve(64);
    (void)trad_dense();
  }

  int brand_index(SV bid) const {
    for (std::size_t i = 0; i < brands.size(); ++i) {
      if (brands[i].id == bid) return static_cast<int>(i);
    }
    return -1;
  }

  void build_brands() {
    static constexpr SV kCrisisAspects[] = {"safety", "quality", "legal", "service", "reputation", "privacy"};
    for (const auto& b : opt.brands) {
      if (!b.enabled || b.mention_forms.empty()) continue;
      BrandRt r;
      r.id = b.id;
      r.lang = b.lang == "zh" ? Lang::zh : Lang::en;
      for (const auto& f : b.mention_forms) {
        // Use the display name's casing when a form is the name in another case.
        std::string lf = f, ln = b.name;
        for (auto* s : {&lf, &ln}) {
          for (auto& c : *s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        r.forms.push_back(lf == ln ? b.name : f);
      }
      for (const auto& [aspect, words] : b.aspects) {
        // safety / legal / privacy keywords are crisis words: only scenario events use them.
        int crisis = -1;
        for (std::size_t c = 0; c < 6; ++c) {
          if (aspect == kCrisisAspects[c]) crisis = static_cast<int>(c);
        }
        const bool crisis_only = aspect == "safety" || aspect == "legal" || aspect == "privacy";
        for (const auto& w : words) {
          const int l = has_non_ascii(w) ? 0 : 1;
          if (crisis >= 0) r.crisis_aspects[crisis][l].push_back(w);
          if (!crisis_only) r.aspects[l].push_back(w);
        }
      }
      r.weight = 1 + static_cast<std::uint32_t>(detail::fnv1a(b.id) % 3);
      brands.push_back(std::move(r));
    }
    for (std::size_t i = 0; i < brands.size(); ++i) {
      for (const auto& src : opt.brands) {
        if (src.id != brands[i].id) continue;
        for (const auto& c : src.competitors) {
          const int ci = brand_index(c);
          if (ci >= 0) brands[i].competitors.push_back(ci);
        }
      }
    }
    std::uint32_t cum = 0;
    for (const auto& b : brands) {
      cum += b.weight;
      brand_cum.push_back(cum);
    }
  }

  // ---- picking -------------------------------------------------------------------------
  const LangTexts& t() const { return detail::texts(lang); }
  int li() const { return lang == Lang::zh ? 0 : 1; }

  int pick_brand() {
    const auto r = static_cast<std::uint32_t>(rng.below(brand_cum.back()));
    return static_cast<int>(std::upper_bound(brand_cum.begin(), brand_cum.end(), r) - brand_cum.begin());
  }
  Platform pick_platform(Lang l) {
    const auto r = static_cast<std::uint32_t>(rng.below(100));
    std::uint32_t cum = 0;
    if (l == Lang::zh) {
      for (const auto& pw : kZhPlatforms) {
        if (r < (cum += pw.w)) return pw.p;
      }
      return Platform::weibo;
    }
    for (const auto& pw : kEnPlatforms) {
      if (r < (cum += pw.w)) return pw.p;
    }
    return Platform::x;
  }
  Tone pick_tone(std::uint32_t pos_permille, std::uint32_t neg_permille) {
    const auto r = static_cast<std::uint32_t>(rng.below(1000));
    if (r < pos_permille) return Tone::positive;
    if (r < pos_permille + neg_permille) return Tone::negative;
    return Tone::neutral;
  }
  static Tone opposite(Tone x) {
    return x == Tone::positive ? Tone::negative : x == Tone::negative ? Tone::positive : Tone::neutral;
  }
  SV pick_aspect(int b) {
    const auto& list = brands[static_cast<std::size_t>(b)].aspects[li()];
    if (list.empty()) return rng.pick(t().generic_aspects);
    return rng.pick(list);
  }
  SV pick_pred(Tone x) { return rng.pick(t().predicates[static_cast<int>(x)]); }

  // Appends a brand form in a random casing; full-width when asked.
  void render_form(std::string& dst, int b, bool primary = false) {
    dst.clear();
    const auto& forms = brands[static_cast<std::size_t>(b)].forms;
    const std::string& f = rng.chance(650) || primary ? forms[0] : rng.pick(forms);
    const auto casing = rng.below(100);
    if (fullwidth_brand && !has_non_ascii(f)) {
      to_fullwidth(f, dst);
      return;
    }
    dst = f;
    if (casing < 60) return;
    bool word_start = true;
    for (auto& c : dst) {
      const bool lower = c >= 'a' && c <= 'z';
      const bool upper = c >= 'A' && c <= 'Z';
      if (casing < 80) {  // lower case
        if (upper) c = static_cast<char>(c - 'A' + 'a');
      } else if (casing < 95) {  // Title Case
        if (word_start && lower) c = static_cast<char>(c - 'a' + 'A');
      } else if (lower) {  // UPPER
        c = static_cast<char>(c - 'a' + 'A');
      }
      word_start = c == ' ';
    }
  }

  // Expands a template into dst. {B}/{C} get a space where Latin meets Han.
  void expand(std::string& dst, SV tmpl) {
    std::size_t i = 0;
    while (i < tmpl.size()) {
      if (tmpl[i] == '{' && i + 2 < tmpl.size() && tmpl[i + 2] == '}') {
        const char slot = tmpl[i + 1];
        const char next = i + 3 < tmpl.size() ? tmpl[i + 3] : '\0';
        i += 3;
        SV v;
        switch (slot) {
          case 'B': v = b_form; break;
          case 'C': v = c_form; break;
          case 'A': v = s_a; break;
          case 'a': v = s_a2; break;
          case 'P': v = s_p; break;
          case 'Q': v = s_q; break;
          case 'G': v = s_g; break;
          case 'H': v = s_h; break;
          case 'X': v = s_x; break;
          case 'Y': v = s_y; break;
          default: break;
        }
        if (v.empty()) continue;
        const bool latin_start = is_ascii_alnum(v.front()) || v.front() == '@' || v.front() == '#';
        if (latin_start && !dst.empty() && static_cast<unsigned char>(dst.back()) >= 0x80 &&
            (slot == 'B' || slot == 'C')) {
          dst += ' ';
        }
        dst.append(v);
        if (is_ascii_alnum(v.back()) && is_han_lead(next)) dst += ' ';
        continue;
      }
      const std::size_t j = tmpl.find('{', i + 1);
      const std::size_t end = j == SV::npos ? tmpl.size() : j;
      dst.append(tmpl.substr(i, end - i));
      i = end;
    }
  }

  void fill_slots(int b, Tone x) {
    render_form(b_form, b);
    s_a = pick_aspect(b);
    s_a2 = pick_aspect(b);
    if (s_a2 == s_a) s_a2 = pick_aspect(b);
    s_p = pick_pred(x);
    s_q = pick_pred(opposite(x));
    s_g = pick_pred(Tone::positive);
    s_h = pick_pred(Tone::negative);
    s_x = SV();
    s_y = rng.pick(t().crisis_actions);
    c_form.clear();
  }

  bool ends_with_punct() const {
    static constexpr SV kMarks[] = {".", "!", "?", "\n", " ", "。", "！", "？", "…", "～"};
    return std::any_of(std::begin(kMarks), std::end(kMarks), [&](SV m) {
      return text.size() >= m.size() && SV(text).substr(text.size() - m.size()) == m;
    });
  }

  void add_decorations(Tone x, bool allow_hashtag) {
    const LangTexts& tx = t();
    const auto ti = static_cast<int>(x);
    const SV end = rng.pick(tx.ends);
    if (!ends_with_punct()) {
      text.append(end);
    } else {
      while (!text.empty() && text.back() == ' ') text.pop_back();
    }
    if (rng.chance(lang == Lang::zh ? 450 : 300)) text.append(rng.pick(tx.tails[ti]));
    if (rng.chance(200)) {
      text += ' ';
      text.append(rng.pick(tx.slang[ti]));
    }
    if (allow_hashtag && rng.chance(120)) {
      text += ' ';
      text.append(rng.pick(tx.hashtags[ti]));
    }
  }

  // ---- bodies ----------------------------------------------------------------------------
  void body_single(int b, Tone x) {
    const LangTexts& tx = t();
    fill_slots(b, x);
    const bool opener = rng.chance(lang == Lang::zh ? 350 : 250);
    if (opener) text.append(rng.pick(tx.openers));
    const std::size_t core = text.size();
    const SV tmpl = rng.pick(tx.single[static_cast<int>(x)]);
    expand(text, tmpl);
    // "Honestly, not impressed ..." rather than "Honestly, Not impressed ...".
    if (opener && lang == Lang::en && tmpl.front() != '{' && text[core] >= 'A' &&
        text[core] <= 'Z' && core + 1 < text.size() && text[core + 1] >= 'a' && text[core + 1] <= 'z') {
      text[core] = static_cast<char>(text[core] - 'A' + 'a');
    }
    const auto clause = rng.below(1000);
    if (x != Tone::neutral && clause < 220) {
      expand(text, rng.pick(tx.contrast));
    } else if (clause < 650) {
      s_p = pick_pred(x);
      expand(text, rng.pick(tx.additions));
    }
    const bool long_post = rng.chance(40);
    if (long_post || rng.chance(450)) {
      if (!ends_with_punct()) {
        text.append(lang == Lang::zh ? "。" : ".");
      }
      if (lang == Lang::en) text += ' ';
      text.append(rng.pick(tx.long_fillers));
    }
    if (long_post) {
      const auto n = 3 + rng.below(4);
      for (std::uint64_t k = 0; k < n; ++k) {
        if (platform == Platform::reddit || platform == Platform::forum) text += '\n';
        s_a = pick_aspect(b);
        s_p = pick_pred(rng.chance(700) ? x : opposite(x));
        expand(text, lang == Lang::zh ? SV("{A}的话，{P}。") : SV("As for the {A}, it is {P}. "));
        text.append(rng.pick(tx.long_fillers));
      }
    }
    add_decorations(x, true);
  }

  void body_compare(int b, int c) {
    fill_slots(b, Tone::positive);
    render_form(c_form, c);
    expand(text, rng.pick(t().compare));
    add_decorations(rng.chance(500) ? Tone::positive : Tone::neutral, true);
  }

  void body_chatter() {
    const LangTexts& tx = t();
    const SV first = rng.pick(tx.chatter);
    text.append(first);
    if (rng.chance(450)) {
      const SV second = rng.pick(tx.chatter);
      if (second != first) {
        text.append(lang == Lang::zh ? "。" : ". ");
        text.append(second);
      }
    }
    if (rng.chance(300)) text.append(rng.pick(tx.tails[static_cast<int>(Tone::neutral)]));
  }

  SV pick_crisis_word(int b, CrisisCategory cat) {
    const auto& own = brands[static_cast<std::size_t>(b)].crisis_aspects[static_cast<int>(cat)][li()];
    if (!own.empty() && rng.chance(300)) return rng.pick(own);
    return rng.pick(t().crisis_words[static_cast<int>(cat)]);
  }

  void body_crisis(int b, CrisisCategory cat, bool influencer_post) {
    fill_slots(b, Tone::negative);
    if (influencer_post) render_form(b_form, b, true);
    s_x = pick_crisis_word(b, cat);
    const LangTexts& tx = t();
    expand(text, rng.pick(influencer_post ? tx.crisis_influencer : tx.crisis));
    if (!influencer_post) add_decorations(Tone::negative, true);
  }

  void body_crisis_calm(int b, CrisisCategory cat) {
    fill_slots(b, Tone::neutral);
    s_x = pick_crisis_word(b, cat);
    expand(text, rng.pick(t().crisis_calm));
    add_decorations(Tone::neutral, false);
  }

  void body_campaign(int b, bool influencer_post) {
    fill_slots(b, Tone::positive);
    if (influencer_post) render_form(b_form, b, true);
    const LangTexts& tx = t();
    expand(text, rng.pick(influencer_post ? tx.campaign_influencer : tx.campaign));
    if (!influencer_post) add_decorations(Tone::positive, true);
  }

  void body_repost(const Story& s) {
    const LangTexts& tx = t();
    text.append(rng.pick(tx.repost_comments[static_cast<int>(s.tone)]));
    if (chinese_platform(platform) || s.lang == Lang::zh) {
      // Weibo style, sometimes through a chain of earlier reposters.
      if (rng.chance(250)) {
        const Author mid = author_traits(lang, rng.below(kAuthorPool));
        text.append("//@");
        append_name(text, lang, mid);
        text += ':';
        text.append(rng.pick(tx.repost_comments[static_cast<int>(s.tone)]));
      }
      text.append("//@");
      text.append(s.author_name);
      text += ':';
    } else {
      text.append(" RT @");
      for (char c : s.author_name) {  // a handle: display names lose their spaces
        if (c != ' ') text += c;
      }
      text.append(": ");
    }
    text.append(s.text);
  }

  // A copy of a story with a small edit: a few characters changed, added or removed.
  void body_near_dup(const Story& s) {
    const LangTexts& tx = t();
    const auto op = rng.below(4);
    if (op == 0) text.append(rng.pick(tx.dup_prefixes));
    text.append(s.text);
    if (op == 1) text.append(rng.pick(tx.dup_suffixes));
    if (op == 2) {  // swap one full-width punctuation mark for its ASCII twin
      static constexpr std::pair<SV, SV> kSwaps[] = {{"，", ","}, {"！", "!"}, {"？", "?"}, {"。", "."}};
      bool done = false;
      for (const auto& [from, to] : kSwaps) {
        const auto pos = text.find(from);
        if (pos != std::string::npos) {
          text.replace(pos, from.size(), to);
          done = true;
          break;
        }
      }
      if (!done) text.append(rng.pick(tx.dup_suffixes));
    }
    if (op == 3) {  // drop the last character (a UTF-8 sequence) and add a mark
      std::size_t cut = text.size();
      while (cut > 0) {
        --cut;
        if ((static_cast<unsigned char>(text[cut]) & 0xC0) != 0x80) break;
      }
      if (cut > 8) text.resize(cut);
      text.append(lang == Lang::zh ? "！" : "!");
    }
  }

  // Headlines for news, question titles for zhihu / reddit / bilibili posts (originals only).
  void make_title(Shape shape, bool crisis, CrisisCategory cat) {
    title.clear();
    has_title = false;
    if (brand < 0 || shape != Shape::original) return;
    const LangTexts& tx = t();
    Words pool;
    if (platform == Platform::news) {
      pool = crisis ? tx.crisis_titles : tx.titles[static_cast<int>(tone)];
    } else if ((platform == Platform::zhihu && rng.chance(700)) ||
               (platform == Platform::reddit && rng.chance(800)) ||
               (platform == Platform::bilibili && rng.chance(600))) {
      pool = tx.question_titles;
    } else {
      return;
    }
    const SV x = crisis ? pick_crisis_word(brand, cat) : SV();
    fill_slots(brand, tone);
    render_form(b_form, brand, true);  // headlines use the brand's main form
    s_x = x;
    expand(title, rng.pick(pool));
    has_title = true;
    if (traditional) to_trad_inplace(title);
  }

  // ---- authors, ids, time -----------------------------------------------------------------
  void append_name(std::string& dst, Lang l, const Author& a) const {
    const LangTexts& tx = detail::texts(l);
    if (a.influencer >= 0) {
      dst.append(tx.influencer_names[static_cast<std::size_t>(a.influencer) % tx.influencer_names.size()]);
      return;
    }
    const std::uint32_t h = a.name_hash;
    dst.append(tx.name_first[h % tx.name_first.size()]);
    dst.append(tx.name_second[(h >> 5) % tx.name_second.size()]);
    if ((h >> 10) % 10 < 4) {
      if (l == Lang::en) dst += '_';
      put_uint(dst, (h >> 14) % 10000);
    }
  }

  void pick_author(bool influencer) {
    if (influencer) {
      author = influencer_traits(rng, lang, t().influencer_names.size());
    } else {
      const std::uint64_t a = rng.below(kAuthorPool);
      const std::uint64_t b = rng.below(kAuthorPool);
      author = author_traits(lang, a * b / kAuthorPool);  // skewed: some authors post a lot
    }
    author_name.clear();
    append_name(author_name, lang, author);
  }

  void make_id() {
    id.clear();
    id.append(platform_name(platform));
    id += ':';
    const std::uint64_t c = counters[static_cast<std::size_t>(platform)]++;
    switch (platform) {
      case Platform::weibo: put_uint(id, 4'900'000'000'000'000ULL + c * 1000 + rng.below(1000)); break;
      case Platform::wechat: put_uint(id, 2'650'000'000'000ULL + c * 10 + rng.below(10)); break;
      case Platform::douyin: put_uint(id, 7'300'000'000'000'000'000ULL + c * 1000 + rng.below(1000)); break;
      case Platform::xiaohongshu:
        put_base(id, static_cast<std::uint64_t>(created_ms / 1000), kHex, 8);
        put_base(id, c * 256 + rng.below(256), kHex, 16);
        break;
      case Platform::bilibili:
        id.append("BV1");
        put_base(id, c * 61 + rng.below(61), kBase58, 9);
        break;
      case Platform::zhihu: put_uint(id, 600'000'000 + c * 10 + rng.below(10)); break;
      case Platform::kuaishou:
        id.append("3x");
        put_base(id, c * 37 + rng.below(37), kBase36, 13);
        break;
      case Platform::x: put_uint(id, 1'850'000'000'000'000'000ULL + c * 4096 + rng.below(4096)); break;
      case Platform::reddit:
        id.append(parent ? "t1_" : "t3_");
        put_base(id, 1'000'000'000ULL + c * 7 + rng.below(7), kBase36, 7);
        break;
      case Platform::news:
        id.append("art-");
        put_uint(id, 100'000 + c * 10 + rng.below(10));
        break;
      case Platform::forum:
        id.append("t");
        put_uint(id, 300'000 + c / 5);
        id.append("-p");
        put_uint(id, c);
        break;
      case Platform::other: put_uint(id, 10'000 + c); break;
    }
  }

  SV id_number() const { return SV(id).substr(id.find(':') + 1); }

  void make_time_and_meta(std::int64_t clock_us) {
    created_ms = clock_us / 1000;
    if (rng.chance(10)) created_ms -= rng.between(1000, 120'000);  // ~1% arrive late
    const auto r = rng.below(100);
    if (chinese_platform(platform)) {
      time_style = r < 55 ? 1 : r < 85 ? 0 : 2;
    } else {
      time_style = r < 75 ? 0 : r < 85 ? 1 : 2;
    }
    millis = rng.chance(500);
    omit_lang = rng.chance(100);
    if (rng.chance(300)) {
      region = SV();
    } else if (traditional && rng.chance(800)) {
      region = rng.pick(detail::traditional_regions());
    } else {
      region = rng.pick(t().regions);
    }
  }

  void make_metrics() {
    const std::int64_t f = author.followers;
    const std::int64_t vf = std::int64_t{20} << std::min(rng.below(8), rng.below(8));
    views = f * vf / 1000 + static_cast<std::int64_t>(rng.below(100));
    const std::int64_t lr = std::int64_t{10} << std::min(rng.below(7), rng.below(7));
    likes = views * lr / 10000 + static_cast<std::int64_t>(rng.below(3));
    if (rng.chance(5)) {  // occasional viral post
      views *= 20;
      likes *= 20;
    }
    reposts = likes * static_cast<std::int64_t>(rng.below(30)) / 100;
    comments = likes * (5 + static_cast<std::int64_t>(rng.below(40))) / 100;
  }

  // ---- text post-processing ---------------------------------------------------------------
  void to_trad_inplace(std::string& s) {
    text2.clear();
    convert_trad(s, text2);
    s.swap(text2);
  }

  void apply_script() {
    if (traditional) to_trad_inplace(text);
    if (fullwidth) {
      text2.clear();
      to_fullwidth(text, text2);
      text.swap(text2);
    }
  }

  void remember(Shape shape, bool chatter) {
    if (shape != Shape::original) return;
    if (chatter ? !rng.chance(50) : (author.followers < 10'000 && !rng.chance(250))) return;
    Story& s = ring[ring_next];
    ring_next = (ring_next + 1) % kRingSize;
    ring_count = std::min(ring_count + 1, kRingSize);
    s.id = id;
    s.text = text;
    s.author_name = author_name;
    s.platform = platform;
    s.lang = lang;
    s.tone = tone;
    s.brand = brand;
    s.followers = author.followers;
    s.valid = true;
  }

  const Story& pick_story() {
    const Story& a = ring[static_cast<std::size_t>(rng.below(ring_count))];
    const Story& b = ring[static_cast<std::size_t>(rng.below(ring_count))];
    return a.followers >= b.followers ? a : b;
  }

  void save_seed(Story& seed) {
    seed.id = id;
    seed.text = text;
    seed.author_name = author_name;
    seed.platform = platform;
    seed.lang = lang;
    seed.tone = tone;
    seed.brand = brand;
    seed.followers = author.followers;
    seed.valid = true;
  }

  // ---- one mention --------------------------------------------------------------------------
  void begin(Lang l, Platform p) {
    lang = l;
    platform = p;
    text.clear();
    title.clear();
    has_title = false;
    parent = nullptr;
    brand = -1;
    tone = Tone::neutral;
    traditional = l == Lang::zh && rng.chance(150);
    fullwidth = l == Lang::zh && rng.chance(50);
    fullwidth_brand = l == Lang::en && rng.chance(20);
  }

  Lang text_lang_for(int b) {
    const Lang home = brands[static_cast<std::size_t>(b)].lang;
    if (rng.chance(120)) return home == Lang::zh ? Lang::en : Lang::zh;
    return home;
  }

  void base_mention(std::int64_t clock_us) {
    const auto r = rng.below(1000);
    Shape shape = Shape::original;
    bool chatter = false;
    if (ring_count > 0 && r < 80) {
      const Story& s = pick_story();
      shape = Shape::repost;
      begin(s.lang, rng.chance(900) ? s.platform : pick_platform(s.lang));
      traditional = false;
      fullwidth = false;
      parent = &s;
      brand = s.brand;
      tone = s.tone;
      body_repost(s);
    } else if (ring_count > 0 && r < 110) {
      const Story& s = pick_story();
      shape = Shape::near_dup;
      begin(s.lang, pick_platform(s.lang));
      traditional = false;
      fullwidth = false;
      brand = s.brand;
      tone = s.tone;
      body_near_dup(s);
    } else if (r < 410) {
      chatter = true;
      const Lang l = rng.chance(550) ? Lang::zh : Lang::en;
      Platform p = pick_platform(l);
      if (p == Platform::news) p = l == Lang::zh ? Platform::weibo : Platform::x;
      begin(l, p);
      body_chatter();
    } else {
      const int b = pick_brand();
      const auto& comps = brands[static_cast<std::size_t>(b)].competitors;
      const Lang l = text_lang_for(b);
      begin(l, pick_platform(l));
      brand = b;
      if (r < 470 && !comps.empty()) {
        tone = Tone::positive;
        body_compare(b, comps[static_cast<std::size_t>(rng.below(comps.size()))]);
      } else {
        tone = pick_tone(350, 300);
        body_single(b, tone);
      }
    }
    finish(clock_us, shape, chatter, false, false);
  }

  void event_mention(EventRt& e, std::int64_t clock_us) {
    const bool crisis = e.ev.type == EventType::crisis;
    const bool first = e.produced == 0;
    ++e.produced;
    const int b = e.brand;
    const Lang home = brands[static_cast<std::size_t>(b)].lang;
    const Platform main_platform = home == Lang::zh ? Platform::weibo : Platform::x;
    if (first && e.ev.influencer) {
      begin(home, main_platform);
      traditional = false;
      fullwidth = false;
      brand = b;
      tone = crisis ? Tone::negative : Tone::positive;
      if (crisis) {
        body_crisis(b, e.ev.category, true);
      } else {
        body_campaign(b, true);
      }
      finish(clock_us, Shape::original, false, true, crisis, e.ev.category);
      save_seed(e.seed);
      return;
    }
    if (e.seed.valid && rng.chance32(e.repost_p32)) {
      const bool copy = rng.chance(200);
      begin(e.seed.lang, copy ? pick_platform(e.seed.lang) : e.seed.platform);
      traditional = false;
      fullwidth = false;
      brand = b;
      tone = e.seed.tone;
      if (copy) {
        body_near_dup(e.seed);
        finish(clock_us, Shape::near_dup, false, false, crisis, e.ev.category);
      } else {
        parent = &e.seed;
        body_repost(e.seed);
        finish(clock_us, Shape::repost, false, false, crisis, e.ev.category);
      }
      return;
    }
    const Lang l = rng.chance(950) ? home : (home == Lang::zh ? Lang::en : Lang::zh);
    begin(l, rng.chance(600) ? (l == Lang::zh ? Platform::weibo : Platform::x) : pick_platform(l));
    brand = b;
    const bool negative = rng.chance32(e.neg_p32);
    if (crisis) {
      if (negative) {
        tone = Tone::negative;
        body_crisis(b, e.ev.category, false);
      } else if (rng.chance(500)) {
        tone = Tone::neutral;
        body_crisis_calm(b, e.ev.category);
      } else {
        tone = pick_tone(600, 0);
        body_single(b, tone);
      }
    } else if (negative) {
      tone = Tone::negative;
      body_single(b, tone);
    } else {
      tone = Tone::positive;
      body_campaign(b, false);
    }
    finish(clock_us, Shape::original, false, false, crisis && negative, e.ev.category);
    if (!e.seed.valid && tone == (crisis ? Tone::negative : Tone::positive)) save_seed(e.seed);
  }

  void finish(std::int64_t clock_us, Shape shape, bool chatter, bool influencer, bool crisis,
              CrisisCategory cat = CrisisCategory::quality) {
    apply_script();
    pick_author(influencer);
    make_time_and_meta(clock_us);
    make_id();
    make_title(shape, crisis, cat);
    make_metrics();
    if (influencer) {
      views = author.followers * (2 + static_cast<std::int64_t>(rng.below(5)));
      likes = views / (50 + static_cast<std::int64_t>(rng.below(50)));
      reposts = likes / 3;
      comments = likes / 4;
    }
    remember(shape, chatter);
  }

  // ---- JSON ---------------------------------------------------------------------------------
  void write_url(std::string& out) {
    out += '"';
    const SV num = id_number();
    switch (platform) {
      case Platform::weibo:
        out += "https://weibo.com/";
        put_uint(out, author.uid);
        out += '/';
        out.append(num);
        break;
      case Platform::wechat:
        out += "https://mp.weixin.qq.com/s/";
        put_base(out, detail::mix64(detail::fnv1a(id)), kBase58, 11);
        put_base(out, detail::mix64(author.uid), kBase58, 11);
        break;
      case Platform::douyin: out += "https://www.douyin.com/video/"; out.append(num); break;
      case Platform::xiaohongshu: out += "https://www.xiaohongshu.com/explore/"; out.append(num); break;
      case Platform::bilibili: out += "https://www.bilibili.com/video/"; out.append(num); break;
      case Platform::zhihu:
        out += "https://www.zhihu.com/question/";
        put_uint(out, 400'000'000 + author.uid % 90'000'000);
        out += "/answer/";
        out.append(num);
        break;
      case Platform::kuaishou: out += "https://www.kuaishou.com/short-video/"; out.append(num); break;
      case Platform::x:
        out += "https://x.com/";
        if (lang == Lang::en && author.influencer < 0) {
          out.append(author_name);
        } else {
          out += 'u';
          put_uint(out, author.uid);
        }
        out += "/status/";
        out.append(num);
        break;
      case Platform::reddit:
        out += "https://www.reddit.com/r/";
        out.append(kSubreddits[author.uid % std::size(kSubreddits)]);
        out += "/comments/";
        out.append(num.substr(3));
        out += '/';
        break;
      case Platform::news:
        out += "https://";
        out.append(lang == Lang::zh ? kZhNewsSites[author.uid % 3] : kEnNewsSites[author.uid % 3]);
        out += "/articles/";
        out.append(num.substr(4));
        out += ".html";
        break;
      case Platform::forum:
        out += lang == Lang::zh ? "https://bbs.chezhu-luntan.example/" : "https://forum.gearheads.example/";
        out.append(num);
        break;
      case Platform::other:
        out += "https://blog.example.org/p/";
        out.append(num);
        break;
    }
    out += '"';
  }

  void write_line(std::string& out, LineKind kind, std::int64_t variant) {
    const std::size_t line_start = out.size();
    const int missing = kind == LineKind::missing_field ? static_cast<int>(variant % 4) : -1;
    bool first = true;
    auto key = [&](SV k) {
      if (!first) out += ',';
      first = false;
      out += '"';
      out.append(k);
      out += "\":";
    };
    out += '{';
    if (missing != 0) {
      key("id");
      out += '"';
      out.append(id);
      out += '"';
    }
    if (missing != 1) {
      key("platform");
      out += '"';
      out.append(kind == LineKind::bad_value ? kBadPlatforms[variant % 3] : platform_name(platform));
      out += '"';
    }
    if (missing != 2) {
      key("created_at");
      if (kind == LineKind::bad_timestamp) {
        static constexpr SV kBadTimes[] = {"\"yesterday\"", "\"2026/11/01 08:00:00\"",
                                           "\"2026-11-01T25:61:00Z\"", "99999999999999"};
        out.append(kBadTimes[variant % 4]);
      } else if (time_style == 2) {
        put_int(out, created_ms);
      } else {
        out += '"';
        format_rfc3339(out, created_ms, time_style == 1 ? 480 : 0, millis);
        out += '"';
      }
    }
    if (has_title) {
      key("title");
      out += '"';
      put_escaped(out, title);
      out += '"';
    }
    if (!omit_lang) {
      key("lang");
      out += lang == Lang::zh ? "\"zh\"" : "\"en\"";
    }
    if (missing != 3) {
      key("text");
      if (kind == LineKind::bad_type) {
        switch (variant % 3) {
          case 0: put_uint(out, 10'000 + bad_rng.below(90'000)); break;
          case 1: out += "true"; break;
          default:
            out += "[\"";
            put_escaped(out, text);
            out += "\"]";
        }
      } else {
        out += '"';
        if (kind == LineKind::too_large) {
          scratch.assign(text);
          while (text.size() < kTooLargeBytes) {
            text += ' ';
            text.append(scratch);
          }
        }
        if (kind == LineKind::invalid_utf8) {
          static constexpr SV kBadBytes[] = {"\xFF", "\xC3\x28", "\x80\x80", "\xC0\xAF", "\xED\xA0\x80"};
          const SV bad = kBadBytes[variant % 5];
          if (variant % 2 == 0) {
            out.append(bad);
            put_escaped(out, text);
          } else {
            put_escaped(out, text);
            out.append(bad);
          }
        } else {
          put_escaped(out, text);
        }
        out += '"';
      }
    }
    key("url");
    write_url(out);
    key("author");
    out += "{\"id\":\"";
    if (platform == Platform::reddit) {
      out += "t2_";
      put_base(out, author.uid, kBase36, 7);
    } else {
      put_uint(out, author.uid);
    }
    out += "\",\"name\":\"";
    put_escaped(out, author_name);
    out += "\",\"followers\":";
    put_int(out, author.followers);
    out += author.verified ? ",\"verified\":true}" : ",\"verified\":false}";
    key("metrics");
    out += "{\"likes\":";
    put_int(out, likes);
    out += ",\"reposts\":";
    put_int(out, reposts);
    out += ",\"comments\":";
    put_int(out, comments);
    out += ",\"views\":";
    put_int(out, views);
    out += '}';
    if (parent != nullptr) {
      key("parent_id");
      out += '"';
      out.append(parent->id);
      out += '"';
    }
    if (!region.empty()) {
      key("region");
      out += '"';
      out.append(region);
      out += '"';
    }
    out += '}';
    if (kind == LineKind::malformed_json) {
      // Cut somewhere in the middle, on a character boundary: never valid, always UTF-8.
      const std::size_t len = out.size() - line_start;
      std::size_t cut = line_start + len / 4 + static_cast<std::size_t>(bad_rng.below(len / 2));
      while (cut > line_start + 1 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
      out.resize(cut);
    }
  }

  void next(std::string& out) {
    // The source with the earliest next time: the base stream or an active event.
    EventRt* src = nullptr;
    std::int64_t clock_us = base_next_us;
    for (auto& e : events) {
      if (e.next_us < e.end_us && e.next_us < clock_us) {
        clock_us = e.next_us;
        src = &e;
      }
    }
    if (src != nullptr) {
      src->next_us += static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(2 * src->gap_us) + 1));
      event_mention(*src, clock_us);
    } else {
      base_next_us += static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(2 * base_gap_us) + 1));
      base_mention(clock_us);
    }

    LineKind kind = LineKind::ok;
    std::int64_t variant = 0;
    bad_acc += bad_step;
    if (bad_acc >= kOne32) {
      bad_acc -= kOne32;
      kind = static_cast<LineKind>(1 + bad_index % kBadKindCount);
      variant = bad_index / kBadKindCount;
      ++bad_index;
      ++bad_produced;
    }
    write_line(out, kind, variant);
    last_kind = kind;
    ++produced;
    last_event_ms = created_ms;
    clock_ms = clock_us / 1000;
  }
};

Generator::Generator(GenOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Generator::~Generator() = default;
Generator::Generator(Generator&&) noexcept = default;
Generator& Generator::operator=(Generator&&) noexcept = default;

void Generator::next(std::string& out) { impl_->next(out); }
std::int64_t Generator::produced() const { return impl_->produced; }
bool Generator::done() const { return impl_->opt.count >= 0 && impl_->produced >= impl_->opt.count; }
std::int64_t Generator::last_event_ms() const { return impl_->last_event_ms; }
std::int64_t Generator::clock_ms() const { return impl_->clock_ms; }
LineKind Generator::last_kind() const { return impl_->last_kind; }
std::int64_t Generator::bad_produced() const { return impl_->bad_produced; }

void to_traditional(std::string_view in, std::string& out) { convert_trad(in, out); }

}  // namespace yuqing::gen
