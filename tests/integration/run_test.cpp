// Process-level tests of `yuqing run`: the real binary on generated input with bad lines mixed
// in; the accounting (input = processed + dead-lettered) is checked through the summary line,
// the dead-letter file and a live /metrics scrape.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "tests/support/support.h"
#include "tests/support/window_counts.h"

namespace yuqing {
namespace {

using testing::BackgroundProcess;
using testing::run_process;
using testing::TempDir;

// An independent reference for "is this line a valid mention": Boost.JSON plus the schema's
// required fields, written without the engine's parser.
bool reference_valid(const std::string& line) {
  if (line.size() > 64 * 1024) return false;
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec);
  if (ec || !v.is_object()) return false;
  const auto& o = v.as_object();
  static const std::set<std::string> kPlatforms = {"weibo", "wechat", "douyin", "xiaohongshu", "bilibili", "zhihu",
                                                   "kuaishou", "x", "reddit", "news", "forum", "other"};
  auto str = [&](const char* k) { return o.contains(k) && o.at(k).is_string(); };
  if (!str("id") || o.at("id").as_string().empty() || !str("text") || !str("platform")) return false;
  if (!kPlatforms.count(std::string(o.at("platform").as_string()))) return false;
  if (!o.contains("created_at")) return false;
  const auto& t = o.at("created_at");
  constexpr double kYear2200Ms = 7258118400000.0;  // the schema's accepted range is 1970..2200
  if (t.is_int64() || t.is_uint64()) return t.to_number<double>() >= 0 && t.to_number<double>() < kYear2200Ms;
  if (!t.is_string()) return false;
  static const std::regex kRfc3339(R"((\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d))");
  std::smatch m;
  const std::string ts(t.as_string());
  if (!std::regex_match(ts, m, kRfc3339)) return false;
  auto field = [&](int i) { return std::stoi(m[i]); };
  return field(2) >= 1 && field(2) <= 12 && field(3) >= 1 && field(3) <= 31 && field(4) < 24 && field(5) < 60 &&
         field(6) <= 60;
}

double metric_value(const std::string& scrape, const std::string& series) {
  double total = 0;
  bool found = false;
  std::istringstream in(scrape);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series, 0) == 0 && (line[series.size()] == ' ' || line[series.size()] == '{' ||
                                       series.back() == '}')) {
      total += std::stod(line.substr(line.rfind(' ') + 1));
      found = true;
    }
  }
  return found ? total : -1;
}

class RunTest : public ::testing::Test {
 protected:
  std::string bin = testing::yuqing_binary();
  std::string rules = (testing::source_dir() / "rules").string();
  TempDir dir;

  // Generated mentions with bad ones mixed in, plus hand-written edge cases.
  std::string make_input(int count, double bad_share) {
    auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "7", "--count", std::to_string(count),
                            "--bad-share", std::to_string(bad_share)});
    EXPECT_EQ(gen.exit_code, 0) << gen.err;
    std::string input = gen.out;
    input += "\xEF\xBB\xBF{\"id\":\"x:bom\",\"platform\":\"x\",\"created_at\":1700000000000,\"text\":\"bom\"}\r\n";
    input += "\n   \n";  // blank lines: not records
    input += "{\"id\":\"x:1\",\"platform\":\"x\",\"created_at\":\"not a time\",\"text\":\"t\"}\n";
    input += "[1,2,3]\n";
    input += "{\"id\":\"x:2\",\"platform\":\"x\",\"created_at\":1700000000000,\"text\":\"no newline at end\"}";
    return input;
  }
};

