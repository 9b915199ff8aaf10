#pragma once
// The two halves of the analysis, shared by the three roles of `yuqing run` (docs/scaling.md):
//
//   MatchAnalyzer   (match half, stateless): a matched mention -> one BrandMatch per brand
//                   (sentiment scored once, reach, author hash, story fingerprint, aspects,
//                   crisis categories, the top-mention fields)
//   BrandAggregator (aggregate half, stateful): BrandMatch -> window update, top-mention
//                   candidate, alert service; per batch the flush into the batch's WriteBatch
//
// role all: AnalyzeStage feeds the analyzer's output straight into the aggregator (no copy,
// no topic). role match: the analyzer's output is encoded (match_record.h) and produced to the
// matches topic. role aggregate: decoded match records go into the aggregator.
//
// Threading: the pipeline worker thread only. configure() on rules (re)load, between batches.

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/alert/evaluator.h"
#include "engine/alert/service.h"
#include "engine/analyze/bundle.h"
#include "engine/match/matcher.h"
#include "engine/mention/mention.h"
#include "engine/sentiment/sentiment.h"
#include "engine/window/window.h"

namespace yuqing::analyze {

// Window aspect bits of a rules bundle: the union of rule aspects and lexicon aspects, by name,
// at most window::kMaxAspects. Every process built from the same rules gets the same layout;
// on the wire aspects travel by name, so processes with different layouts still agree.
struct AspectLayout {
  std::vector<std::string> names;  // by bit
  std::vector<int> rule_bit;       // RuleSet aspect index -> bit (-1: none)
  std::vector<int> lexicon_bit;    // lexicon aspect index -> bit (-1: none)
  static AspectLayout of(const RulesBundle& bundle);
  int bit_of(std::string_view name) const;  // -1 when unknown
};

// One (mention, brand) after matching and scoring: everything the aggregate half needs.
// Views point into the mention (or the decoded record) and live until the call returns.
struct BrandMatch {
  std::uint32_t rule = 0;  // brand: index into the rule set of the receiving side
  std::uint32_t seq = 0;   // this brand's place among the mention's matched brands (0, 1, ...)
  window::WindowUpdate update;  // brand, aspect masks by AspectLayout bit
  std::string_view mention_id, url, text, author_name;
  std::int64_t followers = 0;
  bool verified = false;
};

// Where the match half's output goes.
class BrandMatchSink {
 public:
  virtual ~BrandMatchSink() = default;
  virtual void on_brand_match(const BrandMatch& match) = 0;
};

// Keyed 64-bit hash of an author id (FNV-1a over key bytes + id); 0 for an empty id.
std::uint64_t author_hash(std::uint64_t key, std::string_view author_id);

// The match half: sentiment, reach, author hash, story, aspects; one BrandMatch per brand.
class MatchAnalyzer {
 public:
  MatchAnalyzer(std::uint64_t author_hash_key, prometheus::Registry& registry);
  void configure(std::shared_ptr<const RulesBundle> bundle);
  const RulesBundle* bundle() const { return bundle_.get(); }
  const AspectLayout& layout() const { return layout_; }

  // `result` and `normalized` are the matcher's for `m` (it must have matched with the
  // bundle's rule set). Calls sink.on_brand_match once per matched brand.
  void analyze(const Mention& m, const match::MatchResult& result, std::string_view normalized, BrandMatchSink& sink);
  // Publishes the per-label counts (once per batch).
  void publish();
  std::uint64_t negative() const { return negative_; }

 private:
  std::shared_ptr<const RulesBundle> bundle_;
  AspectLayout layout_;
  sentiment::Scorer scorer_;
  std::uint64_t author_key_;
  std::uint64_t negative_ = 0;
  std::array<prometheus::Counter*, 3> sentiment_{};
  std::array<std::uint64_t, 3> sentiment_pending_{};
};

// The aggregate half: windows, top mentions and alerts of the brands this process owns.
class BrandAggregator final : public BrandMatchSink {
 public:
  BrandAggregator(window::WindowStore& windows, alert::AlertService& alerts, prometheus::Registry& registry);
  // Brand table and aspect names of the windows, brands and policy of the alert service.
  void configure(std::shared_ptr<const RulesBundle> bundle);
  const RulesBundle* bundle() const { return bundle_.get(); }
  const AspectLayout& layout() const { return layout_; }
  // Rule index of a brand id in the configured bundle; nullopt when unknown.
  std::optional<std::uint32_t> rule_of(std::string_view brand_id) const;

  void on_brand_match(const BrandMatch& match) override;
  // Window flush, alert evaluation, counters: into the batch's one WriteBatch.
  void on_batch_commit(rocksdb::WriteBatch& batch);
  void on_batch_committed() {
    windows_.aggregator().committed();
    alerts_.on_batch_committed();
  }
  // Aggregate role: the partitions this instance owns changed and the state of some brands
  // may have been restored underneath: drop what was cached from the store, and evaluate
  // alerts only for owned brands, per partition (`partition_of`: nullopt = owned elsewhere;
  // AlertService::set_owned_brands). Between batches.
  void on_ownership_changed(std::function<std::optional<std::int32_t>(std::string_view brand)> partition_of);
  // A record for a brand this process does not know (rules differ between roles).
  void count_unknown_brand() { ++unknown_brand_pending_; }

 private:
  std::shared_ptr<const RulesBundle> bundle_;
  AspectLayout layout_;
  std::unordered_map<std::string_view, std::uint32_t> rule_index_;  // views into bundle_
  sentiment::Scorer evidence_scorer_;  // crisis terms of alert evidence (alert changes only)
  window::WindowStore& windows_;
  alert::AlertService& alerts_;
  std::unique_ptr<alert::WindowReader> reader_;
  prometheus::Counter& late_;
  prometheus::Counter& dropped_retention_;
  prometheus::Counter& dropped_future_;
  prometheus::Counter& dropped_unknown_brand_;
  std::array<std::uint64_t, 4> published_{};
  std::uint64_t unknown_brand_pending_ = 0;
};

}  // namespace yuqing::analyze
