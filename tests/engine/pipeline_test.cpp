// In-process pipeline: memory source -> parse -> a capturing stage -> state, with the
// dead-letter file and the metrics checked against the input.

#include "engine/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include "engine/parse/parse.h"
#include "tests/support/support.h"

namespace yuqing::pipeline {
namespace {

std::string good(int i) {
  return R"({"id":"weibo:)" + std::to_string(i) +
         R"(","platform":"weibo","created_at":"2026-11-01T08:00:00+08:00","text":"星曜手机 电池 )" +
         std::to_string(i) + R"("})";
}

class CaptureStage : public MentionStage {
 public:
  void on_mention(const Mention& m) override { ids.emplace_back(m.id); }
  void on_batch_commit(rocksdb::WriteBatch&) override { ++commits; }
  std::vector<std::string> ids;
  int commits = 0;
};

std::vector<std::string> reject_names() {
  std::vector<std::string> names;
  for (int i = 0; i < parse::kRejectCount; ++i) names.emplace_back(parse::reject_name(static_cast<parse::Reject>(i)));
  return names;
}

struct Harness {
  testing::TempDir dir;
  std::unique_ptr<state::StateStore> store;
  std::unique_ptr<dlq::FileSink> dlq;
  std::unique_ptr<metrics::Metrics> metrics;

  void open() {
    store = std::move(state::StateStore::open(dir.file("state")).value());
    dlq = std::move(dlq::FileSink::open(dir.file("dlq.jsonl"), store->load_meta(kDlqBytesKey).value_or(0)).value());
    metrics = std::make_unique<metrics::Metrics>(reject_names(), "memory");
  }
  void close() {
    dlq.reset();
    store.reset();
  }
  RunSummary run(std::vector<std::string> lines, CaptureStage& stage, std::size_t batch = 3) {
    PipelineOptions opts;
    opts.limits.max_records = batch;
    opts.limits.max_line_bytes = 1024;
    Pipeline p(opts, source::memory_source(std::move(lines), "memory:test"), *store, *dlq, *metrics);
    p.add_stage(&stage);
    EXPECT_TRUE(p.resume().ok());
    auto st = p.run();
    EXPECT_TRUE(st.ok()) << st.error();
    return p.summary();
  }
};

TEST(Pipeline, EveryLineIsProcessedOrDeadLettered) {
  Harness h;
  h.open();
  std::vector<std::string> lines = {good(1), "{\"id\":", good(2), "", std::string(2000, 'x'),
                                    R"({"id":"x:1","platform":"myspace","created_at":0,"text":"a"})", good(3)};
  CaptureStage stage;
  auto summary = h.run(lines, stage);
  EXPECT_EQ(summary.read, 6u);  // the blank line is not a record
  EXPECT_EQ(summary.blank_lines, 1u);
  EXPECT_EQ(summary.processed, 3u);
  EXPECT_EQ(summary.dead_lettered, 3u);
  EXPECT_EQ(summary.read, summary.processed + summary.dead_lettered);
  EXPECT_EQ(stage.ids, (std::vector<std::string>{"weibo:1", "weibo:2", "weibo:3"}));
  EXPECT_GE(stage.commits, 2);  // one commit per batch

  auto dlq = testing::read_lines(h.dir.file("dlq.jsonl"));
  ASSERT_EQ(dlq.size(), 3u);
  EXPECT_NE(dlq[0].find(R"("reason":"malformed_json")"), std::string::npos);
  EXPECT_NE(dlq[0].find(R"("raw":"{\"id\":")"), std::string::npos);
  EXPECT_NE(dlq[1].find(R"("reason":"too_large")"), std::string::npos);
  EXPECT_NE(dlq[1].find(R"("truncated":true)"), std::string::npos);
  EXPECT_NE(dlq[2].find(R"("reason":"bad_value")"), std::string::npos);

  EXPECT_EQ(h.metrics->total_input(), 6u);
  EXPECT_EQ(h.metrics->total_processed(), 3u);
  EXPECT_EQ(h.metrics->total_dead_lettered(), 3u);
  const auto text = h.metrics->scrape();
  EXPECT_NE(text.find("yuqing_dlq_total{reason=\"malformed_json\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("yuqing_mentions_processed_total{platform=\"weibo\"} 3"), std::string::npos);
}

TEST(Pipeline, RestartResumesAfterTheLastCommittedBatch) {
  Harness h;
  std::vector<std::string> lines;
  for (int i = 0; i < 10; ++i) lines.push_back(i % 4 == 3 ? "not json" : good(i));
  h.open();
  CaptureStage first;
  auto s1 = h.run(lines, first);
  EXPECT_EQ(s1.read, 10u);
  h.close();

  // Same input again (as after a restart): nothing is processed twice, nothing dead-lettered twice.
  h.open();
  CaptureStage second;
  auto s2 = h.run(lines, second);
  EXPECT_EQ(s2.resumed_from, 10u);
  EXPECT_EQ(s2.read, 0u);
  EXPECT_TRUE(second.ids.empty());
  EXPECT_EQ(testing::read_lines(h.dir.file("dlq.jsonl")).size(), 2u);
  h.close();

  // More input appended: only the new lines are read.
  lines.push_back(good(100));
  h.open();
  CaptureStage third;
  auto s3 = h.run(lines, third);
  EXPECT_EQ(s3.read, 1u);
  EXPECT_EQ(third.ids, (std::vector<std::string>{"weibo:100"}));
}

TEST(Pipeline, UncommittedDeadLettersAreCutBackOnStart) {
  Harness h;
  h.open();
  CaptureStage stage;
  h.run({"bad line", good(1)}, stage);
  h.close();
  // Simulate a crash after dead letters were written but before their batch was committed.
  {
    std::FILE* f = std::fopen(h.dir.file("dlq.jsonl").c_str(), "a");
    std::fputs("{\"reason\":\"uncommitted\"}\n", f);
    std::fclose(f);
  }
  h.open();
  auto lines = testing::read_lines(h.dir.file("dlq.jsonl"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("malformed_json"), std::string::npos);
}

TEST(Pipeline, DeadLettersOfARunThatNeverCommittedAreCut) {
  Harness h;
  // A run that died before its first commit left a record (maybe half of one) behind.
  testing::write_file(h.dir.file("dlq.jsonl"), "{\"reason\":\"malformed_json\",\"raw\":\"x");
  h.open();
  CaptureStage stage;
  h.run({"bad line", good(1)}, stage);
  auto lines = testing::read_lines(h.dir.file("dlq.jsonl"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("{\"reason\":\"malformed_json\",\"detail\"", 0), 0u) << lines[0];
}

}  // namespace
}  // namespace yuqing::pipeline
