// Parsing allocates nothing per mention: this executable replaces the global operator new with
// a counting one (in its own binary, so the other parse tests keep the sanitizers' checks of
// new/delete pairs) and parses 1,000 varied valid lines with a warmed parser.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "engine/parse/parse.h"

#include "tests/support/alloc_counter.h"

namespace yuqing::parse {
namespace {

// 1,000 different valid lines: every field kind, escapes, unknown fields, numbers as strings,
// numeric author ids, epoch and RFC 3339 times, and a few long ones (up to the 64 KiB limit).
std::vector<std::string> varied_lines() {
  static constexpr std::string_view kPlatforms[] = {"weibo", "wechat", "douyin", "xiaohongshu", "bilibili", "zhihu",
                                                    "kuaishou", "x", "reddit", "news", "forum", "other"};
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) {
    std::string s = "{\"id\":\"m:" + std::to_string(i) + "\",\"platform\":\"" + std::string(kPlatforms[i % 12]) + "\",";
    s += i % 2 == 0 ? "\"created_at\":\"2024-05-01T20:00:" + std::to_string(10 + i % 50) + ".123+08:00\","
                    : "\"created_at\":" + std::to_string(1714564800000 + i) + ",";
    switch (i % 5) {
      case 0: s += R"("text":"服务太差了 \u4e2d\ud83d\ude00 \"quoted\" \n )" + std::to_string(i) + "\""; break;
      case 1: s += R"("text":"plain ascii text number )" + std::to_string(i) + "\""; break;
      case 2: s += "\"text\":\"" + std::string(static_cast<std::size_t>(i) * 7 % 3000, 'a') + "\""; break;
      case 3: s += R"("text":"","title":"\u6807\u9898","lang":"zh","url":"https:\/\/x.com\/a","region":null)"; break;
      default: s += R"("text":"這家餐廳","parent_id":"p:1","lang":"zh-Hant")"; break;
    }
    if (i % 3 == 0) s += R"(,"author":{"id":)" + std::to_string(100000 + i) + R"(,"name":"小王","followers":"12000","verified":true})";
    if (i % 4 == 0) s += R"(,"metrics":{"likes":1,"reposts":"2","comments":3.0,"views":1e3,"extra":[1,{"a":null}]})";
    if (i % 7 == 0) {
      for (int k = 0; k < 50; ++k) s += ",\"u" + std::to_string(k) + "\":[\"\\u00e9\",{\"n\":" + std::to_string(k) + "}]";
    }
    if (i % 250 == 0) s += ",\"blob\":\"" + std::string(60000, 'b') + "\"";
    s += "}";
    lines.push_back(std::move(s));
  }
  return lines;
}

TEST(ParseAlloc, WarmParserAllocatesNothingForAThousandMentions) {
  const std::vector<std::string> lines = varied_lines();
  MentionParser parser;
  for (const auto& l : lines) ASSERT_TRUE(parser.parse(l).ok()) << l.substr(0, 200);  // warm-up and check

  g_allocations = 0;
  g_counting = true;
  int ok = 0;
  std::size_t text_bytes = 0;
  for (const auto& l : lines) {
    const auto r = parser.parse(l);
    if (r.ok()) {
      ++ok;
      text_bytes += r->text.size();
    }
  }
  g_counting = false;
  EXPECT_EQ(ok, 1000);
  EXPECT_GT(text_bytes, 0U);
  EXPECT_EQ(g_allocations.load(), 0) << "allocations while parsing 1,000 valid lines";
}

TEST(ParseAlloc, NewParserIsWarmAlreadyForTheDefaultLimit) {
  // Buffers for the default 64 KiB limit are allocated by the constructor, so even the first
  // (and largest) line allocates nothing.
  const std::string big = R"({"id":"a","platform":"weibo","created_at":0,"text":")" + std::string(65000, 'z') + "\"}";
  MentionParser parser;
  g_allocations = 0;
  g_counting = true;
  const bool ok = parser.parse(big).ok();
  g_counting = false;
  EXPECT_TRUE(ok);
  EXPECT_EQ(g_allocations.load(), 0);
}

TEST(ParseAlloc, CounterSeesAllocations) {
  // Guards the test itself: if the replacement were not in effect, the checks above would pass
  // vacuously.
  g_allocations = 0;
  g_counting = true;
  auto* p = new std::string(100, 'x');
  g_counting = false;
  delete p;
  EXPECT_GE(g_allocations.load(), 1);
}

}  // namespace
}  // namespace yuqing::parse
