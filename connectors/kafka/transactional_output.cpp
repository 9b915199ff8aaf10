#include "connectors/kafka/transactional_output.h"

#include <array>

#include "connectors/kafka/kafka_sinks.h"
#include "connectors/kafka/kafka_source.h"
#include "engine/base/log.h"

namespace yuqing::kafka {
namespace {

constexpr int kTimeoutMs = 60'000;
constexpr int kAttempts = 5;

struct ErrorDeleter {
  void operator()(rd_kafka_error_t* e) const {
    if (e != nullptr) rd_kafka_error_destroy(e);
  }
};
using Error = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;

class TransactionalDlqSink final : public dlq::Sink {
 public:
  TransactionalDlqSink(TransactionalOutput& out, std::string topic) : out_(out), topic_(std::move(topic)) {}
  void write(const dlq::DeadLetter& letter) override {
    std::array<std::string, 3> numbers;
    out_.add(topic_, {}, letter.raw, dead_letter_headers(letter, numbers));
    ++written_;
  }
  // The letters leave with the batch's transaction (TransactionalOutput::commit).
  Status<std::string> flush() override { return {}; }
  std::uint64_t size() const override { return written_; }
  bool stores_size() const override { return false; }

 private:
  TransactionalOutput& out_;
  std::string topic_;
  std::uint64_t written_ = 0;
};

}  // namespace

Result<std::unique_ptr<TransactionalOutput>, std::string> TransactionalOutput::open(const KafkaOptions& options,
                                                                                   std::string transactional_id) {
  auto producer = Producer::open(options, {{"transactional.id", std::move(transactional_id)},
                                           {"transaction.timeout.ms", "60000"},
                                           {"message.timeout.ms", "60000"}});
  if (!producer) return Unexpected{producer.error()};
  std::unique_ptr<TransactionalOutput> out(new TransactionalOutput());
  out->producer_ = std::move(*producer);
  if (Error e{rd_kafka_init_transactions(out->producer_->handle(), kTimeoutMs)}) {
    return Unexpected{std::string("Kafka transactions cannot start (init_transactions): ") + rd_kafka_error_string(e.get())};
  }
  return out;
}

TransactionalOutput::~TransactionalOutput() = default;

void TransactionalOutput::add(std::string_view topic, std::string_view key, std::string_view value,
                              const std::vector<Header>& headers) {
  if (used_ == entries_.size()) entries_.emplace_back();
  Entry& e = entries_[used_++];
  e.topic.assign(topic);
  e.key.assign(key);
  e.value.assign(value);
  e.headers.clear();
  for (const auto& h : headers) e.headers.emplace_back(h.name, h.value);
}

std::unique_ptr<dlq::Sink> TransactionalOutput::dlq_sink(std::string topic) {
  return std::make_unique<TransactionalDlqSink>(*this, std::move(topic));
}

Status<std::string> TransactionalOutput::commit(const source::RecordBatch& batch, const std::string& input_topic,
                                                source::Source& consumer) {
  if (used_ == 0 && batch.partition_ends.empty()) return {};  // an idle tick: nothing to say
  for (int n = 1;; ++n) {
    bool retry = false;
    auto st = attempt(batch, input_topic, consumer, retry);
    if (st) {
      ++transactions_;
      used_ = 0;
      return {};
    }
    if (!retry || n == kAttempts) return st;
    ++aborts_;
    log::warn("Kafka transaction aborted ({}); producing the batch again (attempt {} of {}).", st.error(), n + 1,
              kAttempts);
  }
}

Status<std::string> TransactionalOutput::attempt(const source::RecordBatch& batch, const std::string& input_topic,
                                                 source::Source& consumer, bool& retry) {
  rd_kafka_t* rk = producer_->handle();
  // An error that needs an abort is retried after aborting; a retriable one as is; the rest
  // (fatal: fenced, unrecoverable) stop the pipeline.
  auto fail = [&](rd_kafka_error_t* raw, std::string_view step) -> Status<std::string> {
    Error e(raw);
    const std::string what = std::string(step) + ": " + rd_kafka_error_string(e.get());
    if (rd_kafka_error_txn_requires_abort(e.get())) {
      if (Error a{rd_kafka_abort_transaction(rk, kTimeoutMs)}) {
        return Unexpected{what + "; abort failed: " + rd_kafka_error_string(a.get())};
      }
      retry = true;
    } else if (rd_kafka_error_is_retriable(e.get())) {
      // The transaction may still be open: abort it so the retry starts clean.
      Error a{rd_kafka_abort_transaction(rk, kTimeoutMs)};
      retry = true;
    }
    return Unexpected{what};
  };
  if (rd_kafka_error_t* e = rd_kafka_begin_transaction(rk)) return fail(e, "begin_transaction");
  for (std::size_t i = 0; i < used_; ++i) {
    const Entry& en = entries_[i];
    std::vector<Header> headers;
    headers.reserve(en.headers.size());
    for (const auto& [k, v] : en.headers) headers.push_back({k, v});
    if (auto st = producer_->produce(en.topic, en.key, en.value, headers); !st) {
      Error a{rd_kafka_abort_transaction(rk, kTimeoutMs)};
      retry = true;
      return Unexpected{st.error()};
    }
  }
  if (!batch.partition_ends.empty()) {
    std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)> offsets(
        rd_kafka_topic_partition_list_new(static_cast<int>(batch.partition_ends.size())),
        &rd_kafka_topic_partition_list_destroy);
    for (const auto& end : batch.partition_ends) {
      rd_kafka_topic_partition_list_add(offsets.get(), input_topic.c_str(), end.partition)->offset =
          static_cast<std::int64_t>(end.next_offset);
    }
    rd_kafka_consumer_group_metadata_t* group = consumer_group_metadata(consumer);
    if (group == nullptr) return Unexpected{std::string("the match role needs a Kafka consumer as its source")};
    rd_kafka_error_t* e = rd_kafka_send_offsets_to_transaction(rk, offsets.get(), group, kTimeoutMs);
    rd_kafka_consumer_group_metadata_destroy(group);
    if (e != nullptr) return fail(e, "send_offsets_to_transaction");
  }
  if (rd_kafka_error_t* e = rd_kafka_commit_transaction(rk, kTimeoutMs)) return fail(e, "commit_transaction");
  return {};
}

}  // namespace yuqing::kafka
