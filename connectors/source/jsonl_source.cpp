#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "connectors/source/source.h"

namespace yuqing::source {
namespace {

bool is_blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// Reads '\n'-separated lines from a file descriptor with a fixed-size buffer. A line longer
// than max_line_bytes is kept as a prefix of max_line_bytes + 1 bytes and the rest is
// skipped, so memory stays bounded whatever the input.
class FdLineSource final : public Source {
 public:
  FdLineSource(int fd, std::string key, bool regular) : fd_(fd), key_(std::move(key)), regular_(regular) {
    buf_.resize(1 << 20);
  }
  ~FdLineSource() override {
    if (fd_ > 0) ::close(fd_);
  }

  std::string key() const override { return key_; }
  bool resumable() const override { return regular_; }

  Status<std::string> seek(std::uint64_t offset) override {
    if (!regular_) return Unexpected{std::string("stdin cannot resume from a stored position")};
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return Unexpected{std::string("cannot stat input: ") + std::strerror(errno)};
    if (offset > static_cast<std::uint64_t>(st.st_size)) {
      return Unexpected{"stored position " + std::to_string(offset) + " is past the end of the input (" +
                        std::to_string(st.st_size) + " bytes): was the file replaced?"};
    }
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
      return Unexpected{std::string("cannot seek input: ") + std::strerror(errno)};
    }
    offset_ = offset;
    begin_ = end_ = 0;
    return {};
  }

  void stop() override { stopping_ = true; }

  Status<std::string> read(RecordBatch& batch, const ReadLimits& limits) override {
    if (buf_.size() < limits.max_line_bytes * 2 + 2) buf_.resize(limits.max_line_bytes * 2 + 2);
    if (regular_) eof_ = false;  // a file may have grown since (tailing)
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limits.max_delay_ms);
    auto full = [&] { return batch.records.size() >= limits.max_records || batch.bytes.size() >= limits.max_bytes; };
    while (true) {
      // Take every complete line in the buffer.
      while (begin_ < end_ && (skipping_ || !full())) {
        const char* start = buf_.data() + begin_;
        const void* nl = std::memchr(start, '\n', end_ - begin_);
        const std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : end_ - begin_;
        if (skipping_) {  // the rest of an over-long line: count it, keep none of it
          batch.records.back().full_size += len;
          offset_ += len + (nl ? 1 : 0);
          begin_ += len + (nl ? 1 : 0);
          if (nl) skipping_ = false;
          continue;
        }
        if (nl == nullptr) break;
        emit(batch, std::string_view(start, len), offset_, limits.max_line_bytes);
        begin_ += len + 1;
        offset_ += len + 1;
      }
      if (!skipping_ && full()) break;
      // A partial line longer than the limit: keep a prefix (enough to say too_large and show
      // what it was) and skip to its end, so the buffer never grows with the input.
      const std::size_t pending = end_ - begin_;
      if (!skipping_ && pending > limits.max_line_bytes) {
        Record r;
        r.offset = offset_;
        r.begin = static_cast<std::uint32_t>(batch.bytes.size());
        r.size = static_cast<std::uint32_t>(limits.max_line_bytes + 1);
        r.full_size = pending;
        batch.bytes.append(buf_.data() + begin_, r.size);
        batch.records.push_back(r);
        offset_ += pending;
        begin_ = end_ = 0;
        skipping_ = true;
      }
      compact();
      if (eof_) {
        if (skipping_) {
          skipping_ = false;
        } else if (begin_ < end_ && limits.final_line_without_newline) {  // a last line without '\n'
          const std::size_t len = end_ - begin_;
          emit(batch, std::string_view(buf_.data() + begin_, len), offset_, limits.max_line_bytes);
          offset_ += len;
          begin_ = end_ = 0;
        }
        batch.end_of_input = true;
        break;
      }
      // A file never blocks, so an over-long line is always finished inside this call and the
      // batch's end position never falls inside a line.
      if (!skipping_ && !batch.records.empty() && std::chrono::steady_clock::now() >= deadline) break;
      if (stopping_ && (!skipping_ || !regular_)) break;
      if (!fill(deadline)) return Unexpected{std::string("cannot read input: ") + std::strerror(errno)};
    }
    batch.end_offset = offset_;
    return {};
  }

