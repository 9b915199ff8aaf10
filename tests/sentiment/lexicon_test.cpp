// Lexicon loading: malformed lines are rejected with file:line and a reason (all of them at
// once), the standard user lexicon formats load (tiny files written here), brand overrides
// change a term's weight for one brand only.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include "engine/sentiment/sentiment.h"

namespace yuqing::sentiment {
namespace {

namespace fs = std::filesystem;

class TempRules {
 public:
  TempRules() {
    dir_ = fs::temp_directory_path() / ("yuqing_sentiment_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "lexicons" / "zh");
    fs::create_directories(dir_ / "lexicons" / "en");
    fs::create_directories(dir_ / "lexicons" / "common");
  }
  ~TempRules() { fs::remove_all(dir_); }
  void write(const std::string& rel, const std::string& content) const {
    std::ofstream(dir_ / rel, std::ios::binary) << content;
  }
  fs::path path(const std::string& rel = {}) const { return rel.empty() ? dir_ : dir_ / rel; }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

void minimal(const TempRules& t) {
  t.write("lexicons/en/polarity.tsv", "# header\ngood\t2\nbad\t-2\ncheap\t-1\nkind of\t0\n");
  t.write("lexicons/en/negators.txt", "not\nnever\n");
  t.write("lexicons/en/degree.tsv", "very\t1.5\n");
  t.write("lexicons/en/contrast.tsv", "but\t0.5\t1.5\n");
  t.write("lexicons/zh/polarity.tsv", "好\t1.5\n差\t-2\n差不多\t0\n");
  t.write("lexicons/zh/negators.txt", "不\n");
  t.write("lexicons/crisis.tsv", "爆炸\tsafety\tzh\nlawsuit\tlegal\ten\n");
  t.write("lexicons/aspects.tsv", "price\tprice\ten\n服务\tservice\tzh\n");
}

bool contains(const std::vector<std::string>& errors, const std::string& needle) {
  for (const auto& e : errors) {
    if (e.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string joined(const std::vector<std::string>& errors) {
  std::string s;
  for (const auto& e : errors) s += e + "\n";
  return s;
}

TEST(LexiconLoad, MinimalTreeLoads) {
  TempRules t;
  minimal(t);
  auto lex = load_lexicon(t.path());
  ASSERT_TRUE(lex) << joined(lex.error());
  EXPECT_GE(lex.value()->term_count(), 12U);
  EXPECT_EQ(lex.value()->count(TermInfo::kNegator), 3U);
  Scorer s;
  EXPECT_EQ(s.score_text("good", *lex.value()).label, Label::positive);
  EXPECT_EQ(s.score_text("not good", *lex.value()).label, Label::negative);
  EXPECT_EQ(s.score_text("差不多", *lex.value()).label, Label::neutral);
}

TEST(LexiconLoad, MissingDirectoryIsAnError) {
  auto lex = load_lexicon("/nonexistent/yuqing/rules");
  ASSERT_FALSE(lex);
  EXPECT_TRUE(contains(lex.error(), "no such directory"));
}

TEST(LexiconLoad, MalformedLinesAreAllReportedWithFileAndLine) {
  TempRules t;
  minimal(t);
  t.write("lexicons/en/polarity.tsv",
          "# header\n"
          "good\t2\n"          // 2 ok
          "great\n"            // 3 missing weight
          "bad\tvery\n"        // 4 not a number
          "awful\t-9\n"        // 5 out of range
          "fine\t1\textra\n"   // 6 too many fields
          " nice\t1\n"         // 7 leading space
          "GOOD\t2\n"          // 8 duplicate of line 2 after case folding
          "\xff\xfe\t1\n");    // 9 invalid UTF-8
  t.write("lexicons/en/degree.tsv", "very\t0\n");                      // multiplier out of range
  t.write("lexicons/en/contrast.tsv", "but\t0.5\n");                    // one weight missing
  t.write("lexicons/crisis.tsv", "爆炸\tsafty\tzh\nleak\tprivacy\tfr\n");  // unknown category, lang
  auto lex = load_lexicon(t.path());
  ASSERT_FALSE(lex);
  const auto& e = lex.error();
  const std::string pol = (t.path() / "lexicons/en/polarity.tsv").string();
  EXPECT_TRUE(contains(e, pol + ":3: expected 2 fields")) << joined(e);
  EXPECT_TRUE(contains(e, pol + ":4: weight 'very' is not a number")) << joined(e);
  EXPECT_TRUE(contains(e, pol + ":5: weight -9 is outside -4..4")) << joined(e);
  EXPECT_TRUE(contains(e, pol + ":6: expected 2 fields")) << joined(e);
  EXPECT_TRUE(contains(e, pol + ":7: term ' nice' has leading or trailing spaces")) << joined(e);
  EXPECT_TRUE(contains(e, pol + ":8: duplicate term 'GOOD' (same as line 2")) << joined(e);
  EXPECT_TRUE(contains(e, pol + ":9: the line is not valid UTF-8")) << joined(e);
  EXPECT_TRUE(contains(e, "en/degree.tsv:1: multiplier 0 is outside")) << joined(e);
  EXPECT_TRUE(contains(e, "en/contrast.tsv:1: expected 3 fields")) << joined(e);
  EXPECT_TRUE(contains(e, "crisis.tsv:1: unknown crisis category 'safty' (did you mean 'safety'?)")) << joined(e);
  EXPECT_TRUE(contains(e, "crisis.tsv:2: unknown lang 'fr'")) << joined(e);
  EXPECT_EQ(e.size(), 11U) << joined(e);
}

TEST(LexiconLoad, TraditionalAndFullWidthDuplicatesAreCaught) {
  TempRules t;
  minimal(t);
  t.write("lexicons/zh/polarity.tsv", "好\t1.5\n滿意\t2\n满意\t2\n");
  auto lex = load_lexicon(t.path());
  ASSERT_FALSE(lex);
  EXPECT_TRUE(contains(lex.error(), "zh/polarity.tsv:3: duplicate term '满意' (same as line 2")) << joined(lex.error());
}

TEST(LexiconLoad, TheProjectLexiconsLoadClean) {
  const char* env = std::getenv("YUQING_SOURCE_DIR");
  const fs::path rules = fs::path(env != nullptr ? env : YUQING_SOURCE_DIR_DEFAULT) / "rules";
  auto lex = load_lexicon(rules);
  ASSERT_TRUE(lex) << joined(lex.error());
  EXPECT_GT(lex.value()->count(TermInfo::kPolar), 8000U);
  EXPECT_GT(lex.value()->count(TermInfo::kCrisis), 500U);
  EXPECT_GT(lex.value()->aspect_count(), 5U);
}

TEST(UserLexicon, VaderAfinnAndPlainFormats) {
  TempRules t;
  minimal(t);
  t.write("vader.txt", "zorgful\t3.1\t0.5\t[3, 3, 3]\r\nblargh\t-2.5\t0.9\t[-2, -3]\r\n");
  t.write("afinn.txt", "frobby\t5\nsnarky\t-3\nwonky gadget\t-2\n");
  t.write("pos.txt", "# positive words\nqwibble\n");
  t.write("neg.txt", "plonk\n");
  LexiconOptions o;
  o.user.push_back({t.path("vader.txt"), UserLexicon::Format::vader, 0});
  o.user.push_back({t.path("afinn.txt"), UserLexicon::Format::afinn, 0});
  o.user.push_back({t.path("pos.txt"), UserLexicon::Format::plain, 2});
  o.user.push_back({t.path("neg.txt"), UserLexicon::Format::plain, -2});
  auto lex = load_lexicon(t.path(), o);
  ASSERT_TRUE(lex) << joined(lex.error());
  const Lexicon& l = *lex.value();
  auto weight = [&](const char* term) { return l.info(static_cast<std::uint32_t>(l.find(term))).weight; };
  EXPECT_FLOAT_EQ(weight("zorgful"), 3.1F);
  EXPECT_FLOAT_EQ(weight("blargh"), -2.5F);
  EXPECT_FLOAT_EQ(weight("frobby"), 4.0F);  // AFINN 5 * 0.8
  EXPECT_FLOAT_EQ(weight("wonky gadget"), -1.6F);
  EXPECT_FLOAT_EQ(weight("qwibble"), 2.0F);
  EXPECT_FLOAT_EQ(weight("plonk"), -2.0F);
  Scorer s;
  EXPECT_EQ(s.score_text("what a zorgful day", l).label, Label::positive);
  EXPECT_EQ(s.score_text("not frobby", l).label, Label::negative);
}

TEST(UserLexicon, UserWeightsWinOverTheProjectLexicon) {
  TempRules t;
  minimal(t);
  t.write("afinn.txt", "bad\t3\n");
  LexiconOptions o;
  o.user.push_back({t.path("afinn.txt"), UserLexicon::Format::afinn, 0});
  auto lex = load_lexicon(t.path(), o);
  ASSERT_TRUE(lex);
  Scorer s;
  EXPECT_EQ(s.score_text("bad", *lex.value()).label, Label::positive);
}

TEST(UserLexicon, MalformedUserFilesAreReported) {
  TempRules t;
  minimal(t);
  t.write("vader.txt", "ok\t1.5\t0.3\nbroken\n");
  t.write("afinn.txt", "x\t9\n");
  LexiconOptions o;
  o.user.push_back({t.path("vader.txt"), UserLexicon::Format::vader, 0});
  o.user.push_back({t.path("afinn.txt"), UserLexicon::Format::afinn, 0});
  o.user.push_back({t.path("missing.txt"), UserLexicon::Format::plain, 1});
  auto lex = load_lexicon(t.path(), o);
  ASSERT_FALSE(lex);
  EXPECT_TRUE(contains(lex.error(), "vader.txt:2: expected token<TAB>mean")) << joined(lex.error());
  EXPECT_TRUE(contains(lex.error(), "afinn.txt:1: score 9 is outside -5..5")) << joined(lex.error());
  EXPECT_TRUE(contains(lex.error(), "missing.txt: cannot open the file")) << joined(lex.error());
}

TEST(BrandOverrides, ChangeWeightsForOneBrandOnly) {
  TempRules t;
  minimal(t);
  LexiconOptions o;
  o.extra_terms = {"explosive"};  // a brand's lexicon key that no lexicon lists
  auto lex = load_lexicon(t.path(), o);
  ASSERT_TRUE(lex) << joined(lex.error());
  const Lexicon& l = *lex.value();
  const BrandOverrides airline = BrandOverrides::build(l, {{"cheap", 1.5}, {"Unknown Term", 1}});
  const BrandOverrides phone = BrandOverrides::build(l, {{"explosive", -3}});
  EXPECT_EQ(airline.size(), 1U);
  ASSERT_EQ(airline.missing().size(), 1U);
  EXPECT_EQ(airline.missing()[0], "Unknown Term");
  Scorer s;
  EXPECT_EQ(s.score_text("so cheap", l).label, Label::negative);
  EXPECT_EQ(s.score_text("so cheap", l, &airline).label, Label::positive);
  EXPECT_EQ(s.score_text("not cheap", l, &airline).label, Label::negative);  // rules still apply
  EXPECT_EQ(s.score_text("explosive growth", l).label, Label::neutral);
  EXPECT_EQ(s.score_text("the battery is explosive", l, &phone).label, Label::negative);
  const std::string e = s.explain(l);
  EXPECT_NE(e.find("brand override"), std::string::npos) << e;
}

TEST(BrandOverrides, FromTheShippedLexicon) {
  const char* env = std::getenv("YUQING_SOURCE_DIR");
  auto lex = load_lexicon(fs::path(env != nullptr ? env : YUQING_SOURCE_DIR_DEFAULT) / "rules");
  ASSERT_TRUE(lex);
  const BrandOverrides budget = BrandOverrides::build(*lex.value(), {{"cheap", 2.0}, {"便宜", 2.0}});
  Scorer s;
  EXPECT_GT(s.score_text("flights are cheap", *lex.value(), &budget).score, 0);
}

// detect_lang counts common Han characters (lead bytes 0xe4..0xe9) without decoding them; the
// answer must be the one of decoding every code point. Reference: that decoding version.
Lang detect_lang_by_decoding(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t han = 0;
  std::size_t latin = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t len = 0;
    const char32_t cp = normalize::decode_utf8(p, text.size(), i, len);
    if (cp < 0x80) {
      if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ++latin;
    } else if (normalize::is_cjk_token_cp(cp)) {
      han += 3;
    } else if (normalize::is_word_cp(cp)) {
      ++latin;
    }
    i += len;
  }
  if (han == 0 && latin == 0) return Lang::unknown;
  return han * 10 >= (han + latin) * 3 ? Lang::zh : Lang::en;
}

TEST(DetectLang, SameAsDecodingEveryCodePoint) {
  const std::vector<std::string> texts = {
      "", "hello world", "服务很好", "服务很好 but the delivery was slow and the food was cold",
      "ok 好", "ａｂｃ", "「」、。", "ひらがな カタカナ", "한국어", "𠀀𠀁 ext B", "Ελληνικά кириллица",
      "\xe4\xbd", "\xe4\xbd\xa0\xe5", "ab\xe4\xbd", "\xe4\x41\x42", "\xe9\xbf\xbf\xe9", "\xe3\x90\x80 \xe3\x80\x80"};
  for (const auto& t : texts) EXPECT_EQ(detect_lang(t), detect_lang_by_decoding(t)) << t;
  // Random byte strings weighted towards lead and continuation bytes (truncated and invalid
  // sequences included).
  std::uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1664525U + 1013904223U;
    return seed >> 24;
  };
  const unsigned char pool[] = {'a', 'Z', ' ', '1', 0xe3, 0xe4, 0xe9, 0xea, 0xe1, 0xc3, 0xf0, 0x80, 0xbd, 0xa0, 0xbf, 0x90};
  for (int k = 0; k < 20000; ++k) {
    std::string t;
    const std::uint32_t len = next() % 12;
    for (std::uint32_t j = 0; j < len; ++j) t += static_cast<char>(pool[next() % sizeof pool]);
    ASSERT_EQ(detect_lang(t), detect_lang_by_decoding(t)) << k;
  }
}

}  // namespace
}  // namespace yuqing::sentiment
