#include "engine/cli/run_command.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include <unistd.h>

#include "connectors/alert_sinks/outbox.h"
#include "connectors/alert_sinks/sink.h"
#include "connectors/dlq/dlq.h"
#include "connectors/kafka/changelog.h"
#include "connectors/kafka/kafka_sinks.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/kafka/owner_directory.h"
#include "connectors/kafka/transactional_output.h"
#include "connectors/source/demo_source.h"
#include "connectors/source/source.h"
#include "engine/alert/service.h"
#include "engine/analyze/analyze_stage.h"
#include "engine/analyze/bundle.h"
#include "engine/analyze/role_stages.h"
#include "engine/base/log.h"
#include "engine/base/text.h"
#include "engine/config/config.h"
#include "engine/dashboard/dashboard.h"
#include "engine/http/server.h"
#include "engine/match/match_stage.h"
#include "engine/match/rule_set.h"
#include "engine/metrics/metrics.h"
#include "engine/parse/parse.h"
#include "engine/pipeline/pipeline.h"
#include "engine/reload/reload.h"
#include "engine/state/rocksdb_metrics.h"
#include "engine/state/state.h"
#include "engine/window/api.h"
#include "engine/window/window.h"

namespace yuqing::cli {
namespace {

// How other instances reach this one's HTTP API: http.advertised_address, else the listen
// address with the port actually bound and, for a wildcard host, this machine's host name.
std::string advertised_address(const config::EngineConfig& cfg, std::uint16_t port) {
  if (!cfg.http_advertised_address.empty()) return cfg.http_advertised_address;
  std::string host = cfg.http_listen.substr(0, cfg.http_listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    host = name;
  }
  return host + ":" + std::to_string(port);
}

using pipeline::Pipeline;
using pipeline::PipelineOptions;
using pipeline::kDlqBytesKey;

struct RunFlags {
  std::string config_file;
  std::optional<std::string> input, rules, state, http, dlq, log_level, brokers, group, role;
  std::optional<double> demo_rate;
  std::optional<std::uint64_t> demo_seed;
  bool exit_at_eof = false;
};

// Watches signals on its own thread (they are blocked everywhere else). SIGHUP reloads the
// rules; the first SIGINT/SIGTERM asks the pipeline to drain and stop, a second exits at once.
class SignalWatcher {
 public:
  SignalWatcher(Pipeline& pipeline, std::function<void()> on_hangup) {
    thread_ = std::thread([this, &pipeline, on_hangup = std::move(on_hangup)] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      sigaddset(&set, SIGHUP);
      int seen = 0;
      while (!done_) {
        timespec wait{0, 200'000'000};
        const int sig = sigtimedwait(&set, nullptr, &wait);
        if (sig <= 0) continue;
        if (sig == SIGHUP) {
          on_hangup();
          continue;
        }
        if (++seen == 1) {
          log::info("Received {}: draining the pipeline, committing state, then exiting.", strsignal(sig));
          pipeline.stop();
        } else {
          log::warn("Received {} again: exiting now; uncommitted work will be redone on restart.", strsignal(sig));
          std::_Exit(130);
        }
      }
    });
  }
  ~SignalWatcher() {
    done_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

void block_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

using RulesReloader = reload::Reloader<analyze::RulesBundle>;

RulesReloader::Loader rules_loader(const std::string& dir) {
  return [dir]() -> Result<RulesReloader::Loaded, std::vector<std::string>> {
    auto loaded = analyze::load_bundle(dir);
    if (!loaded) return Unexpected{loaded.error()};
    RulesReloader::Loaded out;
    out.value = *loaded;
    out.warnings = out.value->warnings;
    return out;
  };
}

// Alert sinks come from the `sinks:` section of rules/alerts.yaml (absent = none).
Result<std::vector<alert_sinks::SinkConfig>, std::vector<std::string>> sink_configs(const std::string& rules_dir) {
  const std::string file = rules_dir + "/alerts.yaml";
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    return std::vector<alert_sinks::SinkConfig>{};
  } catch (const YAML::Exception& e) {
    return Unexpected{std::vector<std::string>{file + ": " + e.what()}};
  }
  if (!root.IsMap() || !root["sinks"]) return std::vector<alert_sinks::SinkConfig>{};
  auto parsed = alert_sinks::parse_sink_configs(root["sinks"], file);
  if (!parsed) {
    std::vector<std::string> errors;
    for (const auto& e : parsed.error()) errors.push_back(e.message);
    return Unexpected{std::move(errors)};
  }
  return std::move(*parsed);
}

// Constant-time comparison of the presented bearer token with the configured one.
bool authorized(const http::Request& req, const std::string& token) {
  const std::string_view auth = req.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (token.empty() || !auth.starts_with(kBearer)) return false;
  const std::string_view given = auth.substr(kBearer.size());
  return text::constant_time_equal(given, token);
}

std::string rules_json(const match::RuleSet& rs, std::uint64_t version, const reload::ReloadOutcome& last) {
  std::string out = "{\"version\":" + std::to_string(version) + ",\"content_hash\":";
  text::append_json_string(out, rs.version());
  out += ",\"compile_ms\":" + std::to_string(rs.compile_ms()) + ",\"last_reload\":{\"ok\":";
  out += last.ok ? "true" : "false";
  out += ",\"messages\":[";
  for (std::size_t i = 0; i < last.messages.size(); ++i) {
    if (i) out += ',';
    text::append_json_string(out, last.messages[i]);
  }
  out += "]},\"rules\":[";
  for (std::size_t i = 0; i < rs.rule_count(); ++i) {
    const auto& r = rs.rule(i);
    if (i) out += ',';
    out += "{\"id\":";
    text::append_json_string(out, r.id);
    out += ",\"name\":";
    text::append_json_string(out, r.name);
    out += ",\"lang\":";
    text::append_json_string(out, r.lang);
    out += ",\"enabled\":";
    out += r.enabled ? "true" : "false";
    out += ",\"query\":";
    text::append_json_string(out, r.query);
    out += ",\"file\":";
    text::append_json_string(out, r.file);
    out += "}";
  }
  out += "]}\n";
  return out;
}

int run_engine(const RunFlags& flags) {
  config::EngineConfig cfg;
  if (!flags.config_file.empty()) {
    auto loaded = config::load_file(flags.config_file);
    if (!loaded) {
      for (const auto& e : loaded.error()) std::cerr << e.message << "\n";
      std::cerr << "yuqing run: the config file has errors; nothing was started.\n";
      return kExitUsage;
    }
    cfg = std::move(*loaded);
  }
  if (flags.input) cfg.input = *flags.input;
  if (flags.rules) cfg.rules_dir = *flags.rules;
  if (flags.state) cfg.state_dir = *flags.state;
  if (flags.http) cfg.http_listen = *flags.http;
  if (flags.dlq) cfg.dlq_path = *flags.dlq;
  if (flags.log_level) cfg.log_level = *flags.log_level;
  if (flags.demo_rate) cfg.demo_rate = *flags.demo_rate;
  if (flags.demo_seed) cfg.demo_seed = *flags.demo_seed;
  if (flags.exit_at_eof) cfg.exit_at_eof = true;
  if (flags.brokers) cfg.kafka_brokers = *flags.brokers;
  if (flags.role) cfg.role = *flags.role;
  if (cfg.role != "all" && cfg.role != "match" && cfg.role != "aggregate") {
    std::cerr << "yuqing run: unknown role '" << cfg.role << "'; expected all, match or aggregate.\n";
    return kExitUsage;
  }
  // The scale-out roles share their consumer group with their own kind only.
  if (cfg.role == "match") cfg.kafka_group = cfg.kafka_match_group;
  if (cfg.role == "aggregate") cfg.kafka_group = cfg.kafka_aggregate_group;
  if (flags.group) cfg.kafka_group = *flags.group;
  const bool kafka_mode = !cfg.kafka_brokers.empty();
  const bool match_role = cfg.role == "match";
  const bool aggregate_role = cfg.role == "aggregate";
  if ((match_role || aggregate_role) && !kafka_mode) {
    std::cerr << "yuqing run: --role " << cfg.role
              << " works across Kafka topics: give --brokers (or kafka.brokers); the default role all runs without "
                 "Kafka.\n";
    return kExitUsage;
  }
  if (kafka_mode && !cfg.input.empty()) {
    std::cerr << "yuqing run: --input and --brokers exclude each other (Kafka mode reads the mentions topic).\n";
    return kExitUsage;
  }
  if (kafka_mode && cfg.exit_at_eof) {
    std::cerr << "yuqing run: --exit-at-eof has no meaning in Kafka mode (a topic has no end); stop with SIGTERM.\n";
    return kExitUsage;
  }
  kafka::KafkaOptions kafka_options;
  kafka_options.brokers = cfg.kafka_brokers;
  kafka_options.topic = cfg.kafka_topic;
  kafka_options.group = cfg.kafka_group;
  kafka_options.dlq_topic = cfg.kafka_dlq_topic;
  kafka_options.alerts_topic = cfg.kafka_alerts_topic;
  kafka_options.matches_topic = cfg.kafka_matches_topic;
  kafka_options.properties = cfg.kafka_properties;
  if (const char* token = std::getenv("YUQING_API_TOKEN"); token != nullptr && *token != '\0') cfg.api_token = token;
  if (!log::init(cfg.log_level)) {
    std::cerr << "yuqing run: unknown log level '" << cfg.log_level << "'\n";
    return kExitUsage;
  }

  block_signals();

  // Source first: its key names the stored position. (The Kafka consumer needs the state
  // store and the metrics registry, so it is made after them.)
  std::unique_ptr<source::Source> src;
  std::string source_kind;
  if (kafka_mode) {
    source_kind = "kafka";
  } else if (cfg.input.empty()) {
    source::DemoOptions demo_options;
    demo_options.seed = cfg.demo_seed;
    demo_options.rate = cfg.demo_rate;
    demo_options.rules_dir = cfg.rules_dir;
    demo_options.scenario =
        cfg.demo_scenario.empty() ? cfg.rules_dir + "/scenarios/demo-crisis.yaml" : cfg.demo_scenario;
    auto demo = source::open_demo(demo_options);
    if (!demo) {
      log::error("Cannot start the demo stream: {}", demo.error());
      return kExitFailure;
    }
    src = std::move(*demo);
    source_kind = "demo";
    log::info("No --input given: running on the built-in demo stream ({} mentions/s, scenario {}).", cfg.demo_rate,
              demo_options.scenario);
  } else {
    auto file = source::open_jsonl(cfg.input);
    if (!file) {
      log::error("{}", file.error());
      return kExitFailure;
    }
    src = std::move(*file);
    source_kind = cfg.input == "-" ? "stdin" : "file";
  }

  state::StateOptions state_options;
  state_options.sync_writes = cfg.state_sync_writes;
  state_options.min_free_bytes = cfg.state_min_free_bytes;
  state_options.extra_column_families = {std::string(window::kBucketsFamily), std::string(window::kTopFamily),
                                         std::string(alert::kAlertsColumnFamily),
                                         std::string(alert_sinks::kOutboxColumnFamily)};
  state_options.configure_column_family = [](const std::string& name, rocksdb::ColumnFamilyOptions& o) {
    window::configure_column_family(name, o);
  };
  auto store = state::StateStore::open(cfg.state_dir, state_options);
  if (!store) {
    log::error("{}", store.error());
    return kExitFailure;
  }
  auto& state = **store;
  std::unique_ptr<dlq::Sink> dlq;
  // The match role's output: match records and dead letters of a batch in one Kafka
  // transaction with the batch's input offsets.
  std::unique_ptr<kafka::TransactionalOutput> txn_output;
  if (match_role) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    std::error_code ec;
    const std::string transactional_id =
        cfg.kafka_group + ":" + host + ":" + std::filesystem::absolute(cfg.state_dir, ec).lexically_normal().string();
    auto opened = kafka::TransactionalOutput::open(kafka_options, transactional_id);
    if (!opened) {
      log::error("{}", opened.error());
      return kExitFailure;
    }
    txn_output = std::move(*opened);
    dlq = txn_output->dlq_sink(cfg.kafka_dlq_topic);
  } else if (kafka_mode) {
    auto topic = kafka::open_dlq_sink(kafka_options);
    if (!topic) {
      log::error("{}", topic.error());
      return kExitUsage;
    }
    dlq = std::move(*topic);
  } else {
    // The dead-letter file belongs to this state directory: with nothing committed yet, every
    // record in it is from a run that died before its first commit and will be written again.
    auto file = dlq::FileSink::open(config::dlq_path(cfg), state.load_meta(kDlqBytesKey).value_or(0));
    if (!file) {
      log::error("{}", file.error());
      return kExitFailure;
    }
    dlq = std::move(*file);
  }

