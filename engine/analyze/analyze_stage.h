#pragma once
// AnalyzeStage: what happens to a mention after the matcher found its brands. Per mention it
// scores sentiment once (MatchAnalyzer), then for each matched brand adds a window update (and
// a top-mention candidate) and tells the alert service about it (BrandAggregator); per batch
// it flushes the window aggregates and lets the alert service evaluate, both into the batch's
// one WriteBatch. The halves are separate pieces (brand_match.h) so the match and aggregate
// roles of `yuqing run` use the same code across a Kafka topic.
//
// Threading: pipeline worker thread only. Rule reloads are picked up at batch begin.

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "engine/alert/evaluator.h"
#include "engine/alert/service.h"
#include "engine/analyze/brand_match.h"
#include "engine/analyze/bundle.h"
#include "engine/match/match_stage.h"
#include "engine/pipeline/pipeline.h"
#include "engine/sentiment/sentiment.h"
#include "engine/window/window.h"

namespace yuqing::analyze {

// The alert detectors' view of the window store: counts and baselines from the store's recent
// buckets in memory (WindowStore::recent_total; worker thread, after the flush of the batch
// being committed, with BatchAggregator::committed() called after each commit).
class StoreWindowReader final : public alert::WindowReader {
 public:
  explicit StoreWindowReader(const window::WindowStore& store) : store_(store) {}
  alert::WindowStats stats(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const override;
  alert::Baseline negative_baseline(std::string_view brand, std::int64_t window_ms, std::int64_t end_ms) const override;
  // Approximation: all reposts and near-copies of the brand in the window (mentions - stories).
  double max_story_reposts(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const override;
  std::vector<alert::TopMention> top_negative(std::string_view brand, std::int64_t since_ms,
                                              std::size_t limit) const override;
  std::vector<alert::AspectScore> aspects(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const override;

 private:
  const window::WindowStore& store_;
};

// role all: the match half and the aggregate half in one process (brand_match.h), with no
// intermediate topic: the analyzer's BrandMatch goes straight into the aggregator.
class AnalyzeStage final : public pipeline::MentionStage {
 public:
  AnalyzeStage(std::function<std::shared_ptr<const RulesBundle>()> bundle, const match::MatchStage& match,
               window::WindowStore& windows, alert::AlertService& alerts, std::uint64_t author_hash_key,
               prometheus::Registry& registry);

  void on_batch_begin() override;
  void on_mention(const Mention& mention) override;
  void on_batch_commit(rocksdb::WriteBatch& batch) override;
  void on_batch_committed() override { aggregator_.on_batch_committed(); }

  std::uint64_t negative() const { return analyzer_.negative(); }

 private:
  std::function<std::shared_ptr<const RulesBundle>()> current_;
  std::shared_ptr<const RulesBundle> bundle_;
  const match::MatchStage& match_;
  MatchAnalyzer analyzer_;
  BrandAggregator aggregator_;
};

}  // namespace yuqing::analyze
