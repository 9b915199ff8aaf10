// The engine as Prometheus and Grafana see it, with real processes on loopback:
//  - a real Prometheus (/usr/bin/prometheus) scrapes a tailing `yuqing run` every second, loads
//    deploy/prometheus/yuqing-rules.yml, and its query API returns the processed count the
//    engine itself reports; every alert rule evaluates without error against real data;
//  - every metric name used by a panel or variable of deploy/grafana/dashboards/*.json, and by
//    the alert rules, exists on a live scrape of the engine, except the Kafka-only metrics of
//    kKafkaOnly (they exist only with --brokers); every dashboard expression is valid PromQL.
// Every process a test starts is stopped by the test (SIGTERM, then SIGKILL from
// BackgroundProcess's destructor if a check failed first; SIGKILL via setpriv's parent-death
// signal if the test process itself dies).

#include <gtest/gtest.h>
#include <signal.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/support.h"

namespace yuqing {
namespace {

namespace fs = std::filesystem;
using testing::BackgroundProcess;
using testing::run_process;
using testing::TempDir;

// Metrics that exist only in Kafka mode (`yuqing run --brokers`): the dashboards and rules may
// use them although a file-mode engine does not expose them. Nothing else may be missing.
const std::set<std::string> kKafkaOnly = {"yuqing_kafka_consumer_lag"};
// Series Prometheus makes itself for every target (used by the YuqingDown rule).
const std::set<std::string> kMadeByPrometheus = {"up"};

std::string tool(const char* env, const char* fallback) {
  const char* s = std::getenv(env);
  return s != nullptr && *s != '\0' ? s : fallback;
}

// argv for a server this test starts: with util-linux's setpriv it gets SIGKILL when the test
// process dies, even on a crash that skips the destructors (setpriv execs, so the pid stays).
std::vector<std::string> dies_with_test(std::vector<std::string> argv) {
  if (fs::exists("/usr/bin/setpriv")) argv.insert(argv.begin(), {"/usr/bin/setpriv", "--pdeathsig", "KILL", "--"});
  return argv;
}

// --- metric names ------------------------------------------------------------------------

// Metric names a PromQL expression selects. Skips strings, label matchers {...}, ranges [...],
// Grafana variables ($x, ${x}), numbers and durations, function calls, aggregation operators
// and the label lists of by/without/on/ignoring/group_left/group_right. Grafana's
// label_values(SELECTOR, label) is reduced to its selector.
std::set<std::string> promql_metric_names(std::string expr) {
  static const std::regex kLabelValues(R"(^\s*label_values\((.*),\s*[A-Za-z_]\w*\s*\)\s*$)");
  std::smatch m;
  if (std::regex_match(expr, m, kLabelValues)) expr = m[1].str();
  static const std::set<std::string> kWords = {
      "and", "or", "unless", "bool", "offset", "inf", "nan", "sum", "avg", "min", "max", "count", "stddev", "stdvar",
      "topk", "bottomk", "quantile", "count_values", "group"};
  static const std::set<std::string> kLabelLists = {"by", "without", "on", "ignoring", "group_left", "group_right"};
  std::set<std::string> names;
  const std::size_t n = expr.size();
  std::size_t i = 0;
  auto ident_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; };
  auto skip_string = [&] {
    const char q = expr[i++];
    while (i < n && expr[i] != q) i += expr[i] == '\\' && q != '`' ? 2 : 1;
    ++i;
  };
  auto skip_until = [&](char close) {
    ++i;
    while (i < n && expr[i] != close) {
      if (expr[i] == '"' || expr[i] == '\'' || expr[i] == '`') skip_string();
      else ++i;
    }
    ++i;
  };
  while (i < n) {
    const char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {
      skip_string();
    } else if (c == '{') {
      skip_until('}');
    } else if (c == '[') {
      skip_until(']');
    } else if (c == '$') {
      ++i;
      if (i < n && expr[i] == '{') skip_until('}');
      while (i < n && ident_char(expr[i])) ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      while (i < n && (ident_char(expr[i]) || expr[i] == '.')) ++i;  // 0.99, 1e3, 5m
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':') {
      const std::size_t start = i;
      while (i < n && ident_char(expr[i])) ++i;
      const std::string word = expr.substr(start, i - start);
      std::size_t j = i;
      while (j < n && std::isspace(static_cast<unsigned char>(expr[j]))) ++j;
      if (kLabelLists.count(word)) {
        if (j < n && expr[j] == '(') {
          i = j;
          skip_until(')');
        }
      } else if (j < n && expr[j] == '(') {
        // a function call: its arguments are scanned as the loop goes on
      } else if (!kWords.count(word)) {
        names.insert(word);
      }
    } else {
      ++i;
    }
  }
  return names;
}

// Every name a scrape exposes: sample names, plus the series names of declared families
// (a histogram family X is queried as X_bucket, X_sum and X_count).
std::set<std::string> exposed_names(const std::string& scrape) {
  std::set<std::string> names;
  std::istringstream in(scrape);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream f(line.substr(7));
      std::string name, type;
      f >> name >> type;
      names.insert(name);
      if (type == "histogram") names.insert({name + "_bucket", name + "_sum", name + "_count"});
      if (type == "summary") names.insert({name + "_sum", name + "_count"});
    } else if (!line.empty() && line[0] != '#') {
      names.insert(line.substr(0, line.find_first_of("{ ")));
    }
  }
  return names;
}

