#pragma once
// The match role's output (docs/scaling.md): the match records and dead letters of one
// pipeline batch are buffered, then produced in ONE Kafka transaction together with the
// consumer's input offsets after that batch (send_offsets_to_transaction with the consumer's
// group metadata). Either the batch's output and its input position both become visible
// (read_committed readers), or neither does.
//
// Errors: an abortable transaction error aborts the transaction and produces the buffered
// batch again in a new one (up to 5 times); a fatal one (fenced by a newer instance with the
// same transactional.id, an unrecoverable producer) is returned, the pipeline stops without
// committing the batch, and a restart reads it again from the last committed offsets.
//
// Threading: the pipeline worker thread only.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/dlq/dlq.h"
#include "connectors/kafka/kafka.h"
#include "connectors/source/source.h"
#include "engine/base/result.h"

namespace yuqing::kafka {

class TransactionalOutput {
 public:
  // transactional_id: stable per instance (a restarted instance fences its earlier self).
  // init_transactions runs here; an unreachable coordinator fails the start.
  static Result<std::unique_ptr<TransactionalOutput>, std::string> open(const KafkaOptions& options,
                                                                       std::string transactional_id);
  ~TransactionalOutput();
  TransactionalOutput(const TransactionalOutput&) = delete;
  TransactionalOutput& operator=(const TransactionalOutput&) = delete;

  // Buffers one record for the current batch.
  void add(std::string_view topic, std::string_view key, std::string_view value,
           const std::vector<Header>& headers = {});
  // Produces the buffered records and commits the offsets after `batch` (its partition_ends of
  // `input_topic`) in one transaction, through `consumer` (a Kafka source: its group metadata).
  Status<std::string> commit(const source::RecordBatch& batch, const std::string& input_topic,
                             source::Source& consumer);

  // A dead-letter sink whose letters join the current batch's transaction.
  std::unique_ptr<dlq::Sink> dlq_sink(std::string topic);

  std::uint64_t transactions() const { return transactions_; }
  std::uint64_t aborts() const { return aborts_; }

 private:
  TransactionalOutput() = default;
  struct Entry {
    std::string topic, key, value;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  Status<std::string> attempt(const source::RecordBatch& batch, const std::string& input_topic,
                              source::Source& consumer, bool& retry);
  std::unique_ptr<Producer> producer_;
  std::vector<Entry> entries_;
  std::size_t used_ = 0;  // entries_[0, used_) belong to the current batch (reused storage)
  std::uint64_t transactions_ = 0;
  std::uint64_t aborts_ = 0;
};

}  // namespace yuqing::kafka
