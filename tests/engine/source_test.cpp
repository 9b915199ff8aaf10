#include "connectors/source/source.h"

#include <gtest/gtest.h>

#include "connectors/dlq/dlq.h"
#include "tests/support/support.h"

namespace yuqing::source {
namespace {

std::vector<std::string> read_all(Source& src, const ReadLimits& limits, std::vector<std::uint64_t>* offsets = nullptr,
                                  std::uint64_t* blanks = nullptr, std::vector<std::uint64_t>* sizes = nullptr) {
  std::vector<std::string> out;
  RecordBatch batch;
  for (int guard = 0; guard < 100000; ++guard) {
    batch.clear();
    EXPECT_TRUE(src.read(batch, limits).ok());
    for (const auto& r : batch.records) {
      out.emplace_back(batch.line(r));
      if (offsets) offsets->push_back(r.offset);
      if (sizes) sizes->push_back(r.full_size);
    }
    if (blanks) *blanks += batch.blank_lines;
    if (batch.end_of_input) break;
  }
  return out;
}

TEST(JsonlSource, SplitsLinesAndReportsOffsets) {
  testing::TempDir dir;
  testing::write_file(dir.file("in.jsonl"), "a\nbb\n\n  \nccc");  // blank lines skipped, last line has no '\n'
  auto src = open_jsonl(dir.file("in.jsonl"));
  ASSERT_TRUE(src.ok());
  std::vector<std::uint64_t> offsets;
  std::uint64_t blanks = 0;
  auto lines = read_all(**src, ReadLimits{}, &offsets, &blanks);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "bb", "ccc"}));
  EXPECT_EQ(offsets, (std::vector<std::uint64_t>{0, 2, 9}));
  EXPECT_EQ(blanks, 2u);
  EXPECT_EQ((*src)->key().rfind("file:/", 0), 0u);
}

TEST(JsonlSource, SeekResumesAfterACommittedPosition) {
  testing::TempDir dir;
  testing::write_file(dir.file("in.jsonl"), "one\ntwo\nthree\n");
  auto src = open_jsonl(dir.file("in.jsonl"));
  ASSERT_TRUE(src.ok());
  ASSERT_TRUE((*src)->seek(4).ok());
  EXPECT_EQ(read_all(**src, ReadLimits{}), (std::vector<std::string>{"two", "three"}));
  EXPECT_FALSE((*src)->seek(1000).ok());  // past the end: the file was replaced
}

TEST(JsonlSource, OverlongLineIsCutToAPrefixAndTheRestSkipped) {
  testing::TempDir dir;
  const std::string huge(5000, 'x');
  testing::write_file(dir.file("in.jsonl"), "ok1\n" + huge + "\nok2\n");
  auto src = open_jsonl(dir.file("in.jsonl"));
  ASSERT_TRUE(src.ok());
  ReadLimits limits;
  limits.max_line_bytes = 256;
  std::vector<std::uint64_t> sizes;
  auto lines = read_all(**src, limits, nullptr, nullptr, &sizes);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "ok1");
  EXPECT_LE(lines[1].size(), 2 * 256u + 2);  // bounded, whatever the line's length
  EXPECT_EQ(sizes[1], 5000u);
  EXPECT_EQ(lines[2], "ok2");
}

TEST(JsonlSource, BatchesRespectRecordLimits) {
  testing::TempDir dir;
  std::string data;
  for (int i = 0; i < 100; ++i) data += "line" + std::to_string(i) + "\n";
  testing::write_file(dir.file("in.jsonl"), data);
  auto src = open_jsonl(dir.file("in.jsonl"));
  ASSERT_TRUE(src.ok());
  ReadLimits limits;
  limits.max_records = 7;
  RecordBatch batch;
  ASSERT_TRUE((*src)->read(batch, limits).ok());
  EXPECT_EQ(batch.records.size(), 7u);
  EXPECT_EQ(batch.end_offset, std::string("line0\nline1\nline2\nline3\nline4\nline5\nline6\n").size());
}

TEST(DeadLetterFile, RecordsReasonAndRawBytesAndTruncatesOnReopen) {
  testing::TempDir dir;
  const auto path = dir.file("dlq.jsonl");
  std::uint64_t first_size = 0;
  {
    auto sink = dlq::FileSink::open(path, std::nullopt);
    ASSERT_TRUE(sink.ok());
    (*sink)->write({"malformed_json", "it is \"broken\"", "file:/in", 12, 5, "{\"a\":", false});
    ASSERT_TRUE((*sink)->flush().ok());
    first_size = (*sink)->size();
    (*sink)->write({"invalid_utf8", "bad bytes", "file:/in", 20, 3, "\xff\xfe!", false});
    ASSERT_TRUE((*sink)->flush().ok());
  }
  auto lines = testing::read_lines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            R"({"reason":"malformed_json","detail":"it is \"broken\"","source":"file:/in","offset":12,"size":5,"raw":"{\"a\":"})");
  EXPECT_NE(lines[1].find(R"("raw_base64":"//4h")"), std::string::npos) << lines[1];
  // Reopen as after a crash whose last batch was not committed: the second record goes.
  auto sink = dlq::FileSink::open(path, first_size);
  ASSERT_TRUE(sink.ok());
  EXPECT_EQ(testing::read_lines(path).size(), 1u);
}

TEST(DeadLetterFile, Utf8Validation) {
  EXPECT_TRUE(dlq::is_valid_utf8("plain 中文 😀"));
  EXPECT_FALSE(dlq::is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(dlq::is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(dlq::is_valid_utf8("\xe4\xb8"));          // truncated
  EXPECT_FALSE(dlq::is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

}  // namespace
}  // namespace yuqing::source
