#include "connectors/kafka/kafka_sinks.h"

#include "engine/alert/alert.h"

namespace yuqing::kafka {
namespace {

class DlqTopicSink final : public dlq::Sink {
 public:
  DlqTopicSink(std::unique_ptr<Producer> producer, std::string topic)
      : producer_(std::move(producer)), topic_(std::move(topic)) {}

  void write(const dlq::DeadLetter& letter) override {
    std::array<std::string, 3> numbers;
    const std::vector<Header> headers = dead_letter_headers(letter, numbers);
    // A produce error here (not a delivery failure) means the producer is unusable; flush()
    // reports it, so the batch is not committed.
    if (auto st = producer_->produce(topic_, {}, letter.raw, headers); !st && error_.empty()) error_ = st.error();
    ++written_;
  }

  Status<std::string> flush() override {
    if (!error_.empty()) return Unexpected{"dead-letter topic " + topic_ + ": " + error_};
    if (producer_->produced() == flushed_) return {};
    if (auto st = producer_->flush(60'000); !st) return Unexpected{"dead-letter topic " + topic_ + ": " + st.error()};
    flushed_ = producer_->produced();
    return {};
  }

  std::uint64_t size() const override { return written_; }
  bool stores_size() const override { return false; }

 private:
  std::unique_ptr<Producer> producer_;
  std::string topic_;
  std::string error_;
  std::uint64_t written_ = 0;
  std::uint64_t flushed_ = 0;
};

class AlertTopicSink final : public alert_sinks::AlertSink {
 public:
  AlertTopicSink(std::unique_ptr<Producer> producer, std::string topic, int timeout_ms)
      : producer_(std::move(producer)), topic_(std::move(topic)), timeout_ms_(timeout_ms) {}

  std::string_view name() const override { return "kafka"; }

  alert_sinks::DeliveryResult deliver(const alert::Alert& alert) override {
    const std::string json = alert::to_json(alert);
    if (auto st = producer_->produce(topic_, alert.brand, json); !st) return alert_sinks::DeliveryResult::retry(st.error());
    // The outbox deletes the entry on ok: answer only once Kafka has it.
    if (auto st = producer_->flush(timeout_ms_); !st) return alert_sinks::DeliveryResult::retry(st.error());
    return alert_sinks::DeliveryResult::ok();
  }

 private:
  std::unique_ptr<Producer> producer_;
  std::string topic_;
  int timeout_ms_;
};

}  // namespace

std::vector<Header> dead_letter_headers(const dlq::DeadLetter& letter, std::array<std::string, 3>& numbers) {
  numbers[0] = std::to_string(letter.partition);
  numbers[1] = std::to_string(letter.offset);
  numbers[2] = std::to_string(letter.size);
  return {{"yuqing.reason", letter.reason},  {"yuqing.detail", letter.detail},
          {"yuqing.source", letter.source},  {"yuqing.partition", numbers[0]},
          {"yuqing.offset", numbers[1]},     {"yuqing.size", numbers[2]},
          {"yuqing.truncated", letter.truncated ? "true" : "false"}};
}

Result<std::unique_ptr<dlq::Sink>, std::string> open_dlq_sink(const KafkaOptions& options) {
  auto producer = Producer::open(options);
  if (!producer) return Unexpected{producer.error()};
  return std::unique_ptr<dlq::Sink>(std::make_unique<DlqTopicSink>(std::move(*producer), options.dlq_topic));
}

Result<std::unique_ptr<alert_sinks::AlertSink>, std::string> open_alert_sink(const KafkaOptions& options,
                                                                            int timeout_ms) {
  auto producer = Producer::open(options);
  if (!producer) return Unexpected{producer.error()};
  return std::unique_ptr<alert_sinks::AlertSink>(
      std::make_unique<AlertTopicSink>(std::move(*producer), options.alerts_topic, timeout_ms));
}

}  // namespace yuqing::kafka
