// Scoring allocates nothing per mention once warmed up: this executable replaces the global
// operator new with a counting one (in its own binary, like tests/parse/parse_alloc_test.cpp)
// and scores varied zh / en / mixed mentions, with and without brand overrides.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "engine/sentiment/sentiment.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

void* counted_alloc(std::size_t n) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}

void* counted_aligned_alloc(std::size_t n, std::align_val_t al) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(al);
  const std::size_t size = ((n == 0 ? 1 : n) + a - 1) / a * a;
  return std::aligned_alloc(a, size);
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t al) {
  if (void* p = counted_aligned_alloc(n, al)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t al) {
  if (void* p = counted_aligned_alloc(n, al)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace yuqing::sentiment {
namespace {

const char* kTexts[] = {
    "这家店的菜很好吃，但是服务态度太差了！！！",
    "不是不好，就是有点贵[泪]",
    "The food was NOT good at all, sooo disappointed :(",
    "Although the screen is great, the battery is terrible. Never again 😡",
    "這家餐廳的服務很好，ＧＯＯＤ",
    "手机充电时爆炸了，已经起诉，客服不理人",
    "今天下午三点开会",
    "好好好哈哈哈哈哈哈 yyds 绝了 🔥🔥",
    "cheap flights, lawsuit pending, privacy leak?",
    "",
};

TEST(SentimentAlloc, NoAllocationPerMentionAfterWarmUp) {
  const char* env = std::getenv("YUQING_SOURCE_DIR");
  auto lex = load_lexicon(std::filesystem::path(env != nullptr ? env : YUQING_SOURCE_DIR_DEFAULT) / "rules");
  ASSERT_TRUE(lex);
  const BrandOverrides brand = BrandOverrides::build(*lex.value(), {{"cheap", 1.5}});
  Scorer scorer;
  std::vector<std::string> texts;
  for (int round = 0; round < 20; ++round) {
    for (const char* t : kTexts) texts.push_back(std::string(t) + (round % 2 ? " 真的很满意" : " really bad"));
  }
  Mention m;
  m.title = "标题 Title";
  for (const auto& t : texts) {  // warm-up
    m.text = t;
    (void)scorer.score(m, *lex.value(), &brand);
    (void)scorer.score_text(t, *lex.value());
  }
  g_allocations = 0;
  g_counting = true;
  double sink = 0;
  for (int rep = 0; rep < 5; ++rep) {
    for (const auto& t : texts) {
      m.text = t;
      sink += scorer.score(m, *lex.value(), &brand).score;
      sink += scorer.score_text(t, *lex.value()).score;
    }
  }
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0);
  EXPECT_NE(sink, 12345.0);
}

}  // namespace
}  // namespace yuqing::sentiment
