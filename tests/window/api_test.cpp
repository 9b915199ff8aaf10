// The window HTTP API against a real server on 127.0.0.1:0, including the error cases.
#include "engine/window/api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "engine/window/standalone.h"
#include "tests/support/support.h"

namespace yuqing::window {
namespace {

namespace json = boost::json;
const std::int64_t T0 = 1714953600000;  // 2024-05-06T00:00:00Z

class WindowApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = StandaloneDb::open(dir.file("state"));
    ASSERT_TRUE(d.ok()) << d.error();
    db = std::move(*d);
    auto s = WindowStore::open(db->db(), db->buckets(), db->top());
    ASSERT_TRUE(s.ok()) << s.error();
    store = std::move(*s);
    store->set_brands({{"acme", "Acme Coffee", {"zenith"}}, {"zenith", "Zenith", {"acme"}}, {"星巴克", "", {}}},
                      {"service", "quality"});
    auto& agg = store->aggregator();
    // acme: yesterday 10 mentions, today (up to 12:00) 24 (one per 30 min), every 3rd negative.
    for (int i = 0; i < 10; ++i) agg.add(update(0, T0 - kDayMs + i * kHourMs, 0));
    for (int i = 0; i < 24; ++i) agg.add(update(0, T0 + i * 30 * kMinuteMs, i % 3 == 0 ? -1 : 1));
    for (int i = 0; i < 6; ++i) agg.add(update(1, T0 + i * kHourMs, -1));
    for (int i = 0; i < 30; ++i) agg.add(update(1, T0 - kDayMs + i * 10 * kMinuteMs, 1));
    for (int i = 0; i < 3; ++i) {
      TopMentionView v;
      const std::string id = "weibo:" + std::to_string(i);
      v.id = id;
      v.platform = Platform::weibo;
      v.text = "很失望";
      v.author_name = "someone";
      v.reach = 1000u * static_cast<unsigned>(i + 1);
      v.label = i == 1 ? 1 : -1;
      v.event_ms = T0 + i * kMinuteMs;
      agg.add_top_mention(0, v);
    }
    rocksdb::WriteBatch b;
    agg.flush(b);
    ASSERT_TRUE(db->commit(b).ok());

    http::ServerOptions o;
    o.listen = "127.0.0.1:0";
    server = std::make_unique<http::Server>(o);
    register_routes(*server, *store);
    ASSERT_TRUE(server->start().ok());
  }
  void TearDown() override { server.reset(); }

  static WindowUpdate update(std::uint32_t brand, std::int64_t t, std::int8_t label) {
    WindowUpdate u;
    u.brand = brand;
    u.event_ms = t;
    u.label = label;
    u.score = label * 0.8f;
    u.reach = 100;
    u.platform = Platform::weibo;
    u.aspect_mask = 1;
    u.author_hash = static_cast<std::uint64_t>(t);
    return u;
  }
  json::value get(const std::string& target, int want_status = 200, const char* want_type = "application/json") {
    auto r = testing::http_get(server->port(), target);
    EXPECT_EQ(r.status, want_status) << target << ": " << r.body;
    EXPECT_EQ(r.content_type.substr(0, std::string_view(want_type).size()), want_type) << target;
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return v;
  }

  testing::TempDir dir;
  std::unique_ptr<StandaloneDb> db;
  std::unique_ptr<WindowStore> store;
  std::unique_ptr<http::Server> server;
};

TEST_F(WindowApiTest, ListsBrands) {
  auto v = get("/api/v1/brands");
  const auto& brands = v.at("brands").as_array();
  ASSERT_EQ(brands.size(), 3u);
  EXPECT_EQ(brands[0].at("id").as_string(), "acme");
  EXPECT_EQ(brands[0].at("name").as_string(), "Acme Coffee");
  EXPECT_EQ(brands[0].at("competitors").as_array()[0].as_string(), "zenith");
  EXPECT_EQ(v.at("watermark").as_string(), "2024-05-06T11:30:00Z");
}

TEST_F(WindowApiTest, TrendHasCountsSentimentRatioReachAndBaseline) {
  auto v = get("/api/v1/brands/acme/trend?window=24h&step=1h&until=2024-05-06T12:00:00Z");
  const auto& pts = v.at("points").as_array();
  ASSERT_EQ(pts.size(), 24u);
  EXPECT_EQ(v.at("from").as_string(), "2024-05-05T12:00:00Z");
  // Yesterday's 10 mentions (00:00-09:00) are before the window; today's 24 are inside.
  std::int64_t total = 0;
  for (const auto& p : pts) total += p.at("mentions").as_int64();
  EXPECT_EQ(total, 24);
  const auto& last = pts[23].as_object();  // 11:00-12:00 today: two mentions (11:00, 11:30)
  EXPECT_EQ(last.at("from").as_string(), "2024-05-06T11:00:00Z");
  EXPECT_EQ(last.at("mentions").as_int64(), 2);
  EXPECT_EQ(last.at("reach").as_int64(), 200);
  EXPECT_EQ(last.at("platforms").at("weibo").as_int64(), 2);
  EXPECT_EQ(last.at("aspects").at("service").at("mentions").as_int64(), 2);
  EXPECT_TRUE(last.at("negative_ratio").is_double());
  EXPECT_EQ(last.at("baseline").at("kind").as_string(), "ewma");  // ~1.5 days of history
  // Default `until`: the watermark's minute end, rounded up to the step grid; default step = window / 24.
  v = get("/api/v1/brands/acme/trend?window=2h");
  EXPECT_EQ(v.at("to").as_string(), "2024-05-06T11:35:00Z");
  EXPECT_EQ(v.at("step_ms").as_int64(), 5 * kMinuteMs);
  EXPECT_EQ(v.at("points").as_array().size(), 24u);
  // Non-ASCII brand id, percent-encoded in the path.
  v = get("/api/v1/brands/%E6%98%9F%E5%B7%B4%E5%85%8B/trend?window=1h&baseline=off");
  EXPECT_EQ(v.at("brand").as_string(), "星巴克");
  EXPECT_FALSE(v.at("points").as_array()[0].as_object().contains("baseline"));
}

