// Generator tests: determinism, canonical fields, brands and scripts, reposts, scenarios,
// malformed lines, and the loaders' error messages.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <opencc/opencc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gen/gen.h"
#include "engine/gen/texts.h"

namespace yuqing::gen {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::int64_t kStart = 1793491200000;  // 2026-11-01T00:00:00Z

fs::path source_dir() {
  if (const char* env = std::getenv("YUQING_SOURCE_DIR"); env != nullptr && *env != '\0') return env;
  return YUQING_SOURCE_DIR_DEFAULT;
}

const std::vector<BrandInfo>& shipped_brands() {
  static const std::vector<BrandInfo> brands = [] {
    auto r = load_brands(source_dir() / "rules");
    if (!r) {
      ADD_FAILURE() << r.error();
      return std::vector<BrandInfo>{};
    }
    return std::move(r.value());
  }();
  return brands;
}

GenOptions shipped_options(std::uint64_t seed = 42) {
  GenOptions o;
  o.seed = seed;
  o.start_ms = kStart;
  o.brands = shipped_brands();
  return o;
}

std::vector<std::string> generate(GenOptions o, int n, std::vector<LineKind>* kinds = nullptr) {
  Generator g(std::move(o));
  std::vector<std::string> lines;
  lines.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::string line;
    g.next(line);
    if (kinds != nullptr) kinds->push_back(g.last_kind());
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string ascii_lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

// Needles that identify a brand in generated text: its forms, lower-cased, simplified and
// traditional (full-width text is not folded here; the matcher does that).
std::vector<std::string> needles(const BrandInfo& b) {
  std::vector<std::string> out;
  for (const auto& f : b.mention_forms) {
    out.push_back(ascii_lower(f));
    std::string t;
    to_traditional(f, t);
    if (t != f) out.push_back(ascii_lower(t));
  }
  return out;
}

bool contains_any(const std::string& lower_text, const std::vector<std::string>& ns) {
  return std::any_of(ns.begin(), ns.end(),
                     [&](const std::string& n) { return lower_text.find(n) != std::string::npos; });
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += n;
  }
  return true;
}

const std::set<std::string> kPlatforms = {"weibo", "wechat", "douyin", "xiaohongshu", "bilibili", "zhihu",
                                          "kuaishou", "x", "reddit", "news", "forum", "other"};

std::int64_t created_ms(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  auto t = parse_rfc3339(std::string_view(v.as_string()));
  EXPECT_TRUE(t.ok()) << v;
  return t ? *t : 0;
}

std::uint64_t fnv(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// ---- loading -------------------------------------------------------------------------------

TEST(GenBrands, ShippedRulesLoad) {
  const auto& brands = shipped_brands();
  ASSERT_EQ(brands.size(), 12u);
  int zh = 0;
  for (const auto& b : brands) {
    SCOPED_TRACE(b.id);
    EXPECT_TRUE(b.enabled);
    EXPECT_FALSE(b.mention_forms.empty());
    EXPECT_FALSE(b.surface_terms.empty());
    EXPECT_FALSE(b.aspects.empty());
    zh += b.lang == "zh";
    for (const auto& c : b.competitors) {  // competitor lists go both ways
      const auto it = std::find_if(brands.begin(), brands.end(), [&](const BrandInfo& o) { return o.id == c; });
      ASSERT_NE(it, brands.end());
      EXPECT_NE(std::find(it->competitors.begin(), it->competitors.end(), b.id), it->competitors.end());
    }
    // Every name differs in traditional script for the Chinese brands.
    if (b.lang == "zh") {
      std::string t;
      to_traditional(b.name, t);
      EXPECT_NE(t, b.name);
    }
  }
  EXPECT_EQ(zh, 6);
}

TEST(GenBrands, QueryTermsAndForms) {
  auto q = extract_query_terms(R"(("aurora phone" OR @auroraphone OR #auroraphone OR "aurora x5") NOT "aurora borealis")");
  ASSERT_TRUE(q.ok()) << q.error();
  EXPECT_EQ(q->surface_terms, (std::vector<std::string>{"aurora phone", "@auroraphone", "#auroraphone", "aurora x5"}));
  EXPECT_EQ(q->mention_forms, q->surface_terms);

  // NEAR joins Han terms without a space; wildcards and field filters are not surface terms;
  // a form that trips the exclusion on its own is dropped.
  q = extract_query_terms("(星曜 NEAR/5 (新机 OR 旗舰机) OR skyhop* OR #星曜手机# OR (acme AND platform:weibo)) NOT 星曜旗舰机");
  ASSERT_TRUE(q.ok()) << q.error();
  EXPECT_EQ(q->surface_terms, (std::vector<std::string>{"星曜", "新机", "旗舰机", "#星曜手机#", "acme"}));
  EXPECT_EQ(q->mention_forms, (std::vector<std::string>{"星曜新机", "#星曜手机#"}));

  q = extract_query_terms(R"(ferncrest NEAR/5 (app OR card) author.followers:>10000)");
  ASSERT_FALSE(q.ok());  // adjacency = AND with a field filter: no text-only alternative
  q = extract_query_terms(R"(ferncrest ONEAR/3 app NOT site:ferncrestbank.example)");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->mention_forms, (std::vector<std::string>{"ferncrest app"}));

  for (const char* bad : {"(acme OR zenith", "acme OR", "acme)", "\"\"", "\"open phrase", "NOT acme",
                          "acme NEAR/x zenith", "AND acme", ""}) {
    SCOPED_TRACE(bad);
    auto r = extract_query_terms(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("column "), std::string::npos) << r.error();
  }
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("yuqing-gen-test-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_ / "brands");
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& rel, const std::string& body) const {
    const fs::path p = path_ / rel;
    std::ofstream(p) << body;
    return p;
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(GenBrands, ErrorsNameTheFile) {
  struct Case {
    const char* body;
    const char* expect;  // substring of the message after "x.yaml:"
  };
  const Case cases[] = {
      {"id: x\nname: X\nlang: zh\nquery: [unclosed\n", ":"},
      {"id: x\nname: X\nlang: zh\n", "missing required key 'query'"},
      {"id: x\nname: X\nlang: zh\nquery: '(acme OR zenith'\n", "4:8: query: column 1: unbalanced parenthesis"},
      {"id: y\nname: X\nlang: zh\nquery: acme\n", "must equal the file name"},
      {"id: x\nname: X\nlang: fr\nquery: acme\n", "lang must be zh or en"},
      {"id: x\nname: X\nlang: en\nquery: acme\ncompetitors: [nobody]\n", "5: competitor 'nobody' is not a brand"},
      {"id: x\nname: X\nlang: en\nquery: acme\nenabled: maybe\n", "'enabled' must be true or false"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    TempDir dir;
    const fs::path file = dir.write("brands/x.yaml", c.body);
    auto r = load_brands(dir.path());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().rfind(file.string() + ":", 0), 0u) << r.error();
    EXPECT_NE(r.error().find(c.expect), std::string::npos) << r.error();
  }
  TempDir empty;
  auto r = load_brands(empty.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("brands"), std::string::npos);
}

TEST(GenScenario, ShippedScenariosLoadAndValidate) {
  for (const char* name : {"demo-crisis.yaml", "calm.yaml", "skyhop-meltdown.yaml"}) {
    SCOPED_TRACE(name);
    auto sc = load_scenario(source_dir() / "rules" / "scenarios" / name);
    ASSERT_TRUE(sc.ok()) << sc.error();
    GenOptions o = shipped_options();
    o.scenario = std::move(sc.value());
    auto st = validate_options(o);
    EXPECT_TRUE(st.ok()) << st.error();
  }
  auto demo = load_scenario(source_dir() / "rules/scenarios/demo-crisis.yaml");
  ASSERT_TRUE(demo.ok());
  ASSERT_EQ(demo->events.size(), 1u);
  EXPECT_EQ(demo->events[0].brand, "lantu-auto");
  EXPECT_EQ(demo->events[0].category, CrisisCategory::safety);
  EXPECT_EQ(demo->events[0].start_minute, 1);
}

TEST(GenScenario, ErrorsNameFileAndLine) {
  struct Case {
    const char* body;
    const char* expect;
  };
  const Case cases[] = {
      {"name: t\nevents:\n  - type: crisis\n    brand: lantu-auto\n    start_minute: 2\n"
       "    duraton_minutes: 5\n    per_minute: 10\n",
       "s.yaml:6:5: unknown key 'duraton_minutes' (did you mean 'duration_minutes'?"},
      {"name: t\nevents:\n  - type: crisis\n    brand: lantu-auto\n    start_minute: 2\n"
       "    duration_minutes: 5\n    per_minute: 10\n    category: weather\n",
       "s.yaml:8:15: category must be one of"},
      {"name: t\nevents:\n  - type: crisis\n    brand: lantu-auto\n    start_minute: soon\n"
       "    duration_minutes: 5\n    per_minute: 10\n",
       "s.yaml:5:19: 'start_minute' must be a number"},
      {"name: t\nevents:\n  - type: crisis\n    brand: lantu-auto\n    start_minute: 1\n"
       "    duration_minutes: 5\n    per_minute: 10\n    negative_share: 1.5\n",
       "s.yaml:8:21: 'negative_share' must be"},
      {"name: t\nevents:\n  - type: meltdown\n    brand: lantu-auto\n    start_minute: 1\n"
       "    duration_minutes: 5\n    per_minute: 10\n",
       "s.yaml:3:11: type must be crisis or campaign"},
      {"name: t\nevents:\n  - type: crisis\n    brand: lantu-auto\n", "s.yaml:3:5: event is missing required key 'start_minute'"},
      {"name: t\nevents:\n  - {type: crisis, brand: x\n", "s.yaml:"},
      {"nme: t\n", "s.yaml:1:1: unknown key 'nme' (did you mean 'name'?"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    TempDir dir;
    const fs::path file = dir.write("s.yaml", c.body);
    auto r = load_scenario(file);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().rfind(file.string() + ":", 0), 0u) << r.error();
    EXPECT_NE(r.error().find(c.expect), std::string::npos) << r.error();
  }
  // Unknown brands are caught by validate_options, still with file:line.
  TempDir dir;
  const fs::path file = dir.write("s.yaml",
                                  "name: t\nevents:\n  - type: crisis\n    brand: nobody\n    start_minute: 1\n"
                                  "    duration_minutes: 5\n    per_minute: 10\n");
  auto sc = load_scenario(file);
  ASSERT_TRUE(sc.ok()) << sc.error();
  GenOptions o = shipped_options();
  o.scenario = std::move(sc.value());
  auto st = validate_options(o);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().rfind(file.string() + ":3: event brand 'nobody'", 0), 0u) << st.error();
}

TEST(GenTime, Rfc3339RoundTrip) {
  std::string s;
  format_rfc3339(s, kStart, 0, false);
  EXPECT_EQ(s, "2026-11-01T00:00:00Z");
  s.clear();
  format_rfc3339(s, kStart + 1234, 480, true);
  EXPECT_EQ(s, "2026-11-01T08:00:01.234+08:00");
  EXPECT_EQ(*parse_rfc3339("2026-11-01T08:00:01.234+08:00"), kStart + 1234);
  EXPECT_EQ(*parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_rfc3339("2024-02-29T23:59:59.5-05:00"), 1709269199500);
  for (const char* bad : {"yesterday", "2026-13-01T00:00:00Z", "2026-11-01T00:00:00", "2026-02-29T00:00:00Z",
                          "2026/11/01 08:00:00", "2026-11-01T25:61:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad).ok()) << bad;
  }
  for (std::int64_t ms = -86'400'000LL * 800; ms < 86'400'000LL * 200'000; ms += 86'400'000LL * 97 + 12'345) {
    s.clear();
    format_rfc3339(s, ms, 480, true);
    ASSERT_EQ(*parse_rfc3339(s), ms) << s;
  }
}

// ---- determinism -----------------------------------------------------------------------------

TEST(GenDeterminism, SameSeedSameBytes) {
  const auto a = generate(shipped_options(42), 10'000);
  const auto b = generate(shipped_options(42), 10'000);
  const auto c = generate(shipped_options(43), 10'000);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differ += a[i] != c[i];
  EXPECT_GT(differ, 9'900u);
}

// A fixed fingerprint of the output for in-code brands. It pins the bytes across machines,
// compilers and libcs. Changing generator output on purpose? Update the constant (and say so
// in the change): downstream fixtures and benchmarks depend on the stream.
TEST(GenDeterminism, GoldenFingerprint) {
  GenOptions o;
  o.seed = 7;
  o.start_ms = kStart;
  BrandInfo a;
  a.id = "acme";
  a.name = "艾克米";
  a.lang = "zh";
  a.mention_forms = {"艾克米", "#艾克米#"};
  a.surface_terms = a.mention_forms;
  a.aspects = {{"service", {"客服", "service"}}, {"safety", {"起火", "fire"}}};
  a.competitors = {"zenith"};
  BrandInfo z;
  z.id = "zenith";
  z.name = "Zenith Air";
  z.lang = "en";
  z.mention_forms = {"zenith air", "@flyzenith"};
  z.surface_terms = z.mention_forms;
  z.aspects = {{"delays", {"delays", "延误"}}};
  z.competitors = {"acme"};
  o.brands = {a, z};
  ScenarioEvent ev;
  ev.brand = "acme";
  ev.start_minute = 0.5;
  ev.duration_minutes = 1;
  ev.per_minute = 300;
  ev.category = CrisisCategory::safety;
  o.scenario.events.push_back(ev);
  o.bad_share = 0.05;
  ASSERT_TRUE(validate_options(o).ok());
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const auto& line : generate(o, 3'000)) {
    h = fnv(line, h);
    h = fnv("\n", h);
  }
  EXPECT_EQ(h, 0xbdefc7300850b583ULL) << std::hex << "fingerprint 0x" << h;
}

// ---- content --------------------------------------------------------------------------------

TEST(GenContent, GoodLinesAreCanonicalMentions) {
  const auto& brands = shipped_brands();
  const int n = 20'000;
  const auto lines = generate(shipped_options(), n);
  std::set<std::string> ids;
  std::set<std::string> seen_ids;
  std::map<std::string, int> brand_hits;
  std::map<std::string, int> platform_hits;
  int parents = 0, late = 0, chatter = 0, two_competitors = 0, traditional = 0, fullwidth = 0;
  int emoticons = 0, big_accounts = 0, verified_big = 0, verified_small = 0, small_accounts = 0;
  int zh_platform_for_zh_brand = 0, zh_brand_lines = 0, epoch_times = 0, no_lang = 0;
  std::vector<std::int64_t> followers;
  std::int64_t max_seen = 0;
  std::set<char32_t> trad_chars;
  for (const auto& p : detail::trad_table()) trad_chars.insert(p.trad);
  std::vector<std::vector<std::string>> brand_needles;
  for (const auto& b : brands) brand_needles.push_back(needles(b));

  for (const auto& line : lines) {
    ASSERT_EQ(line.find('\n'), std::string::npos);
    ASSERT_TRUE(valid_utf8(line));
    std::error_code ec;
    json::value v = json::parse(line, ec);
    ASSERT_FALSE(ec) << ec.message() << ": " << line;
    const json::object& o = v.as_object();
    for (const char* k : {"id", "platform", "created_at", "text", "url", "author", "metrics"}) {
      ASSERT_TRUE(o.contains(k)) << k << ": " << line;
    }
    const std::string id(o.at("id").as_string());
    const std::string platform(o.at("platform").as_string());
    ASSERT_TRUE(kPlatforms.count(platform)) << line;
    ASSERT_EQ(id.rfind(platform + ":", 0), 0u) << line;
    ASSERT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    platform_hits[platform]++;
    const std::int64_t t = created_ms(o.at("created_at"));
    epoch_times += o.at("created_at").is_int64();
    ASSERT_GE(t, kStart - 121'000);
    ASSERT_LE(t, kStart + 60'000 * 40);  // 20,000 lines at 600/min ~ 33 minutes
    if (t + 1'500 < max_seen) ++late;  // whole-second timestamps lose up to 999 ms
    max_seen = std::max(max_seen, t);
    no_lang += !o.contains("lang");
    const auto& author = o.at("author").as_object();
    const std::int64_t f = author.at("followers").as_int64();
    const bool verified = author.at("verified").as_bool();
    followers.push_back(f);
    if (f > 1'000'000) {
      ++big_accounts;
      verified_big += verified;
    } else if (f < 1'000) {
      ++small_accounts;
      verified_small += verified;
    }
    const auto& m = o.at("metrics").as_object();
    for (const char* k : {"likes", "reposts", "comments", "views"}) ASSERT_GE(m.at(k).as_int64(), 0);
    if (o.contains("parent_id")) {
      ++parents;
      const std::string parent(o.at("parent_id").as_string());
      EXPECT_TRUE(seen_ids.count(parent)) << "parent " << parent << " not seen before " << id;
      const std::string text(o.at("text").as_string());
      EXPECT_TRUE(text.find("//@") != std::string::npos || text.find(" RT @") != std::string::npos) << text;
    }
    seen_ids.insert(id);

    const std::string text(o.at("text").as_string());
    const std::string lower = ascii_lower(text);
    int hits = 0;
    std::vector<std::size_t> hit_idx;
    for (std::size_t b = 0; b < brands.size(); ++b) {
      if (contains_any(lower, brand_needles[b])) {
        brand_hits[brands[b].id]++;
        hit_idx.push_back(b);
        ++hits;
      }
    }
    const bool fw = text.find("\xEF\xBC") != std::string::npos || text.find("\xEF\xBD") != std::string::npos;
    // Full-width letters: U+FF21..U+FF3A (EF BC A1..BA) and U+FF41..U+FF5A (EF BD 81..9A).
    bool fw_letter = false;
    for (std::size_t i = 0; fw && i + 2 < text.size(); ++i) {
      const auto a = static_cast<unsigned char>(text[i]), b = static_cast<unsigned char>(text[i + 1]),
                 c = static_cast<unsigned char>(text[i + 2]);
      if (a == 0xEF && ((b == 0xBC && c >= 0xA1 && c <= 0xBA) || (b == 0xBD && c >= 0x81 && c <= 0x9A))) {
        fw_letter = true;
      }
    }
    fullwidth += fw_letter;
    if (hits == 0 && !fw_letter) ++chatter;
    if (hits >= 2) {
      for (auto x : hit_idx) {
        for (auto y : hit_idx) {
          const auto& comp = brands[x].competitors;
          if (std::find(comp.begin(), comp.end(), brands[y].id) != comp.end()) {
            ++two_competitors;
            goto counted;
          }
        }
      }
    counted:;
    }
    if (hits == 1 && brands[hit_idx[0]].lang == "zh" && o.contains("parent_id") == false) {
      ++zh_brand_lines;
      static const std::set<std::string> zh_platforms = {"weibo", "wechat", "douyin", "xiaohongshu",
                                                         "bilibili", "zhihu", "kuaishou"};
      zh_platform_for_zh_brand += zh_platforms.count(platform) > 0;
    }
    // Traditional: any character that only the traditional side of the table produces.
    for (std::size_t i = 0; i + 2 < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0xE4 && c <= 0xE9) {
        const char32_t cp = (static_cast<char32_t>(c & 0x0F) << 12) |
                            (static_cast<char32_t>(text[i + 1] & 0x3F) << 6) | (text[i + 2] & 0x3F);
        if (trad_chars.count(cp)) {
          ++traditional;
          break;
        }
      }
    }
    emoticons += text.find("[怒]") != std::string::npos || text.find("[赞]") != std::string::npos ||
                 text.find("[泪]") != std::string::npos || text.find("[doge]") != std::string::npos;
  }

  for (const auto& b : brands) EXPECT_GT(brand_hits[b.id], 200) << b.id;
  for (const auto& p : kPlatforms) EXPECT_GT(platform_hits[p], 20) << p;
  EXPECT_GT(parents, n / 30);
  EXPECT_GT(late, n / 400);
  EXPECT_LT(late, n / 40);
  EXPECT_GT(chatter, n * 20 / 100);
  EXPECT_LT(chatter, n * 45 / 100);
  EXPECT_GT(two_competitors, n / 100);
  EXPECT_GT(traditional, n / 50);
  EXPECT_GT(fullwidth, n / 200);
  EXPECT_GT(emoticons, n / 20);
  EXPECT_GT(epoch_times, n / 20);
  EXPECT_GT(no_lang, n / 50);
  EXPECT_GT(zh_platform_for_zh_brand, zh_brand_lines * 7 / 10);
  // Heavy tail: most accounts are small, a few are huge, and big ones are more often verified.
  std::sort(followers.begin(), followers.end());
  EXPECT_LT(followers[followers.size() / 2], 1'000);
  EXPECT_GT(followers.back(), 1'000'000);
  EXPECT_GT(big_accounts, 0);
  EXPECT_LT(big_accounts, n / 30);
  EXPECT_GT(static_cast<double>(verified_big) / big_accounts,
            5.0 * static_cast<double>(verified_small) / small_accounts);
}

TEST(GenContent, LengthsAreMostlyShortWithSomeLong) {
  const auto lines = generate(shipped_options(3), 5'000);
  std::vector<std::size_t> lens;
  for (const auto& line : lines) {
    const json::value v = json::parse(line);
    lens.push_back(v.as_object().at("text").as_string().size());
  }
  std::sort(lens.begin(), lens.end());
  EXPECT_GE(lens[lens.size() / 2], 40u);
  EXPECT_LE(lens[lens.size() / 2], 300u);
  EXPECT_GT(lens[lens.size() * 995 / 1000], 300u);
}

// Traditional output must fold back to the simplified text with OpenCC (what the matcher does).
TEST(GenContent, TraditionalFoldsBackWithOpenCC) {
  opencc::SimpleConverter t2s("/usr/share/opencc/t2s.json");
  for (const auto& p : detail::trad_table()) {
    auto enc = [](char32_t cp) {
      std::string s;
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
      return s;
    };
    const std::string simp = enc(p.simp);
    const std::string trad = enc(p.trad);
    EXPECT_EQ(t2s.Convert(trad), simp) << simp << " " << trad;
  }
  // Whole texts: every zh phrase of the generator, converted, folds to the same thing as the
  // original.
  const auto& zh = detail::texts(detail::Lang::zh);
  std::vector<detail::Words> all = {zh.chatter, zh.crisis, zh.crisis_influencer, zh.compare, zh.campaign};
  for (int t = 0; t < 3; ++t) {
    all.push_back(zh.single[t]);
    all.push_back(zh.predicates[t]);
  }
  for (const auto& words : all) {
    for (auto s : words) {
      std::string trad;
      to_traditional(s, trad);
      EXPECT_EQ(t2s.Convert(trad), t2s.Convert(std::string(s))) << s << " -> " << trad;
    }
  }
  for (const auto& b : shipped_brands()) {
    for (const auto& f : b.mention_forms) {
      std::string trad;
      to_traditional(f, trad);
      EXPECT_EQ(t2s.Convert(trad), t2s.Convert(f)) << f << " -> " << trad;
    }
  }
}

// ---- scenarios --------------------------------------------------------------------------------

TEST(GenScenario, DemoCrisisRaisesNegativeMentionsInItsWindow) {
  auto sc = load_scenario(source_dir() / "rules/scenarios/demo-crisis.yaml");
  ASSERT_TRUE(sc.ok()) << sc.error();
  GenOptions o = shipped_options();
  o.scenario = std::move(sc.value());
  const auto& ev = o.scenario.events[0];
  const auto it = std::find_if(o.brands.begin(), o.brands.end(), [&](const BrandInfo& b) { return b.id == ev.brand; });
  ASSERT_NE(it, o.brands.end());
  const auto brand_needles = needles(*it);
  std::vector<std::string> crisis;
  for (const char* lang : {"zh", "en"}) {
    for (auto w : crisis_words(ev.category, lang)) crisis.push_back(ascii_lower(w));
  }
  Generator g(o);
  // Per minute of event time: brand mentions, and brand mentions with a crisis word.
  std::map<std::int64_t, int> brand_per_min, crisis_per_min;
  bool saw_influencer = false;
  std::string line;
  for (int i = 0; i < 9'000; ++i) {
    line.clear();
    g.next(line);
    const json::value v = json::parse(line);
    const auto& obj = v.as_object();
    const std::string text = ascii_lower(std::string_view(obj.at("text").as_string()));
    if (!contains_any(text, brand_needles)) continue;
    const std::int64_t minute = (g.clock_ms() - kStart) / 60'000;
    brand_per_min[minute]++;
    if (contains_any(text, crisis)) crisis_per_min[minute]++;
    const auto& author = obj.at("author").as_object();
    const std::int64_t spike_ms = kStart + static_cast<std::int64_t>(ev.start_minute * 60'000);
    if (g.clock_ms() == spike_ms && author.at("verified").as_bool() &&
        author.at("followers").as_int64() > 1'000'000) {
      saw_influencer = true;
    }
  }
  EXPECT_TRUE(saw_influencer) << "the crisis opens with an influencer post at its start minute";
  const auto first = static_cast<std::int64_t>(ev.start_minute);
  for (std::int64_t m = 0; m < first; ++m) {
    EXPECT_LE(crisis_per_min[m], 3) << "minute " << m;
    EXPECT_GT(brand_per_min[m], 10) << "minute " << m;
  }
  for (std::int64_t m = first; m < first + 6; ++m) {
    EXPECT_GT(crisis_per_min[m], 100) << "minute " << m;
    EXPECT_GT(crisis_per_min[m] * 10, brand_per_min[m] * 6) << "minute " << m;
  }
}

TEST(GenScenario, EventsEndAndCalmHasNone) {
  auto sc = load_scenario(source_dir() / "rules/scenarios/skyhop-meltdown.yaml");
  ASSERT_TRUE(sc.ok()) << sc.error();
  GenOptions o = shipped_options();
  o.per_minute = 100;
  o.scenario = std::move(sc.value());
  Generator g(o);
  std::map<std::int64_t, int> per_min;
  std::string line;
  while (g.clock_ms() < kStart + 40 * 60'000) {
    line.clear();
    g.next(line);
    per_min[(g.clock_ms() - kStart) / 60'000]++;
  }
  EXPECT_LT(per_min[0], 130);                         // base only
  EXPECT_GT(per_min[10], 100 + 40 + 150 - 40);        // base + campaign + crisis
  EXPECT_LT(per_min[38], 130);                        // everything over
  auto calm = load_scenario(source_dir() / "rules/scenarios/calm.yaml");
  ASSERT_TRUE(calm.ok());
  EXPECT_TRUE(calm->events.empty());
}

// ---- malformed lines -------------------------------------------------------------------------

TEST(GenBad, ShareKindsAndShapes) {
  GenOptions o = shipped_options();
  o.bad_share = 0.1;
  std::vector<LineKind> kinds;
  const int n = 7'000;
  const auto lines = generate(o, n, &kinds);
  const auto clean = generate(shipped_options(), n);
  std::map<LineKind, int> counts;
  for (int i = 0; i < n; ++i) {
    const std::string& line = lines[static_cast<std::size_t>(i)];
    const LineKind k = kinds[static_cast<std::size_t>(i)];
    counts[k]++;
    SCOPED_TRACE(std::string(line_kind_name(k)) + ": " + line.substr(0, 300));
    ASSERT_EQ(line.find('\n'), std::string::npos);
    ASSERT_EQ(line.find('\r'), std::string::npos);
    if (k == LineKind::ok) {
      EXPECT_EQ(line, clean[static_cast<std::size_t>(i)]) << "good lines do not depend on bad_share";
      continue;
    }
    std::error_code ec;
    json::value v;
    if (k != LineKind::too_large) v = json::parse(line, ec);
    switch (k) {
      case LineKind::malformed_json:
        EXPECT_TRUE(ec);
        EXPECT_TRUE(valid_utf8(line));
        break;
      case LineKind::invalid_utf8:
        EXPECT_FALSE(valid_utf8(line));
        break;
      case LineKind::too_large:
        EXPECT_GT(line.size(), 64u * 1024);
        EXPECT_TRUE(valid_utf8(line));
        EXPECT_NO_THROW((void)json::parse(line));
        break;
      case LineKind::missing_field: {
        ASSERT_FALSE(ec);
        int present = 0;
        for (const char* key : {"id", "platform", "created_at", "text"}) present += v.as_object().contains(key);
        EXPECT_EQ(present, 3);
        break;
      }
      case LineKind::bad_type:
        ASSERT_FALSE(ec);
        EXPECT_FALSE(v.as_object().at("text").is_string());
        break;
      case LineKind::bad_timestamp: {
        ASSERT_FALSE(ec);
        const auto& t = v.as_object().at("created_at");
        if (t.is_string()) {
          EXPECT_FALSE(parse_rfc3339(std::string_view(t.as_string())).ok());
        } else {
          EXPECT_GT(t.as_int64(), 7'258'118'400'000LL);  // after 2200-01-01
        }
        break;
      }
      case LineKind::bad_value:
        ASSERT_FALSE(ec);
        EXPECT_FALSE(kPlatforms.count(std::string(v.as_object().at("platform").as_string())));
        break;
      case LineKind::ok:
        break;
    }
  }
  EXPECT_EQ(counts[LineKind::ok], n - 700);
  for (int k = 1; k <= kBadKindCount; ++k) EXPECT_EQ(counts[static_cast<LineKind>(k)], 100) << k;
  EXPECT_EQ(line_kind_name(LineKind::bad_timestamp), "bad_timestamp");
}

TEST(GenBad, AllBadAndNoneBad) {
  GenOptions o = shipped_options();
  o.bad_share = 1.0;
  Generator all(o);
  std::string line;
  for (int i = 0; i < 70; ++i) {
    line.clear();
    all.next(line);
    EXPECT_NE(all.last_kind(), LineKind::ok);
  }
  EXPECT_EQ(all.bad_produced(), 70);
  o.bad_share = 0;
  Generator none(o);
  for (int i = 0; i < 1'000; ++i) {
    none.next(line);
    EXPECT_EQ(none.last_kind(), LineKind::ok);
  }
}

TEST(GenOptionsCheck, RejectsBadValues) {
  GenOptions o = shipped_options();
  o.per_minute = 0;
  EXPECT_FALSE(validate_options(o).ok());
  o = shipped_options();
  o.bad_share = 1.5;
  EXPECT_FALSE(validate_options(o).ok());
  o = shipped_options();
  o.brands.clear();
  EXPECT_FALSE(validate_options(o).ok());
  o = shipped_options();
  o.count = 5;
  Generator g(o);
  std::string line;
  while (!g.done()) g.next(line);
  EXPECT_EQ(g.produced(), 5);
}

}  // namespace
}  // namespace yuqing::gen
