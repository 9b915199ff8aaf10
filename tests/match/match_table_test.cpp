// Table test of the query language and the matcher: one rule, one mention, match or not.

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/match/matcher.h"
#include "tests/match/match_test_util.h"

namespace yuqing::match {
namespace {

using testing::OwnedMention;

struct Case {
  const char* query;
  const char* text;
  bool expect;
  std::function<void(OwnedMention&)> setup = nullptr;
};

auto platform(Platform p) { return [p](OwnedMention& m) { m.platform = p; }; }
auto lang(const char* l) { return [l](OwnedMention& m) { m.lang = l; }; }
auto author(const char* n) { return [n](OwnedMention& m) { m.author_name = n; }; }
auto author_id(const char* n) { return [n](OwnedMention& m) { m.author_id = n; }; }
auto url(const char* u) { return [u](OwnedMention& m) { m.url = u; }; }
auto verified(bool v) { return [v](OwnedMention& m) { m.verified = v; }; }
auto followers(std::int64_t n) { return [n](OwnedMention& m) { m.followers = n; }; }
auto region(const char* r) { return [r](OwnedMention& m) { m.region = r; }; }
auto title(const char* t) { return [t](OwnedMention& m) { m.title = t; }; }

const std::vector<Case>& cases() {
  static const std::vector<Case> k = {
      // ---- words: case-insensitive, whole words ----
      {"apple", "I love Apple", true},
      {"apple", "pineapple juice", false},
      {"apple", "Apple's new phone", true},
      {"apple", "APPLE", true},
      {"apple", "apples", false},
      {"apple", "apple.", true},
      {"apple", "(apple)", true},
      {"apple", "apple_pie", false},
      {"apple", "apple-pie", true},
      {"apple", "苹果apple手机", true},
      {"apple", "éapple", false},
      {"apple", "#apple", true},
      {"apple", "@apple", true},
      {"apple", "", false},
      {"iphone15", "new iPhone15 out", true},
      {"iphone15", "iphone150", false},
      {"3.5", "version 3.5 now", true},
      {"3.5", "version 13.5 now", false},
      // ---- phrases ----
      {"\"acme phone\"", "my Acme Phone broke", true},
      {"\"acme phone\"", "acme  phone", true},
      {"\"acme phone\"", "acme\nphone", true},
      {"\"acme phone\"", "acme phones", false},
      {"\"acme phone\"", "acmephone", false},
      {"\"acme phone\"", "phone acme", false},
      {"\"acme phone\"", "ACME\xe3\x80\x80PHONE", true},
      {"\"acme phone\"", "xacme phone", false},
      {"\"acme phone\"", "acme\t phone", true},
      // ---- Chinese: substrings, traditional = simplified ----
      {"艾克米", "我的艾克米手机", true},
      {"艾克米", "艾克", false},
      {"投诉", "我要投訴他們", true},
      {"投訴", "我要投诉", true},
      {"华为", "華為手機", true},
      {"華為", "华为手机", true},
      {"手机", "手機壞了", true},
      {"电池", "電池爆炸", true},
      {"爆炸", "电池爆了", false},
      {"后来", "後來", true},
      {"发展", "發展", true},
      {"头发", "頭髮", true},
      {"艾克米", "艾 克 米", false},
      {"\"華為 mate\"", "华为 Mate 60", true},
      // ---- width folding ----
      {"acme", "ＡＣＭＥ", true},
      {"ＡＣＭＥ", "acme", true},
      {"acme", "ａｃｍｅ！", true},
      {"\"acme 5\"", "ＡＣＭＥ\xe3\x80\x80５", true},
      {"acme", "ＡＣＭＥＳ", false},
      {"#acme", "＃ａｃｍｅ", true},
      {"@acme", "＠ACME", true},
      {"acme", "ac\xe2\x80\x8bme", true},  // zero-width space removed
      // ---- other letters ----
      {"Acme", "acme", true},
      {"ÉCOLE", "école", true},
      {"école", "ÉCOLE", true},
      {"москва", "МОСКВА", true},
      // ---- handles and hashtags ----
      {"@acme", "thanks @acme!", true},
      {"@acme", "thanks @acmecorp", false},
      {"@acme", "thanks acme", false},
      {"@acme", "foo@acme", false},
      {"#acme", "#acme rocks", true},
      {"#acme", "#acmefan", false},
      {"#acme", "acme", false},
      {"#艾克米#", "今天#艾克米#超话", true},
      {"#艾克米#", "#艾克米 很好", false},
      {"#艾克米", "#艾克米超话", true},
      {"#艾克米#", "#艾克米#", true},
      {"@艾克米官方", "@艾克米官方 你好", true},
      {"#acme", "＃ACME", true},
      // ---- wildcards ----
      {"acme*", "acmecorp", true},
      {"acme*", "acme", true},
      {"acme*", "the acme's", true},
      {"acme*", "xacmecorp", false},
      {"acme*", "ac", false},
      {"\"acme ph*\"", "acme phones", true},
      {"\"acme ph*\"", "acme ipad", false},
      {"skyhop*", "SkyHopAir", true},
      {"艾克*", "艾克米", true},
      // ---- AND and adjacency ----
      {"apple AND juice", "apple juice", true},
      {"apple AND juice", "apple pie", false},
      {"apple juice", "juice of an apple", true},
      {"apple juice", "apple", false},
      {"apple && juice", "apple juice", true},
      {"red AND green AND blue", "blue red green", true},
      {"red AND green AND blue", "red green", false},
      {"red green blue", "green, blue and red", true},
      // ---- OR ----
      {"apple OR orange", "orange", true},
      {"apple OR orange", "banana", false},
      {"apple || orange", "apple", true},
      {"apple OR orange OR 香蕉", "我爱香蕉", true},
      // ---- NOT ----
      {"apple NOT pie", "apple pie", false},
      {"apple NOT pie", "apple juice", true},
      {"apple AND NOT pie", "apple juice", true},
      {"apple AND NOT pie", "apple pie", false},
      {"apple NOT (pie OR tart)", "apple tart", false},
      {"apple NOT (pie OR tart)", "apple cake", true},
      {"apple NOT pie NOT tart", "apple tart", false},
      {"apple NOT pie NOT tart", "apple cake", true},
      {"apple NOT NOT pie", "apple pie", true},
      {"apple NOT NOT pie", "apple", false},
      {"\"aurora phone\" NOT \"aurora borealis\"", "aurora phone and aurora borealis", false},
      {"\"aurora phone\" NOT \"aurora borealis\"", "aurora phone photos", true},
      {"apple NOT pineapple", "pineapple apple", false},
      // ---- precedence: NOT > NEAR > AND > OR ----
      {"apple OR banana AND cherry", "apple", true},
      {"apple OR banana AND cherry", "banana", false},
      {"apple OR banana AND cherry", "banana cherry", true},
      {"(apple OR banana) AND cherry", "apple", false},
      {"(apple OR banana) AND cherry", "banana cherry", true},
      {"apple OR banana NOT cherry", "apple cherry", true},
      {"apple OR banana NOT cherry", "banana cherry", false},
      {"apple NEAR/2 juice OR pie", "pie", true},
      {"apple NEAR/2 juice OR pie", "apple x x x x juice", false},
      {"apple NEAR/2 juice pie", "apple juice", false},
      {"apple NEAR/2 juice pie", "apple juice pie", true},
      {"((apple))", "apple", true},
      {"(apple OR (banana AND (cherry OR date)))", "banana date", true},
      {"(apple OR (banana AND (cherry OR date)))", "banana", false},
      {"apple banana OR cherry", "cherry", true},
      {"apple banana OR cherry", "apple", false},
      // ---- NEAR / ONEAR (tokens = Latin words or single Han characters) ----
      {"apple NEAR/2 juice", "apple juice", true},
      {"apple NEAR/2 juice", "apple fresh orange juice", true},
      {"apple NEAR/2 juice", "apple very fresh orange juice", false},
      {"apple NEAR/2 juice", "juice with apple", true},
      {"apple NEAR/0 juice", "apple juice", true},
      {"apple NEAR/0 juice", "apple, juice", true},
      {"apple NEAR/0 juice", "apple x juice", false},
      {"apple ONEAR/2 juice", "apple juice", true},
      {"apple ONEAR/2 juice", "juice apple", false},
      {"apple NEAR/2f juice", "juice apple", false},
      {"apple NEAR/2f juice", "apple fresh juice", true},
      {"华宇 NEAR/5 航班", "华宇今天的航班", true},
      {"华宇 NEAR/2 航班", "华宇今天的航班", false},
      {"华宇 NEAR/3 航班", "華宇今天的航班", true},
      {"\"acme phone\" NEAR/1 battery", "acme phone battery", true},
      {"\"acme phone\" NEAR/2 battery", "battery of my acme phone", true},
      {"\"acme phone\" NEAR/1 battery", "battery of my acme phone", false},
      {"(apple OR pear) NEAR/1 (juice OR cider)", "pear cider", true},
      {"(apple OR pear) NEAR/1 (juice OR cider)", "pear and fresh cider", false},
      {"apple NEAR/3 apple", "apple apple", true},
      {"apple NEAR/3 apple", "apple", false},
      {"apple NEAR/1 juice", "pineapple juice", false},
      {"fruit NOT (apple NEAR/1 juice)", "fruit apple juice", false},
      {"fruit NOT (apple NEAR/1 juice)", "fruit apple x x juice", true},
      {"apple NEAR/2 苹果", "apple 是 苹果", true},
      {"acme* NEAR/1 phone", "acmecorp phone", true},
      {"@acme NEAR/1 sucks", "@acme sucks", true},
      {"驰电 ONEAR/3 车主", "车主说驰电", false},
      {"驰电 ONEAR/3 车主", "驰电车主", true},
      {"apple W/1 juice", "apple juice", true},
      {"apple NEAR/1 juice", "APPLE ＪＵＩＣＥ", true},
      // ---- field filters ----
      {"apple platform:weibo", "apple", true, platform(Platform::weibo)},
      {"apple platform:weibo", "apple", false, platform(Platform::x)},
      {"apple AND lang:zh", "apple", true, lang("zh-Hans")},
      {"apple AND lang:zh", "apple", false, lang("en")},
      {"apple author:acme_official", "apple", true, author("Acme_Official")},
      {"apple author:acme_official", "apple", false, author("other")},
      {"apple author:@acme_official", "apple", true, author_id("acme_official")},
      {"apple author:\"Jane Doe\"", "apple", true, author("jane doe")},
      {"apple site:example.com", "apple", true, url("https://news.example.com/a")},
      {"apple site:example.com", "apple", false, url("https://badexample.com/a")},
      {"apple site:example.com", "apple", true, url("http://example.com")},
      {"apple site:example.com", "apple", false},
      {"apple author.verified:true", "apple", true, verified(true)},
      {"apple author.verified:true", "apple", false, verified(false)},
      {"apple author.verified:false", "apple", true, verified(false)},
      {"apple author.followers:>1000", "apple", true, followers(1001)},
      {"apple author.followers:>1000", "apple", false, followers(1000)},
      {"apple author.followers:>=1000", "apple", true, followers(1000)},
      {"apple author.followers:<10", "apple", true, followers(5)},
      {"apple author.followers:<=10", "apple", false, followers(11)},
      {"apple author.followers:10k", "apple", true, followers(10000)},
      {"apple region:CN", "apple", true, region("CN-GD")},
      {"apple region:cn-gd", "apple", false, region("CN-SH")},
      {"apple (platform:weibo OR platform:douyin)", "apple", true, platform(Platform::douyin)},
      {"apple (platform:weibo OR platform:douyin)", "apple", false, platform(Platform::reddit)},
      {"apple NOT platform:weibo", "apple", false, platform(Platform::weibo)},
      {"apple NOT site:acme.com", "apple", false, url("https://acme.com/x")},
      {"ferncrest NOT site:ferncrestbank.example", "ferncrest", false,
       url("https://www.ferncrestbank.example/news")},
      {"ferncrest NOT site:ferncrestbank.example", "ferncrest", true, url("https://news.example/ferncrest")},
      {"platform:weibo apple OR pear", "pear", true, platform(Platform::x)},
      // ---- title ----
      {"apple", "nothing here", true, title("Apple news")},
      {"\"news apple\"", "apple", false, title("news")},
      // ---- lower-case operators are words; quotes and brackets users paste ----
      {"apple or juice", "apple juice", false},
      {"apple or juice", "apple or juice", true},
      {"“acme phone”", "acme phone", true},
      {"（apple OR pear） AND juice", "pear juice", true},
      {"\"AND\" apple", "apple and pie", true},
  };
  return k;
}

TEST(MatchTable, EveryCase) {
  ASSERT_GE(cases().size(), 150u);
  Matcher matcher;
  int i = 0;
  for (const Case& c : cases()) {
    ++i;
    auto rs = compile_rule_set({testing::spec("r", c.query)});
    ASSERT_TRUE(rs) << "case " << i << " query " << c.query << "\n" << rs.error().to_string();
    OwnedMention om;
    om.text = c.text;
    if (c.setup) c.setup(om);
    const Mention m = om.view();
    const MatchResult& r = matcher.match(m, *rs.value());
    const bool got = !r.brands.empty();
    EXPECT_EQ(got, c.expect) << "case " << i << ": query [" << c.query << "] text [" << c.text << "]\n"
                             << "normalized [" << matcher.normalized() << "]\n"
                             << matcher.explain(m, *rs.value(), 0);
  }
}

// All cases in ONE rule set (one database, many rules) give the same answers as one by one.
TEST(MatchTable, AllRulesInOneDatabase) {
  std::vector<RuleSpec> specs;
  for (std::size_t i = 0; i < cases().size(); ++i) specs.push_back(testing::spec("r" + std::to_string(i), cases()[i].query));
  auto rs = testing::compile_or_die(specs);
  ASSERT_TRUE(rs);
  Matcher matcher;
  for (std::size_t i = 0; i < cases().size(); ++i) {
    const Case& c = cases()[i];
    OwnedMention om;
    om.text = c.text;
    if (c.setup) c.setup(om);
    const MatchResult& r = matcher.match(om.view(), *rs);
    bool got = false;
    for (const BrandMatch& b : r.brands) got = got || b.rule == i;
    EXPECT_EQ(got, c.expect) << "case " << i + 1 << ": " << c.query << " / " << c.text;
  }
}

TEST(MatchResultTest, TermsPointIntoOriginalText) {
  auto rs = testing::compile_or_die({testing::spec("acme", "\"acme phone\" OR 華為 OR #艾克米#")});
  ASSERT_TRUE(rs);
  Matcher matcher;
  OwnedMention om;
  om.text = "  我的ＡＣＭＥ　Phone和华为，#艾克米#";
  const MatchResult& r = matcher.match(om.view(), *rs);
  ASSERT_EQ(r.brands.size(), 1u);
  std::vector<std::string> found;
  for (const TermHit& h : r.hits_of(r.brands[0])) found.push_back(om.text.substr(h.begin, h.end - h.begin));
  std::sort(found.begin(), found.end());
  std::vector<std::string> want{"#艾克米#", "ＡＣＭＥ　Phone", "华为"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(found, want);
}

TEST(MatchResultTest, NegatedAndFailedBranchTermsAreNotReported) {
  auto rs = testing::compile_or_die({testing::spec("r", "(apple AND pie) OR juice NOT cider")});
  ASSERT_TRUE(rs);
  Matcher matcher;
  OwnedMention om;
  om.text = "apple juice";
  const MatchResult& r = matcher.match(om.view(), *rs);
  ASSERT_EQ(r.brands.size(), 1u);
  ASSERT_EQ(r.brands[0].hits_count, 1u);
  EXPECT_EQ(rs->term(r.hits_of(r.brands[0])[0].term).text, "juice");
}

// Rules decided by their posting alone (two terms joined by AND or OR, with or without one
// excluded term; a term NOT a term) report their terms in query order, whichever term they
// were posted under, and fail when the excluded term occurs.
TEST(MatchResultTest, PairAndExclusionRulesReportTermsInQueryOrder) {
  auto rs = testing::compile_or_die({testing::spec("a", "volt OR acmephone"), testing::spec("b", "volt AND acmephone"),
                                     testing::spec("c", "acmephone AND volt"), testing::spec("d", "(volt OR acmephone) NOT cider"),
                                     testing::spec("e", "acmephone NOT cider"), testing::spec("f", "cider NOT acmephone"),
                                     testing::spec("g", "(volt AND acmephone) NOT juice")});
  ASSERT_TRUE(rs);
  Matcher matcher;
  OwnedMention om;
  om.text = "AcmePhone and a volt";
  const MatchResult& r = matcher.match(om.view(), *rs);
  auto texts = [&](const BrandMatch& b) {
    std::vector<std::string> out;
    for (const TermHit& h : r.hits_of(b)) out.push_back(rs->rule(b.rule).id + ":" + rs->term(h.term).text);
    return out;
  };
  std::vector<std::string> got;
  for (const BrandMatch& b : r.brands) {
    for (const std::string& t : texts(b)) got.push_back(t);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"a:volt", "a:acmephone", "b:volt", "b:acmephone", "c:acmephone", "c:volt",
                                           "d:volt", "d:acmephone", "e:acmephone", "g:volt", "g:acmephone"}));
  om.text = "volt cider juice";
  const MatchResult& r2 = matcher.match(om.view(), *rs);
  std::vector<std::string> ids;
  for (const BrandMatch& b : r2.brands) ids.push_back(rs->rule(b.rule).id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "f"}));
}

