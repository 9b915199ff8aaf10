#include "engine/pipeline/pipeline.h"

#include <rocksdb/perf_level.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/base/log.h"
#include "engine/parse/parse.h"
#include "engine/pipeline/bounded_queue.h"

namespace yuqing::pipeline {

const std::string_view kDlqBytesKey = "dlq_bytes";

std::string RunSummary::line() const {
  return "summary: read=" + std::to_string(read) + " processed=" + std::to_string(processed) +
         " dead_lettered=" + std::to_string(dead_lettered) + " matched=" + std::to_string(matched) +
         " alerts=" + std::to_string(alerts) + " blank_lines=" + std::to_string(blank_lines) +
         " resumed_from=" + std::to_string(resumed_from);
}

struct Pipeline::Impl {
  PipelineOptions options;
  std::unique_ptr<source::Source> source;
  state::StateStore& state;
  dlq::Sink& dlq;
  metrics::Metrics& metrics;
  metrics::PipelineShard& shard;
  std::string source_key;
  parse::MentionParser parser;
  BoundedQueue<std::unique_ptr<source::RecordBatch>> queue;
  std::mutex free_mu;  // once per batch
  std::vector<std::unique_ptr<source::RecordBatch>> free_batches;
  std::atomic<bool> stopping{false};
  std::uint64_t committed_records = 0;  // records up to the stored position
  std::string reader_error;
  // Batches with records handed to the worker vs committed by it: a partitioned source waits
  // for the two to meet before giving partitions away (drain()). Touched once per batch.
  std::mutex drain_mu;
  std::condition_variable drain_cv;
  std::uint64_t handed = 0;
  std::uint64_t done = 0;
  bool worker_gone = false;

  Impl(PipelineOptions opts, std::unique_ptr<source::Source> src, state::StateStore& st, dlq::Sink& d,
       metrics::Metrics& m)
      : options(opts),
        source(std::move(src)),
        state(st),
        dlq(d),
        metrics(m),
        shard(m.add_shard()),
        source_key(source->key()),
        parser(parse::ParserOptions{opts.limits.max_line_bytes}),
        queue(opts.queue_max_bytes) {
    source->set_drain_hook([this] { return drain(); });
  }

  // Waits until every batch handed to the worker is committed. False if the worker stopped
  // first (then nothing more will be committed by this process).
  bool drain() {
    std::unique_lock lock(drain_mu);
    drain_cv.wait(lock, [&] { return done == handed || worker_gone || stopping; });
    return done == handed;
  }
  void batch_done(bool had_records) {
    if (!had_records) return;
    std::lock_guard lock(drain_mu);
    ++done;
    drain_cv.notify_all();
  }
  void worker_finished() {
    std::lock_guard lock(drain_mu);
    worker_gone = true;
    drain_cv.notify_all();
  }

  // Hands a batch to the worker. While the queue is full the source keeps its session alive
  // (a Kafka consumer pauses its partitions and goes on polling). A batch that a rebalance made
  // stale on the way is dropped: its records will be read again by their new owner.
  bool hand_over(std::unique_ptr<source::RecordBatch>& batch) {
    const std::size_t bytes = batch->bytes.size() + batch->records.size() * sizeof(source::Record);
    const bool has_records = !batch->records.empty();
    bool paused = false;
    for (;;) {
      if (batch->generation != source->generation()) {
        batch->clear();  // stale: nothing of it was processed
        if (paused) source->resume_taking();
        return true;
      }
      if (has_records) {
        std::lock_guard lock(drain_mu);
        ++handed;  // counted before the worker can see it
      }
      const auto r = queue.push_for(batch, bytes, std::chrono::milliseconds(100));
      if (r == BoundedQueue<std::unique_ptr<source::RecordBatch>>::PushResult::pushed) break;
      if (has_records) {
        std::lock_guard lock(drain_mu);
        --handed;
        drain_cv.notify_all();
      }
      if (r == BoundedQueue<std::unique_ptr<source::RecordBatch>>::PushResult::closed) return false;
      if (stopping) return false;
      if (!paused) {
        paused = true;
        metrics.source_paused().Increment();
      }
      source->wait_while_full();
    }
    if (paused) source->resume_taking();
    metrics.queue_pushed().Increment();
    metrics.queue_bytes().Set(static_cast<double>(queue.bytes()));
    return true;
  }

