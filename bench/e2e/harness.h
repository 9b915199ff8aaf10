#pragma once
// The embedded engine assembled in-process for the end-to-end benchmark and the alert-latency
// tool, plus the loads they run on.
//
// Why a copy of the wiring: engine/cli/run_command.cpp builds the embedded engine inside one
// function (run_engine) with no reusable assembly, and it owns the process (signals, HTTP,
// exit codes). Driving the `yuqing` binary as a subprocess would hide what we want to measure
// per mention (source read -> batch committed, and the moment an alert leaves its sink), so
// `Engine` below repeats run_command.cpp's embedded wiring, in the same order and with the
// same options, minus what a benchmark does not need: HTTP server, signal watcher, rules
// directory watcher, Kafka. Keep it in step with run_command.cpp when that changes.
//
// Measurement hooks, none inside the engine:
//   - TimedSource wraps the real Source: read() returning and committed() (called by the
//     pipeline after the batch's RocksDB write) give each batch its read and commit times.
//   - a sink wrapper (Engine::Options::wrap_sink) sees each alert right after the real sink
//     (e.g. the JSONL file sink) has written it.
//
// Threading: Engine::run() on the calling thread (it is the pipeline worker); the pipeline's
// reader thread calls TimedSource::read(); committed() runs on the worker.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <rocksdb/statistics.h>
#include <yaml-cpp/yaml.h>

#include "bench/common/load.h"
#include "connectors/alert_sinks/outbox.h"
#include "connectors/alert_sinks/sink.h"
#include "connectors/dlq/dlq.h"
#include "connectors/source/source.h"
#include "engine/alert/service.h"
#include "engine/analyze/analyze_stage.h"
#include "engine/analyze/bundle.h"
#include "engine/base/log.h"
#include "engine/config/config.h"
#include "engine/match/match_stage.h"
#include "engine/metrics/metrics.h"
#include "engine/parse/parse.h"
#include "engine/pipeline/pipeline.h"
#include "engine/state/state.h"
#include "engine/window/window.h"

namespace yuqing::bench::e2e {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// ---- process figures ----------------------------------------------------------------------

// User + system CPU seconds of the whole process (every thread: worker, reader, RocksDB's
// flush/compaction threads, outbox deliverers).
inline double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

// A field of /proc/self/status in kB (VmHWM, VmRSS), 0 if unknown.
inline std::uint64_t proc_status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so a later VmHWM is the peak of what ran in
// between. False when the kernel refused.
inline bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

inline std::uint64_t dir_bytes(const std::filesystem::path& dir) {
  std::uint64_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) n += it->file_size(ec);
  }
  return n;
}

inline std::filesystem::path make_temp_dir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) die("cannot create a temporary directory");
  return tmpl;
}

// Quantile of a weighted sample (value, weight), q in [0, 1]. Sorts `v`.
inline double weighted_quantile(std::vector<std::pair<double, double>>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double total = 0;
  for (const auto& [x, w] : v) total += w;
  double seen = 0;
  for (const auto& [x, w] : v) {
    seen += w;
    if (seen >= q * total) return x;
  }
  return v.back().first;
}

// ---- rules directories --------------------------------------------------------------------

// The shipped alerts.yaml without its `brands:` overrides (they name shipped brands) and
// without `sinks:`; `extra` is appended (e.g. a sinks: section).
inline std::string shipped_policy_text(bool keep_brand_overrides) {
  std::ifstream in(source_dir() / "rules" / "alerts.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto cut = [&](const std::string& key) {
    const auto at = text.find("\n" + key + ":");
    if (at == std::string::npos) return;
    // Up to the next top-level key (a line starting with a letter) or the end.
    std::size_t end = at + 1;
    for (;;) {
      end = text.find('\n', end);
      if (end == std::string::npos || (end + 1 < text.size() && std::isalpha(static_cast<unsigned char>(text[end + 1])))) break;
      ++end;
    }
    text.erase(at, end == std::string::npos ? std::string::npos : end - at);
  };
  cut("sinks");
  if (!keep_brand_overrides) cut("brands");
  return text;
}