double metric_sum(const std::string& scrape, const std::string& name) {
  double total = 0;
  bool found = false;
  std::istringstream in(scrape);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name, 0) == 0 && line.size() > name.size() && (line[name.size()] == ' ' || line[name.size()] == '{')) {
      total += std::stod(line.substr(line.rfind(' ') + 1));
      found = true;
    }
  }
  return found ? total : -1;
}

// --- what the deploy files query ---------------------------------------------------------

struct Expr {
  std::string where;  // file and panel or rule, for messages
  std::string text;
};

void panel_exprs(const boost::json::value& panels, const std::string& file, std::vector<Expr>& out) {
  if (!panels.is_array()) return;
  for (const auto& p : panels.as_array()) {
    const auto& panel = p.as_object();
    const std::string title = panel.contains("title") ? std::string(panel.at("title").as_string()) : "?";
    if (panel.contains("targets")) {
      for (const auto& t : panel.at("targets").as_array()) {
        if (t.as_object().contains("expr")) {
          out.push_back({file + " panel '" + title + "'", std::string(t.at("expr").as_string())});
        }
      }
    }
    if (panel.contains("panels")) panel_exprs(panel.at("panels"), file, out);  // rows
  }
}

std::vector<Expr> dashboard_exprs(std::vector<Expr>* variables = nullptr) {
  std::vector<Expr> out;
  for (const auto& entry : fs::directory_iterator(testing::source_dir() / "deploy/grafana/dashboards")) {
    if (entry.path().extension() != ".json") continue;
    const std::string file = entry.path().filename().string();
    const auto doc = boost::json::parse(testing::read_file(entry.path().string())).as_object();
    panel_exprs(doc.at("panels"), file, out);
    for (const auto& v : doc.at("templating").at("list").as_array()) {
      const auto& var = v.as_object();
      if (var.at("type").as_string() != "query") continue;
      const auto& q = var.at("query");
      const std::string text = q.is_string() ? std::string(q.as_string()) : std::string(q.at("query").as_string());
      const Expr e{file + " variable '" + std::string(var.at("name").as_string()) + "'", text};
      out.push_back(e);
      if (variables) variables->push_back(e);
    }
  }
  return out;
}

std::vector<Expr> rule_exprs() {
  std::vector<Expr> out;
  const auto root = YAML::LoadFile((testing::source_dir() / "deploy/prometheus/yuqing-rules.yml").string());
  for (const auto& group : root["groups"]) {
    for (const auto& rule : group["rules"]) {
      out.push_back({"yuqing-rules.yml " + rule["alert"].as<std::string>(""), rule["expr"].as<std::string>()});
    }
  }
  return out;
}

