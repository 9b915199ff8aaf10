#pragma once
// Text normalization, applied once per mention before matching and once per rule term at load
// time, so that matching is a plain byte-literal search:
//   - case fold: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals -> small
//   - width fold: full-width forms U+FF01..U+FF5E -> ASCII, ideographic space -> space
//   - traditional -> simplified Chinese, one code point at a time, from a table built at
//     start-up by running OpenCC's t2s converter over every CJK code point (phrase-level
//     conversions such as 頭髮 -> 头发 vs 發展 -> 发展 are out of scope: only single-character
//     mappings are kept, which is what keyword matching needs)
//   - every run of white space (ASCII, NBSP, U+2000..U+200A, ideographic space...) -> one ' '
//   - zero-width characters (U+200B..U+200D, U+2060, U+FEFF, soft hyphen) are removed
//   - invalid UTF-8 bytes become U+FFFD
// The output is UTF-8 plus an offset map back to the original bytes.
//
// Threading: a FoldTable is immutable and shared by all threads. A Normalizer is
// single-threaded (one per worker): it owns reused buffers and allocates nothing once warmed up.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::normalize {

// Code point -> folded code point (0 = remove), as a two-level table (256-code-point pages;
// pages without any change are not stored), plus a 128-entry ASCII fast path.
class FoldTable {
 public:
  // Builds the table. `opencc_config` is the path of OpenCC's t2s.json; empty = the default
  // (/usr/share/opencc/t2s.json or $YUQING_OPENCC_DIR/t2s.json). Fails when OpenCC cannot load.
  static Result<std::shared_ptr<const FoldTable>, std::string> build(std::string_view opencc_config = {});
  // Builds without traditional->simplified folding (tests, or when OpenCC is unavailable).
  static std::shared_ptr<const FoldTable> build_without_t2s();
  // The process-wide table, built on first use (thread-safe). If OpenCC fails to load, the
  // table has no t2s folding and has_t2s() is false; load_error() tells why.
  static const FoldTable& shared();

  char32_t fold(char32_t cp) const {
    if (cp < 0x80) return ascii_[cp];
    const std::size_t hi = cp >> 8;
    if (hi >= index_.size()) return cp;
    const std::uint16_t page = index_[hi];
    return page == 0 ? cp : pages_[(static_cast<std::size_t>(page - 1) << 8) | (cp & 0xff)];
  }
  char ascii(unsigned char c) const { return static_cast<char>(ascii_[c]); }
  // For a BMP code point: true when it folds to something else. One bit per code point (8 KB),
  // so the common case of an unchanged CJK character stays in L1.
  bool bmp_changes(char32_t cp) const { return (bmp_changed_[cp >> 6] >> (cp & 63)) & 1u; }

  bool has_t2s() const { return t2s_count_ > 0; }
  std::size_t t2s_count() const { return t2s_count_; }  // single-code-point t2s mappings kept
  const std::string& load_error() const { return load_error_; }

 private:
  FoldTable() = default;
  void set(char32_t cp, char32_t to);
  void finish_basic();  // case, width, space, zero-width folds

  void finish_bitmap();  // fills bmp_changed_ from the table (after the last set())

  char32_t ascii_[128] = {};
  std::uint64_t bmp_changed_[0x10000 / 64] = {};
  std::vector<std::uint16_t> index_;  // cp >> 8 -> 1 + page number, 0 = identity page
  std::vector<char32_t> pages_;
  std::size_t t2s_count_ = 0;
  std::string load_error_;
};

// Reusable normalizer. The text and offsets it returns stay valid until the next call.
class Normalizer {
 public:
  explicit Normalizer(const FoldTable& table = FoldTable::shared()) : table_(&table) {}

  // Clears, normalizes `text`, returns the normalized text.
  std::string_view normalize(std::string_view text) {
    clear();
    append(text);
    return this->text();
  }

  void clear() { size_ = 0; }
  // Appends the normalization of `piece`; offsets recorded for its bytes are relative to the
  // start of `piece`. Returns the normalized offset where the piece starts.
  std::size_t append(std::string_view piece);
  // Appends one '\n' byte (a separator that normalization itself never produces, since all
  // white space becomes ' '): phrases and word boundaries do not cross it.
  std::size_t append_separator();

