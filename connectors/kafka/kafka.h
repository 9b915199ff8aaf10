#pragma once
// Kafka plumbing shared by the engine's Kafka mode and the connectors: configuration with
// librdkafka property pass-through, and a producer whose delivery reports are checked.
//
// Conventions (docs/kafka.md): mentions on `mentions` keyed by mention id, dead letters on
// `mentions.dlq` with the reason in headers, alerts on `alerts` keyed by brand; the engine
// consumes in the consumer group `yuqing`.

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::kafka {

using Properties = std::vector<std::pair<std::string, std::string>>;

struct KafkaOptions {
  std::string brokers;                  // bootstrap.servers
  std::string topic = "mentions";       // mentions in
  std::string group = "yuqing";         // consumer group of the engines
  std::string dlq_topic = "mentions.dlq";
  std::string alerts_topic = "alerts";  // "" = no Kafka alert sink
  // Match role -> aggregate role: one enriched record per (mention, brand), keyed by brand
  // (docs/scaling.md).
  std::string matches_topic = "yuqing.matches";
  // Where an engine publishes the offsets it committed to its state when it lets partitions
  // go, for the next owner (see kafka_source.h). Key "<group>/<topic>/<partition>".
  std::string handover_topic = "yuqing.handover";
  Properties properties;                // librdkafka properties, applied last (they win)
};

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const;
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const;
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// The partition count of `topic` per the cluster's metadata (partition ids are 0..n-1); an
// error when the topic does not exist or the metadata cannot be read within timeout_ms.
Result<std::int32_t, std::string> topic_partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms = 5000);

// A configuration: bootstrap.servers, then `defaults`, then the user's properties. A property
// librdkafka refuses comes back as an error naming it, with librdkafka's own explanation.
// The caller owns the returned conf (rd_kafka_new takes it over).
Result<rd_kafka_conf_t*, std::string> make_conf(const KafkaOptions& options, const Properties& defaults);

struct Header {
  std::string_view name;
  std::string_view value;
};

// An idempotent producer (acks=all, lz4, retries) that counts its delivery reports.
// produce() never drops: when librdkafka's local queue is full it serves delivery reports and
// tries again. flush() waits for every message produced so far and fails when any of them
// could not be delivered since the previous flush().
// Threading: one thread produces; flush() from the same thread.
class Producer {
 public:
  static Result<std::unique_ptr<Producer>, std::string> open(const KafkaOptions& options, Properties defaults = {});
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  Status<std::string> produce(std::string_view topic, std::string_view key, std::string_view value,
                              const std::vector<Header>& headers = {});
  // To one partition; nullopt value = a tombstone (deletes the key in a compacted topic).
  Status<std::string> produce_to(std::string_view topic, std::int32_t partition, std::string_view key,
                                 std::optional<std::string_view> value);
  Status<std::string> flush(int timeout_ms);
  // Serves delivery reports without waiting.
  void poll() { rd_kafka_poll(rk_.get(), 0); }

  std::uint64_t produced() const { return produced_; }
  std::uint64_t delivered() const { return delivered_.load(); }
  std::uint64_t failed() const { return failed_.load(); }
  rd_kafka_t* handle() { return rk_.get(); }

 private:
  Producer() = default;
  Status<std::string> produce_impl(std::string_view topic, std::int32_t partition, std::string_view key,
                                   const char* value, std::size_t value_size, const std::vector<Header>& headers);
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque);
  Handle rk_;
  std::uint64_t produced_ = 0;
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::uint64_t failed_reported_ = 0;  // failures already reported by flush()
  std::string first_error_;  // written by the delivery callback (same thread as poll/flush)
};

}  // namespace yuqing::kafka
