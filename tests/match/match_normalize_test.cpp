// The Normalizer's fast paths (16 ASCII bytes at a time, the unchanged-CJK bitmap) against a
// plain one-code-point-at-a-time reference built from the same FoldTable: same text, same
// offset map, on generated strings that mix everything the fast paths must step aside for
// (upper case, runs of white space, control characters, full-width forms, traditional
// characters, zero-width characters, invalid bytes, 2- and 4-byte sequences).

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/normalize/normalize.h"

namespace yuqing::normalize {
namespace {

struct RefOut {
  std::string text;
  std::vector<std::uint32_t> map;  // per output byte, plus one past the end
};

// One piece, as documented in normalize.h: fold each code point, collapse white space runs to
// one ' ', drop leading and trailing white space, remove zero-width characters.
void reference_append(const FoldTable& t, std::string_view piece, RefOut& out) {
  const auto* s = reinterpret_cast<const unsigned char*>(piece.data());
  const std::size_t start = out.text.size();
  bool last_space = true;
  for (std::size_t i = 0; i < piece.size();) {
    std::size_t len = 0;
    const char32_t cp = decode_utf8(s, piece.size(), i, len);
    const char32_t f = t.fold(cp);
    if (f == ' ') {
      if (!last_space) {
        out.text.push_back(' ');
        out.map.push_back(static_cast<std::uint32_t>(i));
      }
      last_space = true;
    } else if (f != 0) {
      char buf[4];
      const std::size_t k = encode_utf8(f, buf);
      out.text.append(buf, k);
      for (std::size_t j = 0; j < k; ++j) out.map.push_back(static_cast<std::uint32_t>(i));
      last_space = false;
    }
    i += len;
  }
  if (out.text.size() > start && last_space) {
    out.text.pop_back();
    out.map.pop_back();
  }
}

std::string random_piece(std::mt19937& rng) {
  static const char* parts[] = {
      "hello", "World", "ACME", "phone", "a", "I", "Zz", "@acme", "#tag", "x_y", "42", "...", ",", "!",
      " ", " ", " ", "  ", "   ", "\t", "\n", "\r\n", "\x01", "\x1f", "\x7f",
      "我的", "手机", "電池", "續航", "頭髮", "华为", "，", "。",
      "ＡＣＭＥ", "ａｐｐ", "\xe3\x80\x80",            // full-width letters, ideographic space
      "\xe2\x80\x8b", "\xc2\xad", "\xef\xbb\xbf",       // zero-width space, soft hyphen, BOM
      "\xc2\xa0", "\xe2\x80\x83",                       // NBSP, em space
      "Ünïcödé", "ÀÉÎ", "Ωμέγα", "ПРИВЕТ",             // 2-byte Latin, Greek, Cyrillic
      "😀", "\xf0\xa0\x80\x80",                         // 4-byte
      "\xff", "\xe4\xb8", "\xc3", "\xed\xa0\x80",       // invalid: stray, truncated, surrogate
  };
  std::string s;
  const int n = static_cast<int>(rng() % 40);
  for (int i = 0; i < n; ++i) {
    const unsigned pick = rng() % 3;
    if (pick == 0) {  // long plain ASCII runs exercise the 16-byte blocks
      const int len = 1 + static_cast<int>(rng() % 40);
      for (int k = 0; k < len; ++k) {
        const unsigned r = rng() % 30;
        s.push_back(r < 4 ? ' ' : r < 8 ? static_cast<char>('A' + rng() % 26) : static_cast<char>('a' + rng() % 26));
      }
    } else {
      s += parts[rng() % (sizeof parts / sizeof *parts)];
    }
  }
  return s;
}

TEST(NormalizerFastPaths, AgreeWithAPlainReference) {
  const FoldTable& t = FoldTable::shared();
  Normalizer norm(t);
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; ++iter) {
    const std::string title = rng() % 3 == 0 ? random_piece(rng) : std::string();
    const std::string text = random_piece(rng);
    RefOut want;
    norm.clear();
    std::size_t text_start = 0;
    if (!title.empty()) {
      norm.append(title);
      reference_append(t, title, want);
      norm.append_separator();
      want.text.push_back('\n');
      want.map.push_back(0);
    }
    text_start = norm.append(text);
    ASSERT_EQ(text_start, want.text.size());
    reference_append(t, text, want);
    want.map.push_back(static_cast<std::uint32_t>(text.size()));
    ASSERT_EQ(norm.text(), want.text) << "title [" << title << "] text [" << text << "]";
    for (std::size_t i = 0; i <= want.text.size(); ++i) {
      ASSERT_EQ(norm.source_offset(i), want.map[i]) << "byte " << i << " of [" << want.text << "]";
    }
  }
}

TEST(NormalizerFastPaths, BitmapMatchesTheTable) {
  const FoldTable& t = FoldTable::shared();
  for (char32_t c = 0x800; c < 0x10000; ++c) {
    ASSERT_EQ(t.bmp_changes(c), t.fold(c) != c) << std::hex << static_cast<std::uint32_t>(c);
  }
  const auto plain = FoldTable::build_without_t2s();
  EXPECT_TRUE(plain->bmp_changes(0xff21));   // full-width A
  EXPECT_FALSE(plain->bmp_changes(0x96fb));  // 電 without t2s
  EXPECT_EQ(t.bmp_changes(0x96fb), t.has_t2s());
}

}  // namespace
}  // namespace yuqing::normalize
