#include "engine/normalize/normalize.h"

#include <opencc/SimpleConverter.hpp>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "engine/base/log.h"

namespace yuqing::normalize {
namespace {

constexpr char32_t kMaxCp = 0x10ffff;

// Code point ranges run through OpenCC's t2s converter at start-up.
struct Range {
  char32_t first;
  char32_t last;
};
constexpr Range kCjkRanges[] = {
    {0x2e80, 0x2fdf},   // radicals
    {0x3400, 0x4dbf},   // extension A
    {0x4e00, 0x9fff},   // unified ideographs
    {0xf900, 0xfaff},   // compatibility ideographs
    {0x20000, 0x2ebef}, // extensions B..F
};

std::string default_opencc_config() {
  if (const char* dir = std::getenv("YUQING_OPENCC_DIR"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/t2s.json";
  }
  return "/usr/share/opencc/t2s.json";
}

}  // namespace

void FoldTable::set(char32_t cp, char32_t to) {
  if (cp < 0x80) {
    ascii_[cp] = to;
    return;
  }
  const std::size_t hi = cp >> 8;
  if (index_[hi] == 0) {
    const std::size_t page = pages_.size() >> 8;
    pages_.resize(pages_.size() + 256);
    for (char32_t i = 0; i < 256; ++i) pages_[(page << 8) | i] = static_cast<char32_t>(hi << 8) | i;
    index_[hi] = static_cast<std::uint16_t>(page + 1);
  }
  pages_[(static_cast<std::size_t>(index_[hi] - 1) << 8) | (cp & 0xff)] = to;
}

void FoldTable::finish_basic() {
  index_.assign((kMaxCp >> 8) + 1, 0);
  for (char32_t c = 0; c < 0x80; ++c) ascii_[c] = c;
  for (char32_t c = 'A'; c <= 'Z'; ++c) ascii_[c] = c + 0x20;
  for (char32_t c : {0x09u, 0x0au, 0x0bu, 0x0cu, 0x0du}) ascii_[c] = ' ';

  // Latin-1 and Latin Extended-A capitals.
  for (char32_t c = 0xc0; c <= 0xde; ++c) {
    if (c != 0xd7) set(c, c + 0x20);
  }
  for (char32_t c = 0x100; c <= 0x12f; c += 2) set(c, c + 1);
  set(0x130, 'i');
  for (char32_t c = 0x132; c <= 0x137; c += 2) set(c, c + 1);
  for (char32_t c = 0x139; c <= 0x148; c += 2) set(c, c + 1);
  for (char32_t c = 0x14a; c <= 0x177; c += 2) set(c, c + 1);
  set(0x178, 0xff);
  for (char32_t c = 0x179; c <= 0x17e; c += 2) set(c, c + 1);
  // Greek and Cyrillic capitals.
  for (char32_t c = 0x391; c <= 0x3a9; ++c) {
    if (c != 0x3a2) set(c, c + 0x20);
  }
  set(0x386, 0x3ac);
  for (char32_t c = 0x388; c <= 0x38a; ++c) set(c, c + 0x25);
  set(0x38c, 0x3cc);
  set(0x38e, 0x3cd);
  set(0x38f, 0x3ce);
  for (char32_t c = 0x410; c <= 0x42f; ++c) set(c, c + 0x20);
  for (char32_t c = 0x400; c <= 0x40f; ++c) set(c, c + 0x50);
  // Full-width ASCII -> ASCII (then case folded).
  for (char32_t c = 0xff01; c <= 0xff5e; ++c) set(c, ascii_[c - 0xfee0]);
  // White space -> ' ' (runs are collapsed by the Normalizer).
  for (char32_t c : {0x85u, 0xa0u, 0x1680u, 0x2028u, 0x2029u, 0x202fu, 0x205fu, 0x3000u}) set(c, ' ');
  for (char32_t c = 0x2000; c <= 0x200a; ++c) set(c, ' ');
  // Zero-width characters and the soft hyphen are removed.
  for (char32_t c : {0xadu, 0x200bu, 0x200cu, 0x200du, 0x2060u, 0xfeffu}) set(c, 0);
}

void FoldTable::finish_bitmap() {
  for (auto& w : bmp_changed_) w = 0;
  for (char32_t c = 0x80; c < 0x10000; ++c) {
    if (fold(c) != c) bmp_changed_[c >> 6] |= std::uint64_t{1} << (c & 63);
  }
}

std::shared_ptr<const FoldTable> FoldTable::build_without_t2s() {
  auto t = std::shared_ptr<FoldTable>(new FoldTable());
  t->finish_basic();
  t->finish_bitmap();
  return t;
}

Result<std::shared_ptr<const FoldTable>, std::string> FoldTable::build(std::string_view opencc_config) {
  auto t = std::shared_ptr<FoldTable>(new FoldTable());
  t->finish_basic();
  const std::string config = opencc_config.empty() ? default_opencc_config() : std::string(opencc_config);

  // One conversion call over every CJK code point, '\n'-separated so that no phrase spans two
  // code points; only results that are exactly one code point are kept.
  std::string input;
  std::vector<char32_t> cps;
  for (const Range& r : kCjkRanges) {
    for (char32_t c = r.first; c <= r.last; ++c) {
      char tmp[4];
      input.append(tmp, encode_utf8(c, tmp));
      input.push_back('\n');
      cps.push_back(c);
    }
  }
  std::string output;
  try {
    opencc::SimpleConverter converter(config);
    output = converter.Convert(input);
  } catch (const std::exception& e) {
    return Unexpected(std::string("cannot load OpenCC configuration '") + config + "': " + e.what());
  }
  const auto* s = reinterpret_cast<const unsigned char*>(output.data());
  std::size_t pos = 0;
  std::size_t idx = 0;
  while (pos < output.size() && idx < cps.size()) {
    const std::size_t nl = output.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? output.size() : nl;
    std::size_t len = 0;
    if (end > pos) {
      const char32_t to = decode_utf8(s, end, pos, len);
      if (pos + len == end && to != cps[idx] && to != 0xfffd) {
        t->set(cps[idx], to);
        ++t->t2s_count_;
      }
    }
    ++idx;
    pos = end + 1;
  }
  if (idx != cps.size()) {
    return Unexpected(std::string("OpenCC returned an unexpected result for the code point table (") +
                      std::to_string(idx) + " of " + std::to_string(cps.size()) + " entries)");
  }
  // Make folding idempotent (a mapping whose target maps again is followed to its end).
  for (const Range& r : kCjkRanges) {
    for (char32_t c = r.first; c <= r.last; ++c) {
      char32_t to = t->fold(c);
      for (int i = 0; i < 4 && t->fold(to) != to; ++i) to = t->fold(to);
      if (to != t->fold(c)) t->set(c, to);
    }
  }
  t->finish_bitmap();
  return std::shared_ptr<const FoldTable>(std::move(t));
}

const FoldTable& FoldTable::shared() {
  static std::shared_ptr<const FoldTable> table;
  static std::once_flag once;
  std::call_once(once, [] {
    auto built = build();
    if (built) {
      table = std::move(built.value());
    } else {
      auto fallback = std::shared_ptr<FoldTable>(new FoldTable());
      fallback->finish_basic();
      fallback->finish_bitmap();
      fallback->load_error_ = built.error();
      log::error("Traditional-to-simplified folding is off: {}", built.error());
      table = std::move(fallback);
    }
  });
  return *table;
}

void Normalizer::reserve(std::size_t extra) {
  // Worst case growth is 3 bytes out per byte in (an invalid byte becomes U+FFFD).
  const std::size_t need = size_ + 3 * extra + 8;
  if (buf_.size() < need) {
    buf_.resize(need + need / 2);
    map_.resize(buf_.size() + 1);
  }
}

std::size_t Normalizer::append(std::string_view piece) {
  reserve(piece.size());
  const std::size_t start = size_;
  const auto* s = reinterpret_cast<const unsigned char*>(piece.data());
  const std::size_t n = piece.size();
  char* __restrict out = buf_.data();
  std::uint32_t* __restrict map = map_.data();
  std::size_t o = size_;
  bool last_space = true;  // also drops leading white space
  std::size_t i = 0;
  const FoldTable& t = *table_;
#if defined(__SSE2__)
  std::size_t scalar_until = 0;  // after a block fails the fast path, stay scalar past it
#endif
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
#if defined(__SSE2__)
      // 16 ASCII bytes at a time when nothing but case changes: no control characters
      // (some fold to ' '), no byte >= 0x80, no space after a space (or leading). The
      // output is the bytes with A-Z lowered; the map is i, i+1, ... (reserve() leaves room).
      if (i >= scalar_until && i + 16 <= n) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
        // Signed compare: bytes >= 0x80 are negative, so they count as "< 0x20" too.
        const auto bad = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));
        const auto sp = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))));
        if ((bad | (sp & ((sp << 1) | (last_space ? 1u : 0u)))) == 0) {
          const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                              _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(out + o),
                           _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
          const __m128i base = _mm_add_epi32(_mm_set1_epi32(static_cast<int>(i)), _mm_setr_epi32(0, 1, 2, 3));
          const __m128i four = _mm_set1_epi32(4);
          auto* m = reinterpret_cast<__m128i*>(map + o);
          _mm_storeu_si128(m, base);
          _mm_storeu_si128(m + 1, _mm_add_epi32(base, four));
          _mm_storeu_si128(m + 2, _mm_add_epi32(base, _mm_add_epi32(four, four)));
          _mm_storeu_si128(m + 3, _mm_add_epi32(base, _mm_set1_epi32(12)));
          o += 16;
          i += 16;
          last_space = (sp >> 15) != 0;
          continue;
        }
        scalar_until = i + 16;
      }