TEST(MatchResultTest, EveryRuleReportsItsOwnHitsOfASharedTerm) {
  // Terms are reported once per rule, not once per mention: a later rule sharing a term with
  // an earlier one still lists it (and a term written twice in one rule is listed once).
  auto rs = testing::compile_or_die({testing::spec("a", "acme OR bolt"), testing::spec("b", "acme AND volt"),
                                     testing::spec("c", "(acme OR acme) NEAR/2 bolt*"),
                                     testing::spec("d", "acme* NEAR/3 acme")});
  ASSERT_TRUE(rs);
  Matcher matcher;
  OwnedMention om;
  om.text = "ACME volt boltage acme";
  const MatchResult& r = matcher.match(om.view(), *rs);
  ASSERT_EQ(r.brands.size(), 4u);
  auto texts = [&](const BrandMatch& b) {
    std::vector<std::string> out;
    for (const TermHit& h : r.hits_of(b)) {
      out.push_back(rs->term(h.term).text + "=" + om.text.substr(h.begin, h.end - h.begin));
    }
    return out;
  };
  EXPECT_EQ(texts(r.brands[0]), (std::vector<std::string>{"acme=ACME", "acme=acme"}));
  EXPECT_EQ(texts(r.brands[1]), (std::vector<std::string>{"acme=ACME", "acme=acme", "volt=volt"}));
  EXPECT_EQ(texts(r.brands[2]), (std::vector<std::string>{"acme=ACME", "acme=acme", "bolt*=boltage"}));
  EXPECT_EQ(texts(r.brands[3]),
            (std::vector<std::string>{"acme*=ACME", "acme*=acme", "acme=ACME", "acme=acme"}));
}