  std::vector<std::string> reject_names;
  for (int i = 0; i < parse::kRejectCount; ++i) reject_names.emplace_back(parse::reject_name(static_cast<parse::Reject>(i)));
  metrics::Metrics metrics(reject_names, source_kind, std::string(parse::default_kernel()));
  state::RocksDbMetrics rocksdb_metrics(state, metrics.registry());  // read when /metrics is scraped

  // Rules: loaded once before start (errors stop the start); later reloads keep the old set
  // when the new one has errors.
  RulesReloader rules(rules_loader(cfg.rules_dir));
  std::mutex reload_mu;  // guards last_reload (HTTP thread, watcher, signal thread)
  reload::ReloadOutcome last_reload = rules.reload();
  if (!last_reload.ok) {
    for (const auto& m : last_reload.messages) std::cerr << m << "\n";
    log::error("The rules in {} have errors; nothing was started.", cfg.rules_dir);
    return kExitFailure;
  }
  for (const auto& w : last_reload.messages) log::warn("{}", w);
  auto& reload_family = prometheus::BuildCounter()
                            .Name("yuqing_rules_reload_total")
                            .Help("Rule reload attempts, by result.")
                            .Register(metrics.registry());
  auto& reload_ok = reload_family.Add({{"result", "ok"}});
  auto& reload_error = reload_family.Add({{"result", "error"}});
  auto& rules_version = prometheus::BuildGauge()
                            .Name("yuqing_rules_version")
                            .Help("Version number of the live rule set (1 at start, +1 per successful reload).")
                            .Register(metrics.registry())
                            .Add({});
  auto& rules_loaded = prometheus::BuildGauge()
                           .Name("yuqing_rules_loaded")
                           .Help("Rules in the live rule set.")
                           .Register(metrics.registry())
                           .Add({});
  rules_version.Set(static_cast<double>(rules.version()));
  rules_loaded.Set(static_cast<double>(rules.current()->rules->rule_count()));
  log::info("Loaded {} rules from {} (compiled in {:.0f} ms) with {} lexicon terms.", rules.current()->rules->rule_count(),
            cfg.rules_dir, rules.current()->rules->compile_ms(), rules.current()->lexicon->term_count());
  auto reload_rules = [&](std::string_view trigger) {
    auto outcome = rules.reload();
    if (outcome.ok) {
      reload_ok.Increment();
      rules_version.Set(static_cast<double>(outcome.version));
      rules_loaded.Set(static_cast<double>(rules.current()->rules->rule_count()));
      log::info("Rules reloaded ({}): version {}, {} rules.", trigger, outcome.version,
                rules.current()->rules->rule_count());
      for (const auto& w : outcome.messages) log::warn("{}", w);
    } else {
      reload_error.Increment();
      log::error("Rules reload ({}) rejected; version {} keeps running:", trigger, outcome.version);
      for (const auto& m : outcome.messages) log::error("{}", m);
    }
    std::lock_guard lock(reload_mu);
    last_reload = outcome;
    return outcome;
  };
  match::MatchStage match_stage([&rules] { return rules.current()->rules; }, metrics.registry());