 private:
  // Over-long lines keep max_line_bytes + 1 bytes: enough to say too_large and show what it was.
  static void emit(RecordBatch& batch, std::string_view line, std::uint64_t offset, std::size_t max_line_bytes) {
    if (line.size() <= max_line_bytes && is_blank(line)) {
      ++batch.blank_lines;
      return;
    }
    Record r;
    r.offset = offset;
    r.begin = static_cast<std::uint32_t>(batch.bytes.size());
    r.size = static_cast<std::uint32_t>(std::min(line.size(), max_line_bytes + 1));
    r.full_size = line.size();
    batch.bytes.append(line.substr(0, r.size));
    batch.records.push_back(r);
  }

  void compact() {
    if (begin_ == 0) return;
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }

  // Reads more bytes; waits at most until `deadline` on a pipe. False on I/O error.
  bool fill(std::chrono::steady_clock::time_point deadline) {
    if (!regular_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      const int wait_ms = static_cast<int>(std::max<long>(1, std::min<long>(left.count(), 200)));
      const int pr = ::poll(&p, 1, wait_ms);
      if (pr == 0) return true;
      if (pr < 0) return errno == EINTR;
    }
    const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0) return errno == EINTR;
    if (n == 0) eof_ = true;
    end_ += static_cast<std::size_t>(n);
    return true;
  }

  int fd_;
  std::string key_;
  bool regular_;
  std::string buf_;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t offset_ = 0;
  bool eof_ = false;
  bool skipping_ = false;
  std::atomic<bool> stopping_{false};
};

class MemorySource final : public Source {
 public:
  MemorySource(std::vector<std::string> lines, std::string key) : lines_(std::move(lines)), key_(std::move(key)) {}
  std::string key() const override { return key_; }
  bool resumable() const override { return true; }
  Status<std::string> seek(std::uint64_t offset) override {
    next_ = std::min<std::uint64_t>(offset, lines_.size());
    return {};
  }
  Status<std::string> read(RecordBatch& batch, const ReadLimits& limits) override {
    while (next_ < lines_.size() && batch.records.size() < limits.max_records && batch.bytes.size() < limits.max_bytes) {
      std::string_view line = lines_[next_++];
      if (is_blank(line)) { ++batch.blank_lines; continue; }
      Record r;
      r.offset = next_ - 1;
      r.begin = static_cast<std::uint32_t>(batch.bytes.size());
      r.size = static_cast<std::uint32_t>(std::min(line.size(), limits.max_line_bytes + 1));
      r.full_size = line.size();
      batch.bytes.append(line.substr(0, r.size));
      batch.records.push_back(r);
    }
    batch.end_offset = next_;
    batch.end_of_input = next_ >= lines_.size();
    return {};
  }

 private:
  std::vector<std::string> lines_;
  std::string key_;
  std::uint64_t next_ = 0;
};

}  // namespace

Result<std::unique_ptr<Source>, std::string> open_jsonl(const std::string& path) {
  if (path == "-") return std::unique_ptr<Source>(new FdLineSource(0, "stdin", false));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unexpected{"cannot open input " + path + ": " + std::strerror(errno)};
  struct stat st {};
  ::fstat(fd, &st);
  std::error_code ec;
  auto abs = std::filesystem::weakly_canonical(path, ec);
  const bool regular = S_ISREG(st.st_mode);
  return std::unique_ptr<Source>(new FdLineSource(fd, "file:" + (ec ? path : abs.string()), regular));
}

std::unique_ptr<Source> memory_source(std::vector<std::string> lines, std::string key) {
  return std::make_unique<MemorySource>(std::move(lines), std::move(key));
}

}  // namespace yuqing::source
