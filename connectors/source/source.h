#pragma once
// Sources: where mention lines come from. A source fills reusable RecordBatch objects; the
// pipeline hands emptied batches back, so steady-state reading allocates nothing.
//
// Threading: a Source is driven by one thread (the pipeline's reader thread).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::source {

// One input line. Its bytes live in the owning batch's buffer.
struct Record {
  std::uint64_t offset = 0;      // where the record starts in its source (byte offset or index)
  std::uint32_t begin = 0;       // into RecordBatch::bytes
  std::uint32_t size = 0;        // bytes kept (a too-long line keeps only a prefix)
  std::uint64_t full_size = 0;   // the line's real length (> size when truncated)
  bool truncated() const { return full_size > size; }
};

// A batch of consecutive records and the source position right after the last one.
struct RecordBatch {
  std::string bytes;
  std::vector<Record> records;
  std::uint64_t end_offset = 0;   // resume position after this batch
  std::uint64_t blank_lines = 0;  // whitespace-only lines skipped inside this batch
  bool end_of_input = false;      // the source has nothing more (now or ever)

  std::string_view line(const Record& r) const { return {bytes.data() + r.begin, r.size}; }
  void clear() {
    bytes.clear();
    records.clear();
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
};

// JSONL from a file or stdin ("-"). Lines end with '\n'; a final line without one counts.
Result<std::unique_ptr<Source>, std::string> open_jsonl(const std::string& path);

// A source that yields the given lines (tests, in-process pipelines).
std::unique_ptr<Source> memory_source(std::vector<std::string> lines, std::string key = "memory");

}  // namespace yuqing::source
