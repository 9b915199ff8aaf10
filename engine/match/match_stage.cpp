#include "engine/match/match_stage.h"

namespace yuqing::match {

MatchStage::MatchStage(std::function<RuleSetPtr()> current, prometheus::Registry& registry)
    : current_(std::move(current)),
      matches_(prometheus::BuildCounter()
                   .Name("yuqing_matched_total")
                   .Help("Mentions matched to a brand (or topic) rule, by brand.")
                   .Register(registry)),
      unmatched_(prometheus::BuildCounter()
                     .Name("yuqing_unmatched_total")
                     .Help("Mentions that matched no rule.")
                     .Register(registry)
                     .Add({})) {
  last_ = &empty_;
}

void MatchStage::on_batch_begin() {
  auto now = current_();
  if (now != live_) {
    publish();  // counts of the old set go out under its brand ids
    live_ = std::move(now);
    pending_.assign(live_ ? live_->rule_count() : 0, 0);
  }
}

void MatchStage::on_mention(const Mention& mention) {
  if (!live_) {
    last_ = &empty_;
    return;
  }
  last_ = &matcher_.match(mention, *live_);
  if (last_->brands.empty()) {
    ++pending_unmatched_;
    return;
  }
  ++matched_;
  for (const auto& b : last_->brands) ++pending_[b.rule];
}

void MatchStage::on_batch_commit(rocksdb::WriteBatch&) { publish(); }

void MatchStage::publish() {
  if (pending_unmatched_ > 0) {
    unmatched_.Increment(static_cast<double>(pending_unmatched_));
    pending_unmatched_ = 0;
  }
  if (!live_) return;
  for (std::size_t r = 0; r < pending_.size(); ++r) {
    if (pending_[r] == 0) continue;
    matches_.Add({{"brand", live_->rule(r).id}}).Increment(static_cast<double>(pending_[r]));
    pending_[r] = 0;
  }
}

}  // namespace yuqing::match