// --- processes ---------------------------------------------------------------------------

// `yuqing run` tailing a file, with HTTP on a free port. Stops with SIGTERM in the destructor.
class Engine {
 public:
  Engine(const TempDir& dir, const std::string& input, const std::string& rules)
      : port_(testing::free_port()),
        process_(std::make_unique<BackgroundProcess>(
            dies_with_test({testing::yuqing_binary(), "run", "--input", input, "--rules", rules, "--state",
                            dir.file("state"), "--http", "127.0.0.1:" + std::to_string(port_), "--log-level", "warn"}),
            dir.file("engine.out"), dir.file("engine.err"))),
        err_file_(dir.file("engine.err")) {}
  ~Engine() { stop(); }
  int stop() {
    if (!process_) return exit_code_;
    process_->signal(SIGTERM);
    exit_code_ = process_->wait(30);
    process_.reset();  // SIGKILL if it did not stop
    return exit_code_;
  }
  std::uint16_t port() const { return port_; }
  std::string scrape() const { return testing::http_get(port_, "/metrics").body; }
  std::string log() const { return testing::read_file(err_file_); }

 private:
  std::uint16_t port_;
  std::unique_ptr<BackgroundProcess> process_;
  std::string err_file_;
  int exit_code_ = -1;
};

std::string url_encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The value of the first sample of an instant query; nullopt when empty or on error.
std::optional<double> prometheus_query(std::uint16_t port, const std::string& expr) {
  const auto r = testing::http_get(port, "/api/v1/query?query=" + url_encode(expr));
  if (r.status != 200) return std::nullopt;
  boost::system::error_code ec;
  const auto doc = boost::json::parse(r.body, ec);
  if (ec) return std::nullopt;
  const auto& result = doc.at("data").at("result").as_array();
  if (result.empty()) return std::nullopt;
  return std::stod(std::string(result[0].at("value").as_array()[1].as_string()));
}

// Input generated by `yuqing gen`; returns the file path.
std::string generate(const TempDir& dir, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {testing::yuqing_binary(), "gen", "--rules",
                                   (testing::source_dir() / "rules").string(), "--seed", "1", "--out",
                                   dir.file("in.jsonl")};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const auto gen = run_process(argv);
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  return dir.file("in.jsonl");
}

// Waits until the engine has read `records` input records and the queue is drained
// (read = processed + dead-lettered); returns that scrape.
std::string drained_scrape(const Engine& engine, double records) {
  std::string scrape;
  const bool ok = testing::eventually(
      [&] {
        scrape = engine.scrape();
        const double in = metric_sum(scrape, "yuqing_input_records_total");
        return in == records &&
               metric_sum(scrape, "yuqing_mentions_processed_total") + metric_sum(scrape, "yuqing_dlq_total") == in;
      },
      60);
  EXPECT_TRUE(ok) << "the engine did not process its input; last scrape:\n" << scrape << "\n" << engine.log();
  return scrape;
}

// --- tests -------------------------------------------------------------------------------

TEST(PromqlMetricNames, FindsSelectorsAndSkipsEverythingElse) {
  using S = std::set<std::string>;
  EXPECT_EQ(promql_metric_names("histogram_quantile(0.99, sum by (le) (rate(yuqing_event_lag_seconds_bucket"
                                "{instance=~\"$instance\"}[$__rate_interval])))"),
            S{"yuqing_event_lag_seconds_bucket"});
  EXPECT_EQ(promql_metric_names("sum by (job, instance) (rate(a_total[5m])) / sum without (x) (b_total offset 1h) > 0.05"),
            (S{"a_total", "b_total"}));
  EXPECT_EQ(promql_metric_names("x unless on (sink) sum by (sink)(increase(y_total{result=\"ok\", s='a{b}'}[15m])) > 0"),
            (S{"x", "y_total"}));
  EXPECT_EQ(promql_metric_names("a * on (i) group_left (brand) b == bool 1 and c or d"), (S{"a", "b", "c", "d"}));
  EXPECT_EQ(promql_metric_names("label_values(yuqing_matched_total, brand)"), S{"yuqing_matched_total"});
  EXPECT_EQ(promql_metric_names("topk(5, sum by (brand) (increase(m{brand=~\"${brand}\"}[$__range]))) * 60"), S{"m"});
  EXPECT_EQ(promql_metric_names("up{job=\"yuqing\"} == 0"), S{"up"});
}

