// The scale-out roles in process, without Kafka: the same generated input through
//   (a) role all: MatchStage + AnalyzeStage, and
//   (b) role match (MatchStage + MatchEmitStage, records captured) and then role aggregate
//       (AggregateStage reading those records, with a replayed stretch in between),
// gives the same per-brand window totals, and the replayed records are dropped as duplicates.

#include <gtest/gtest.h>

#include <regex>

#include "connectors/dlq/dlq.h"
#include "connectors/source/source.h"
#include "engine/alert/service.h"
#include "engine/analyze/analyze_stage.h"
#include "engine/analyze/role_stages.h"
#include "engine/match/match_stage.h"
#include "engine/metrics/metrics.h"
#include "engine/parse/parse.h"
#include "engine/pipeline/pipeline.h"
#include "engine/state/state.h"
#include "engine/window/window.h"
#include "tests/support/support.h"

namespace yuqing {
namespace {

std::vector<std::string> reject_names() {
  std::vector<std::string> out;
  for (int i = 0; i < parse::kRejectCount; ++i) out.emplace_back(parse::reject_name(static_cast<parse::Reject>(i)));
  return out;
}

// One engine's state directory with windows and alerts, for a pipeline of one role.
struct Node {
  std::unique_ptr<state::StateStore> store;
  std::unique_ptr<dlq::FileSink> dlq;
  std::unique_ptr<metrics::Metrics> metrics;
  std::unique_ptr<window::WindowStore> windows;
  std::unique_ptr<alert::AlertService> alerts;
  std::uint64_t author_key = 0;

  Node(const testing::TempDir& dir, const std::string& name) {
    state::StateOptions o;
    o.extra_column_families = {std::string(window::kBucketsFamily), std::string(window::kTopFamily),
                               std::string(alert::kAlertsColumnFamily)};
    o.configure_column_family = [](const std::string& n, rocksdb::ColumnFamilyOptions& cf) {
      window::configure_column_family(n, cf);
    };
    store = std::move(state::StateStore::open(dir.file(name), o).value());
    dlq = std::move(dlq::FileSink::open(dir.file(name + ".dlq.jsonl"), std::nullopt).value());
    metrics = std::make_unique<metrics::Metrics>(reject_names(), "memory");
    windows = std::move(window::WindowStore::open(*store).value());
    alerts = std::make_unique<alert::AlertService>(*store, nullptr, metrics->registry());
    EXPECT_TRUE(alerts->restore());
    author_key = store->author_hash_key().value();
  }

  void run(std::vector<std::string> lines, const std::vector<pipeline::MentionStage*>& stages,
           pipeline::RecordHandler* handler = nullptr) {
    pipeline::PipelineOptions opts;
    opts.limits.max_records = 500;
    pipeline::Pipeline p(opts, source::memory_source(std::move(lines), "memory:test"), *store, *dlq, *metrics);
    for (auto* s : stages) {
      p.add_stage(s);
      s->on_batch_begin();
    }
    if (handler != nullptr) p.set_record_handler(handler);
    ASSERT_TRUE(p.run());
  }

  std::map<std::string, std::uint64_t> totals() const {
    std::map<std::string, std::uint64_t> out;
    for (const auto& b : windows->brands()) {
      const auto p = windows->total(b.id, 0, std::int64_t{4'000'000'000'000});
      out[b.id + " mentions"] = p.mentions;
      out[b.id + " negative"] = p.negative;
      out[b.id + " reach"] = p.reach;
      out[b.id + " stories"] = p.stories;
    }
    return out;
  }
};

TEST(Roles, MatchThenAggregateEqualsOneProcessAndDropsReplays) {
  testing::TempDir dir;
  const auto rules = (testing::source_dir() / "rules").string();
  auto gen = testing::run_process({testing::yuqing_binary(), "gen", "--rules", rules, "--seed", "5", "--count", "3000",
                                   "--bad-share", "0.02", "--scenario", rules + "/scenarios/demo-crisis.yaml", "--out",
                                   dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const auto lines = testing::read_lines(dir.file("in.jsonl"));
  auto bundle = analyze::load_bundle(rules);
  ASSERT_TRUE(bundle);
  const std::shared_ptr<const analyze::RulesBundle> rb = *bundle;
  auto current = [rb] { return rb; };

  // (a) role all.
  Node all(dir, "all");
  {
    match::MatchStage match([rb] { return rb->rules; }, all.metrics->registry());
    analyze::AnalyzeStage analyze(current, match, *all.windows, *all.alerts, all.author_key, all.metrics->registry());
    all.run(lines, {&match, &analyze});
  }

  // (b) role match: records captured in order (a memory source has no partitions: name the
  // input partition 0 so the aggregate side tracks replays as it does for Kafka).
  Node matcher(dir, "match");
  std::vector<std::string> records;
  std::size_t published = 0;
  {
    match::MatchStage match([rb] { return rb->rules; }, matcher.metrics->registry());
    analyze::MatchEmitStage emit(
        current, match, all.author_key, matcher.metrics->registry(),
        [&](std::string_view, std::string_view value) {
          std::string r(value);
          r.replace(r.find("\"src\":{\"p\":-1,"), 14, "\"src\":{\"p\":0,");
          records.push_back(std::move(r));
        },
        [&](const source::RecordBatch&) -> Status<std::string> {
          published = records.size();
          return {};
        });
    matcher.run(lines, {&match, &emit});
    EXPECT_EQ(emit.records(), records.size());
  }
  ASSERT_EQ(published, records.size());
  ASSERT_GT(records.size(), 2000u);

  // A replayed stretch (an aborted transaction a reader saw, then its retry) in the middle.
  std::vector<std::string> stream(records.begin(), records.begin() + 1500);
  stream.insert(stream.end(), records.begin() + 1200, records.end());
  Node agg(dir, "aggregate");
  {
    analyze::AggregateStage stage(current, *agg.windows, *agg.alerts, *agg.store, "yuqing.matches",
                                  agg.metrics->registry());
    agg.run(stream, {&stage}, &stage);
    EXPECT_EQ(stage.matched(), records.size());
  }
  EXPECT_NE(agg.metrics->scrape().find("yuqing_match_records_total{result=\"duplicate\"} 300"), std::string::npos);

  const auto want = all.totals();
  const auto got = agg.totals();
  EXPECT_EQ(got, want);
  std::uint64_t mentions = 0;
  for (const auto& [k, v] : want) {
    if (k.ends_with(" mentions")) mentions += v;
  }
  EXPECT_EQ(mentions, records.size());
}

}  // namespace
}  // namespace yuqing