TEST(MatchResultTest, TitleHitsReportTheTitleField) {
  auto rs = testing::compile_or_die({testing::spec("r", "acme")});
  Matcher matcher;
  OwnedMention om;
  om.title = "Big ACME news";
  om.text = "nothing";
  const MatchResult& r = matcher.match(om.view(), *rs);
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].field, TextField::title);
  EXPECT_EQ(om.title.substr(r.hits[0].begin, r.hits[0].end - r.hits[0].begin), "ACME");
}

TEST(MatchResultTest, AspectsAndDefaultAspects) {
  RuleSpec s = testing::spec("acme", "acme");
  s.aspects.push_back({"battery", {"battery", "续航"}, {}, {}});
  RuleSpec other = testing::spec("bolt", "bolt");
  RuleSetOptions opts;
  opts.default_aspects.push_back({"battery", {"power"}});  // acme overrides battery
  opts.default_aspects.push_back({"price", {"price", "价格"}});
  auto rs = testing::compile_or_die({s, other}, opts);
  ASSERT_TRUE(rs);
  Matcher matcher;
  OwnedMention om;
  om.text = "acme 續航 and power, bolt 價格 too";
  const MatchResult& r = matcher.match(om.view(), *rs);
  ASSERT_EQ(r.brands.size(), 2u);
  auto names = [&](const BrandMatch& b) {
    std::vector<std::string> out;
    for (const AspectHit& a : r.aspects_of(b)) out.push_back(rs->aspect_name(a.aspect));
    return out;
  };
  EXPECT_EQ(names(r.brands[0]), (std::vector<std::string>{"battery", "price"}));
  EXPECT_EQ(names(r.brands[1]), (std::vector<std::string>{"battery", "price"}));  // default battery: power
  const AspectHit& a = r.aspects_of(r.brands[0])[0];
  EXPECT_EQ(om.text.substr(a.hit.begin, a.hit.end - a.hit.begin), "續航");
}

