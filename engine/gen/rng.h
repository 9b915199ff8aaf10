#pragma once
// Internal: the generator's PRNG. xoshiro256** seeded through splitmix64, and integer-only
// helpers, so a seed produces the same numbers with any compiler, libc or CPU (unlike the
// std:: distributions, whose algorithms are implementation-defined).

#include <cmath>
#include <cstdint>
#include <string_view>

namespace yuqing::gen::detail {

__extension__ typedef unsigned __int128 u128;  // GCC/Clang; __extension__ keeps -Wpedantic quiet

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A stateless 64-bit mix (splitmix64 finalizer): hash of an integer, for per-author traits.
inline std::uint64_t mix64(std::uint64_t x) {
  std::uint64_t s = x;
  return splitmix64(s);
}

// FNV-1a, 64-bit: a stable hash of a string (brand ids -> weights).
inline std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64(sm);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n) for n > 0 (Lemire's multiply-shift; the tiny bias is irrelevant here
  // and, unlike rejection, the number of draws per call is fixed).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }
  // Uniform in [lo, hi] (inclusive).
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  // True with probability permille / 1000.
  bool chance(std::uint32_t permille) { return below(1000) < permille; }
  // True with probability p / 2^32 (p from to_p32()).
  bool chance32(std::uint64_t p32) { return (next() >> 32) < p32; }

  template <class Span>
  auto& pick(const Span& items) {
    return items[static_cast<std::size_t>(below(items.size()))];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// A probability in [0, 1] as a 32-bit fixed-point threshold for Rng::chance32. One correctly
// rounded multiplication, so every IEEE-754 machine gets the same integer.
inline std::uint64_t to_p32(double p) {
  if (!(p > 0)) return 0;
  if (p >= 1) return std::uint64_t{1} << 32;
  return static_cast<std::uint64_t>(p * 4294967296.0);
}

// Same, rounded up: used for the bad-line accumulator, so that over n lines exactly
// floor(n * share) are bad for decimal shares such as 0.1 or 0.2 (the double nearest 0.2 times
// 2^32 is 858993459.2; truncation would make 5 lines hold no bad one).
inline std::uint64_t to_p32_ceil(double p) {
  if (!(p > 0)) return 0;
  if (p >= 1) return std::uint64_t{1} << 32;
  return static_cast<std::uint64_t>(std::ceil(p * 4294967296.0));
}

}  // namespace yuqing::gen::detail