TEST_F(WindowApiTest, CompareGivesShareOfVoiceAndChange) {
  auto v = get("/api/v1/compare?brands=acme,zenith&window=12h&until=2024-05-06T12:00:00Z");
  const auto& rows = v.at("brands").as_array();
  ASSERT_EQ(rows.size(), 2u);
  // Current 12h: acme 24, zenith 6 -> 0.8 / 0.2. (The previous 12h, yesterday afternoon, is empty:
  // yesterday's mentions were all before 10:00.)
  EXPECT_NEAR(rows[0].at("share_of_voice").as_double(), 0.8, 1e-9);
  EXPECT_NEAR(rows[1].at("share_of_voice").as_double(), 0.2, 1e-9);
  EXPECT_EQ(rows[0].at("negative").as_int64(), 8);
  EXPECT_NEAR(rows[0].at("negative_share_of_voice").as_double(), 8.0 / 14, 1e-9);
  v = get("/api/v1/compare?brands=acme,zenith&window=24h&until=2024-05-06T12:00:00Z");
  const auto& r2 = v.at("brands").as_array();
  EXPECT_EQ(r2[0].at("previous").at("mentions").as_int64(), 10);
  EXPECT_EQ(r2[1].at("previous").at("mentions").as_int64(), 30);
  EXPECT_NEAR(r2[0].at("share_change").as_double(), 0.8 - 0.25, 1e-9);
  // One brand: it and its competitors.
  v = get("/api/v1/compare?brands=acme&window=24h&until=2024-05-06T12:00:00Z");
  ASSERT_EQ(v.at("brands").as_array().size(), 2u);
  EXPECT_EQ(v.at("brands").as_array()[1].at("brand").as_string(), "zenith");
}

TEST_F(WindowApiTest, TopMentionsByReachWithLabelFilter) {
  auto v = get("/api/v1/brands/acme/mentions?label=negative&limit=20");
  const auto& ms = v.at("mentions").as_array();
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].at("id").as_string(), "weibo:2");
  EXPECT_EQ(ms[0].at("reach").as_int64(), 3000);
  EXPECT_EQ(ms[0].at("label").as_string(), "negative");
  EXPECT_EQ(ms[0].at("text").as_string(), "很失望");
  EXPECT_EQ(ms[0].at("created_at").as_string(), "2024-05-06T00:02:00Z");
  v = get("/api/v1/brands/acme/mentions?limit=1");
  EXPECT_EQ(v.at("mentions").as_array().size(), 1u);
  v = get("/api/v1/brands/zenith/mentions");
  EXPECT_EQ(v.at("mentions").as_array().size(), 0u);
}

TEST_F(WindowApiTest, TopMentionsByPlatform) {  // the dashboard's platform filter
  auto v = get("/api/v1/brands/acme/mentions?label=negative&platform=weibo");
  EXPECT_EQ(v.at("mentions").as_array().size(), 2u);
  v = get("/api/v1/brands/acme/mentions?platform=weibo&limit=1");
  ASSERT_EQ(v.at("mentions").as_array().size(), 1u);
  EXPECT_EQ(v.at("mentions").as_array()[0].at("id").as_string(), "weibo:2");
  v = get("/api/v1/brands/acme/mentions?platform=douyin");
  EXPECT_EQ(v.at("mentions").as_array().size(), 0u);
  v = get("/api/v1/brands/acme/mentions?platform=any");
  EXPECT_EQ(v.at("mentions").as_array().size(), 3u);
  v = get("/api/v1/brands/acme/mentions?platform=myspace", 400, "application/problem+json");
  EXPECT_NE(v.at("detail").as_string().find("platform"), std::string::npos);
}

TEST_F(WindowApiTest, ErrorsAreProblemJson) {
  const char* problem = "application/problem+json";
  auto v = get("/api/v1/brands/nobody/trend", 404, problem);
  EXPECT_NE(v.at("detail").as_string().find("nobody"), std::string::npos);
  get("/api/v1/brands/nobody/mentions", 404, problem);
  get("/api/v1/compare?brands=acme,nobody", 404, problem);
  get("/api/v1/brands/acme/unknown", 404, problem);
  v = get("/api/v1/brands/acme/trend?window=5x", 400, problem);
  EXPECT_NE(v.at("detail").as_string().find("window"), std::string::npos);
  get("/api/v1/brands/acme/trend?window=1h&step=2h", 400, problem);
  get("/api/v1/brands/acme/trend?window=30d&step=1m", 400, problem);  // too many points
  v = get("/api/v1/brands/acme/trend?until=yesterday", 400, problem);
  EXPECT_NE(v.at("detail").as_string().find("until"), std::string::npos);
  get("/api/v1/brands/acme/trend?baseline=vibes", 400, problem);
  get("/api/v1/brands/acme/mentions?label=angry", 400, problem);
  get("/api/v1/brands/acme/mentions?limit=0", 400, problem);
  get("/api/v1/brands/acme/mentions?limit=abc", 400, problem);
  get("/api/v1/compare", 400, problem);
  get("/api/v1/compare?brands=acme,,zenith", 400, problem);
}

}  // namespace
}  // namespace yuqing::window
