#include "engine/metrics/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <fstream>
#include <map>
#include <limits>
#include <sstream>

namespace yuqing::metrics {
namespace {

const std::vector<double> kLagBounds = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86400};
const std::vector<double> kCommitBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};

prometheus::ClientMetric counter_metric(double v, std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = v;
  return m;
}

prometheus::ClientMetric gauge_metric(double v) {
  prometheus::ClientMetric m;
  m.gauge.value = v;
  return m;
}

double process_start_seconds() {
  static const double kStart = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return kStart;
}

}  // namespace

LocalHistogram::LocalHistogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new LocalCounter[bounds_.size() + 1]) {}

void LocalHistogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].add();
  sum_.store(sum_.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
}

PipelineShard::PipelineShard() : event_lag_seconds(kLagBounds), batch_commit_seconds(kCommitBounds) {}

// Sums the per-thread shards at scrape time, and adds the standard process_* metrics.
class Metrics::ShardCollector final : public prometheus::Collectable {
 public:
  ShardCollector(std::vector<std::string> reject_names, std::string source_kind)
      : reject_names_(std::move(reject_names)), source_kind_(std::move(source_kind)) {}

  PipelineShard& add() {
    std::lock_guard lock(mu_);
    shards_.push_back(std::make_unique<PipelineShard>());
    return *shards_.back();
  }

  template <class F>
  std::uint64_t sum(F f) const {
    std::lock_guard lock(mu_);
    std::uint64_t total = 0;
    for (const auto& s : shards_) total += f(*s);
    return total;
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> out;
    std::lock_guard lock(mu_);
    auto family = [&](std::string name, std::string help, prometheus::MetricType type) -> prometheus::MetricFamily& {
      out.push_back({std::move(name), std::move(help), type, {}});
      return out.back();
    };
    auto total = [&](auto f) {
      std::uint64_t t = 0;
      for (const auto& s : shards_) t += f(*s);
      return static_cast<double>(t);
    };
    family("yuqing_input_records_total", "Input records (non-blank lines or messages) read from sources.",
           prometheus::MetricType::Counter)
        .metric.push_back(counter_metric(total([](const PipelineShard& s) { return s.input_records.get(); }),
                                         {{"source", source_kind_}}));
    family("yuqing_input_blank_lines_total", "Whitespace-only input lines skipped (not records).",
           prometheus::MetricType::Counter)
        .metric.push_back(counter_metric(total([](const PipelineShard& s) { return s.blank_lines.get(); }),
                                         {{"source", source_kind_}}));
    auto& processed = family("yuqing_mentions_processed_total", "Mentions parsed and processed, by platform.",
                             prometheus::MetricType::Counter);
    for (int p = 0; p < kPlatformCount; ++p) {
      processed.metric.push_back(counter_metric(total([p](const PipelineShard& s) { return s.processed[p].get(); }),
                                                {{"platform", std::string(platform_name(static_cast<Platform>(p)))}}));
    }
    auto& dlq = family("yuqing_dlq_total", "Input records sent to the dead-letter sink, by reason.",
                       prometheus::MetricType::Counter);
    for (std::size_t r = 0; r < reject_names_.size(); ++r) {
      dlq.metric.push_back(counter_metric(total([r](const PipelineShard& s) { return s.dead_lettered[r].get(); }),
                                          {{"reason", reject_names_[r]}}));
    }
    family("yuqing_batches_committed_total", "Batches committed to the state store.", prometheus::MetricType::Counter)
        .metric.push_back(counter_metric(total([](const PipelineShard& s) { return s.batches.get(); })));
    add_histogram(family("yuqing_event_lag_seconds", "Event time (created_at) to processed, per mention.",
                         prometheus::MetricType::Histogram),
                  [](const PipelineShard& s) -> const LocalHistogram& { return s.event_lag_seconds; });
    add_histogram(family("yuqing_batch_commit_seconds", "Time to write one batch to the state store.",
                         prometheus::MetricType::Histogram),
                  [](const PipelineShard& s) -> const LocalHistogram& { return s.batch_commit_seconds; });
    add_process_metrics(family);
    return out;
  }