TEST(MatchResultTest, ExtraLiteralGroupsShareTheDatabase) {
  RuleSetOptions opts;
  opts.extra_groups.push_back({"lexicon.zh.negative", {"垃圾", "差评"}});
  opts.extra_groups.push_back({"crisis", {"explode*", "\"data breach\""}});
  auto rs = testing::compile_or_die({testing::spec("acme", "acme")}, opts);
  ASSERT_TRUE(rs);
  Matcher matcher;
  OwnedMention om;
  om.text = "no brand here: 垃圾 phones exploded after a data breach, 差評";
  const MatchResult& r = matcher.match(om.view(), *rs);
  EXPECT_TRUE(r.brands.empty());
  std::vector<std::string> got;
  for (const GroupHit& g : r.groups) {
    got.push_back(rs->group(g.group).id + "/" + rs->group(g.group).terms[g.index] + "=" +
                  om.text.substr(g.hit.begin, g.hit.end - g.hit.begin));
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"crisis/\"data breach\"=data breach", "crisis/explode*=exploded",
                                           "lexicon.zh.negative/垃圾=垃圾", "lexicon.zh.negative/差评=差評"}));
}

TEST(MatchResultTest, DisabledRulesNeverMatch) {
  RuleSpec s = testing::spec("acme", "acme");
  s.enabled = false;
  auto rs = testing::compile_or_die({s});
  Matcher matcher;
  OwnedMention om;
  om.text = "acme";
  EXPECT_TRUE(matcher.match(om.view(), *rs).brands.empty());
}