// A rules directory in a temporary folder: brands/ and lexicons/ link to the shipped ones,
// alerts.yaml is the shipped policy plus `extra_alerts_yaml`.
inline std::filesystem::path shipped_rules_copy(const std::string& extra_alerts_yaml) {
  const auto dir = make_temp_dir("yuqing-e2e-rules");
  std::filesystem::create_directory_symlink(source_dir() / "rules" / "brands", dir / "brands");
  std::filesystem::create_directory_symlink(source_dir() / "rules" / "lexicons", dir / "lexicons");
  std::ofstream(dir / "alerts.yaml") << shipped_policy_text(true) << "\n" << extra_alerts_yaml;
  return dir;
}

// Seeded pseudo-random helper for the synthetic rules (splitmix64; deterministic).
struct SplitMix {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

struct SyntheticRules {
  std::filesystem::path dir;
  std::vector<std::string> brand_ids;  // the rules the generated stream talks about
  std::size_t rule_count = 0;
};

// `brands` brand rules (half zh, half en, paired as competitors) that the generator writes
// mentions of, plus topic rules up to `rules` in all: watched names and hashtags the stream
// never contains (so they cost the Hyperscan database, window bookkeeping and a tick of alert
// evaluation each, but no window writes). Lexicons link to the shipped ones; alerts.yaml is
// the shipped policy without its per-brand overrides, plus `extra_alerts_yaml`.
inline SyntheticRules synthetic_rules(std::size_t brands, std::size_t rules, const std::string& extra_alerts_yaml) {
  SyntheticRules out;
  out.dir = make_temp_dir("yuqing-e2e-rules");
  const auto bdir = out.dir / "brands";
  std::filesystem::create_directory(bdir);
  std::filesystem::create_directory_symlink(source_dir() / "rules" / "lexicons", out.dir / "lexicons");
  std::ofstream(out.dir / "alerts.yaml") << shipped_policy_text(false) << "\n" << extra_alerts_yaml;

  // Han characters rare in the generator's phrase tables, and Latin syllables.
  static const std::vector<std::string> kHan = {
      "璟", "琮", "珂", "瑾", "琨", "琰", "瑜", "璇", "翎", "翊", "昀", "昕", "晗", "晟", "炜", "烨",
      "煜", "熠", "骁", "骐", "骅", "鸾", "鹭", "鸢", "芮", "芊", "荻", "萱", "蔚", "蘅", "沅", "泓",
      "淇", "湛", "澈", "澜", "岚", "峤", "嵘", "崧", "枫", "桦", "楠", "榕", "樾", "柘", "棠", "槿",
      "钰", "铎", "锴", "镕", "铂", "铖", "舜", "尧", "禹", "祺", "祯", "褚", "觅", "谌"};
  static const std::vector<std::string> kZhKind = {"科技", "汽车", "手机", "航空", "奶茶", "银行",
                                                   "视频", "家电", "乳业", "美妆", "快递", "游戏"};
  static const std::vector<std::string> kSyl = {"ka", "ve", "lo", "ri", "zu", "ne", "mo", "ta", "qui", "dro",
                                                "xen", "vor", "pla", "sti", "bru", "fen", "gal", "hix", "jor", "kel",
                                                "lum", "mir", "nov", "oru", "pex", "quo", "ryn", "sav", "tor", "ulv"};
  static const std::vector<std::string> kEnKind = {"Labs", "Motors", "Mobile", "Air", "Foods", "Bank",
                                                   "Stream", "Home", "Beauty", "Games", "Cloud", "Wear"};
  SplitMix rng{20261123};
  std::set<std::string> used;
  auto han_name = [&](std::size_t chars) {
    for (;;) {
      std::string s;
      for (std::size_t i = 0; i < chars; ++i) s += kHan[rng.below(kHan.size())];
      if (used.insert(s).second) return s;
    }
  };
  auto latin_word = [&](std::size_t syllables) {
    for (;;) {
      std::string s;
      for (std::size_t i = 0; i < syllables; ++i) s += kSyl[rng.below(kSyl.size())];
      if (used.insert(s).second) return s;
    }
  };
  auto write = [&](const std::string& id, const std::string& body) { std::ofstream(bdir / (id + ".yaml")) << body; };

  for (std::size_t i = 0; i < brands; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "brand-%04zu", i);
    const std::string partner = [&] {
      char p[32];
      std::snprintf(p, sizeof p, "brand-%04zu", i ^ 1);
      return std::string(p);
    }();
    const bool has_partner = (i ^ 1) < brands;
    std::string y = "id: " + std::string(id) + "\n";
    if (i % 2 == 0) {  // zh
      const std::string stem = han_name(2);
      const std::string name = stem + kZhKind[i / 2 % kZhKind.size()];
      y += "name: " + name + "\nlang: zh\n";
      y += "query: '(" + name + " OR #" + name + "# OR @" + name + "官方 OR " + stem + " NEAR/5 (新品 OR 客服 OR 门店)) NOT " +
           name + "招聘'\n";
    } else {  // en
      const std::string stem = latin_word(3);
      std::string cap = stem;
      cap[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(cap[0])));
      const std::string kind = kEnKind[i / 2 % kEnKind.size()];
      y += "name: " + cap + " " + kind + "\nlang: en\n";
      y += "query: '(\"" + stem + " " + kind + "\" OR @" + stem + " OR #" + stem + " OR " + stem +
           " NEAR/3 (app OR store OR support)) NOT \"" + stem + " " + kind + " jobs\"'\n";
    }
    if (has_partner) y += "competitors: [" + partner + "]\n";
    y += "tags: [synthetic]\n";
    write(id, y);
    out.brand_ids.push_back(id);
  }
  for (std::size_t i = brands; i < rules; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "topic-%05zu", i);
    std::string y = "id: " + std::string(id) + "\n";
    if (i % 2 == 0) {
      const std::string t = han_name(3);
      y += "name: " + t + "\nlang: zh\nquery: '" + t + " OR #" + t + "#'\n";
    } else {
      const std::string a = latin_word(3), b = latin_word(3);
      y += "name: " + a + " " + b + "\nlang: en\nquery: '\"" + a + " " + b + "\" OR #" + a + b + "'\n";
    }
    write(id, y);
  }
  out.rule_count = std::max(rules, brands);
  return out;
}