 private:
  template <class Get>
  void add_histogram(prometheus::MetricFamily& fam, Get get) const {
    if (shards_.empty()) return;
    const auto& bounds = get(*shards_.front()).bounds();
    prometheus::ClientMetric m;
    std::uint64_t cumulative = 0;
    double sum = 0;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      for (const auto& s : shards_) cumulative += get(*s).bucket(i);
      prometheus::ClientMetric::Bucket b;
      b.cumulative_count = cumulative;
      b.upper_bound = i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity();
      m.histogram.bucket.push_back(b);
    }
    for (const auto& s : shards_) sum += get(*s).sum();
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = sum;
    fam.metric.push_back(std::move(m));
  }

  template <class Family>
  static void add_process_metrics(Family& family) {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
           prometheus::MetricType::Counter)
        .metric.push_back(counter_metric(cpu));
    long pages_total = 0, pages_resident = 0;
    if (std::ifstream statm("/proc/self/statm"); statm) statm >> pages_total >> pages_resident;
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    family("process_resident_memory_bytes", "Resident memory size in bytes.", prometheus::MetricType::Gauge)
        .metric.push_back(gauge_metric(static_cast<double>(pages_resident) * page));
    family("process_virtual_memory_bytes", "Virtual memory size in bytes.", prometheus::MetricType::Gauge)
        .metric.push_back(gauge_metric(static_cast<double>(pages_total) * page));
    family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
           prometheus::MetricType::Gauge)
        .metric.push_back(gauge_metric(process_start_seconds()));
    int fds = 0;
    if (DIR* d = opendir("/proc/self/fd")) {
      while (readdir(d) != nullptr) ++fds;
      closedir(d);
      fds -= 3;  // ".", ".." and the directory's own descriptor
    }
    family("process_open_fds", "Number of open file descriptors.", prometheus::MetricType::Gauge)
        .metric.push_back(gauge_metric(fds));
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    family("process_max_fds", "Maximum number of open file descriptors.", prometheus::MetricType::Gauge)
        .metric.push_back(gauge_metric(static_cast<double>(rl.rlim_cur)));
  }

  mutable std::mutex mu_;  // guards the shard list, not the counters
  std::vector<std::unique_ptr<PipelineShard>> shards_;
  std::vector<std::string> reject_names_;
  std::string source_kind_;
};

Metrics::Metrics(std::vector<std::string> reject_names, std::string source_kind, std::string parse_kernel)
    : registry_(std::make_shared<prometheus::Registry>()),
      collector_(std::make_shared<ShardCollector>(std::move(reject_names), std::move(source_kind))) {
  process_start_seconds();
  auto& q = prometheus::BuildGauge().Name("yuqing_queue_bytes").Help("Bytes waiting in a stage queue.").Register(*registry_);
  queue_bytes_ = &q.Add({{"queue", "source"}});
  auto& pushed = prometheus::BuildCounter()
                     .Name("yuqing_queue_pushed_batches_total")
                     .Help("Batches pushed into a stage queue.")
                     .Register(*registry_);
  queue_pushed_ = &pushed.Add({{"queue", "source"}});
  auto& popped = prometheus::BuildCounter()
                     .Name("yuqing_queue_popped_batches_total")
                     .Help("Batches taken out of a stage queue.")
                     .Register(*registry_);
  queue_popped_ = &popped.Add({{"queue", "source"}});
  source_paused_ = &prometheus::BuildCounter()
                        .Name("yuqing_source_paused_total")
                        .Help("Times the source was paused because the stage queue was full (backpressure).")
                        .Register(*registry_)
                        .Add({});
  auto& ready = prometheus::BuildGauge().Name("yuqing_ready").Help("1 when the engine is ready to process input.").Register(*registry_);
  ready_ = &ready.Add({});
  auto& info = prometheus::BuildGauge().Name("yuqing_build_info").Help("Build information; always 1.").Register(*registry_);
  std::map<std::string, std::string> labels{{"version", "0.1.0"}};
  if (!parse_kernel.empty()) labels.emplace("parse_kernel", std::move(parse_kernel));
  info.Add(labels).Set(1);
}

Metrics::~Metrics() = default;

PipelineShard& Metrics::add_shard() { return collector_->add(); }

std::string Metrics::scrape() const {
  auto families = registry_->Collect();
  auto mine = collector_->Collect();
  families.insert(families.end(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
  return prometheus::TextSerializer().Serialize(families);
}

std::uint64_t Metrics::total_input() const {
  return collector_->sum([](const PipelineShard& s) { return s.input_records.get(); });
}
std::uint64_t Metrics::total_processed() const {
  return collector_->sum([](const PipelineShard& s) {
    std::uint64_t t = 0;
    for (const auto& c : s.processed) t += c.get();
    return t;
  });
}
std::uint64_t Metrics::total_dead_lettered() const {
  return collector_->sum([](const PipelineShard& s) {
    std::uint64_t t = 0;
    for (const auto& c : s.dead_lettered) t += c.get();
    return t;
  });
}

}  // namespace yuqing::metrics
