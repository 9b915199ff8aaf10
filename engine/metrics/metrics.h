#pragma once
// Metrics: the Prometheus registry of one engine process and the per-thread counters of the
// hot path. Names and labels are listed in docs/metrics.md; labels are bounded (platforms,
// reject reasons, configured brands), never mention or author ids.
//
// Hot-path counters are per thread: each worker owns a Shard and bumps plain relaxed atomics
// that only it writes (a load and a store, no locked instruction), and a scrape sums the
// shards. Nothing on the per-mention path touches a shared cache line.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/mention/mention.h"

namespace yuqing::metrics {

// Written by one thread, read by the scraper.
class LocalCounter {
 public:
  void add(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// A fixed-bucket histogram written by one thread.
class LocalHistogram {
 public:
  explicit LocalHistogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count per bucket (last = +Inf), and the sum.
  std::uint64_t bucket(std::size_t i) const { return counts_[i].get(); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<LocalCounter[]> counts_;
  std::atomic<double> sum_{0};
};

inline constexpr int kMaxRejectReasons = 16;

// The counters one pipeline worker thread owns.
struct PipelineShard {
  PipelineShard();
  LocalCounter input_records;
  LocalCounter blank_lines;
  std::array<LocalCounter, kPlatformCount> processed;  // by platform
  std::array<LocalCounter, kMaxRejectReasons> dead_lettered;  // by parse::Reject
  LocalCounter batches;
  LocalHistogram event_lag_seconds;     // event time -> processed
  LocalHistogram batch_commit_seconds;  // one RocksDB write per batch
};

class Metrics {
 public:
  // reject_names: label values for dead_lettered[i]; source_kind: "file", "stdin", "demo", ...;
  // parse_kernel: the simdjson kernel the parsers run, a label of yuqing_build_info when given
  // (the same binary runs a different kernel on another CPU, and parsing speed differs with it).
  Metrics(std::vector<std::string> reject_names, std::string source_kind, std::string parse_kernel = "");
  ~Metrics();

  prometheus::Registry& registry() { return *registry_; }
  // A new shard for a worker thread; it stays registered for the life of Metrics.
  PipelineShard& add_shard();

  // Gauges set by the pipeline (not per mention).
  prometheus::Gauge& queue_bytes() { return *queue_bytes_; }
  prometheus::Counter& queue_pushed() { return *queue_pushed_; }
  prometheus::Counter& queue_popped() { return *queue_popped_; }
  // Times the source was paused because the queue was full (backpressure episodes).
  prometheus::Counter& source_paused() { return *source_paused_; }
  prometheus::Gauge& ready() { return *ready_; }

  // Text exposition format 0.0.4 of every metric.
  std::string scrape() const;

  // Sums over shards, for the end-of-run summary and tests.
  std::uint64_t total_input() const;
  std::uint64_t total_processed() const;
  std::uint64_t total_dead_lettered() const;

 private:
  class ShardCollector;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ShardCollector> collector_;
  prometheus::Gauge* queue_bytes_ = nullptr;
  prometheus::Counter* queue_pushed_ = nullptr;
  prometheus::Counter* queue_popped_ = nullptr;
  prometheus::Counter* source_paused_ = nullptr;
  prometheus::Gauge* ready_ = nullptr;
};

}  // namespace yuqing::metrics