  // Windows, alerts and their delivery share the state store and its batches.
  auto windows = window::WindowStore::open(state);
  if (!windows) {
    log::error("{}", windows.error());
    return kExitFailure;
  }
  auto sinks = sink_configs(cfg.rules_dir);
  if (!sinks) {
    for (const auto& e : sinks.error()) std::cerr << e << "\n";
    log::error("The alert sinks in {}/alerts.yaml have errors; nothing was started.", cfg.rules_dir);
    return kExitFailure;
  }
  std::vector<alert_sinks::OutboxSink> outbox_sinks;
  for (const auto& c : *sinks) {
    auto built = alert_sinks::build_sink(c);
    if (!built) {
      log::error("{}", built.error());
      return kExitFailure;
    }
    outbox_sinks.push_back({c, std::move(*built)});
  }
  if (match_role) outbox_sinks.clear();  // the match role raises no alerts
  if (kafka_mode && !match_role && !cfg.kafka_alerts_topic.empty()) {
    alert_sinks::SinkConfig topic_config;
    topic_config.name = "kafka";
    topic_config.type = alert_sinks::SinkType::kafka;
    auto built = kafka::open_alert_sink(kafka_options, topic_config.timeout_ms);
    if (!built) {
      log::error("{}", built.error());
      return kExitUsage;
    }
    outbox_sinks.push_back({topic_config, std::move(*built)});
  }
  std::unique_ptr<alert_sinks::Outbox> outbox;
  if (!outbox_sinks.empty()) {
    auto opened = alert_sinks::Outbox::open(state, std::move(outbox_sinks), &metrics.registry());
    if (!opened) {
      log::error("{}", opened.error());
      return kExitFailure;
    }
    outbox = std::move(*opened);
  }
  alert::AlertService alerts(state, outbox.get(), metrics.registry());
  if (auto st = alerts.restore(); !st) {
    log::error("{}", st.error());
    return kExitFailure;
  }
  auto author_key = state.author_hash_key();
  if (!author_key) {
    log::error("{}", author_key.error());
    return kExitFailure;
  }
  // The stages of this role (docs/scaling.md): all = match + analyze in one process; match =
  // match + encode to the matches topic; aggregate = decode match records + windows and alerts.
  std::unique_ptr<analyze::AnalyzeStage> analyze_stage;
  std::unique_ptr<analyze::MatchEmitStage> emit_stage;
  std::unique_ptr<analyze::AggregateStage> aggregate_stage;
  source::Source* consumer_source = nullptr;  // owned by the pipeline
  auto current_bundle = [&rules] { return rules.current(); };
  if (match_role) {
    emit_stage = std::make_unique<analyze::MatchEmitStage>(
        current_bundle, match_stage, *author_key, metrics.registry(),
        [&](std::string_view key, std::string_view value) { txn_output->add(cfg.kafka_matches_topic, key, value); },
        [&](const source::RecordBatch& batch) { return txn_output->commit(batch, cfg.kafka_topic, *consumer_source); });
  } else if (aggregate_role) {
    aggregate_stage = std::make_unique<analyze::AggregateStage>(current_bundle, **windows, alerts, state,
                                                                cfg.kafka_matches_topic, metrics.registry());
  } else {
    analyze_stage = std::make_unique<analyze::AnalyzeStage>(current_bundle, match_stage, **windows, alerts, *author_key,
                                                            metrics.registry());
  }