  std::string_view text() const { return {buf_.data(), size_}; }
  std::size_t size() const { return size_; }
  // Original offset (relative to its piece) of the code point that produced normalized byte i.
  std::uint32_t source_offset(std::size_t i) const { return map_[i]; }
  // Maps the normalized range [begin, end) back to [first, last) in the original piece:
  // from the start of the first source code point to the end of the last one.
  struct Span {
    std::uint32_t begin;
    std::uint32_t end;
  };
  Span source_span(std::size_t begin, std::size_t end, std::string_view original_piece) const;

  const FoldTable& table() const { return *table_; }

 private:
  void reserve(std::size_t extra);

  const FoldTable* table_;
  std::vector<char> buf_;
  std::vector<std::uint32_t> map_;
  std::size_t size_ = 0;
};

// Convenience for load time (allocates): the normalized form of `s`.
std::string normalize_copy(std::string_view s, const FoldTable& table = FoldTable::shared());

// ---- UTF-8 helpers shared with the matcher --------------------------------------------------

// Decodes one code point at s[i] (i < n); sets len (1..4). Invalid -> U+FFFD with len 1.
inline char32_t decode_utf8(const unsigned char* s, std::size_t n, std::size_t i, std::size_t& len) {
  const unsigned char c = s[i];
  if (c < 0x80) { len = 1; return c; }
  if (c >= 0xc2 && c < 0xe0 && i + 1 < n && (s[i + 1] & 0xc0) == 0x80) {
    len = 2;
    return (static_cast<char32_t>(c & 0x1f) << 6) | (s[i + 1] & 0x3f);
  }
  if (c >= 0xe0 && c < 0xf0 && i + 2 < n && (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80) {
    const char32_t cp = (static_cast<char32_t>(c & 0x0f) << 12) |
                        (static_cast<char32_t>(s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f);
    if (cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) { len = 3; return cp; }
  } else if (c >= 0xf0 && c < 0xf5 && i + 3 < n && (s[i + 1] & 0xc0) == 0x80 &&
             (s[i + 2] & 0xc0) == 0x80 && (s[i + 3] & 0xc0) == 0x80) {
    const char32_t cp = (static_cast<char32_t>(c & 0x07) << 18) |
                        (static_cast<char32_t>(s[i + 1] & 0x3f) << 12) |
                        (static_cast<char32_t>(s[i + 2] & 0x3f) << 6) | (s[i + 3] & 0x3f);
    if (cp >= 0x10000 && cp <= 0x10ffff) { len = 4; return cp; }
  }
  len = 1;
  return 0xfffd;
}

// Decodes the code point that ends just before s[i] (i > 0) in valid UTF-8.
inline char32_t decode_utf8_before(const unsigned char* s, std::size_t i) {
  std::size_t b = i - 1;
  while (b > 0 && (s[b] & 0xc0) == 0x80 && i - b < 4) --b;
  std::size_t len = 0;
  return decode_utf8(s, i, b, len);
}

// Encodes cp into out (at least 4 bytes); returns the byte count.
inline std::size_t encode_utf8(char32_t cp, char* out) {
  if (cp < 0x80) { out[0] = static_cast<char>(cp); return 1; }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xc0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xe0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out[2] = static_cast<char>(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = static_cast<char>(0xf0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
  out[3] = static_cast<char>(0x80 | (cp & 0x3f));
  return 4;
}

// ---- character classes on NORMALIZED text (used for word boundaries and NEAR tokens) -------

// A "word" code point: ASCII letters/digits/underscore and Latin, Greek, Cyrillic letters.
// Word boundaries are checked between a word code point and anything else.
inline bool is_word_cp(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_' ||
           (cp >= 'A' && cp <= 'Z');
  }
  if (cp >= 0xc0 && cp <= 0x24f) return cp != 0xd7 && cp != 0xf7;
  return (cp >= 0x370 && cp <= 0x52f) || (cp >= 0x1e00 && cp <= 0x1eff);
}

// A code point that is a NEAR token on its own: Han ideographs, kana, Hangul syllables.
inline bool is_cjk_token_cp(char32_t cp) {
  return (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0x3040 && cp <= 0x30ff) ||
         (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff) ||
         (cp >= 0x20000 && cp <= 0x3ffff);
}

}  // namespace yuqing::normalize