// Generated lines for the brands `only` (empty = all enabled brands of the directory).
inline gen::GenOptions gen_options(const std::filesystem::path& rules_dir, const std::vector<std::string>& only,
                                   std::uint64_t seed, std::int64_t count, double per_minute) {
  gen::GenOptions g;
  g.seed = seed;
  g.count = count;
  g.per_minute = per_minute;
  auto brands = gen::load_brands(rules_dir);
  if (!brands) die(brands.error());
  if (only.empty()) {
    g.brands = std::move(*brands);
  } else {
    std::set<std::string> keep(only.begin(), only.end());
    for (auto& b : *brands) {
      if (keep.contains(b.id)) g.brands.push_back(std::move(b));
    }
  }
  return g;
}

// ---- the timed source ---------------------------------------------------------------------

// Batch read/commit times: for each committed batch, when the source returned it to the
// pipeline's reader, when the worker had committed it, and its records' source offsets.
struct BatchTiming {
  Clock::time_point read_at, committed_at;
  std::uint64_t first_offset = 0, end_offset = 0;
  std::size_t records = 0;
};

class TimedSource final : public source::Source {
 public:
  explicit TimedSource(std::unique_ptr<source::Source> inner) : inner_(std::move(inner)) {}
  std::string key() const override { return inner_->key(); }
  Status<std::string> seek(std::uint64_t offset) override { return inner_->seek(offset); }
  bool resumable() const override { return inner_->resumable(); }
  Status<std::string> read(source::RecordBatch& batch, const source::ReadLimits& limits) override {
    auto st = inner_->read(batch, limits);
    const auto now = Clock::now();
    std::lock_guard lock(mu_);
    read_at_[&batch] = now;
    return st;
  }
  void stop() override { inner_->stop(); }
  void committed(const source::RecordBatch& batch) override {
    const auto now = Clock::now();
    inner_->committed(batch);
    if (batch.records.empty()) return;
    BatchTiming t;
    t.committed_at = now;
    t.first_offset = batch.records.front().offset;
    t.end_offset = batch.end_offset;
    t.records = batch.records.size();
    std::lock_guard lock(mu_);
    t.read_at = read_at_[&batch];
    timings_.push_back(t);
  }
  std::vector<BatchTiming> timings() const {
    std::lock_guard lock(mu_);
    return timings_;
  }