TEST_F(RunTest, ExitAtEofAccountsForEveryLine) {
  const std::string input = make_input(3000, 0.1);
  testing::write_file(dir.file("in.jsonl"), input);
  std::uint64_t records = 0, valid = 0;
  std::istringstream lines(input);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++records;
    valid += reference_valid(line) ? 1 : 0;
  }
  ASSERT_GT(records - valid, 250u);  // the 10% bad lines are really there

  auto r = run_process({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules, "--state",
                        dir.file("state"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::summary_field(r.out, "read"), records);
  EXPECT_EQ(testing::summary_field(r.out, "processed"), valid);
  EXPECT_EQ(testing::summary_field(r.out, "dead_lettered"), records - valid);
  EXPECT_EQ(testing::summary_field(r.out, "blank_lines"), 2u);

  auto dlq = testing::read_lines(dir.file("state/dead-letter.jsonl"));
  ASSERT_EQ(dlq.size(), records - valid);
  std::set<std::string> reasons;
  for (const auto& l : dlq) {
    auto v = boost::json::parse(l).as_object();  // every dead letter is itself valid JSON
    reasons.insert(std::string(v.at("reason").as_string()));
    EXPECT_TRUE(v.contains("raw") || v.contains("raw_base64")) << l;
  }
  for (const char* want : {"malformed_json", "invalid_utf8", "too_large", "missing_field", "bad_type",
                           "bad_timestamp", "bad_value"}) {
    EXPECT_TRUE(reasons.count(want)) << "no dead letter with reason " << want;
  }

  // Running again on the same state resumes at the end: nothing is read twice.
  auto again = run_process({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules,
                            "--state", dir.file("state"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(testing::summary_field(again.out, "read"), 0u);
  EXPECT_EQ(testing::summary_field(again.out, "resumed_from"), records);
  EXPECT_EQ(testing::read_lines(dir.file("state/dead-letter.jsonl")).size(), records - valid);
}

TEST_F(RunTest, MetricsAgreeWithTheInputAndSigtermDrains) {
  const std::string input = make_input(2000, 0.1);
  testing::write_file(dir.file("in.jsonl"), input);
  const auto port = testing::free_port();
  // Without --exit-at-eof the engine keeps tailing the file and serving HTTP.
  BackgroundProcess engine({bin, "run", "--input", dir.file("in.jsonl"), "--rules", rules, "--state",
                            dir.file("state"), "--http", "127.0.0.1:" + std::to_string(port)},
                           dir.file("out.txt"), dir.file("err.txt"));
  std::string scrape;
  ASSERT_TRUE(testing::eventually([&] {
    auto r = testing::http_get(port, "/metrics");
    scrape = r.body;
    return r.status == 200 && metric_value(scrape, "yuqing_input_records_total") >= 2003;
  }, 60)) << testing::read_file(dir.file("err.txt"));
  const double in = metric_value(scrape, "yuqing_input_records_total");
  const double processed = metric_value(scrape, "yuqing_mentions_processed_total");
  const double dead = metric_value(scrape, "yuqing_dlq_total");
  EXPECT_EQ(in, processed + dead);
  EXPECT_GT(dead, 150);
  EXPECT_GT(metric_value(scrape, "yuqing_dlq_total{reason=\"too_large\"}"), 0);
  EXPECT_GT(metric_value(scrape, "process_resident_memory_bytes"), 0);
  // The parse kernel in use, as `yuqing --version` names it.
  const auto version = run_process({bin, "--version"});
  ASSERT_EQ(version.exit_code, 0);
  const auto at = version.out.find("parse kernel: ");
  ASSERT_NE(at, std::string::npos) << version.out;
  const auto kernel = version.out.substr(at + 14, version.out.find(' ', at + 14) - (at + 14));
  EXPECT_EQ(metric_value(scrape, "yuqing_build_info{parse_kernel=\"" + kernel + "\",version=\"0.1.0\"}"), 1) << scrape;
  EXPECT_EQ(testing::http_get(port, "/healthz").status, 200);
  EXPECT_EQ(testing::http_get(port, "/readyz").status, 200);
  // The exposition follows Prometheus' naming and format rules (scripts/setup.sh installs promtool).
  if (std::filesystem::exists("/usr/bin/promtool")) {
    auto lint = run_process({"/usr/bin/promtool", "check", "metrics"}, scrape);
    EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
    EXPECT_EQ(lint.out + lint.err, "");
  } else {
    ADD_FAILURE() << "promtool is missing: run scripts/setup.sh";
  }

  engine.signal(SIGTERM);
  EXPECT_EQ(engine.wait(30), 0);
  const auto out = testing::read_file(dir.file("out.txt"));
  EXPECT_EQ(testing::summary_field(out, "read"), static_cast<std::uint64_t>(in));
  EXPECT_NE(testing::read_file(dir.file("err.txt")).find("draining"), std::string::npos);
}

TEST_F(RunTest, DemoStreamRunsWithNoFlagsAndStopsOnSigint) {
  const auto port = testing::free_port();
  // The README's default: the demo stream (here at a gentle rate), state in the working dir.
  BackgroundProcess engine({bin, "run", "--rules", rules, "--state", dir.file("state"), "--http",
                            "127.0.0.1:" + std::to_string(port), "--demo-rate", "500"},
                           dir.file("out.txt"), dir.file("err.txt"));
  ASSERT_TRUE(testing::eventually([&] {
    auto r = testing::http_get(port, "/metrics");
    return r.status == 200 && metric_value(r.body, "yuqing_mentions_processed_total") > 200;
  }, 60)) << testing::read_file(dir.file("err.txt"));
  engine.signal(SIGINT);
  EXPECT_EQ(engine.wait(30), 0);
  EXPECT_GT(testing::summary_field(testing::read_file(dir.file("out.txt")), "processed"), 200u);
}

// Hot reload while a stream runs (a reload storm: 100 reloads, half of them invalid): valid
// changes go live, invalid ones are rejected with their file:line and the old rules keep
// running; no mention is lost or read twice, and the window counts equal a run without reloads
// (the valid edits change nothing the matcher sees).
TEST_F(RunTest, RulesReloadManyTimesWhileStreaming) {
  namespace fs = std::filesystem;
  const auto rules_copy = dir.path() / "rules";
  fs::copy(rules, rules_copy, fs::copy_options::recursive);
  testing::write_file(dir.file("token"), "s3cret\n");
  testing::write_file(dir.file("engine.yaml"),
                      "api:\n  token_file: " + dir.file("token") + "\nrules:\n  watch_interval_ms: 0\n");
  const auto port = testing::free_port();
  testing::write_file(dir.file("in.jsonl"), "");
  BackgroundProcess engine({bin, "run", "--config", dir.file("engine.yaml"), "--input", dir.file("in.jsonl"),
                            "--rules", rules_copy.string(), "--state", dir.file("state"), "--http",
                            "127.0.0.1:" + std::to_string(port)},
                           dir.file("out.txt"), dir.file("err.txt"));
  ASSERT_TRUE(testing::eventually([&] { return testing::http_get(port, "/readyz").status == 200; }, 30))
      << testing::read_file(dir.file("err.txt"));

  auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "11", "--count", "20000"});
  ASSERT_EQ(gen.exit_code, 0);
  std::vector<std::string> lines;
  std::istringstream in(gen.out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  const auto brand_file = (rules_copy / "brands" / "aurora-phone.yaml").string();
  const std::string original = testing::read_file(brand_file);
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer s3cret"}};

  EXPECT_EQ(testing::http_request("POST", port, "/api/v1/rules/reload").status, 401);  // no token
  int valid = 0, invalid = 0;
  // 30 in CI; the reliability run sets YUQING_RELOAD_ROUNDS=100 (each reload recompiles the
  // rules and lexicons: about 1.5 s on 2 busy cores).
  const char* rounds_env = std::getenv("YUQING_RELOAD_ROUNDS");
  const int kRounds = rounds_env != nullptr ? std::max(2, std::atoi(rounds_env)) : 30;
  const std::size_t kSlice = 20000 / static_cast<std::size_t>(kRounds);
  for (int round = 0; round < kRounds; ++round) {
    {  // append a slice of the stream
      std::ofstream out(dir.file("in.jsonl"), std::ios::app);
      for (std::size_t i = round * kSlice; i < (round + 1) * kSlice; ++i) out << lines[i] << "\n";
    }
    if (round % 2 == 0) {
      testing::write_file(brand_file, original + "# edit " + std::to_string(round) + "\n");
    } else {
      testing::write_file(brand_file, "id: aurora-phone\nname: Aurora\nlang: en\nquery: '(aurora OR'\n");
    }
    auto r = testing::http_request("POST", port, "/api/v1/rules/reload", "", "", auth);
    if (round % 2 == 0) {
      EXPECT_EQ(r.status, 200) << r.body;
      ++valid;
    } else {
      EXPECT_EQ(r.status, 422) << r.body;
      EXPECT_NE(r.body.find("aurora-phone.yaml:4:"), std::string::npos) << r.body;  // file:line of the bad query
      ++invalid;
    }
  }
  testing::write_file(brand_file, original);
  ASSERT_EQ(testing::http_request("POST", port, "/api/v1/rules/reload", "", "", auth).status, 200);
  ++valid;

  std::string scrape;
  ASSERT_TRUE(testing::eventually([&] {
    scrape = testing::http_get(port, "/metrics").body;
    return metric_value(scrape, "yuqing_input_records_total") >= static_cast<double>(kSlice * kRounds);
  }, 60));
  EXPECT_EQ(metric_value(scrape, "yuqing_rules_reload_total{result=\"error\"}"), invalid);
  EXPECT_EQ(metric_value(scrape, "yuqing_rules_reload_total{result=\"ok\"}"), valid);
  EXPECT_EQ(metric_value(scrape, "yuqing_rules_version"), 1 + valid);
  auto live = testing::http_get(port, "/api/v1/rules");
  EXPECT_EQ(live.status, 200);
  EXPECT_NE(live.body.find("\"version\":" + std::to_string(1 + valid)), std::string::npos);
  EXPECT_NE(live.body.find("\"id\":\"aurora-phone\""), std::string::npos);

  engine.signal(SIGTERM);
  ASSERT_EQ(engine.wait(30), 0);
  const auto out = testing::read_file(dir.file("out.txt"));
  EXPECT_EQ(testing::summary_field(out, "read"), kSlice * kRounds);  // nothing lost, nothing read twice
  EXPECT_EQ(testing::summary_field(out, "processed"), kSlice * kRounds);
  EXPECT_GT(testing::summary_field(out, "matched"), 5000u);

  testing::write_file(dir.file("all.jsonl"), "");
  {
    std::ofstream all(dir.file("all.jsonl"));
    for (std::size_t i = 0; i < kSlice * kRounds; ++i) all << lines[i] << "\n";
  }
  auto clean = run_process({bin, "run", "--input", dir.file("all.jsonl"), "--exit-at-eof", "--rules", rules, "--state",
                            dir.file("clean"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  const auto expected = testing::window_counts(dir.file("clean"), dir.path().string());
  const auto got = testing::window_counts(dir.file("state"), dir.path().string());
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [key, values] : expected) EXPECT_EQ(got.at(key), values) << key << ": the reloads changed the counts";
}

TEST_F(RunTest, RuleFileChangesAreWatched) {
  namespace fs = std::filesystem;
  const auto rules_copy = dir.path() / "rules";
  fs::copy(rules, rules_copy, fs::copy_options::recursive);
  testing::write_file(dir.file("in.jsonl"), "");
  const auto port = testing::free_port();
  BackgroundProcess engine({bin, "run", "--input", dir.file("in.jsonl"), "--rules", rules_copy.string(), "--state",
                            dir.file("state"), "--http", "127.0.0.1:" + std::to_string(port)},
                           dir.file("out.txt"), dir.file("err.txt"));
  ASSERT_TRUE(testing::eventually([&] { return testing::http_get(port, "/readyz").status == 200; }, 30));
  const auto brand_file = (rules_copy / "brands" / "zephra.yaml").string();
  // Editors replace files whole; write beside the rules and rename, so the watcher never sees
  // a half-written file.
  auto replace = [&](const std::string& contents) {
    testing::write_file(dir.file("next.yaml"), contents);
    fs::rename(dir.file("next.yaml"), brand_file);
  };
  replace(testing::read_file(brand_file) + "# touched\n");
  EXPECT_TRUE(testing::eventually([&] {
    return metric_value(testing::http_get(port, "/metrics").body, "yuqing_rules_version") == 2;
  }, 20));
  replace("id: zephra\nquery: 'NOT zephra'\n");  // NOT-only: rejected
  EXPECT_TRUE(testing::eventually([&] {
    return metric_value(testing::http_get(port, "/metrics").body, "yuqing_rules_reload_total{result=\"error\"}") == 1;
  }, 20));
  EXPECT_EQ(metric_value(testing::http_get(port, "/metrics").body, "yuqing_rules_version"), 2);
  engine.signal(SIGTERM);
  EXPECT_EQ(engine.wait(30), 0);
  EXPECT_NE(testing::read_file(dir.file("err.txt")).find("zephra.yaml"), std::string::npos);
}

// `yuqing query` prints the API's answers; `yuqing state erase-author` removes what the state
// keeps about an author; api.auth_reads puts every /api/ read behind the token.
TEST_F(RunTest, QueryCommandsEraseAuthorAndReadAuth) {
  auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "21", "--count", "3000"});
  ASSERT_EQ(gen.exit_code, 0);
  const std::string vip =
      R"({"id":"x:vip1","platform":"x","created_at":"2026-11-01T00:03:00Z","text":"Lumaflix keeps crashing, awful app",)"
      R"("author":{"id":"vip-author-77","name":"Famous Critic","followers":90000000,"verified":true}})";
  testing::write_file(dir.file("in.jsonl"), gen.out + vip + "\n");
  testing::write_file(dir.file("token"), "t0ken\n");
  testing::write_file(dir.file("engine.yaml"), "api:\n  token_file: " + dir.file("token") + "\n  auth_reads: true\n");
  auto serve = [&](std::uint16_t port) {
    return std::make_unique<BackgroundProcess>(
        std::vector<std::string>{bin, "run", "--config", dir.file("engine.yaml"), "--input", dir.file("in.jsonl"),
                                 "--rules", rules, "--state", dir.file("state"), "--http",
                                 "127.0.0.1:" + std::to_string(port)},
        dir.file("out.txt"), dir.file("err.txt"));
  };
  auto port = testing::free_port();
  auto engine = serve(port);
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer t0ken"}};
  ASSERT_TRUE(testing::eventually([&] {
    auto r = testing::http_request("GET", port, "/api/v1/brands/lumaflix/mentions?limit=50", "", "", auth);
    return r.status == 200 && r.body.find("Famous Critic") != std::string::npos;
  }, 60)) << testing::read_file(dir.file("err.txt"));
  EXPECT_EQ(testing::http_get(port, "/api/v1/brands").status, 401);  // reads need the token too
  EXPECT_EQ(testing::http_get(port, "/metrics").status, 200);        // but not /metrics

  setenv("YUQING_API_TOKEN", "t0ken", 1);
  const std::string server = "127.0.0.1:" + std::to_string(port);
  auto trend = run_process({bin, "query", "--server", server, "trend", "--brand", "lumaflix", "--window", "1h",
                            "--step", "10m", "--until", "2026-11-01T01:00:00Z"});
  EXPECT_EQ(trend.exit_code, 0) << trend.err;
  auto points = boost::json::parse(trend.out).at("points").as_array();
  EXPECT_EQ(points.size(), 6u);
  std::uint64_t mentions = 0;
  for (const auto& p : points) mentions += p.at("mentions").to_number<std::uint64_t>();
  EXPECT_GT(mentions, 10u);
  auto compare = run_process({bin, "query", "--server", server, "compare", "--brands", "lantu-auto,chidian-auto",
                              "--window", "1h"});
  EXPECT_EQ(compare.exit_code, 0) << compare.err;
  EXPECT_NE(compare.out.find("chidian-auto"), std::string::npos);
  auto unknown = run_process({bin, "query", "--server", server, "trend", "--brand", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("404"), std::string::npos) << unknown.err;
  unsetenv("YUQING_API_TOKEN");
  auto denied = run_process({bin, "query", "--server", server, "alerts"});
  EXPECT_EQ(denied.exit_code, 1);

  engine->signal(SIGTERM);
  ASSERT_EQ(engine->wait(30), 0);
  auto erased = run_process({bin, "state", "erase-author", "vip-author-77", "--state", dir.file("state")});
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_NE(erased.out.find("erased 1"), std::string::npos) << erased.out;
  EXPECT_EQ(erased.err.find("vip-author-77"), std::string::npos);  // the id is not logged

  port = testing::free_port();
  engine = serve(port);
  ASSERT_TRUE(testing::eventually([&] { return testing::http_get(port, "/readyz").status == 200; }, 30));
  auto after = testing::http_request("GET", port, "/api/v1/brands/lumaflix/mentions?limit=200", "", "", auth);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body.find("Famous Critic"), std::string::npos);
  engine->signal(SIGTERM);
  EXPECT_EQ(engine->wait(30), 0);
}

TEST_F(RunTest, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(run_process({bin, "--help"}).exit_code, 0);
  EXPECT_EQ(run_process({bin, "run", "--help"}).exit_code, 0);
  for (const char* cmd : {"gen", "rules", "score", "eval", "config", "query", "state"}) {
    EXPECT_EQ(run_process({bin, cmd, "--help"}).exit_code, 0) << cmd;
  }
  EXPECT_EQ(run_process({bin}).exit_code, 2);
  auto bad_flag = run_process({bin, "run", "--no-such-flag"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_NE(bad_flag.err.find("--no-such-flag"), std::string::npos);
  EXPECT_EQ(run_process({bin, "no-such-command"}).exit_code, 2);

  testing::write_file(dir.file("bad.yaml"), "http:\n  lisen: 1\n");
  auto bad_config = run_process({bin, "run", "--config", dir.file("bad.yaml")});
  EXPECT_EQ(bad_config.exit_code, 2);
  EXPECT_NE(bad_config.err.find("bad.yaml:2:3: unknown key 'http.lisen' (did you mean 'http.listen'?)"),
            std::string::npos)
      << bad_config.err;
}

TEST_F(RunTest, MissingInputFileIsAClearError) {
  auto r = run_process({bin, "run", "--input", dir.file("nope.jsonl"), "--exit-at-eof", "--state",
                        dir.file("state"), "--http", "off"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace yuqing
