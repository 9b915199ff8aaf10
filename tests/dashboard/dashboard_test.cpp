// The dashboard page and `yuqing report` against a real engine (issue 8).
//
// One engine for the whole suite: `yuqing run` on a generated stream (tests/dashboard/spike.yaml:
// 30 calm minutes, then a 蓝途汽车 safety crisis) plus one hostile mention whose text is HTML,
// HTTP on a free loopback port. Once the crisis alerts exist in the API:
//   - the page and its assets are served with their types, ETag and 304 revalidation;
//   - browser_check.js (playwright-core + /usr/bin/chromium, headless) opens the page, picks the
//     brand and the 1h window, and checks the trend points, the baseline band, the alert with its
//     reason, the P1 colour, share of voice, the platform filter, that the mention's HTML stays
//     text, no console error and no request off the engine's origin; screenshots saved;
//   - `yuqing report` writes report.html, opened from file:// with every other request blocked.
// Artifacts (PNG, HTML): $YUQING_DASHBOARD_ARTIFACTS (build-dir/tests/dashboard/artifacts).

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "tests/support/support.h"

namespace yuqing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::http_get;
using testing::run_process;

constexpr const char* kBrand = "lantu-auto";
constexpr int kLines = 34'000;  // ~53 minutes of event time: the crisis runs from minute 30 to 45
// A negative, high-reach mention whose text is markup: the page and the report must show it as text.
constexpr const char* kMarkup = R"(<img src=x onerror="window.__yuqing_xss=1"><b>粗体</b>)";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

fs::path artifacts() {
  fs::path dir = env("YUQING_DASHBOARD_ARTIFACTS");
  if (dir.empty()) dir = fs::temp_directory_path() / "yuqing-dashboard-artifacts";
  fs::create_directories(dir);
  return dir;
}

std::string fnv_etag(const std::string& body) {  // what engine/dashboard computes
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

class DashboardTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto bin = testing::yuqing_binary();
    const auto rules = (testing::source_dir() / "rules").string();
    auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "7", "--count", std::to_string(kLines), "--scenario",
                            (testing::source_dir() / "tests/dashboard/spike.yaml").string(), "--out", dir_->file("in.jsonl")});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    {
      // At the stream's last event time, so it moves no window.
      const auto lines = testing::read_lines(dir_->file("in.jsonl"));
      ASSERT_FALSE(lines.empty());
      const auto last_time = json::parse(lines.back()).at("created_at");
      json::object m{{"id", "weibo:dashboard-test-markup"},
                     {"platform", "weibo"},
                     {"created_at", last_time},
                     {"lang", "zh"},
                     {"text", std::string("蓝途汽车又自燃了，太可怕了，非常失望 ") + kMarkup},
                     {"url", "https://weibo.com/1/dashboard-test-markup"},
                     {"author", json::object{{"id", "99"}, {"name", "<i>测试账号</i>"}, {"followers", 99'000'000}, {"verified", false}}}};
      std::ofstream(dir_->file("in.jsonl"), std::ios::app) << json::serialize(m) << "\n";
    }
    port_ = testing::free_port();
    engine_ = new testing::BackgroundProcess(
        {bin, "run", "--rules", rules, "--input", dir_->file("in.jsonl"), "--state", dir_->file("state"), "--http",
         "127.0.0.1:" + std::to_string(port_), "--log-level", "warn"},
        dir_->file("engine.out"), dir_->file("engine.err"));
    // Ready when the last line (the markup mention) is committed and the crisis has its alerts.
    const bool ready = testing::eventually(
        [] {
          auto m = http_get(port_, std::string("/api/v1/brands/") + kBrand + "/mentions?label=negative&limit=200");
          auto a = http_get(port_, std::string("/api/v1/alerts?brand=") + kBrand);
          return m.status == 200 && m.body.find("dashboard-test-markup") != std::string::npos && a.status == 200 &&
                 a.body.find("\"crisis_term_burst\"") != std::string::npos;
        },
        60);
    ASSERT_TRUE(ready) << "engine did not process the stream / raise the crisis alert:\n" << testing::read_file(dir_->file("engine.err"));
    auto alerts = json::parse(http_get(port_, std::string("/api/v1/alerts?brand=") + kBrand).body);
    for (const auto& a : alerts.at("alerts").as_array()) {
      if (a.at("detector").as_string() == "crisis_term_burst") reason_ = std::string(a.at("reason").as_string());
    }
  }
  static void TearDownTestSuite() {
    if (engine_) {
      engine_->signal(SIGTERM);
      EXPECT_EQ(engine_->wait(30), 0);
    }
    delete engine_;
    engine_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (engine_ == nullptr || reason_.empty()) GTEST_SKIP() << "engine set-up failed";
  }

  // Runs browser_check.js; the JSON line it prints is attached to the failure message.
  static testing::ProcessResult browser(std::vector<std::string> args) {
    const std::string node = env("YUQING_NODE"), script = env("YUQING_BROWSER_CHECK");
    if (node.empty() || script.empty()) return {-1, "", "YUQING_NODE / YUQING_BROWSER_CHECK not set (run through ctest)"};
    args.insert(args.begin(), {node, script});
    return run_process(args, "", 90);
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline testing::BackgroundProcess* engine_ = nullptr;
  static inline std::uint16_t port_ = 0;
  static inline std::string reason_;  // of the crisis_term_burst alert
};

