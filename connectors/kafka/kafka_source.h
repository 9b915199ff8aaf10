#pragma once
// The engine's Kafka source: a consumer in a consumer group on the mentions topic.
//
// Offsets: the position of every partition is stored in RocksDB in the same WriteBatch as the
// window state it produced (the pipeline writes batch.partition_ends under partition_key()),
// so a kill -9 resumes exactly after the last committed batch. The same offsets are then
// committed to Kafka (asynchronously per batch, synchronously when partitions are revoked) so
// consumer lag shows in the standard tools, and so another engine of the group that takes a
// partition over starts where this one stopped.
//
// On assignment a partition starts at max(offset stored in this engine's RocksDB, offset
// committed to the group): the first is ahead after a crash between the state commit and the
// Kafka commit, the second is ahead when another engine owned the partition in between.
// On revocation the source waits until every batch it handed to the pipeline is committed
// (the pipeline's drain hook), commits those offsets to Kafka synchronously, and only then
// lets the partitions go: the next owner starts exactly after what this engine counted.
// A group commit can be refused at exactly that moment (the coordinator rejects commits
// while the group rebalances, or is moving), so the same offsets are also produced to the
// hand-over topic (kafka.handover_topic, keyed <group>/<topic>/<partition>), which does not
// depend on the group's state; a new owner reads it on assignment and starts at
// max(own stored offset, group offset, handed-over offset).
// Records read but not yet handed over are dropped (their batch's generation is stale) and
// will be read again by the next owner.
//
// Backpressure: while the pipeline queue is full the source pauses its partitions and keeps
// polling (heartbeats, rebalances), so a slow engine does not leave the group.

#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/kafka/kafka.h"
#include "connectors/source/source.h"
#include "engine/base/result.h"

namespace yuqing::kafka {

// Reads the offset this engine stored for a partition key (nullopt = none).
using StoredOffset = std::function<std::optional<std::uint64_t>(const std::string& partition_key)>;

// registry: where yuqing_kafka_* metrics go (nullptr = none).
Result<std::unique_ptr<source::Source>, std::string> open_consumer(const KafkaOptions& options, StoredOffset stored,
                                                                  prometheus::Registry* registry);

// What a source made by open_consumer() owns now: the partitions of its topic assigned to it
// and the topic's partition count (0 = not known yet). Any thread (the HTTP API asks).
struct Ownership {
  bool assigned = false;  // false before the first assignment and while revoked
  std::vector<std::int32_t> partitions;
  std::int32_t partition_count = 0;
  std::uint64_t version = 0;  // changes at every assignment and revocation
};
Ownership consumer_ownership(const source::Source& source);

// State that lives with the partitions (the aggregate role's changelog, changelog.h). Both
// run on the source's poll thread inside the rebalance callback; an error stops the source
// (read() returns it), so the engine exits rather than count on a state it could not trust.
struct PartitionStateHooks {
  // On assignment, before the partitions' positions are read: make their state current.
  // With this hook the position stored with that state is the only one used (the group's
  // and the hand-over's are ignored when the state has one): the state and its offset
  // arrive together.
  std::function<Status<std::string>(const std::vector<std::int32_t>& partitions)> restore;
  // On revocation, after the pipeline drained: make the state durable for the next owner.
  std::function<Status<std::string>()> release;
  // At the end of an assignment (after restore): e.g. tell the others who owns what now.
  // An error is logged, not fatal.
  std::function<Status<std::string>(const std::vector<std::int32_t>& partitions)> assigned;
};
// For a source made by open_consumer(); set before the pipeline starts. No-op otherwise.
void set_partition_state_hooks(source::Source& source, PartitionStateHooks hooks);

// The partition a record keyed `key` goes to with librdkafka's default partitioner
// (consistent_random: CRC32 of the key modulo the partition count), as the match role's
// producer writes brand-keyed match records.
std::int32_t partition_of_key(std::string_view key, std::int32_t partition_count);

// The consumer group metadata of a source made by open_consumer(), for a transactional
// producer's send_offsets_to_transaction (the match role); nullptr for any other source.
// The caller destroys it with rd_kafka_consumer_group_metadata_destroy().
rd_kafka_consumer_group_metadata_t* consumer_group_metadata(source::Source& source);

}  // namespace yuqing::kafka