TEST(Prometheus, ScrapesTheEngineAndAgreesWithItsCountAndEvaluatesTheRules) {
  TempDir dir;
  const auto input = generate(dir, {"--count", "2000"});
  Engine engine(dir, input, (testing::source_dir() / "rules").string());
  const std::string scrape = drained_scrape(engine, 2000);
  const double processed = metric_sum(scrape, "yuqing_mentions_processed_total");
  ASSERT_EQ(processed, 2000 - metric_sum(scrape, "yuqing_dlq_total"));
  ASSERT_GT(processed, 0);

  const auto prom_port = testing::free_port();
  const auto rules = (testing::source_dir() / "deploy/prometheus/yuqing-rules.yml").string();
  testing::write_file(dir.file("prometheus.yml"),
                      "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                      "rule_files:\n  - " + rules + "\n"
                      "scrape_configs:\n  - job_name: yuqing\n    metrics_path: /metrics\n    static_configs:\n"
                      "      - targets: ['127.0.0.1:" + std::to_string(engine.port()) + "']\n");
  BackgroundProcess prometheus(dies_with_test({tool("PROMETHEUS_BIN", "/usr/bin/prometheus"),
                                               "--config.file=" + dir.file("prometheus.yml"),
                                               "--storage.tsdb.path=" + dir.file("tsdb"),
                                               "--web.listen-address=127.0.0.1:" + std::to_string(prom_port),
                                               "--log.level=warn"}),
                               dir.file("prometheus.out"), dir.file("prometheus.err"));
  auto prometheus_log = [&] { return testing::read_file(dir.file("prometheus.err")); };

  std::optional<double> seen;
  EXPECT_TRUE(testing::eventually(
      [&] {
        seen = prometheus_query(prom_port, "sum(yuqing_mentions_processed_total)");
        return seen && *seen == processed;
      },
      60))
      << "Prometheus saw " << (seen ? std::to_string(*seen) : "nothing") << ", the engine reports " << processed
      << "\n" << prometheus_log();
  EXPECT_EQ(prometheus_query(prom_port, "up{job=\"yuqing\"}").value_or(-1), 1);
  EXPECT_GT(prometheus_query(prom_port, "sum(yuqing_rocksdb_memtable_bytes)").value_or(-1), 0);

  // The rules loaded and each one evaluated cleanly against the real series.
  std::string rules_body;
  std::size_t rule_count = 0, healthy = 0;
  EXPECT_TRUE(testing::eventually(
      [&] {
        const auto r = testing::http_get(prom_port, "/api/v1/rules");
        if (r.status != 200) return false;
        rules_body = r.body;
        rule_count = healthy = 0;
        const auto doc = boost::json::parse(r.body);
        for (const auto& g : doc.at("data").at("groups").as_array()) {
          for (const auto& rule : g.at("rules").as_array()) {
            ++rule_count;
            const bool evaluated = rule.at("lastEvaluation").as_string().rfind("0001-", 0) != 0;
            healthy += evaluated && rule.at("health").as_string() == "ok" ? 1 : 0;
          }
        }
        return rule_count == rule_exprs().size() && healthy == rule_count;
      },
      30))
      << rules_body;

  prometheus.signal(SIGTERM);
  EXPECT_EQ(prometheus.wait(30), 0) << prometheus_log();
  EXPECT_EQ(engine.stop(), 0) << engine.log();
}

