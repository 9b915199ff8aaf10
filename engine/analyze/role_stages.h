#pragma once
// The pipeline stages of the scale-out roles of `yuqing run` (docs/scaling.md):
//
//   MatchEmitStage  role match: after the matcher, the match half (MatchAnalyzer) and one
//                   encoded record per (mention, brand) handed to `emit` (keyed by brand id);
//                   at batch end `publish` makes the batch's records durable together with
//                   the input offsets (the Kafka transaction).
//   AggregateStage  role aggregate: decodes match records (a pipeline RecordHandler) and
//                   feeds the aggregate half (BrandAggregator). Replays are dropped: per
//                   (matches partition, mentions partition) the last applied (offset, seq) is
//                   kept in the state store in the same batch as the windows, and a record at
//                   or below it is a copy (an aborted transaction a reader saw anyway, or a
//                   batch produced again after a crash), counted in
//                   yuqing_match_records_total{result="duplicate"}.
//
// Threading: the pipeline worker thread only.

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/analyze/brand_match.h"
#include "engine/analyze/match_record.h"
#include "engine/match/match_stage.h"
#include "engine/pipeline/pipeline.h"
#include "engine/state/state.h"

namespace yuqing::analyze {

using BundleFn = std::function<std::shared_ptr<const RulesBundle>()>;

class MatchEmitStage final : public pipeline::MentionStage, private BrandMatchSink {
 public:
  using Emit = std::function<void(std::string_view key, std::string_view value)>;
  using Publish = std::function<Status<std::string>(const source::RecordBatch& batch)>;
  MatchEmitStage(BundleFn bundle, const match::MatchStage& match, std::uint64_t author_hash_key,
                 prometheus::Registry& registry, Emit emit, Publish publish);

  void on_batch_begin() override;
  void on_source_record(const source::Record& record) override;
  void on_mention(const Mention& mention) override;
  void on_batch_commit(rocksdb::WriteBatch& batch) override;
  Status<std::string> on_batch_publish(const source::RecordBatch& batch) override;

  std::uint64_t records() const { return records_; }

 private:
  void on_brand_match(const BrandMatch& match) override;

  BundleFn current_;
  std::shared_ptr<const RulesBundle> bundle_;
  const match::MatchStage& match_;
  MatchAnalyzer analyzer_;
  Emit emit_;
  Publish publish_;
  SourcePosition position_;
  std::string buffer_;
  std::uint64_t records_ = 0;
  std::uint64_t pending_ = 0;
  prometheus::Counter& produced_;
};

class AggregateStage final : public pipeline::MentionStage, public pipeline::RecordHandler {
 public:
  // matches_topic names the dedup marks in the state store.
  AggregateStage(BundleFn bundle, window::WindowStore& windows, alert::AlertService& alerts, state::StateStore& state,
                 std::string matches_topic, prometheus::Registry& registry);

  // Which matches partitions this instance owns: `version` changes at every assignment or
  // revocation (the state of moved partitions was restored underneath: cached marks, rings
  // and incidents are read again), `partition_of` gives a brand's partition when it is one of
  // them (nullopt: owned elsewhere). Without it (tests, one instance) every brand is owned.
  // Set before the pipeline starts.
  struct Ownership {
    std::function<std::uint64_t()> version;
    std::function<std::optional<std::int32_t>(std::string_view brand)> partition_of;
  };
  void set_ownership(Ownership ownership) { ownership_ = std::move(ownership); }

  void on_batch_begin() override;
  void on_source_record(const source::Record& record) override { partition_ = record.partition; }
  void on_mention(const Mention&) override {}
  std::optional<Rejection> on_record(std::string_view bytes) override;
  void on_batch_commit(rocksdb::WriteBatch& batch) override;
  void on_batch_committed() override { aggregator_.on_batch_committed(); }
  std::uint64_t matched() const override { return applied_; }

 private:
  struct Mark {
    std::uint64_t value = 0;  // offset << 12 | seq; 0 = nothing applied
    bool loaded = false, dirty = false;
  };
  Mark& mark(std::int32_t matches_partition, std::int32_t source_partition);

  BundleFn current_;
  std::shared_ptr<const RulesBundle> bundle_;
  BrandAggregator aggregator_;
  state::StateStore& state_;
  std::string matches_topic_;
  MatchDecoder decoder_;
  MatchRecord record_;
  std::int32_t partition_ = -1;
  std::map<std::pair<std::int32_t, std::int32_t>, Mark> marks_;
  std::uint64_t applied_ = 0;
  Ownership ownership_;
  std::uint64_t ownership_seen_ = 0;
  std::array<std::uint64_t, 3> pending_{};  // applied, duplicate, unknown_brand
  std::array<prometheus::Counter*, 3> counters_{};
};

}  // namespace yuqing::analyze
