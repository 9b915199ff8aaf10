// Platform adapters on the project's fixtures (tests/fixtures/platforms): exact field mapping
// on chosen items, every emitted line accepted by the engine's parser, bad items rejected with
// their reason while their siblings convert; and the date and HTML helpers' edge cases.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "connectors/adapters/adapter.h"
#include "connectors/adapters/html.h"
#include "connectors/adapters/time.h"
#include "engine/parse/parse.h"
#include "tests/support/support.h"

namespace yuqing::adapters {
namespace {

namespace json = boost::json;

std::string fixture(const std::string& name) {
  return (testing::source_dir() / "tests" / "fixtures" / "platforms" / name).string();
}

// Everything one fixture converts to, with each mention parsed back by the engine's parser.
struct Converted {
  std::map<std::string, json::object> by_id;
  std::vector<std::string> ids;  // in emitted order
  std::vector<Rejection> rejections;
  std::size_t documents = 0;

  const json::object& at(const std::string& id) const {
    static const json::object kEmpty;
    auto it = by_id.find(id);
    EXPECT_NE(it, by_id.end()) << "no mention " << id;
    return it == by_id.end() ? kEmpty : it->second;
  }
  std::vector<std::string> reasons() const {
    std::vector<std::string> out;
    for (const auto& r : rejections) out.emplace_back(reason_name(r.reason));
    return out;
  }
};

void add(Converted& c, const Output& out) {
  static parse::MentionParser parser;
  for (const auto& m : out.mentions) {
    auto parsed = parser.parse(m.json);
    EXPECT_TRUE(parsed.ok()) << "the engine rejects " << m.json << ": "
                             << (parsed.ok() ? "" : parsed.error().detail);
    if (parsed.ok()) {
      EXPECT_EQ(parsed->id, m.id);
    }
    EXPECT_EQ(m.json.find('\n'), std::string::npos);
    auto [it, inserted] = c.by_id.emplace(m.id, json::parse(m.json).as_object());
    EXPECT_TRUE(inserted) << "duplicate id " << m.id;
    c.ids.push_back(m.id);
  }
  for (const auto& r : out.rejections) {
    EXPECT_FALSE(r.detail.empty());
    EXPECT_FALSE(r.raw.empty());
    c.rejections.push_back(r);
  }
}

Converted convert_lines(Format format, const std::string& name) {
  auto adapter = make(format);
  Converted c;
  Output out;
  for (const auto& line : testing::read_lines(fixture(name))) {
    if (line.empty()) continue;
    adapter->convert(line, out);
    add(c, out);
    ++c.documents;
  }
  return c;
}

Converted convert_whole(Format format, const std::string& name) {
  auto adapter = make(format);
  Converted c;
  Output out;
  adapter->convert(testing::read_file(fixture(name)), out);
  add(c, out);
  c.documents = 1;
  return c;
}

std::string str(const json::object& o, std::string_view path) {
  const json::value* v = &o.at(path.substr(0, path.find('.')));
  if (const auto dot = path.find('.'); dot != std::string_view::npos) v = &v->as_object().at(path.substr(dot + 1));
  return std::string(v->as_string());
}
std::int64_t num(const json::object& o, std::string_view path) {
  const auto dot = path.find('.');
  return o.at(path.substr(0, dot)).as_object().at(path.substr(dot + 1)).to_number<std::int64_t>();
}

// ---------------------------------------------------------------------------------------------
// Formats

TEST(Formats, NamesRoundTrip) {
  for (Format f : kFormats) EXPECT_EQ(parse_format(format_name(f)), f);
  EXPECT_FALSE(parse_format("twitter"));
  EXPECT_FALSE(parse_format("Weibo"));
  EXPECT_EQ(framing(Format::rss), Framing::whole_file);
  EXPECT_EQ(framing(Format::weibo), Framing::line);
}

TEST(Formats, MentionPassesTheLineThroughAndReadsItsId) {
  auto a = make(Format::mention);
  Output out;
  const std::string line = R"({"id":"x:1","platform":"x","created_at":"2026-03-01T00:00:00Z","text":"hi"})";
  a->convert(line, out);
  ASSERT_EQ(out.mentions.size(), 1u);
  EXPECT_EQ(out.mentions[0].json, line);
  EXPECT_EQ(out.mentions[0].id, "x:1");
  a->convert("{not json", out);  // the engine dead-letters it with its own reason
  ASSERT_EQ(out.mentions.size(), 1u);
  EXPECT_EQ(out.mentions[0].id, "");
  EXPECT_TRUE(out.rejections.empty());
}

// ---------------------------------------------------------------------------------------------
// Weibo

TEST(Weibo, StatusesMapFieldByField) {
  const Converted c = convert_lines(Format::weibo, "weibo_statuses.jsonl");
  EXPECT_EQ(c.ids, (std::vector<std::string>{"weibo:5276318842113025", "weibo:5276487231109447",
                                             "weibo:5276483912307781", "weibo:5276522093715212",
                                             "weibo:5276669540082177"}));
  const auto& m = c.at("weibo:5276318842113025");
  EXPECT_EQ(str(m, "platform"), "weibo");
  EXPECT_EQ(str(m, "created_at"), "2026-03-14T13:05:33Z");  // 21:05:33 +0800
  EXPECT_EQ(str(m, "url"), "https://weibo.com/6021847731/5276318842113025");
  EXPECT_EQ(str(m, "text"), "提车三个月，蓝途汽车的车机又黑屏了，高速上导航直接没了，售后说要等配件两周。#蓝途汽车#");
  EXPECT_EQ(str(m, "region"), "上海");
  EXPECT_EQ(str(m, "author.id"), "6021847731");
  EXPECT_EQ(str(m, "author.name"), "老周聊电车");
  EXPECT_EQ(num(m, "author.followers"), 182364);
  EXPECT_TRUE(m.at("author").as_object().at("verified").as_bool());
  EXPECT_EQ(num(m, "metrics.reposts"), 37);
  EXPECT_EQ(num(m, "metrics.comments"), 214);
  EXPECT_EQ(num(m, "metrics.likes"), 1205);
  EXPECT_FALSE(m.contains("lang"));       // the engine detects it
  EXPECT_FALSE(m.contains("parent_id"));

  // A follower count written as a string still counts.
  EXPECT_EQ(num(c.at("weibo:5276487231109447"), "author.followers"), 356);
  EXPECT_EQ(str(c.at("weibo:5276487231109447"), "created_at"), "2026-03-15T00:12:09Z");
}

TEST(Weibo, ARepostReferencesItsOriginalAndCarriesItsText) {
  const Converted c = convert_lines(Format::weibo, "weibo_statuses.jsonl");
  const auto& r = c.at("weibo:5276522093715212");
  EXPECT_EQ(str(r, "parent_id"), "weibo:5276511054422190");
  EXPECT_EQ(str(r, "text"),
            "太吓人了，还好不是我家那台//@车评人大刘:已经联系车主核实//@杭州交通播报:"
            "杭州一辆蓝途汽车地库充电时自燃，现场视频已经传开了，官方还没回应。");
  EXPECT_EQ(str(r, "author.name"), "夜跑的鲸鱼");  // the reposter, not the original author
  EXPECT_EQ(num(r, "metrics.reposts"), 2);
  EXPECT_EQ(c.by_id.count("weibo:5276511054422190"), 0u) << "the embedded original is not emitted";
}

TEST(Weibo, MobileHtmlIsStrippedAndDisplayCountsRead) {
  const Converted c = convert_lines(Format::weibo, "weibo_statuses.jsonl");
  const auto& m = c.at("weibo:5276669540082177");
  EXPECT_EQ(str(m, "text"), "@驰电汽车官方 冬季续航打七折是正常的吗？\n北方车主 真实体验");
  EXPECT_EQ(num(m, "author.followers"), 12000);   // "1.2万"
  EXPECT_EQ(num(m, "metrics.reposts"), 15000);    // "1.5万"
  EXPECT_EQ(num(m, "metrics.comments"), 1000000); // "100万+"
  EXPECT_EQ(str(m, "created_at"), "2026-03-15T16:15:47Z");  // just after midnight in Beijing: the day before in UTC
}

TEST(Weibo, BadItemsAreRejectedAndTheirSiblingsConvert) {
  const Converted c = convert_lines(Format::weibo, "weibo_statuses.jsonl");
  EXPECT_EQ(c.reasons(), (std::vector<std::string>{"bad_timestamp", "invalid_json"}));
  // The bad status of the statuses response: only its own bytes, with where it was.
  const auto& bad = c.rejections[0];
  EXPECT_NE(bad.detail.find("statuses[2]"), std::string::npos) << bad.detail;
  EXPECT_NE(bad.detail.find("created_at"), std::string::npos) << bad.detail;
  EXPECT_EQ(bad.raw.rfind("{\"created_at\":\"2026-03-15 07:40\",\"idstr\":\"5276479301205516\"", 0), 0u) << bad.raw;
  EXPECT_EQ(bad.raw.back(), '}');
  EXPECT_EQ(json::parse(bad.raw).as_object().at("idstr").as_string(), "5276479301205516");
  // The broken line: the whole line.
  EXPECT_EQ(c.rejections[1].raw.rfind("{\"created_at\":\"Mon Mar 16", 0), 0u);
}

TEST(Weibo, ShapesAndMissingFields) {
  auto a = make(Format::weibo);
  Output out;
  a->convert(R"({"created_at":"Sat Mar 14 21:05:33 +0800 2026","text":"no id"})", out);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].reason, Reason::missing_field);
  a->convert(R"({"idstr":"1","text":"x"})", out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::missing_field);
  a->convert(R"({"idstr":"1","text":7,"created_at":"Sat Mar 14 21:05:33 +0800 2026"})", out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::bad_type);
  a->convert(R"({"statuses":{"idstr":"1"}})", out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::unsupported_shape);
  a->convert(R"([1,{"idstr":"2","text":"ok","created_at":"Sat Mar 14 21:05:33 +0800 2026"}])", out);
  EXPECT_EQ(out.mentions.size(), 1u);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].raw, "1");
  a->convert(R"({"error":"User does not exists!","error_code":20003,"request":"/2/statuses/show.json"})", out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::platform_error);
  a->convert(R"({"idstr":"9","deleted":"1","text":"此微博已被作者删除。","created_at":"Sat Mar 14 21:05:33 +0800 2026"})", out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::deleted);
  a->convert("   ", out);
  EXPECT_TRUE(out.mentions.empty() && out.rejections.empty());
  // A numeric id (no idstr) and no user: the mobile status URL.
  a->convert(R"({"id":4231265311393455,"text":"t","created_at":"Tue May 31 17:46:55 +0800 2011"})", out);
  ASSERT_EQ(out.mentions.size(), 1u);
  EXPECT_EQ(out.mentions[0].id, "weibo:4231265311393455");
  EXPECT_NE(out.mentions[0].json.find("\"url\":\"https://m.weibo.cn/status/4231265311393455\""), std::string::npos);
  EXPECT_NE(out.mentions[0].json.find("\"created_at\":\"2011-05-31T09:46:55Z\""), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// X

TEST(X, TweetsMapWithTheirAuthorsFromIncludes) {
  const Converted c = convert_lines(Format::x, "x_v2.jsonl");
  EXPECT_EQ(c.ids, (std::vector<std::string>{"x:1900412337712345088", "x:1900418822301810691",
                                             "x:1900425519937028101", "x:1900511203376517120"}));
  const auto& m = c.at("x:1900412337712345088");
  EXPECT_EQ(str(m, "platform"), "x");
  EXPECT_EQ(str(m, "created_at"), "2026-03-14T09:21:44Z");
  EXPECT_EQ(str(m, "url"), "https://x.com/priya_builds/status/1900412337712345088");
  EXPECT_EQ(str(m, "lang"), "en");
  EXPECT_EQ(str(m, "author.id"), "88123450");
  EXPECT_EQ(str(m, "author.name"), "priya_builds");
  EXPECT_EQ(num(m, "author.followers"), 2301);
  EXPECT_FALSE(m.at("author").as_object().at("verified").as_bool());
  EXPECT_EQ(num(m, "metrics.likes"), 131);
  EXPECT_EQ(num(m, "metrics.reposts"), 17);  // retweets + quotes
  EXPECT_EQ(num(m, "metrics.comments"), 22);
  EXPECT_EQ(num(m, "metrics.views"), 18840);

  // A retweet: parent_id, the full original text instead of the truncated "RT @...: ...…".
  const auto& rt = c.at("x:1900418822301810691");
  EXPECT_EQ(str(rt, "parent_id"), "x:1900401156629852160");
  EXPECT_EQ(str(rt, "text").rfind("RT @lumaflix_watch: Lumaflix just announced", 0), 0u);
  EXPECT_NE(str(rt, "text").find("Cancelling after this season"), std::string::npos);
  EXPECT_TRUE(rt.at("author").as_object().at("verified").as_bool());

  // A reply with a place: region from includes.places.
  const auto& reply = c.at("x:1900511203376517120");
  EXPECT_EQ(str(reply, "parent_id"), "x:1900498802241212416");
  EXPECT_EQ(str(reply, "region"), "US");
  EXPECT_EQ(str(reply, "url"), "https://x.com/dana_k_eats/status/1900511203376517120");
}

TEST(X, AnAuthorMissingFromIncludesStillConverts) {
  const Converted c = convert_lines(Format::x, "x_v2.jsonl");
  const auto& m = c.at("x:1900425519937028101");
  EXPECT_EQ(str(m, "author.id"), "19977001");
  EXPECT_FALSE(m.at("author").as_object().contains("name"));
  EXPECT_EQ(str(m, "url"), "https://x.com/i/web/status/1900425519937028101");
  EXPECT_EQ(str(m, "lang"), "zh");
  EXPECT_EQ(str(m, "text"), "在机场等了四个小时，华宇航空的地勤一句解释都没有 #华宇航空");
}

TEST(X, BadTweetsErrorsAndBrokenLinesAreRejected) {
  const Converted c = convert_lines(Format::x, "x_v2.jsonl");
  EXPECT_EQ(c.reasons(), (std::vector<std::string>{"bad_timestamp", "platform_error", "invalid_json"}));
  EXPECT_NE(c.rejections[0].detail.find("data[3] (id 1900430072211554304)"), std::string::npos)
      << c.rejections[0].detail;
  EXPECT_EQ(json::parse(c.rejections[0].raw).as_object().at("id").as_string(), "1900430072211554304");
  EXPECT_NE(c.rejections[1].detail.find("Not Found Error"), std::string::npos);
  EXPECT_EQ(json::parse(c.rejections[1].raw).as_object().at("resource_id").as_string(), "1900399911112223334");
  EXPECT_EQ(c.documents, 5u);  // the empty search page gives nothing, and no rejection
}

TEST(X, LangCodesTheEngineShouldDetect) {
  auto a = make(Format::x);
  Output out;
  for (const char* lang : {"und", "qme", "zxx"}) {
    a->convert(std::string(R"({"data":{"id":"1","text":"🔥🔥","created_at":"2026-03-14T09:21:44.5+08:00","lang":")") +
                   lang + "\"}}",
               out);
    ASSERT_EQ(out.mentions.size(), 1u) << lang;
    EXPECT_EQ(out.mentions[0].json.find("\"lang\""), std::string::npos) << out.mentions[0].json;
    EXPECT_NE(out.mentions[0].json.find("\"created_at\":\"2026-03-14T01:21:44.500Z\""), std::string::npos);
  }
  a->convert(R"({"data":{"text":"no id","created_at":"2026-03-14T09:21:44Z"}})", out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::missing_field);
  a->convert(R"({"data":{"id":"5","text":"no date"}})", out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::missing_field);
  a->convert(R"({"includes":{}})", out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::unsupported_shape);
}

// ---------------------------------------------------------------------------------------------
// Reddit

TEST(Reddit, PostsMapTitleSelftextAndSubreddit) {
  const Converted c = convert_lines(Format::reddit, "reddit.jsonl");
  const auto& p = c.at("reddit:t3_1jb7x0q");
  EXPECT_EQ(str(p, "platform"), "reddit");
  EXPECT_EQ(str(p, "title"), "Lantu Auto winter range & infotainment freezes - is this normal?");
  EXPECT_EQ(str(p, "text"),
            "Picked up a Lantu Auto SUV in January. Range in this cold snap is about 60% of the rated figure & the "
            "infotainment freezes on startup. Anyone else?\n\nEdit: dealer says an OTA fix is \"coming soon\".");
  EXPECT_EQ(str(p, "created_at"), "2026-03-14T09:40:34Z");
  EXPECT_EQ(str(p, "url"),
            "https://www.reddit.com/r/electricvehicles/comments/1jb7x0q/lantu_auto_winter_range_infotainment_freezes_is/");
  EXPECT_EQ(str(p, "author.name"), "frostbitten_ev");
  EXPECT_EQ(str(p, "author.id"), "t2_8h2kq1zd");
  EXPECT_EQ(num(p, "metrics.likes"), 412);
  EXPECT_EQ(num(p, "metrics.comments"), 138);
  EXPECT_EQ(num(p, "metrics.reposts"), 2);
  EXPECT_EQ(str(p, "subreddit"), "r/electricvehicles");
  EXPECT_FALSE(p.contains("lang"));
  // A link post: empty text, the title carries it.
  EXPECT_EQ(str(c.at("reddit:t3_1jb8a51"), "text"), "");
  // A deleted author: no author at all; fractional created_utc kept to the millisecond.
  const auto& q = c.at("reddit:t3_1jc0d9m");
  EXPECT_FALSE(q.contains("author"));
  EXPECT_EQ(str(q, "created_at"), "2026-03-15T05:00:00.500Z");
}

TEST(Reddit, CommentsAndRepliesReferenceTheirParents) {
  const Converted c = convert_lines(Format::reddit, "reddit.jsonl");
  const auto& m = c.at("reddit:t1_mhx2a7b");
  EXPECT_EQ(str(m, "text"), "Worse. My Aurora Phone now loses 30% overnight >:(");
  EXPECT_EQ(str(m, "parent_id"), "reddit:t3_1jc0d9m");
  EXPECT_FALSE(m.contains("title"));
  const auto& reply = c.at("reddit:t1_mhx4kq0");  // nested in replies
  EXPECT_EQ(str(reply, "parent_id"), "reddit:t1_mhx2a7b");
  EXPECT_EQ(num(reply, "metrics.likes"), 0);  // score -2
  EXPECT_EQ(str(c.at("reddit:t1_mhy0a01"), "text"), "青柠视频的会员广告比正片还长，真的受不了。");
  EXPECT_EQ(c.ids.size(), 7u);  // 2 + 3 + 2: the removed comment and the post without a time are rejected
}

TEST(Reddit, RemovedCommentsPostsWithoutTimeAndBadThingsAreRejected) {
  const Converted c = convert_lines(Format::reddit, "reddit.jsonl");
  EXPECT_EQ(c.reasons(), (std::vector<std::string>{"missing_field", "deleted", "bad_type"}));
  EXPECT_NE(c.rejections[0].detail.find("t3_1jb8v2k"), std::string::npos) << c.rejections[0].detail;
  EXPECT_NE(c.rejections[0].detail.find("created_utc"), std::string::npos);
  EXPECT_EQ(json::parse(c.rejections[0].raw).as_object().at("kind").as_string(), "t3");  // the thing, not the listing
  EXPECT_NE(c.rejections[1].detail.find("t1_mhx3zz1"), std::string::npos);
  EXPECT_NE(c.rejections[2].detail.find("created_utc"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// RSS and Atom

TEST(Rss, ItemsMapWithHtmlStrippedAndDatesInUtc) {
  const Converted c = convert_whole(Format::rss, "news.rss");
  ASSERT_EQ(c.ids.size(), 3u);
  const auto& a = c.at("rss:https://auto.news.example.cn/2026/03/15/lantu-fire-response.html");
  EXPECT_EQ(str(a, "platform"), "news");
  EXPECT_EQ(str(a, "title"), "蓝途汽车回应杭州地库自燃事件：已成立专项调查组");
  EXPECT_EQ(str(a, "text"),
            "3月15日，蓝途汽车就杭州某小区地库车辆自燃一事发布声明，称已成立专项调查组 ，并将“第一时间公布结果”。\n"
            "截至发稿，事故未造成人员伤亡。\n原文：官方声明");
  EXPECT_EQ(str(a, "created_at"), "2026-03-15T03:20:00Z");
  EXPECT_EQ(str(a, "url"), "https://auto.news.example.cn/2026/03/15/lantu-fire-response.html");
  EXPECT_EQ(str(a, "author.name"), "陈思远");
  EXPECT_EQ(str(a, "lang"), "zh-CN");

  // Entity-escaped HTML, a GMT date, "email (Name)" authors, a non-permalink guid.
  const auto& b = c.at("rss:news-20260314-0087");
  EXPECT_EQ(str(b, "title"), "华宇航空三月准点率跌至 71% & 投诉量上升");
  EXPECT_EQ(str(b, "text"),
            "民航数据显示，华宇航空 3 月上半月航班准点率为 71%，较去年同期下降 9 个百分点。\n延误主因：流量控制\n"
            "投诉集中在退票、改签");
  EXPECT_EQ(str(b, "created_at"), "2026-03-14T02:05:00Z");
  EXPECT_EQ(str(b, "author.name"), "王蕾");

  // content:encoded wins over description; comments, images dropped; no link: no url.
  const auto& s = c.at("rss:news-20260313-0042");
  EXPECT_EQ(str(s, "text"),
            "星曜手机今晚在深圳发布新旗舰机，起售价 4999 元。\n新机搭载 6000mAh 电池，支持 100W 快充 — 官方称续航提升 20%。\n"
            "发布会现场");
  EXPECT_FALSE(s.contains("url"));
  EXPECT_EQ(str(s, "created_at"), "2026-03-13T12:30:00Z");
}

TEST(Rss, AnItemWithoutADateIsRejectedWithItsOwnBytes) {
  const Converted c = convert_whole(Format::rss, "news.rss");
  ASSERT_EQ(c.reasons(), (std::vector<std::string>{"missing_field"}));
  const auto& r = c.rejections[0];
  EXPECT_NE(r.detail.find("item[3] (guid news-draft-0311)"), std::string::npos) << r.detail;
  EXPECT_EQ(r.raw.rfind("<item>", 0), 0u) << r.raw;
  EXPECT_EQ(r.raw.substr(r.raw.size() - 7), "</item>");
  EXPECT_NE(r.raw.find("甜屿奶茶门店排长队"), std::string::npos);
}

TEST(Rss, AtomEntries) {
  const Converted c = convert_whole(Format::rss, "news.atom");
  ASSERT_EQ(c.ids.size(), 2u);
  const auto& a = c.at("rss:tag:wire.example.com,2026:aurora-x5-update-paused");
  EXPECT_EQ(str(a, "title"), "Aurora Phone pauses X5 software update after battery complaints");
  EXPECT_EQ(str(a, "text"),
            "Aurora Phone has pulled the March software update for the Aurora X5 after owners reported the battery "
            "draining overnight.\nThe company said a fix is \u201cdays away\u201d.");
  EXPECT_EQ(str(a, "created_at"), "2026-03-15T13:30:00Z");  // published, -04:00
  EXPECT_EQ(str(a, "url"), "https://wire.example.com/2026/03/15/aurora-x5-update-paused");
  EXPECT_EQ(str(a, "author.name"), "Jordan Ellis");
  EXPECT_EQ(str(a, "lang"), "en-US");
  const auto& l = c.at("rss:tag:wire.example.com,2026:lumaflix-price");
  EXPECT_EQ(str(l, "text"),
            "Lumaflix will raise the price of its ad tier by $2 in April.\nSubscribers on annual plans keep their price "
            "until renewal.");
  EXPECT_EQ(str(l, "created_at"), "2026-03-14T16:45:00Z");  // updated when there is no published
  EXPECT_EQ(str(l, "author.name"), "Consumer Tech Wire staff");  // the feed's author
  ASSERT_EQ(c.reasons(), (std::vector<std::string>{"bad_timestamp"}));
  EXPECT_EQ(c.rejections[0].raw.rfind("<entry>", 0), 0u);
}

TEST(Rss, BrokenAndForeignDocuments) {
  auto a = make(Format::rss);
  Output out;
  a->convert("<rss><channel><item><title>x</title></channel></rss>", out);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].reason, Reason::invalid_xml);
  a->convert("<html><body>not a feed</body></html>", out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::unsupported_shape);
  // Latin-1 bytes in a document that says UTF-8.
  a->convert("<rss><channel><item><title>caf\xE9</title><pubDate>Sat, 14 Mar 2026 02:05:00 GMT</pubDate>"
             "<link>https://e.example/1</link></item></channel></rss>",
             out);
  EXPECT_EQ(out.rejections.at(0).reason, Reason::invalid_utf8);
  // No guid: the id is a hash of the link, stable across runs.
  a->convert("<rss><channel><item><title>t</title><pubDate>14 Mar 26 02:05 Z</pubDate>"
             "<link>https://e.example/1</link></item></channel></rss>",
             out);
  ASSERT_EQ(out.mentions.size(), 1u);
  EXPECT_EQ(out.mentions[0].id.rfind("rss:h", 0), 0u);
  EXPECT_EQ(out.mentions[0].id.size(), 5u + 16u);
  EXPECT_NE(out.mentions[0].json.find("\"created_at\":\"2026-03-14T02:05:00Z\""), std::string::npos);
}

TEST(Adapters, OverlongTextIsCutToTheEnginesLineLimit) {
  auto a = make(Format::x, AdapterOptions{1024});
  Output out;
  std::string text;
  for (int i = 0; i < 400; ++i) text += "长";  // 1200 bytes
  a->convert(R"({"data":{"id":"1","text":")" + text + R"(","created_at":"2026-03-14T09:21:44Z"}})", out);
  ASSERT_EQ(out.mentions.size(), 1u);
  EXPECT_LE(out.mentions[0].json.size(), 1024u);
  EXPECT_NE(out.mentions[0].json.find("\"text_truncated\":true"), std::string::npos);
  parse::MentionParser parser;
  EXPECT_TRUE(parser.parse(out.mentions[0].json).ok());
}

// ---------------------------------------------------------------------------------------------
// Dates

std::string weibo(std::string_view s) {
  auto r = parse_weibo_time_ms(s);
  return r ? format_rfc3339_utc(*r) : "error: " + r.error();
}
std::string rfc822(std::string_view s) {
  auto r = parse_rfc822_time_ms(s);
  return r ? format_rfc3339_utc(*r) : "error: " + r.error();
}

TEST(Dates, WeiboFormatInEveryZone) {
  EXPECT_EQ(weibo("Tue May 31 17:46:55 +0800 2011"), "2011-05-31T09:46:55Z");
  EXPECT_EQ(weibo("Thu Jan 01 07:30:00 +0800 2026"), "2025-12-31T23:30:00Z");  // the year before in UTC
  EXPECT_EQ(weibo("Mon Mar 16 00:15:47 +0800 2026"), "2026-03-15T16:15:47Z");
  EXPECT_EQ(weibo("Sat Feb 29 23:59:59 -0530 2020"), "2020-03-01T05:29:59Z");  // leap day, west of UTC
  EXPECT_EQ(weibo("Tue May 31 17:46:55 +08:00 2011"), "2011-05-31T09:46:55Z");
  EXPECT_EQ(weibo("Thu Jan 01 00:00:00 +0000 1970"), "1970-01-01T00:00:00Z");
  EXPECT_NE(weibo("Thu Jan 01 07:59:59 +0800 1970").find("outside 1970..2200"), std::string::npos);
  EXPECT_NE(weibo("Sun Feb 29 10:00:00 +0800 2023").find("does not exist"), std::string::npos);
  EXPECT_NE(weibo("2026-03-15 07:40").find("error"), std::string::npos);
  EXPECT_NE(weibo("Tue Mai 31 17:46:55 +0800 2011").find("not a month"), std::string::npos);
  EXPECT_NE(weibo("Tue May 31 25:46:55 +0800 2011").find("HH:MM:SS"), std::string::npos);
  EXPECT_NE(weibo("Tue May 31 17:46:55 CST 2011").find("+hhmm"), std::string::npos);
  EXPECT_NE(weibo("5分钟前").find("error"), std::string::npos);
}

TEST(Dates, Rfc822AsFeedsWriteIt) {
  EXPECT_EQ(rfc822("Sun, 15 Mar 2026 11:20:00 +0800"), "2026-03-15T03:20:00Z");
  EXPECT_EQ(rfc822("Sat, 14 Mar 2026 02:05:00 GMT"), "2026-03-14T02:05:00Z");
  EXPECT_EQ(rfc822("14 Mar 2026 02:05 UT"), "2026-03-14T02:05:00Z");        // no weekday, no seconds
  EXPECT_EQ(rfc822("Sat, 7 Mar 2026 21:00:00 EST"), "2026-03-08T02:00:00Z");  // one-digit day, US zone
  EXPECT_EQ(rfc822("Sat, 14 Mar 2026 19:05:00 PDT"), "2026-03-15T02:05:00Z");
  EXPECT_EQ(rfc822("Sat, 14 Mar 26 02:05:00 +0000"), "2026-03-14T02:05:00Z");  // two-digit year
  EXPECT_EQ(rfc822("Wed, 01 Jan 97 00:00:00 -0100"), "1997-01-01T01:00:00Z");
  EXPECT_EQ(rfc822("Saturday, 14 March 2026 02:05:00 +0000 (UTC)"), "2026-03-14T02:05:00Z");
  EXPECT_EQ(rfc822("2026-03-14T10:05:00+08:00"), "2026-03-14T02:05:00Z");  // RFC 3339 in pubDate
  EXPECT_NE(rfc822("Sat, 14 Mar 2026 02:05:00 XYZ").find("zone"), std::string::npos);
  EXPECT_NE(rfc822("Sat, 31 Apr 2026 02:05:00 GMT").find("does not exist"), std::string::npos);
  EXPECT_NE(rfc822("yesterday").find("error"), std::string::npos);
  EXPECT_NE(rfc822("").find("error"), std::string::npos);
}

TEST(Dates, FormatsUtcWithMillisecondsOnlyWhenThereAreAny) {
  EXPECT_EQ(format_rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_utc(1714564800123), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(format_rfc3339_utc(parse::kMaxCreatedAtMs), "2200-12-31T23:59:59.999Z");
}

// ---------------------------------------------------------------------------------------------
// HTML

TEST(Html, TagsEntitiesAndWhitespace) {
  EXPECT_EQ(html_to_text("<p>A &amp; B</p><p>C&nbsp;&nbsp;D</p>"), "A & B\nC D");
  EXPECT_EQ(html_to_text("&#20013;&#x6587; &lt;tag&gt; &quot;q&quot; &apos;a&apos; &hellip;"),
            "中文 <tag> \"q\" 'a' \u2026");
  EXPECT_EQ(html_to_text("line one<br>line two<br/>three"), "line one\nline two\nthree");
  EXPECT_EQ(html_to_text("a <3 b, x < y"), "a <3 b, x < y");
  EXPECT_EQ(html_to_text("keep &unknown; and & alone"), "keep &unknown; and & alone");
  EXPECT_EQ(html_to_text("<script>var x = '<p>';</script>visible<style>p{}</style><!-- c -->!"), "visible!");
  EXPECT_EQ(html_to_text("<a href=\"x?a=1&b=>2\" title='>'>link</a>"), "link");
  EXPECT_EQ(html_to_text("  spread\n\n  over   lines  "), "spread over lines");
  EXPECT_EQ(html_to_text("<ul><li>one</li><li>two</li></ul>"), "one\ntwo");
  EXPECT_EQ(html_to_text("&#0; &#xD800; &#1114112;"), "\uFFFD \uFFFD \uFFFD");  // never invalid UTF-8
  EXPECT_EQ(html_to_text("<td>a</td><td>b</td>"), "a b");
  EXPECT_TRUE(looks_like_html("x <a href='/n/y'>@y</a>"));
  EXPECT_TRUE(looks_like_html("line<br />line"));
  EXPECT_FALSE(looks_like_html("I <3 it, 1 < 2 > 0"));
}

TEST(Html, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("中文 ok"));
  EXPECT_FALSE(is_valid_utf8("caf\xE9"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xE4\xB8"));          // cut
}

}  // namespace
}  // namespace yuqing::adapters