  if (kafka_mode) {
    kafka::KafkaOptions consumer_options = kafka_options;
    if (aggregate_role) consumer_options.topic = cfg.kafka_matches_topic;
    auto consumer = kafka::open_consumer(
        consumer_options,
        [&state](const std::string& key) -> std::optional<std::uint64_t> {
          if (auto pos = state.load_position(key)) return pos->offset;
          return std::nullopt;
        },
        &metrics.registry());
    if (!consumer) {
      log::error("{}", consumer.error());
      return kExitUsage;
    }
    src = std::move(*consumer);
    consumer_source = src.get();
  }
  // The aggregate role's state moves with its partitions through the changelog.
  std::unique_ptr<kafka::StateChangelog> changelog;
  if (aggregate_role && !cfg.kafka_changelog_topic.empty()) {
    auto opened = kafka::StateChangelog::open(kafka_options, cfg.kafka_changelog_topic, state, metrics.registry());
    if (!opened) {
      log::error("{}", opened.error());
      return kExitFailure;
    }
    changelog = std::move(*opened);
    state.set_commit_observer(changelog.get());
  }
  // The aggregate role's API redirects requests for brands owned elsewhere (set up with the
  // HTTP server below, once its address is known).
  std::unique_ptr<kafka::OwnerDirectory> owners;
  if (aggregate_stage && consumer_source != nullptr) {
    aggregate_stage->set_ownership(
        {[consumer_source] { return kafka::consumer_ownership(*consumer_source).version; },
         [consumer_source](std::string_view brand) -> std::optional<std::int32_t> {
           const auto owned = kafka::consumer_ownership(*consumer_source);
           const auto p = kafka::partition_of_key(brand, owned.partition_count);
           if (std::find(owned.partitions.begin(), owned.partitions.end(), p) == owned.partitions.end()) return std::nullopt;
           return p;
         }});
  }