TEST_F(DashboardTest, PageAndAssetsAreServedEmbeddedWithTypesAndEtags) {
  const auto src = testing::source_dir() / "engine/dashboard";
  struct Case {
    const char* path;
    const char* file;
    const char* type;
  } cases[] = {{"/", "index.html", "text/html; charset=utf-8"},
               {"/dashboard/", "index.html", "text/html; charset=utf-8"},
               {"/dashboard/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"},
               {"/dashboard/dashboard.css", "dashboard.css", "text/css; charset=utf-8"}};
  for (const auto& c : cases) {
    auto r = http_get(port_, c.path);
    EXPECT_EQ(r.status, 200) << c.path;
    EXPECT_EQ(r.content_type, c.type) << c.path;
    const std::string file = testing::read_file((src / c.file).string());
    EXPECT_EQ(r.body, file) << c.path << " differs from engine/dashboard/" << c.file << " (stale embed?)";
    // Same validator as the engine computes: a revalidation gets 304 and no body.
    auto again = testing::http_request("GET", port_, c.path, "", "", {{"If-None-Match", fnv_etag(file)}});
    EXPECT_EQ(again.status, 304) << c.path;
    EXPECT_TRUE(again.body.empty()) << c.path;
  }
  EXPECT_EQ(http_get(port_, "/dashboard/nothing.js").status, 404);
  // The page reaches the API only on its own origin: no absolute URL in the page or the script.
  for (const char* f : {"index.html", "dashboard.js"}) {
    const std::string text = testing::read_file((src / f).string());
    EXPECT_EQ(text.find("src=\"http"), std::string::npos) << f;
    EXPECT_EQ(text.find("href=\"http"), std::string::npos) << f;
    EXPECT_EQ(text.find("innerHTML"), std::string::npos) << f << " must not use innerHTML";
  }
}

TEST_F(DashboardTest, PageShowsTrendBaselineAndAlertInChromium) {
  auto r = browser({"dashboard", "--url", "http://127.0.0.1:" + std::to_string(port_) + "/", "--brand", kBrand, "--reason", reason_,
                    "--markup", "<b>粗体</b>", "--out", artifacts().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << "\n" << r.err;
  EXPECT_TRUE(fs::exists(artifacts() / "dashboard.png"));
  std::cout << "screenshots: " << (artifacts() / "dashboard.png").string() << ", " << (artifacts() / "dashboard-en.png").string() << "\n";
}

TEST_F(DashboardTest, ReportIsSelfContainedAndRendersInChromium) {
  const auto bin = testing::yuqing_binary();
  const std::string server = "http://127.0.0.1:" + std::to_string(port_);
  // The last hour: the crisis, the band and the alerts in detail.
  const auto report = (artifacts() / "report.html").string();
  auto w = run_process({bin, "report", "--brand", kBrand, "--window", "1h", "--out", report, "--server", server});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_NE(w.out.find("Wrote"), std::string::npos) << w.out;
  const std::string html = testing::read_file(report);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find(kMarkup), std::string::npos) << "mention text must be escaped";
  EXPECT_NE(html.find("&lt;b&gt;粗体&lt;/b&gt;"), std::string::npos);
  auto r = browser({"report", "--file", report, "--reason", reason_, "--min-points", "20", "--baseline", "--out", artifacts().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << "\n" << r.err;

  // The weekly review's default window.
  const auto weekly = (artifacts() / "report-7d.html").string();
  w = run_process({bin, "report", "--brand", kBrand, "--window", "7d", "--out", weekly, "--server", server});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  r = browser({"report", "--file", weekly, "--reason", reason_, "--min-points", "20", "--screenshot", "report-7d.png", "--out",
               artifacts().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << "\n" << r.err;
  std::cout << "report: " << report << " (screenshot " << (artifacts() / "report.png").string() << ")\n";
}

TEST_F(DashboardTest, ReportCommandErrors) {
  const auto bin = testing::yuqing_binary();
  testing::TempDir tmp;
  const std::string out = tmp.file("r.html");
  auto help = run_process({bin, "report", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--brand"), std::string::npos);
  EXPECT_EQ(run_process({bin, "report", "--out", out}).exit_code, 2);  // --brand is required
  EXPECT_EQ(run_process({bin, "report", "--brand", kBrand, "--colour", "red"}).exit_code, 2);
  EXPECT_EQ(run_process({bin, "report", "--brand", kBrand, "--window", "7x", "--out", out}).exit_code, 2);
  auto down = run_process({bin, "report", "--brand", kBrand, "--out", out, "--server",
                           "http://127.0.0.1:" + std::to_string(testing::free_port())});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("no engine answering"), std::string::npos) << down.err;
  auto unknown = run_process({bin, "report", "--brand", "no-such-brand", "--out", out, "--server",
                              "127.0.0.1:" + std::to_string(port_)});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no brand 'no-such-brand'"), std::string::npos) << unknown.err;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace yuqing
