#pragma once
// The durable alert outbox and its deliverers.
//
// Alerts leave the engine through the `outbox` column family of the state store:
//   1. The stage that changes an alert calls enqueue(batch, alert) from on_batch_commit(): one
//      entry per sink whose routing takes the alert is added to THAT WriteBatch, so the alert
//      change and the window state that caused it are committed together (or not at all).
//   2. One deliverer thread per sink reads its entries in order (key = sink + sequence),
//      delivers the head, deletes it on ok, moves it to the dead letters on fatal (or when it
//      is too old / tried too often), and on retry keeps it with an exponential backoff
//      (backoff_base doubling to backoff_max, with jitter). A sink that is down only delays
//      itself: the pipeline and the other sinks go on.
//   3. After a restart the deliverers start with whatever is pending: nothing committed is
//      lost. Delivery is at-least-once (a crash after sending but before deleting sends
//      again); receivers deduplicate on the stable alert id.
//
// Key layout in the column family:   'q' <sink> '\0' <u64 big-endian sequence>  pending
//                                    'x' <sink> '\0' <u64 big-endian sequence>  dead letter
// Pending value: u8 version(1), u32 attempts, i64 next attempt (wall ms), i64 queued (wall ms), JSON.
//
// Metrics (registered in the registry given to open()):
//   yuqing_alert_deliveries_total{sink,result}   ok | retry | fatal (fatal includes give-ups)
//   yuqing_alert_outbox_depth{sink}               pending entries (refreshed by the deliverer)
//   yuqing_alert_delivery_seconds{sink}           queued -> delivered (ok), wall clock
//   yuqing_alert_dead_letters_total{sink}         entries moved to the dead letters
//
// Threading: enqueue() from the pipeline's worker thread (one thread); notify(), depth(),
// dead_letters() from any thread; start()/stop() from the owner. The StateStore must outlive
// the Outbox.

#include <prometheus/registry.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/alert_sinks/sink.h"
#include "engine/alert/alert.h"
#include "engine/base/result.h"
#include "engine/state/state.h"

namespace yuqing::alert_sinks {

// Add this to StateOptions::extra_column_families when opening the store.
inline constexpr std::string_view kOutboxColumnFamily = "outbox";

// A running sink with the configuration that routes to it and sets its retry policy.
struct OutboxSink {
  SinkConfig config;
  std::unique_ptr<AlertSink> sink;
};

struct OutboxOptions {
  // How often an idle deliverer looks for new entries when nobody calls notify(). Default: 100.
  int poll_interval_ms = 100;
  // How often a busy deliverer recounts its depth gauge. Default: 2000.
  int depth_refresh_ms = 2000;
};

struct DeadLetter {
  std::string sink;
  std::uint64_t sequence = 0;
  std::int64_t at_ms = 0;  // wall clock when it was given up
  std::uint32_t attempts = 0;
  std::string reason;
  std::string alert_json;
};

struct SinkCounts {
  std::uint64_t ok = 0, retry = 0, fatal = 0;
};

class Outbox {
 public:
  // Builds the outbox over `store` (opened with kOutboxColumnFamily) for `sinks` (unique
  // names). registry: where the metrics go; nullptr = a private registry.
  static Result<std::unique_ptr<Outbox>, std::string> open(state::StateStore& store, std::vector<OutboxSink> sinks,
                                                           prometheus::Registry* registry, OutboxOptions options = {});
  // Convenience: parse-free wiring from validated configs (build_sink() for each).
  static Result<std::unique_ptr<Outbox>, std::string> open(state::StateStore& store,
                                                           const std::vector<SinkConfig>& configs,
                                                           prometheus::Registry* registry, OutboxOptions options = {});
  ~Outbox();  // stop()s
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Adds one entry per routed sink to `batch`; returns how many. Nothing is visible to the
  // deliverers until the batch is committed. Worker thread only.
  std::size_t enqueue(rocksdb::WriteBatch& batch, const alert::Alert& alert);
  // Would this sink receive this alert (tier routing, send_resolved)?
  static bool routes(const SinkConfig& config, const alert::Alert& alert);

  // Wakes the deliverers (call after committing a batch with entries; otherwise they find
  // the entries within poll_interval_ms).
  void notify();

  // Starts one deliverer thread per sink. Pending entries from before a restart go first.
  void start();
  // Stops the deliverers after the delivery in flight (bounded by the sink's timeout).
  // Pending entries stay in the store for the next start.
  void stop();

  // Pending entries of a sink (counts the store).
  std::size_t depth(std::string_view sink) const;
  std::vector<DeadLetter> dead_letters(std::string_view sink) const;
  SinkCounts counts(std::string_view sink) const;
  std::vector<std::string> sink_names() const;

 private:
  struct Impl;
  explicit Outbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Backoff before attempt `attempts + 1` after `attempts` failures (>= 1): base * 2^(attempts-1)
// capped at max, then jittered uniformly into [d/2, d]. `unit` in [0, 1) is the random draw.
std::int64_t backoff_ms(int attempts, int base_ms, int max_ms, double unit);

}  // namespace yuqing::alert_sinks