  PipelineOptions popts;
  popts.limits.max_records = cfg.batch_max_mentions;
  popts.limits.max_bytes = cfg.batch_max_bytes;
  popts.limits.max_line_bytes = cfg.max_mention_bytes;
  popts.limits.max_delay_ms = cfg.batch_max_delay_ms;
  popts.queue_max_bytes = cfg.queue_max_bytes;
  popts.exit_at_eof = cfg.exit_at_eof;
  Pipeline pipeline(popts, std::move(src), state, *dlq, metrics);
  std::vector<pipeline::MentionStage*> stages;
  if (!aggregate_role) stages.push_back(&match_stage);
  if (analyze_stage) stages.push_back(analyze_stage.get());
  if (emit_stage) stages.push_back(emit_stage.get());
  if (aggregate_stage) {
    stages.push_back(aggregate_stage.get());
    pipeline.set_record_handler(aggregate_stage.get());
  }
  // Install the first rules now, so the API knows the brands before any input arrives.
  for (auto* stage : stages) {
    pipeline.add_stage(stage);
    stage->on_batch_begin();
  }
  if (auto st = pipeline.resume(); !st) {
    log::error("Cannot resume the input: {}", st.error());
    return kExitFailure;
  }

  std::unique_ptr<http::Server> server;
  if (cfg.http_listen != "off" && !cfg.http_listen.empty()) {
    http::ServerOptions http_options;
    http_options.listen = cfg.http_listen;
    server = std::make_unique<http::Server>(http_options);
    server->route("GET", "/metrics", [&metrics, &rocksdb_metrics](const http::Request&) {
      http::Response r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      rocksdb_metrics.refresh();
      r.body = metrics.scrape();
      return r;
    });
    server->route("GET", "/healthz", [](const http::Request&) { return http::Response{200, "text/plain", "ok\n", {}}; });
    server->route("GET", "/readyz", [&metrics, &changelog](const http::Request&) {
      if (changelog && changelog->restoring()) {
        return http::Response{503, "text/plain", "not ready: restoring partition state from the changelog\n", {}};
      }
      if (metrics.ready().Value() > 0) return http::Response{200, "text/plain", "ready\n", {}};
      return http::Response{503, "text/plain", "not ready\n", {}};
    });
    server->route("GET", "/api/v1/rules", [&](const http::Request&) {
      std::lock_guard lock(reload_mu);
      return http::json(rules_json(*rules.current()->rules, rules.version(), last_reload));
    });
    server->route("POST", "/api/v1/rules/reload", [&](const http::Request& req) {
      if (cfg.api_token.empty()) {
        return http::problem(403, "Forbidden", "reloading over HTTP is off: set api.token_file or YUQING_API_TOKEN");
      }
      if (!authorized(req, cfg.api_token)) {
        auto r = http::problem(401, "Unauthorized", "a valid bearer token is required");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
      }
      auto outcome = reload_rules("api");
      std::lock_guard lock(reload_mu);
      return http::json(rules_json(*rules.current()->rules, rules.version(), outcome), outcome.ok ? 200 : 422);
    });
    if (cfg.api_auth_reads && cfg.api_token.empty()) {
      log::error("api.auth_reads is on but no token is configured (api.token_file or YUQING_API_TOKEN).");
      return kExitUsage;
    }
    // The aggregate role answers for the brands of the matches partitions it owns; a brand of
    // another partition gets 421 naming that partition (docs/scaling.md).
    auto misdirected = [&cfg, aggregate_role, consumer_source, &owners](const http::Request& req) -> std::optional<http::Response> {
      constexpr std::string_view kBrands = "/api/v1/brands/";
      if (!aggregate_role || consumer_source == nullptr || !req.path.starts_with(kBrands)) return std::nullopt;
      std::string_view brand = req.path.substr(kBrands.size());
      brand = brand.substr(0, brand.find('/'));
      if (brand.empty()) return std::nullopt;
      const auto owned = kafka::consumer_ownership(*consumer_source);
      if (!owned.assigned) {
        return http::problem(503, "Service Unavailable",
                             "this aggregate instance owns no partition of " + cfg.kafka_matches_topic +
                                 " right now (the group is rebalancing); try again");
      }
      const auto partition = kafka::partition_of_key(brand, owned.partition_count);
      if (partition < 0 || std::find(owned.partitions.begin(), owned.partitions.end(), partition) != owned.partitions.end()) {
        return std::nullopt;
      }
      // The owner as announced (owner_directory.h): redirect there, unless this request was
      // itself redirected here (the directory was a step behind a rebalance: no ping-pong).
      const std::string owner = owners ? owners->owner(partition) : std::string();
      if (!owner.empty() && owner != owners->self() && req.param("redirected").empty()) {
        std::string location = "http://" + owner + std::string(req.path) + "?";
        if (!req.query.empty()) location += std::string(req.query) + "&";
        location += "redirected=1";
        auto r = http::problem(307, "Temporary Redirect",
                               "brand " + std::string(brand) + " lives on partition " + std::to_string(partition) +
                                   " of " + cfg.kafka_matches_topic + ", served by " + owner);
        r.headers.emplace_back("Location", location);
        r.headers.emplace_back("X-Yuqing-Partition", std::to_string(partition));
        return r;
      }
      std::string mine;
      for (auto p : owned.partitions) mine += (mine.empty() ? "" : ",") + std::to_string(p);
      auto r = http::problem(421, "Misdirected Request",
                             "brand " + std::string(brand) + " lives on partition " + std::to_string(partition) + " of " +
                                 cfg.kafka_matches_topic + "; this instance owns partitions " + mine +
                                 ". Ask the instance of group " + cfg.kafka_group + " that owns partition " +
                                 std::to_string(partition) + ".");
      r.headers.emplace_back("X-Yuqing-Partition", std::to_string(partition));
      return r;
    };
    if (cfg.api_auth_reads || aggregate_role) {
      server->set_guard([&cfg, misdirected](const http::Request& req) -> std::optional<http::Response> {
        if (cfg.api_auth_reads && req.path.starts_with("/api/") && !authorized(req, cfg.api_token)) {
          auto r = http::problem(401, "Unauthorized", "a valid bearer token is required for /api/");
          r.headers.emplace_back("WWW-Authenticate", "Bearer");
          return r;
        }
        return misdirected(req);
      });
    }
    if (!match_role) {  // the match role keeps no windows or alerts: its API is /metrics and the rules
      window::register_routes(*server, **windows);
      alerts.register_routes(*server, cfg.api_token);
      dashboard::register_routes(*server);
    }
    if (auto st = server->start(); !st) {
      log::error("{}", st.error());
      return kExitFailure;
    }
    log::info("HTTP on {} (port {}): /metrics /healthz /readyz /api/v1/rules", cfg.http_listen, server->port());
    if (aggregate_role && consumer_source != nullptr) {
      auto opened = kafka::OwnerDirectory::open(kafka_options, advertised_address(cfg, server->port()));
      if (opened) {
        owners = std::move(*opened);
      } else {  // the API still answers for owned brands, and 421 for the others
        log::warn("{}; requests for brands owned by other instances get 421 instead of a redirect.", opened.error());
      }
    }
  }
  if (consumer_source != nullptr && (changelog || owners)) {
    kafka::PartitionStateHooks hooks;
    if (changelog) {
      hooks.restore = [&changelog](const std::vector<std::int32_t>& p) { return changelog->restore(p); };
      hooks.release = [&changelog] { return changelog->flush(); };
    }
    if (owners) hooks.assigned = [&owners](const std::vector<std::int32_t>& p) { return owners->announce(p); };
    kafka::set_partition_state_hooks(*consumer_source, std::move(hooks));
  }