TEST(MatchResultTest, CountersAndSwap) {
  auto a = testing::compile_or_die({testing::spec("a", "acme"), testing::spec("b", "bolt")});
  auto b = testing::compile_or_die({testing::spec("x", "bolt")});
  Matcher matcher;
  OwnedMention om;
  om.text = "acme bolt";
  for (int i = 0; i < 3; ++i) (void)matcher.match(om.view(), *a);
  EXPECT_EQ(matcher.rule_hits_instance(), a->instance_id());
  EXPECT_EQ(std::vector<std::uint64_t>(matcher.rule_hits().begin(), matcher.rule_hits().end()),
            (std::vector<std::uint64_t>{3, 3}));
  const MatchResult& r = matcher.match(om.view(), *b);  // hot swap: a new set on the same matcher
  ASSERT_EQ(r.brands.size(), 1u);
  EXPECT_EQ(b->rule(r.brands[0].rule).id, "x");
  EXPECT_EQ(matcher.rule_hits().size(), 1u);
  EXPECT_NE(a->version(), b->version());
}

TEST(MatchResultTest, EmptyRuleSet) {
  auto rs = testing::compile_or_die({});
  ASSERT_TRUE(rs);
  Matcher matcher;
  OwnedMention om;
  om.text = "anything";
  EXPECT_TRUE(matcher.match(om.view(), *rs).brands.empty());
}

