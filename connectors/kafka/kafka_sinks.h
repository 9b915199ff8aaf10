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

#include <memory>
#include <string>

#include "connectors/alert_sinks/sink.h"
#include "connectors/dlq/dlq.h"
#include "connectors/kafka/kafka.h"

namespace yuqing::kafka {

Result<std::unique_ptr<dlq::Sink>, std::string> open_dlq_sink(const KafkaOptions& options);

Result<std::unique_ptr<alert_sinks::AlertSink>, std::string> open_alert_sink(const KafkaOptions& options,
                                                                            int timeout_ms);

}  // namespace yuqing::kafka
