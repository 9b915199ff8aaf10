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

#include "tests/support/alloc_counter.h"

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
