#pragma once
// Dead-letter sink: every rejected input record, with its original bytes and the reason.
//
// Embedded mode writes JSONL, one object per rejected record:
//   {"reason":"bad_timestamp","detail":"...","source":"file:/in.jsonl","offset":1234,
//    "size":88,"raw":"<original line>"}
// When the original bytes are not valid UTF-8 they go in "raw_base64" instead of "raw";
// a too-long line keeps its first bytes and says "truncated":true with its real "size".
//
// Exactly-once with the state store: the pipeline records the file's length in the same
// RocksDB batch as the source position, and on start truncate_to() cuts off records written
// after the last committed batch (they will be written again when the input is replayed).
//
// Threading: one writer thread.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/result.h"

namespace yuqing::dlq {

struct DeadLetter {
  std::string_view reason;   // a parse::Reject name
  std::string_view detail;   // a sentence for people
  std::string_view source;   // source key
  std::uint64_t offset = 0;  // position of the record in its source (byte offset, index, Kafka offset)
  std::uint64_t size = 0;    // the record's real length
  std::string_view raw;      // the bytes kept (a prefix when truncated)
  bool truncated = false;
  std::int32_t partition = -1;  // Kafka partition of the record; -1 for single-stream sources
};

// Where dead letters go: a JSONL file (embedded mode) or a Kafka topic (Kafka mode).
// write() buffers; flush() makes everything written so far durable in the sink (the pipeline
// calls it before committing the position that covers those records).
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const DeadLetter& letter) = 0;
  virtual Status<std::string> flush() = 0;
  // A monotonic measure of what was written (bytes for a file), stored with each commit.
  virtual std::uint64_t size() const = 0;
  // Whether size() is stored with the state (a file is cut back to it on start). A topic
  // cannot be cut back, so it keeps the file's stored length untouched.
  virtual bool stores_size() const { return true; }
};

class FileSink final : public Sink {
 public:
  // Opens (creating) the file for appending; when keep_bytes is set, first cuts the file to
  // that length (records past it were never committed).
  static Result<std::unique_ptr<FileSink>, std::string> open(const std::string& path,
                                                            std::optional<std::uint64_t> keep_bytes);
  ~FileSink();
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  void write(const DeadLetter& letter) override;
  // Pushes buffered records to the OS; returns an error if the disk refused them.
  Status<std::string> flush() override;
  // Bytes in the file, including buffered ones (valid after flush()).
  std::uint64_t size() const override { return size_; }
  const std::string& path() const { return path_; }

 private:
  FileSink() = default;
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string line_;  // reused
  std::uint64_t size_ = 0;
  bool failed_ = false;
};

void append_base64(std::string& out, std::string_view bytes);
bool is_valid_utf8(std::string_view s);

}  // namespace yuqing::dlq
