#include "connectors/dlq/dlq.h"

#include "engine/base/text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace yuqing::dlq {

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p;
    if (c < 0x80) { ++p; continue; }
    int n = 0;
    unsigned cp = 0;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; if (c < 0xC2) return false; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; if (c > 0xF4) return false; }
    else return false;
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = b[i] << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (b[i] << 16) | (b[i + 1] << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
}

Result<std::unique_ptr<FileSink>, std::string> FileSink::open(const std::string& path,
                                                              std::optional<std::uint64_t> keep_bytes) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Unexpected{"cannot open dead-letter file " + path + ": " + std::strerror(errno)};
  struct stat st {};
  ::fstat(fd, &st);
  std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  if (keep_bytes && *keep_bytes < size) {
    if (::ftruncate(fd, static_cast<off_t>(*keep_bytes)) != 0) {
      ::close(fd);
      return Unexpected{"cannot truncate dead-letter file " + path + ": " + std::strerror(errno)};
    }
    size = *keep_bytes;
  }
  std::unique_ptr<FileSink> sink(new FileSink());
  sink->file_ = ::fdopen(fd, "a");
  if (sink->file_ == nullptr) {
    ::close(fd);
    return Unexpected{"cannot open dead-letter file " + path + ": " + std::strerror(errno)};
  }
  sink->path_ = path;
  sink->size_ = size;
  return sink;
}

FileSink::~FileSink() {
  if (file_ != nullptr) std::fclose(file_);
}

void FileSink::write(const DeadLetter& letter) {
  line_.clear();
  line_ += "{\"reason\":\"";
  text::append_json_escaped(line_, letter.reason);
  line_ += "\",\"detail\":\"";
  text::append_json_escaped(line_, letter.detail);
  line_ += "\",\"source\":\"";
  text::append_json_escaped(line_, letter.source);
  if (letter.partition >= 0) {
    line_ += "\",\"partition\":";
    line_ += std::to_string(letter.partition);
    line_ += ",\"offset\":";
  } else {
    line_ += "\",\"offset\":";
  }
  line_ += std::to_string(letter.offset);
  line_ += ",\"size\":";
  line_ += std::to_string(letter.size);
  if (letter.truncated) line_ += ",\"truncated\":true";
  if (is_valid_utf8(letter.raw)) {
    line_ += ",\"raw\":\"";
    text::append_json_escaped(line_, letter.raw);
  } else {
    line_ += ",\"raw_base64\":\"";
    append_base64(line_, letter.raw);
  }
  line_ += "\"}\n";
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) failed_ = true;
  size_ += line_.size();
}

Status<std::string> FileSink::flush() {
  if (std::fflush(file_) != 0 || failed_) {
    failed_ = false;
    return Unexpected{"cannot write dead-letter file " + path_ + ": " + std::strerror(errno)};
  }
  return {};
}

}  // namespace yuqing::dlq