 private:
  std::unique_ptr<source::Source> inner_;
  mutable std::mutex mu_;  // once per batch
  std::map<const source::RecordBatch*, Clock::time_point> read_at_;
  std::vector<BatchTiming> timings_;
};

// ---- the engine ---------------------------------------------------------------------------

// Alert sinks from the `sinks:` section of rules_dir/alerts.yaml, as run_command.cpp reads them.
inline std::vector<alert_sinks::SinkConfig> sink_configs(const std::filesystem::path& rules_dir) {
  const auto file = (rules_dir / "alerts.yaml").string();
  YAML::Node root = YAML::LoadFile(file);
  if (!root.IsMap() || !root["sinks"]) return {};
  auto parsed = alert_sinks::parse_sink_configs(root["sinks"], file);
  if (!parsed) die(parsed.error().front().message);
  return std::move(*parsed);
}

struct RocksBytes {
  std::uint64_t user = 0;        // bytes handed to RocksDB writes (WriteBatch contents)
  std::uint64_t wal = 0;         // written to the WAL
  std::uint64_t flush = 0;       // memtable flushes (SST)
  std::uint64_t compaction = 0;  // compaction output
  std::uint64_t disk() const { return wal + flush + compaction; }
};

class Engine {
 public:
  struct Options {
    std::filesystem::path rules_dir;
    std::filesystem::path state_dir;
    bool exit_at_eof = true;
    // Wraps every built alert sink (measurement); identity when empty.
    std::function<std::unique_ptr<alert_sinks::AlertSink>(std::unique_ptr<alert_sinks::AlertSink>)> wrap_sink;
  };

  // Builds everything as run_command.cpp does (embedded mode, default EngineConfig values).
  Engine(Options o, std::unique_ptr<source::Source> src) : o_(std::move(o)) {
    auto timed = std::make_unique<TimedSource>(std::move(src));
    timed_ = timed.get();
    source_kind_ = "file";

    state::StateOptions state_options;
    state_options.extra_column_families = {std::string(window::kBucketsFamily), std::string(window::kTopFamily),
                                           std::string(alert::kAlertsColumnFamily),
                                           std::string(alert_sinks::kOutboxColumnFamily)};
    state_options.configure_column_family = [](const std::string& name, rocksdb::ColumnFamilyOptions& opts) {
      window::configure_column_family(name, opts);
    };
    auto store = state::StateStore::open(o_.state_dir.string(), state_options);
    if (!store) die(store.error());
    store_ = std::move(*store);
    auto dlq = dlq::FileSink::open((o_.state_dir / "dead-letter.jsonl").string(),
                                   store_->load_meta(pipeline::kDlqBytesKey).value_or(0));
    if (!dlq) die(dlq.error());
    dlq_ = std::move(*dlq);

    std::vector<std::string> reject_names;
    for (int i = 0; i < parse::kRejectCount; ++i) reject_names.emplace_back(parse::reject_name(static_cast<parse::Reject>(i)));
    metrics_ = std::make_unique<metrics::Metrics>(reject_names, source_kind_);

    auto bundle = analyze::load_bundle(o_.rules_dir);
    if (!bundle) die(bundle.error().front());
    bundle_ = *bundle;
    match_ = std::make_unique<match::MatchStage>([this] { return bundle_->rules; }, metrics_->registry());

    auto windows = window::WindowStore::open(*store_);
    if (!windows) die(windows.error());
    windows_ = std::move(*windows);
    std::vector<alert_sinks::OutboxSink> outbox_sinks;
    for (const auto& c : sink_configs(o_.rules_dir)) {
      auto built = alert_sinks::build_sink(c);
      if (!built) die(built.error());
      std::unique_ptr<alert_sinks::AlertSink> sink = std::move(*built);
      if (o_.wrap_sink) sink = o_.wrap_sink(std::move(sink));
      outbox_sinks.push_back({c, std::move(sink)});
    }
    if (!outbox_sinks.empty()) {
      auto opened = alert_sinks::Outbox::open(*store_, std::move(outbox_sinks), &metrics_->registry());
      if (!opened) die(opened.error());
      outbox_ = std::move(*opened);
    }
    alerts_ = std::make_unique<alert::AlertService>(*store_, outbox_.get(), metrics_->registry());
    if (auto st = alerts_->restore(); !st) die(st.error());
    auto author_key = store_->author_hash_key();
    if (!author_key) die(author_key.error());
    analyze_ = std::make_unique<analyze::AnalyzeStage>([this] { return bundle_; }, *match_, *windows_, *alerts_,
                                                       *author_key, metrics_->registry());

    config::EngineConfig defaults;
    pipeline::PipelineOptions popts;
    popts.limits.max_records = defaults.batch_max_mentions;
    popts.limits.max_bytes = defaults.batch_max_bytes;
    popts.limits.max_line_bytes = defaults.max_mention_bytes;
    popts.limits.max_delay_ms = defaults.batch_max_delay_ms;
    popts.queue_max_bytes = defaults.queue_max_bytes;
    popts.exit_at_eof = o_.exit_at_eof;
    pipeline_ = std::make_unique<pipeline::Pipeline>(popts, std::move(timed), *store_, *dlq_, *metrics_);
    pipeline_->add_stage(match_.get());
    pipeline_->add_stage(analyze_.get());
    match_->on_batch_begin();
    analyze_->on_batch_begin();
    if (auto st = pipeline_->resume(); !st) die(st.error());
  }

