#pragma once
// Kafka-mode sinks: dead letters to a topic, alerts to a topic.
//
// Dead letters: the original bytes as the message value, the reason and where the record came
// from in headers (yuqing.reason, yuqing.detail, yuqing.source, yuqing.partition,
// yuqing.offset, yuqing.size, yuqing.truncated). flush() waits until Kafka has every letter,
// so the pipeline commits a batch's offsets only after its dead letters are safe. After a
// crash the uncommitted batch is read again and its letters produced again: the topic is
// at-least-once; (yuqing.source, yuqing.partition, yuqing.offset) identifies a record.
//
// Alerts: schemas/alert.schema.json documents keyed by brand (one brand's alerts stay in
// order on one partition), delivered through the durable outbox like every other sink.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "connectors/alert_sinks/sink.h"
#include "connectors/dlq/dlq.h"
#include "connectors/kafka/kafka.h"

namespace yuqing::kafka {

Result<std::unique_ptr<dlq::Sink>, std::string> open_dlq_sink(const KafkaOptions& options);

// The headers of a dead letter on a topic, as the DLQ topic sink writes them: yuqing.reason,
// yuqing.detail, yuqing.source, yuqing.partition, yuqing.offset, yuqing.size, yuqing.truncated.
// The views point into `letter` and into `numbers`, which keeps the numbers' text; both must
// outlive the produce() call. Shared with `yuqing connect file`, whose adapters dead-letter too.
std::vector<Header> dead_letter_headers(const dlq::DeadLetter& letter, std::array<std::string, 3>& numbers);

Result<std::unique_ptr<alert_sinks::AlertSink>, std::string> open_alert_sink(const KafkaOptions& options,
                                                                            int timeout_ms);

}  // namespace yuqing::kafka