  std::unique_ptr<source::RecordBatch> take_free() {
    std::lock_guard lock(free_mu);
    if (free_batches.empty()) return std::make_unique<source::RecordBatch>();
    auto b = std::move(free_batches.back());
    free_batches.pop_back();
    return b;
  }
  void give_back(std::unique_ptr<source::RecordBatch> b) {
    std::lock_guard lock(free_mu);
    free_batches.push_back(std::move(b));
  }

  void read_loop() {
    // While the input is idle an empty batch goes through once a second, so stages that act on
    // time (alert evaluation of committed windows) still get their commit.
    auto last_push = std::chrono::steady_clock::now();
    while (!stopping) {
      auto batch = take_free();
      batch->clear();
      auto st = source->read(*batch, options.limits);
      if (!st) {
        reader_error = st.error();
        break;
      }
      const bool eof = batch->end_of_input;
      const auto now = std::chrono::steady_clock::now();
      const bool idle_tick = !options.exit_at_eof && now - last_push >= std::chrono::seconds(1);
      if (!batch->records.empty() || batch->blank_lines > 0 || idle_tick) {
        last_push = now;
        if (!hand_over(batch)) break;
        if (batch) give_back(std::move(batch));  // a stale batch came back
      } else {
        give_back(std::move(batch));
      }
      if (eof) {
        if (options.exit_at_eof) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // tailing: wait for more
      }
    }
    queue.close();
  }

  void dead_letter(parse::Reject reason, std::string_view detail, const source::Record& r, std::string_view raw) {
    dead_letter(parse::reject_name(reason), detail, r, raw);
    shard.dead_lettered[static_cast<std::size_t>(reason)].add();
  }
  void dead_letter(std::string_view reason, std::string_view detail, const source::Record& r, std::string_view raw) {
    dlq::DeadLetter letter;
    letter.reason = reason;
    letter.detail = detail;
    letter.source = source_key;
    letter.offset = r.offset;
    letter.partition = r.partition;
    letter.size = r.full_size;
    letter.raw = raw;
    letter.truncated = r.truncated();
    dlq.write(letter);
  }

  Status<std::string> process(const source::RecordBatch& batch, std::vector<MentionStage*>& stages,
                              RecordHandler* handler, RunSummary& summary) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    for (auto* stage : stages) stage->on_batch_begin();
    for (const auto& r : batch.records) {
      const std::string_view line = batch.line(r);
      if (r.truncated()) {
        const std::string detail = "the line is " + std::to_string(r.full_size) + " bytes; the limit is " +
                                   std::to_string(options.limits.max_line_bytes);
        dead_letter(parse::Reject::too_large, detail, r, line);
        ++summary.dead_lettered;
        continue;
      }
      for (auto* stage : stages) stage->on_source_record(r);
      if (handler != nullptr) {
        if (auto rejected = handler->on_record(line)) {
          dead_letter(rejected->reason, rejected->detail, r, line);
          for (int i = 0; i < parse::kRejectCount; ++i) {
            if (parse::reject_name(static_cast<parse::Reject>(i)) == rejected->reason) shard.dead_lettered[i].add();
          }
          ++summary.dead_lettered;
        } else {
          ++summary.processed;
        }
        continue;
      }
      auto parsed = parser.parse(line);
      if (!parsed) {
        dead_letter(parsed.error().reason, parsed.error().detail, r, line);
        ++summary.dead_lettered;
        continue;
      }
      const Mention& m = *parsed;
      shard.processed[static_cast<std::size_t>(m.platform)].add();
      shard.event_lag_seconds.observe(static_cast<double>(now_ms - m.created_at_ms) / 1000.0);
      for (auto* stage : stages) stage->on_mention(m);
      ++summary.processed;
    }
    summary.read += batch.records.size();
    summary.blank_lines += batch.blank_lines;
    shard.input_records.add(batch.records.size());
    shard.blank_lines.add(batch.blank_lines);