  Status<std::string> result;
  {
    SignalWatcher signals(pipeline, [&] { reload_rules("SIGHUP"); });
    std::unique_ptr<reload::DirectoryWatcher> watcher;
    if (cfg.rules_watch_interval_ms > 0) {
      watcher = std::make_unique<reload::DirectoryWatcher>(
          cfg.rules_dir, std::chrono::milliseconds(cfg.rules_watch_interval_ms), [&] { reload_rules("file change"); });
    }
    if (outbox) outbox->start();
    metrics.ready().Set(1);
    if (cfg.role != "all") {
      log::info("Role {}: consuming {} in group {}{}.", cfg.role, aggregate_role ? cfg.kafka_matches_topic : cfg.kafka_topic,
                cfg.kafka_group, match_role ? ", producing match records to " + cfg.kafka_matches_topic + " in transactions" : "");
    }
    log::info("Engine started: state in {}, dead letters to {}.", cfg.state_dir,
              kafka_mode ? "topic " + cfg.kafka_dlq_topic : config::dlq_path(cfg));
    result = pipeline.run();
    metrics.ready().Set(0);
    if (outbox) {
      // Give committed alerts a bounded chance to leave before exiting; whatever is still
      // pending stays in the outbox and goes out on the next start.
      outbox->notify();
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      auto pending = [&] {
        std::size_t n = 0;
        for (const auto& name : outbox->sink_names()) n += outbox->depth(name);
        return n;
      };
      while (pending() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (const auto left = pending(); left > 0) {
        log::warn("{} alert deliveries are still pending; they will be sent on the next start.", left);
      }
      outbox->stop();
    }
  }
  if (server) server->stop();
  auto summary = pipeline.summary();
  summary.alerts = alerts.notifications();
  std::cout << summary.line() << std::endl;
  if (!result) {
    log::error("Stopped: {}. Nothing after the last committed batch was lost; restart to continue.", result.error());
    return kExitFailure;
  }
  log::info("Stopped cleanly.");
  return kExitOk;
}

}  // namespace

void register_run_command(CLI::App& root, CommandResult& result) {
  auto flags = std::make_shared<RunFlags>();
  auto* cmd = root.add_subcommand("run", "Run the engine (embedded mode by default: demo stream, local state).");
  cmd->add_option("--config", flags->config_file, "YAML config file (see docs/configuration.md)")->check(CLI::ExistingFile);
  cmd->add_option("--input", flags->input, "JSONL file of mentions, or - for stdin (default: built-in demo stream)");
  cmd->add_flag("--exit-at-eof", flags->exit_at_eof, "Drain, flush and exit 0 when the input ends");
  cmd->add_option("--rules", flags->rules, "Rules folder (default: rules)");
  cmd->add_option("--state", flags->state, "State folder (default: yuqing-state)");
  cmd->add_option("--http", flags->http, "HTTP listen address HOST:PORT, or off (default: 127.0.0.1:8080)");
  cmd->add_option("--brokers", flags->brokers,
                  "Kafka bootstrap servers: consume the mentions topic in a consumer group instead of --input");
  cmd->add_option("--group", flags->group,
                  "Kafka consumer group (default: yuqing; yuqing-match / yuqing-aggregate for those roles)");
  cmd->add_option("--role", flags->role,
                  "all (default: one process), match (mentions -> matches topic) or aggregate (matches topic -> "
                  "windows, alerts, API); match and aggregate need --brokers (docs/scaling.md)")
      ->check(CLI::IsMember({"all", "match", "aggregate"}));
  cmd->add_option("--dlq", flags->dlq, "Dead-letter JSONL file (default: <state>/dead-letter.jsonl)");
  cmd->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error, off (default: info)");
  cmd->add_option("--demo-rate", flags->demo_rate, "Demo stream base mentions per second (default: 10; the scenario adds its spike)")->check(CLI::PositiveNumber);
  cmd->add_option("--demo-seed", flags->demo_seed, "Demo stream seed (default: 42)");
  cmd->callback([flags, &result] { result.exit_code = run_engine(*flags); });
}

}  // namespace yuqing::cli
