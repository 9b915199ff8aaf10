#pragma once
// The matcher as a pipeline stage: takes the live RuleSet once per batch (hot reload swaps it
// between batches), matches every mention, and counts matches per brand. Later stages read
// last() for the brands of the current mention.
//
// Threading: runs on the pipeline worker thread; the per-brand counts are plain vectors
// published to Prometheus once per batch.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <vector>

#include "engine/match/matcher.h"
#include "engine/match/rule_set.h"
#include "engine/pipeline/pipeline.h"
#include <functional>

namespace yuqing::match {

class MatchStage final : public pipeline::MentionStage {
 public:
  // `current` returns the live rule set (hot reload swaps what it returns).
  MatchStage(std::function<RuleSetPtr()> current, prometheus::Registry& registry);

  void on_batch_begin() override;
  void on_mention(const Mention& mention) override;
  void on_batch_commit(rocksdb::WriteBatch& batch) override;
  std::uint64_t matched() const override { return matched_; }

  // The result for the mention most recently passed to on_mention().
  const MatchResult& last() const { return *last_; }
  const RuleSetPtr& rules() const { return live_; }
  // Normalized title + '\n' + text of the last matched mention (for story fingerprints).
  std::string_view normalized() const { return matcher_.normalized(); }

 private:
  void publish();

  std::function<RuleSetPtr()> current_;
  RuleSetPtr live_;
  Matcher matcher_;
  const MatchResult* last_ = nullptr;
  MatchResult empty_;
  std::vector<std::uint64_t> pending_;  // per rule of live_, since the last publish
  std::uint64_t pending_unmatched_ = 0;
  std::uint64_t matched_ = 0;
  prometheus::Family<prometheus::Counter>& matches_;
  prometheus::Counter& unmatched_;
};

}  // namespace yuqing::match
