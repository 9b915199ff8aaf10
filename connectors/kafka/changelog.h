#pragma once
// The aggregate role's state changelog (docs/scaling.md, "State moves with its partition").
//
// An aggregate instance keeps the state of the matches partitions it owns (a brand's windows,
// top mentions, alert incidents, the partition's input offset and dedup marks). So that this
// state can move when a partition does, every committed change is also written to a changelog
// topic, the way Kafka Streams does it:
//
//   - partition p of the changelog holds the state of partition p of the matches topic (both
//     topics have the same partition count; checked at start-up);
//   - key = column family name, NUL, state key; value = the FULL value after the batch (read
//     back after the commit: window buckets are merge operands in RocksDB), or a tombstone
//     when the key is gone. So the topic can be compacted (cleanup.policy=compact);
//   - the last record a batch writes for a partition is the partition's marker
//     (`default` family, key `changelog:<matches topic>/<p>`, a batch id). The same marker is
//     stored locally in the batch's own WriteBatch, so local state == changelog state exactly
//     when the two markers agree.
//
// On assignment (before the partition's first record is read) restore() compares the local
// marker with the last complete marker in the changelog. Equal: nothing to do (a restart, or
// an eager rebalance that gave the partition back). Different: the local state of the
// partition is wiped and rebuilt from the changelog up to its last complete marker, which also
// restores the partition's input offset, so the source resumes exactly where that state ends.
// Records after the last marker (a writer died mid-batch) are not applied, and are repaired:
// their keys are written again with the restored values, then a new marker, so a later reader
// of the log never mistakes them for state.
//
// Limits: range deletions (retention) are not logged (each instance applies retention on
// its own data by event time); the outbox of pending alert deliveries and the recent-story
// table stay with the instance; an eager assignor (librdkafka's default range,roundrobin) is
// assumed, so no batch is in flight while a partition is restored.
//
// Threading: before_commit/after_commit on the pipeline worker; restore/flush on the Kafka
// source's poll thread (inside the rebalance callback). The producer is shared under a mutex
// taken once per batch, not per record.

#include <prometheus/registry.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/kafka/kafka.h"
#include "engine/base/result.h"
#include "engine/state/state.h"

namespace prometheus {
class Counter;
class Gauge;
}  // namespace prometheus

namespace yuqing::kafka {

// The matches partition a state entry belongs to; nullopt for the instance's own entries
// (watermarks, retention marks, the outbox, the author hash key), which never move.
std::optional<std::int32_t> state_partition(std::string_view family, std::string_view key,
                                            std::string_view matches_topic, std::int32_t partitions);

class StateChangelog final : public state::CommitObserver {
 public:
  // Fails when the changelog topic does not exist or its partition count differs from the
  // matches topic's.
  static Result<std::unique_ptr<StateChangelog>, std::string> open(const KafkaOptions& options,
                                                                   std::string changelog_topic,
                                                                   state::StateStore& state,
                                                                   prometheus::Registry& registry);
  ~StateChangelog() override;

  void before_commit(rocksdb::WriteBatch& batch) override;
  Status<std::string> after_commit(const rocksdb::WriteBatch& batch) override;

  // Makes the local state of `partitions` equal to the changelog's (see the header comment).
  Status<std::string> restore(const std::vector<std::int32_t>& partitions);
  // Waits until every change produced so far is in the changelog (on revocation).
  Status<std::string> flush();

  // True while restore() runs (/readyz answers 503).
  bool restoring() const { return restoring_.load(); }
  std::int32_t partitions() const { return partitions_; }

 private:
  StateChangelog() = default;
  struct Entry {
    std::int32_t partition;
    std::uint32_t family;
    std::string key;
  };
  std::string marker_key(std::int32_t p) const;
  std::uint64_t next_marker();
  Status<std::string> restore_one(std::int32_t p);
  void wipe(std::int32_t p);

  KafkaOptions options_;
  std::string topic_;
  state::StateStore* state_ = nullptr;
  std::int32_t partitions_ = 0;
  std::unique_ptr<Producer> producer_;
  std::mutex producer_mu_;
  std::uint32_t epoch_ = 0;  // random per process: batch ids of two writers never collide
  std::atomic<std::uint32_t> seq_{0};  // batches (worker) and tail repairs (poll thread)
  std::vector<Entry> entries_;  // keys of the batch being committed (reused)
  std::vector<std::int32_t> touched_;
  std::string key_buf_, value_buf_;
  std::atomic<bool> restoring_{false};
  prometheus::Counter* produced_ = nullptr;
  prometheus::Counter* restored_records_ = nullptr;
  prometheus::Counter* restores_ = nullptr;
  prometheus::Counter* restores_skipped_ = nullptr;
  prometheus::Counter* repaired_ = nullptr;
  prometheus::Gauge* restoring_gauge_ = nullptr;
  prometheus::Gauge* restore_seconds_ = nullptr;
};

}  // namespace yuqing::kafka
