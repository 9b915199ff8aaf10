#pragma once
// Sources: where mention lines come from. A source fills reusable RecordBatch objects; the
// pipeline hands emptied batches back, so steady-state reading allocates nothing.
//
// Threading: a Source is driven by one thread (the pipeline's reader thread).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::source {

// One input line. Its bytes live in the owning batch's buffer.
struct Record {
  std::uint64_t offset = 0;      // where the record starts in its source (byte offset, index,
                                 // or the Kafka offset within `partition`)
  std::int32_t partition = -1;   // Kafka partition; -1 for single-stream sources
  std::uint32_t begin = 0;       // into RecordBatch::bytes
  std::uint32_t size = 0;        // bytes kept (a too-long line keeps only a prefix)
  std::uint64_t full_size = 0;   // the line's real length (> size when truncated)
  bool truncated() const { return full_size > size; }
};

// Where one partition of a partitioned source (Kafka) resumes after a batch.
struct PartitionEnd {
  std::int32_t partition = 0;
  std::uint64_t next_offset = 0;  // the offset of the next record to read
  std::uint64_t records = 0;      // records of this partition in the batch
};

// A batch of consecutive records and the source position right after the last one.
struct RecordBatch {
  std::string bytes;
  std::vector<Record> records;
  std::uint64_t end_offset = 0;   // resume position after this batch (single-stream sources)
  std::vector<PartitionEnd> partition_ends;  // partitioned sources: one entry per partition seen
  std::uint64_t generation = 0;   // the source's assignment generation when the batch was read
  std::uint64_t blank_lines = 0;  // whitespace-only lines skipped inside this batch
  bool end_of_input = false;      // the source has nothing more (now or ever)

  std::string_view line(const Record& r) const { return {bytes.data() + r.begin, r.size}; }
  void clear() {
    bytes.clear();
    records.clear();
    partition_ends.clear();
    blank_lines = 0;
    end_of_input = false;
  }
};

struct ReadLimits {
  std::size_t max_records = 4096;
  std::size_t max_bytes = 4 << 20;
  std::size_t max_line_bytes = 64 << 10;  // longer lines are cut to this prefix + 1 byte, flagged
  int max_delay_ms = 100;                 // return a partial batch after this long without data
  bool final_line_without_newline = true; // at end of input, take a last line that lacks '\n'
                                          // (false when tailing: the writer may be mid-line)
};

class Source {
 public:
  virtual ~Source() = default;
  // Stable identity of the input, used as the key of its stored position
  // ("file:/abs/path", "demo:seed=42", "stdin").
  virtual std::string key() const = 0;
  // Moves to a stored position. Returns an error when the position cannot be honoured.
  virtual Status<std::string> seek(std::uint64_t offset) = 0;
  // Whether seek works (stdin cannot rewind or skip reliably).
  virtual bool resumable() const = 0;
  // Appends records to `batch` (which is clear), sets end_offset; returns an error on I/O
  // failure. Sets batch.end_of_input when the input is exhausted.
  virtual Status<std::string> read(RecordBatch& batch, const ReadLimits& limits) = 0;
  // Asks a blocking read to return soon (shutdown).
  virtual void stop() {}

  // --- Partitioned sources (Kafka). Single-stream sources keep these defaults. ---
  // The state key of one partition's stored position ("" = not partitioned: key() is used).
  virtual std::string partition_key(std::int32_t /*partition*/) const { return {}; }
  // Called by the worker thread after a batch (and its positions) was committed to state.
  virtual void committed(const RecordBatch& /*batch*/) {}
  // The reader cannot hand over a batch because the pipeline is full: keep the session alive
  // (heartbeats, rebalances) without taking more records. Called repeatedly while full.
  virtual void wait_while_full() {}
  // Resumes taking records after wait_while_full().
  virtual void resume_taking() {}
  // Current assignment generation: a batch read under an older generation holds records of
  // partitions this engine no longer owns and must be dropped, not processed.
  virtual std::uint64_t generation() const { return 0; }
  // Installs the pipeline's "wait until every handed-over batch is committed" call, which a
  // partitioned source runs before letting partitions go (so the next owner starts exactly
  // after what this engine counted).
  using DrainHook = std::function<bool()>;  // false when the pipeline is stopping
  virtual void set_drain_hook(DrainHook /*hook*/) {}
};

// JSONL from a file or stdin ("-"). Lines end with '\n'; a final line without one counts.
Result<std::unique_ptr<Source>, std::string> open_jsonl(const std::string& path);

// A source that yields the given lines (tests, in-process pipelines).
std::unique_ptr<Source> memory_source(std::vector<std::string> lines, std::string key = "memory");

}  // namespace yuqing::source