TEST(Dashboards, EveryMetricTheyAndTheRulesUseExistsOnALiveScrape) {
  TempDir dir;
  // A copy of the rules with a file sink (so the outbox metrics exist, as in any deployment
  // with sinks) and a crisis in the input (so brand alerts have series).
  const auto rules = dir.path() / "rules";
  fs::copy(testing::source_dir() / "rules", rules, fs::copy_options::recursive);
  {
    std::ofstream out(rules / "alerts.yaml", std::ios::app);
    out << "\nsinks:\n  - name: file\n    type: file\n    path: " << dir.file("alerts.jsonl") << "\n";
  }
  const auto input = generate(
      dir, {"--count", "6000", "--scenario", (testing::source_dir() / "rules/scenarios/demo-crisis.yaml").string()});
  Engine engine(dir, input, rules.string());
  drained_scrape(engine, 6000);
  std::string scrape;
  EXPECT_TRUE(testing::eventually(
      [&] {
        scrape = engine.scrape();
        return metric_sum(scrape, "yuqing_alerts_total") > 0;
      },
      30))
      << "no brand alert was raised; the brand board's alert panels could not be checked";
  const auto exposed = exposed_names(scrape);
  EXPECT_EQ(engine.stop(), 0) << engine.log();

  std::vector<Expr> variables;
  const auto dashboards = dashboard_exprs(&variables);
  const auto alert_rules = rule_exprs();
  ASSERT_GE(dashboards.size(), 30u);  // both boards are really read
  ASSERT_GE(variables.size(), 2u);    // instance and brand
  ASSERT_GE(alert_rules.size(), 9u);

  std::set<std::string> used;
  std::vector<std::string> missing;
  auto check = [&](const Expr& e, const std::set<std::string>& also_allowed) {
    const auto names = promql_metric_names(e.text);
    EXPECT_FALSE(names.empty()) << e.where << ": no metric in '" << e.text << "'";
    for (const auto& name : names) {
      used.insert(name);
      if (!exposed.count(name) && !kKafkaOnly.count(name) && !also_allowed.count(name)) {
        missing.push_back(e.where + ": " + name);
      }
    }
  };
  for (const auto& e : dashboards) check(e, {});
  for (const auto& e : alert_rules) check(e, kMadeByPrometheus);
  std::string list;
  for (const auto& m : missing) list += "  " + m + "\n";
  EXPECT_TRUE(missing.empty()) << "metrics not on a live scrape of the engine:\n" << list;
  for (const auto& k : kKafkaOnly) EXPECT_TRUE(used.count(k)) << k << " is allow-listed but nothing uses it";
  for (const char* want : {"yuqing_rocksdb_write_stall_active", "yuqing_alert_outbox_depth", "yuqing_matched_total",
                           "yuqing_event_lag_seconds_bucket", "process_resident_memory_bytes"}) {
    EXPECT_TRUE(used.count(want)) << want << " is on no dashboard or rule";
  }

  // Every panel expression is valid PromQL once Grafana's variables are filled in: promtool
  // checks them as recording rules.
  std::string check_rules = "groups:\n  - name: dashboards\n    rules:\n";
  int k = 0;
  for (const auto& e : dashboards) {
    if (e.text.rfind("label_values(", 0) == 0) continue;  // Grafana's, not PromQL
    std::string q = std::regex_replace(e.text, std::regex(R"(\$__(rate_interval|range|interval))"), "5m");
    q = std::regex_replace(q, std::regex(R"(\$\{?(instance|brand)\}?)"), ".*");
    check_rules += "      - record: dashboard_expr_" + std::to_string(k++) + "\n        expr: " +
                   boost::json::serialize(boost::json::value(q)) + "\n";
  }
  testing::write_file(dir.file("dashboard-exprs.yml"), check_rules);
  const auto promtool = run_process({tool("PROMTOOL_BIN", "/usr/bin/promtool"), "check", "rules",
                                     dir.file("dashboard-exprs.yml")});
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out << promtool.err;
}

}  // namespace
}  // namespace yuqing
