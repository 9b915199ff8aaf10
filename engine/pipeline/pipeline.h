#pragma once
// The embedded pipeline: source -> (bounded queue) -> worker: parse -> stages -> one state
// commit per batch.
//
// Threads: a reader thread drives the Source and fills batches; the worker thread (the one
// that calls run()) parses, runs the stages, writes dead letters and commits. Batches cycle
// back to the reader through a free list, so the steady state allocates nothing per mention.
//
// Exactly-once: each batch's stage updates, the source position after it and the dead-letter
// file length go into one RocksDB WriteBatch. On start the source seeks to the stored
// position and the dead-letter file is cut back to the stored length.

#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/dlq/dlq.h"
#include "connectors/source/source.h"
#include "engine/base/result.h"
#include "engine/mention/mention.h"
#include "engine/metrics/metrics.h"
#include "engine/state/state.h"

namespace yuqing::pipeline {

// State key of the dead-letter file length committed with the last batch; the file is cut
// back to it on start (records past it belong to a batch that was never committed).
extern const std::string_view kDlqBytesKey;

// A stage after parsing (matcher, sentiment, windows, ...). All calls come from the worker
// thread, so a stage needs no locks for its own state.
class MentionStage {
 public:
  virtual ~MentionStage() = default;
  // A batch starts: the place to pick up reloaded configuration (once per batch, so every
  // mention of a batch sees the same version).
  virtual void on_batch_begin() {}
  // Where the next record came from (its partition and offset), just before on_mention() or
  // RecordHandler::on_record(); for stages whose output names its input (the match role).
  virtual void on_source_record(const source::Record& /*record*/) {}
  virtual void on_mention(const Mention& mention) = 0;
  // The batch is about to be committed: add this stage's state changes to `batch`.
  virtual void on_batch_commit(rocksdb::WriteBatch& /*batch*/) {}
  // After every stage's on_batch_commit and before the state commit, with the batch's input
  // positions: a stage whose output leaves the process (the match role's Kafka transaction)
  // makes it durable here. An error stops the pipeline before the state commit; the batch is
  // read and processed again after a restart.
  virtual Status<std::string> on_batch_publish(const source::RecordBatch& /*batch*/) { return {}; }
  // The batch's state commit is durable: wake whatever delivers what it carried (the alert
  // outbox), instead of letting it find out by polling.
  virtual void on_batch_committed() {}
  // Mentions this stage matched to at least one brand (for the run summary); 0 if n/a.
  virtual std::uint64_t matched() const { return 0; }
};

// Records that are not mentions (the aggregate role reads match records): a pipeline with a
// handler gives every record to it instead of the mention parser; stages still get their
// batch hooks. Worker thread only.
class RecordHandler {
 public:
  virtual ~RecordHandler() = default;
  struct Rejection {
    std::string reason;  // dead-letter reason
    std::string detail;
  };
  // nullopt: processed; else the record is dead-lettered with this reason.
  virtual std::optional<Rejection> on_record(std::string_view bytes) = 0;
};

struct PipelineOptions {
  source::ReadLimits limits;
  std::size_t queue_max_bytes = 64 << 20;
  bool exit_at_eof = true;  // false: at end of input keep polling for more (tailing)
};

struct RunSummary {
  std::uint64_t read = 0;           // input records this run
  std::uint64_t processed = 0;
  std::uint64_t dead_lettered = 0;
  std::uint64_t blank_lines = 0;
  std::uint64_t matched = 0;
  std::uint64_t alerts = 0;
  std::uint64_t resumed_from = 0;   // records already committed before this run
  std::string line() const;         // the one-line summary printed at exit
};

class Pipeline {
 public:
  Pipeline(PipelineOptions options, std::unique_ptr<source::Source> source, state::StateStore& state,
           dlq::Sink& dlq, metrics::Metrics& metrics);
  ~Pipeline();

  void add_stage(MentionStage* stage) { stages_.push_back(stage); }
  // Records go to `handler` instead of the mention parser (see RecordHandler).
  void set_record_handler(RecordHandler* handler) { handler_ = handler; }

  // Seeks the source to its stored position. Call once before run().
  Status<std::string> resume();
  // Processes until the input ends (with exit_at_eof) or stop() is called, then drains what
  // was read and commits it. An error means state could not be written: the batch that
  // failed was not committed and will be processed again after a restart.
  Status<std::string> run();
  // Asks run() to finish: stop reading, drain, commit. Safe from any thread.
  void stop();

  const RunSummary& summary() const { return summary_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<MentionStage*> stages_;
  RecordHandler* handler_ = nullptr;
  RunSummary summary_;
};

}  // namespace yuqing::pipeline
