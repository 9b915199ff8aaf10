// The hot path allocates nothing once warmed up: a counting global operator new watches
// Matcher::match() over a corpus it has already seen once.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/match/matcher.h"
#include "tests/match/match_test_util.h"
#include "tests/support/alloc_counter.h"  // counts every form of operator new, nothrow included

namespace yuqing::match {
namespace {

TEST(MatcherAllocation, NoAllocationPerMentionAfterWarmUp) {
  RuleSetOptions opts;
  opts.extra_groups.push_back({"lexicon", {"太差", "great", "垃圾"}});
  opts.default_aspects.push_back({"price", {"price", "价格"}});
  std::vector<RuleSpec> specs = {
      testing::spec("acme", "(\"acme phone\" OR @acme OR #acme OR 艾克米) NOT \"acme anvil\""),
      testing::spec("bolt", "bolt* NEAR/3 (battery OR 电池) OR 闪电 ONEAR/2 手机"),
      testing::spec("fern", "ferncrest platform:weibo author.followers:>10 NOT site:fern.example"),
  };
  specs[0].aspects.push_back({"battery", {"battery", "续航"}, {}, {}});
  auto rs = testing::compile_or_die(specs, opts);
  ASSERT_TRUE(rs);
  std::vector<testing::OwnedMention> corpus;
  const char* texts[] = {
      "My ACME Phone battery is great but the price... @acme #acme",
      "艾克米的續航太差了，價格也贵 垃圾",
      "Boltage battery died; 闪电手机 也不行",
      "ferncrest app is down again https://x.example",
      "nothing relevant here at all, just words words words",
      "acme anvil acme phone ＡＣＭＥ　ＰＨＯＮＥ 艾克米艾克米艾克米",
  };
  for (int i = 0; i < 60; ++i) {
    testing::OwnedMention m;
    m.text = texts[i % 6];
    m.title = i % 4 == 0 ? "Acme news" : "";
    m.platform = i % 2 ? Platform::weibo : Platform::x;
    m.followers = i;
    m.url = "https://fern.example/a";
    corpus.push_back(m);
  }
  Matcher matcher;
  std::size_t matched = 0;
  for (const auto& m : corpus) matched += matcher.match(m.view(), *rs).brands.size();  // warm-up
  ASSERT_GT(matched, 0u);
  g_allocations = 0;
  g_counting = true;
  std::size_t matched2 = 0;
  for (int round = 0; round < 10; ++round) {
    for (const auto& m : corpus) {
      const Mention v = m.view();
      matched2 += matcher.match(v, *rs).brands.size();
    }
  }
  g_counting = false;
  EXPECT_EQ(matched2, matched * 10);
  EXPECT_EQ(g_allocations.load(), 0) << "allocations on the hot path after warm-up";
}

}  // namespace
}  // namespace yuqing::match