#endif
      // ASCII: one table lookup. Branch-free: always write, advance unless this is a
      // repeated space.
      const char f = t.ascii(c);
      const bool space = f == ' ';
      out[o] = f;
      map[o] = static_cast<std::uint32_t>(i);
      o += static_cast<std::size_t>(!(space && last_space));
      last_space = space;
      ++i;
      continue;
    }
    char32_t cp;
    std::size_t len;
    if ((c & 0xf0) == 0xe0 && i + 2 < n && (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80) {
      // Three-byte sequences (all of CJK): the common case, decoded inline.
      cp = (static_cast<char32_t>(c & 0x0f) << 12) | (static_cast<char32_t>(s[i + 1] & 0x3f) << 6) |
           (s[i + 2] & 0x3f);
      len = 3;
      if (cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) {
        if (!t.bmp_changes(cp)) {  // unchanged: copy the bytes
          const auto src = static_cast<std::uint32_t>(i);
#if defined(__SSE2__)
          // Four bytes and four map entries in one store each; the fourth is overwritten by
          // what comes next (reserve() leaves room).
          if (i + 4 <= n) {
            std::memcpy(out + o, s + i, 4);
          } else {
            out[o] = static_cast<char>(c);
            out[o + 1] = static_cast<char>(s[i + 1]);
            out[o + 2] = static_cast<char>(s[i + 2]);
          }
          _mm_storeu_si128(reinterpret_cast<__m128i*>(map + o), _mm_set1_epi32(static_cast<int>(src)));
#else
          out[o] = static_cast<char>(c);
          out[o + 1] = static_cast<char>(s[i + 1]);
          out[o + 2] = static_cast<char>(s[i + 2]);
          map[o] = map[o + 1] = map[o + 2] = src;
#endif
          o += 3;
          last_space = false;
          i += 3;
          continue;
        }
      } else {
        cp = 0xfffd;
        len = 1;
      }
    } else {
      cp = decode_utf8(s, n, i, len);
    }
    const char32_t f = t.fold(cp);
    const auto src = static_cast<std::uint32_t>(i);
    if (f == cp && len == 3) {  // unchanged: copy the bytes
      out[o] = static_cast<char>(s[i]);
      out[o + 1] = static_cast<char>(s[i + 1]);
      out[o + 2] = static_cast<char>(s[i + 2]);
      map[o] = map[o + 1] = map[o + 2] = src;
      o += 3;
      last_space = false;
    } else if (f == ' ') {
      if (!last_space) {
        out[o] = ' ';
        map[o++] = src;
        last_space = true;
      }
    } else if (f != 0) {
      const std::size_t k = encode_utf8(f, out + o);
      for (std::size_t j = 0; j < k; ++j) map[o + j] = src;
      o += k;
      last_space = false;
    }
    i += len;
  }
  if (o > start && last_space) --o;  // drop one trailing space
  map[o] = static_cast<std::uint32_t>(n);
  size_ = o;
  return start;
}

std::size_t Normalizer::append_separator() {
  reserve(1);
  const std::size_t at = size_;
  buf_[size_] = '\n';
  map_[size_] = 0;
  ++size_;
  map_[size_] = 0;
  return at;
}

Normalizer::Span Normalizer::source_span(std::size_t begin, std::size_t end,
                                         std::string_view original_piece) const {
  if (end <= begin) return {map_[begin], map_[begin]};
  const std::uint32_t first = map_[begin];
  const std::uint32_t last_start = map_[end - 1];
  std::size_t len = 1;
  if (last_start < original_piece.size()) {
    decode_utf8(reinterpret_cast<const unsigned char*>(original_piece.data()), original_piece.size(),
                last_start, len);
  }
  return {first, static_cast<std::uint32_t>(last_start + len)};
}

std::string normalize_copy(std::string_view s, const FoldTable& table) {
  Normalizer n(table);
  return std::string(n.normalize(s));
}

}  // namespace yuqing::normalize