TEST(Explain, SaysWhichClauseFailed) {
  auto rs = testing::compile_or_die({testing::spec("r", "(apple OR pear) NEAR/1 juice NOT platform:weibo")});
  Matcher matcher;
  OwnedMention om;
  om.text = "apple and fresh juice";
  const Mention m = om.view();
  (void)matcher.match(m, *rs);
  const std::string e = matcher.explain(m, *rs, 0);
  EXPECT_NE(e.find("no match"), std::string::npos) << e;
  EXPECT_NE(e.find("[fail] NEAR/1: closest occurrences have 2 word(s) between them"), std::string::npos) << e;
  EXPECT_NE(e.find("[pass] 'apple' found in the text as 'apple' at bytes 0-5"), std::string::npos) << e;
  EXPECT_NE(e.find("[pass] NOT"), std::string::npos) << e;
}

// `alpha AND beta` is posted under alpha (the longer literal) with beta as the term it
// needs: without beta the candidate is dropped before evaluation, but explain() still knows
// that one of the rule's words occurred.
TEST(Explain, CandidateWithoutItsNeededTerm) {
  auto rs = testing::compile_or_die({testing::spec("r", "alpha AND beta")});
  Matcher matcher;
  OwnedMention om;
  om.text = "alpha only";
  Mention m = om.view();
  EXPECT_TRUE(matcher.match(m, *rs).brands.empty());
  std::string e = matcher.explain(m, *rs, 0);
  EXPECT_NE(e.find("no match"), std::string::npos) << e;
  EXPECT_EQ(e.find("none of its words occur"), std::string::npos) << e;
  EXPECT_NE(e.find("[fail] 'beta' not found"), std::string::npos) << e;

  om.text = "beta only";
  m = om.view();
  EXPECT_TRUE(matcher.match(m, *rs).brands.empty());
  e = matcher.explain(m, *rs, 0);
  EXPECT_NE(e.find("none of its words occur"), std::string::npos) << e;

  om.text = "beta and alpha";
  m = om.view();
  ASSERT_EQ(matcher.match(m, *rs).brands.size(), 1u);
  EXPECT_NE(matcher.explain(m, *rs, 0).find("MATCH"), std::string::npos);
}

}  // namespace
}  // namespace yuqing::match