  ~Engine() {
    if (outbox_) outbox_->stop();
    pipeline_.reset();
    analyze_.reset();
    alerts_.reset();
    outbox_.reset();
    windows_.reset();
    match_.reset();
    dlq_.reset();
    metrics_.reset();
    store_.reset();
  }

  // Runs to the end of input (or stop()), then, like run_command.cpp, gives committed alerts
  // up to 10 s to leave the outbox.
  pipeline::RunSummary run() {
    if (outbox_) outbox_->start();
    auto result = pipeline_->run();
    if (!result) die("the pipeline stopped: " + result.error());
    if (outbox_) {
      outbox_->notify();
      const auto deadline = Clock::now() + std::chrono::seconds(10);
      while (outbox_pending() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      outbox_->stop();
    }
    auto summary = pipeline_->summary();
    summary.alerts = alerts_->notifications();
    return summary;
  }
  void stop() { pipeline_->stop(); }

  std::size_t outbox_pending() const {
    std::size_t n = 0;
    for (const auto& name : outbox_->sink_names()) n += outbox_->depth(name);
    return n;
  }
  const TimedSource& timed_source() const { return *timed_; }
  std::size_t rule_count() const { return bundle_->rules->rule_count(); }
  RocksBytes rocks_bytes() const {
    const auto* s = store_->statistics();
    RocksBytes b;
    b.user = s->getTickerCount(rocksdb::BYTES_WRITTEN);
    b.wal = s->getTickerCount(rocksdb::WAL_FILE_BYTES);
    b.flush = s->getTickerCount(rocksdb::FLUSH_WRITE_BYTES);
    b.compaction = s->getTickerCount(rocksdb::COMPACT_WRITE_BYTES);
    return b;
  }

 private:
  Options o_;
  std::string source_kind_;
  TimedSource* timed_ = nullptr;
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<dlq::FileSink> dlq_;
  std::unique_ptr<metrics::Metrics> metrics_;
  std::shared_ptr<const analyze::RulesBundle> bundle_;
  std::unique_ptr<match::MatchStage> match_;
  std::unique_ptr<window::WindowStore> windows_;
  std::unique_ptr<alert_sinks::Outbox> outbox_;
  std::unique_ptr<alert::AlertService> alerts_;
  std::unique_ptr<analyze::AnalyzeStage> analyze_;
  std::unique_ptr<pipeline::Pipeline> pipeline_;
};

}  // namespace yuqing::bench::e2e