    // Dead letters reach the OS before the position that covers them is committed.
    if (auto st = dlq.flush(); !st) return st;
    const auto t0 = std::chrono::steady_clock::now();
    rocksdb::WriteBatch wb;
    for (auto* stage : stages) stage->on_batch_commit(wb);
    for (auto* stage : stages) {
      if (auto st = stage->on_batch_publish(batch); !st) return st;
    }
    committed_records += batch.records.size();
    if (batch.partition_ends.empty()) {
      state.put_position(wb, source_key, {batch.end_offset, committed_records});
    } else {
      for (const auto& end : batch.partition_ends) {
        state.put_position(wb, source->partition_key(end.partition), {end.next_offset, 0});
      }
    }
    if (dlq.stores_size()) state.put_meta(wb, kDlqBytesKey, dlq.size());
    if (auto st = state.commit(wb); !st) return st;
    for (auto* stage : stages) stage->on_batch_committed();
    source->committed(batch);
    shard.batch_commit_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    shard.batches.add();
    return {};
  }
};

Pipeline::Pipeline(PipelineOptions options, std::unique_ptr<source::Source> source, state::StateStore& state,
                   dlq::Sink& dlq, metrics::Metrics& metrics)
    : impl_(std::make_unique<Impl>(options, std::move(source), state, dlq, metrics)) {}

Pipeline::~Pipeline() = default;

Status<std::string> Pipeline::resume() {
  auto pos = impl_->state.load_position(impl_->source_key);
  if (!pos) return {};
  if (!impl_->source->resumable()) {
    log::warn("Input {} cannot resume from a stored position; reading it from its start.", impl_->source_key);
    return {};
  }
  if (auto st = impl_->source->seek(pos->offset); !st) return st;
  impl_->committed_records = pos->records;
  summary_.resumed_from = pos->records;
  log::info("Resuming {} after {} records (position {}).", impl_->source_key, pos->records, pos->offset);
  return {};
}

Status<std::string> Pipeline::run() {
  auto& impl = *impl_;
  // RocksDB's per-thread perf context counts every key comparison by default (kEnableCount):
  // a thread-local access per comparison of the memtable inserts of each commit, ~10 % of a
  // commit's CPU with 1,000 brands. Nothing reads those counters; off on this (the worker)
  // thread while it runs.
  struct PerfLevelOff {
    rocksdb::PerfLevel before = rocksdb::GetPerfLevel();
    PerfLevelOff() { rocksdb::SetPerfLevel(rocksdb::kDisable); }
    ~PerfLevelOff() { rocksdb::SetPerfLevel(before); }
  } perf_level_off;
  impl.options.limits.final_line_without_newline = impl.options.exit_at_eof;
  std::thread reader([&impl] { impl.read_loop(); });
  Status<std::string> result;
  // A progress line every 10 s, so a person watching the log sees the stream move.
  auto last_log = std::chrono::steady_clock::now();
  RunSummary at_last_log;
  while (auto batch = impl.queue.pop()) {
    impl.metrics.queue_popped().Increment();
    impl.metrics.queue_bytes().Set(static_cast<double>(impl.queue.bytes()));
    result = impl.process(**batch, stages_, handler_, summary_);
    const bool had_records = !(*batch)->records.empty();
    impl.give_back(std::move(*batch));
    if (result) impl.batch_done(had_records);
    if (const auto now = std::chrono::steady_clock::now(); now - last_log >= std::chrono::seconds(10)) {
      std::uint64_t matched = 0;
      for (auto* stage : stages_) matched += stage->matched();
      const double secs = std::chrono::duration<double>(now - last_log).count();
      log::info("Progress: {} read ({:.0f}/s), {} processed, {} dead-lettered, {} matched to brands.", summary_.read,
                static_cast<double>(summary_.read - at_last_log.read) / secs, summary_.processed,
                summary_.dead_lettered, matched);
      last_log = now;
      at_last_log = summary_;
    }
    if (!result) {
      impl.stopping = true;
      impl.source->stop();
      impl.queue.close();
      break;
    }
  }
  impl.worker_finished();
  reader.join();
  for (auto* stage : stages_) summary_.matched += stage->matched();
  if (result && !impl.reader_error.empty()) return Unexpected{impl.reader_error};
  return result;
}

void Pipeline::stop() {
  impl_->stopping = true;
  impl_->source->stop();
  std::lock_guard lock(impl_->drain_mu);
  impl_->drain_cv.notify_all();
}

}  // namespace yuqing::pipeline
