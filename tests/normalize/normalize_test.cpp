#include "engine/normalize/normalize.h"

#include <gtest/gtest.h>

#include <string>

namespace yuqing::normalize {
namespace {

std::string norm(std::string_view s) { return normalize_copy(s); }

TEST(FoldTable, LoadsOpenCC) {
  const FoldTable& t = FoldTable::shared();
  EXPECT_TRUE(t.has_t2s()) << t.load_error();
  EXPECT_GT(t.t2s_count(), 2000u);
}

TEST(Normalize, CaseFold) {
  EXPECT_EQ(norm("Apple IPHONE"), "apple iphone");
  EXPECT_EQ(norm("ÉCOLE Ÿ Ł"), "école ÿ ł");
  EXPECT_EQ(norm("ΑΘΗΝΑ МОСКВА"), "αθηνα москва");
}

TEST(Normalize, WidthFold) {
  EXPECT_EQ(norm("ＡＣＭＥ"), "acme");
  EXPECT_EQ(norm("ａｃｍｅ！１２３"), "acme!123");
  EXPECT_EQ(norm("艾克米\xe3\x80\x80手机"), "艾克米 手机");  // ideographic space
}

TEST(Normalize, TraditionalToSimplified) {
  EXPECT_EQ(norm("投訴"), "投诉");
  EXPECT_EQ(norm("華為"), "华为");
  EXPECT_EQ(norm("電池爆炸"), "电池爆炸");
  EXPECT_EQ(norm("简体不变"), "简体不变");
}

TEST(Normalize, WhiteSpaceAndZeroWidth) {
  EXPECT_EQ(norm("  acme \t\n  phone  "), "acme phone");
  EXPECT_EQ(norm("ac\xe2\x80\x8bme"), "acme");           // zero-width space
  EXPECT_EQ(norm("acme\xc2\xa0phone"), "acme phone");    // NBSP
}

TEST(Normalize, InvalidUtf8BecomesReplacement) {
  EXPECT_EQ(norm("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(norm("\xe4\xb8"), "\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(Normalize, Idempotent) {
  const char* samples[] = {"Apple's ＰＨＯＮＥ 華為 投訴 ÉCOLE", "臺灣 後來 乾淨 發展 頭髮", "ǅ ß ẞ İ"};
  for (const char* s : samples) EXPECT_EQ(norm(norm(s)), norm(s)) << s;
  const FoldTable& t = FoldTable::shared();
  for (char32_t c = 0; c < 0x30000; ++c) {
    const char32_t f = t.fold(c);
    ASSERT_EQ(t.fold(f), f) << std::hex << static_cast<unsigned>(c);
  }
}

TEST(Normalize, OffsetMapPointsIntoOriginal) {
  Normalizer n;
  const std::string original = "  ＡＣＭＥ 華為 Phone";
  const std::string_view out = n.normalize(original);
  ASSERT_EQ(out, "acme 华为 phone");
  const auto acme = n.source_span(0, 4, original);
  EXPECT_EQ(original.substr(acme.begin, acme.end - acme.begin), "ＡＣＭＥ");
  const std::size_t hw = out.find("华为");
  const auto s = n.source_span(hw, hw + 6, original);
  EXPECT_EQ(original.substr(s.begin, s.end - s.begin), "華為");
  const std::size_t ph = out.find("phone");
  const auto p = n.source_span(ph, ph + 5, original);
  EXPECT_EQ(original.substr(p.begin, p.end - p.begin), "Phone");
}

TEST(Normalize, PiecesAndSeparator) {
  Normalizer n;
  n.clear();
  EXPECT_EQ(n.append("Title"), 0u);
  EXPECT_EQ(n.append_separator(), 5u);
  EXPECT_EQ(n.append("  Body"), 6u);
  EXPECT_EQ(n.text(), "title\nbody");
  EXPECT_EQ(n.source_offset(6), 2u);  // relative to its piece
}

TEST(Normalize, NoAllocationAfterWarmUp) {
  Normalizer n;
  const std::string text(300, 'A');
  (void)n.normalize(text);
  const char* before = n.text().data();
  for (int i = 0; i < 100; ++i) (void)n.normalize(text);
  EXPECT_EQ(n.text().data(), before);
}

}  // namespace
}  // namespace yuqing::normalize
