// The matches topic's record (engine/analyze/match_record.h): what the match role encodes the
// aggregate role decodes to the same window update, and the encoding carries every key
// schemas/match.schema.json requires.

#include "engine/analyze/match_record.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/support.h"

namespace yuqing::analyze {
namespace {

BrandMatch sample(const std::string& text) {
  BrandMatch m;
  m.rule = 4;
  m.seq = 2;
  m.update.brand = 4;
  m.update.event_ms = 1793491320123;
  m.update.platform = Platform::weibo;
  m.update.label = -1;
  m.update.score = -0.718437F;
  m.update.reach = 1075321;
  m.update.author_hash = 0x9f0c2a4b11d3e5f7ULL;
  m.update.story = 0x00000000000000ffULL;
  m.update.is_repost = true;
  m.update.aspect_mask = 0b101;
  m.update.negative_aspect_mask = 0b100;
  m.update.crisis_mask = 0b10001;  // safety, reputation
  m.mention_id = "weibo:1";
  m.url = "https://weibo.com/1/1";
  m.text = text;
  m.author_name = "老王 \"quoted\"";
  m.followers = 1075199;
  m.verified = true;
  return m;
}

TEST(MatchRecord, RoundTripsToTheSameWindowUpdate) {
  AspectLayout sender;
  sender.names = {"安全", "价格", "续航"};
  AspectLayout receiver;  // another bit layout: aspects travel by name
  receiver.names = {"续航", "服务", "安全"};
  const std::string text = "蓝途汽车又自燃了";  // the views of a BrandMatch point into it
  const auto m = sample(text);
  std::string json;
  encode_match(m, "lantu-auto", sender, {3, 1234}, json);

  MatchDecoder decoder;
  MatchRecord r;
  ASSERT_TRUE(decoder.decode(json, r)) << json;
  EXPECT_EQ(r.brand, "lantu-auto");
  EXPECT_EQ(r.src.partition, 3);
  EXPECT_EQ(r.src.offset, 1234u);
  const BrandMatch back = to_brand_match(r, 7, receiver);
  EXPECT_EQ(back.rule, 7u);
  EXPECT_EQ(back.seq, 2u);
  EXPECT_EQ(back.update.brand, 7u);
  EXPECT_EQ(back.update.event_ms, m.update.event_ms);
  EXPECT_EQ(back.update.platform, m.update.platform);
  EXPECT_EQ(back.update.label, m.update.label);
  EXPECT_EQ(back.update.score, m.update.score);  // bit-exact float
  EXPECT_EQ(back.update.reach, m.update.reach);
  EXPECT_EQ(back.update.author_hash, m.update.author_hash);
  EXPECT_EQ(back.update.story, m.update.story);
  EXPECT_EQ(back.update.is_repost, true);
  EXPECT_EQ(back.update.crisis_mask, m.update.crisis_mask);
  EXPECT_EQ(back.update.aspect_mask, 0b101u);           // 安全 -> bit 2, 续航 -> bit 0
  EXPECT_EQ(back.update.negative_aspect_mask, 0b001u);  // 续航
  EXPECT_EQ(back.mention_id, m.mention_id);
  EXPECT_EQ(back.url, m.url);
  EXPECT_EQ(back.text, m.text);
  EXPECT_EQ(back.author_name, m.author_name);
  EXPECT_EQ(back.followers, m.followers);
  EXPECT_TRUE(back.verified);
}

TEST(MatchRecord, TextIsCutLikeTheTopMentionRing) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "汽";  // 3 bytes each: 280 falls inside a character
  std::string json;
  encode_match(sample(text), "b", AspectLayout{}, {}, json);
  MatchDecoder decoder;
  MatchRecord r;
  ASSERT_TRUE(decoder.decode(json, r));
  EXPECT_EQ(r.text.size(), 279u);
  EXPECT_EQ(r.text, text.substr(0, 279));
}

TEST(MatchRecord, RejectsOtherVersionsAndBrokenRecords) {
  MatchDecoder decoder;
  MatchRecord r;
  auto v2 = decoder.decode(R"({"v":2,"brand":"b","t":1})", r);
  ASSERT_FALSE(v2);
  EXPECT_NE(v2.error().find("version 2"), std::string::npos) << v2.error();
  EXPECT_FALSE(decoder.decode(R"({"v":1,"t":1})", r));
  EXPECT_FALSE(decoder.decode(R"({"v":1,"brand":"b","t":1,"author":"xyz"})", r));
  EXPECT_FALSE(decoder.decode("not json", r));
  EXPECT_TRUE(decoder.decode(R"({"v":1,"brand":"b","t":1,"later_field":[1,2]})", r));
}

TEST(MatchRecord, CarriesEveryKeyTheSchemaRequires) {
  const auto schema = boost::json::parse(testing::read_file((testing::source_dir() / "schemas/match.schema.json").string()));
  std::string json;
  encode_match(sample("x"), "b", AspectLayout{}, {0, 1}, json);
  const auto record = boost::json::parse(json).as_object();
  for (const auto& key : schema.at("required").as_array()) {
    EXPECT_TRUE(record.contains(key.as_string())) << key.as_string();
  }
  for (const auto& [key, value] : record) {
    EXPECT_TRUE(schema.at("properties").as_object().contains(key)) << key << " is not in the schema";
  }
}

}  // namespace
}  // namespace yuqing::analyze
