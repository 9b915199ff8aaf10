#include "engine/analyze/role_stages.h"

#include "engine/base/log.h"

namespace yuqing::analyze {
namespace {
constexpr int kSeqBits = 12;  // a mention matching more than 4095 brands keeps seq 4095
std::uint64_t mark_value(std::uint64_t offset, std::uint32_t seq) {
  return ((offset + 1) << kSeqBits) | std::min<std::uint32_t>(seq, (1u << kSeqBits) - 1);
}
}  // namespace

MatchEmitStage::MatchEmitStage(BundleFn bundle, const match::MatchStage& match, std::uint64_t author_hash_key,
                               prometheus::Registry& registry, Emit emit, Publish publish)
    : current_(std::move(bundle)),
      match_(match),
      analyzer_(author_hash_key, registry),
      emit_(std::move(emit)),
      publish_(std::move(publish)),
      produced_(prometheus::BuildCounter()
                    .Name("yuqing_match_records_produced_total")
                    .Help("Match records (one per mention and brand) committed to the matches topic.")
                    .Register(registry)
                    .Add({})) {}

void MatchEmitStage::on_batch_begin() {
  auto now = current_();
  if (now != bundle_) {
    bundle_ = std::move(now);
    analyzer_.configure(bundle_);
  }
}

void MatchEmitStage::on_source_record(const source::Record& record) {
  position_.partition = record.partition;
  position_.offset = record.offset;
}

void MatchEmitStage::on_mention(const Mention& m) {
  if (!bundle_ || match_.rules() != bundle_->rules) return;
  analyzer_.analyze(m, match_.last(), match_.normalized(), *this);
}

void MatchEmitStage::on_brand_match(const BrandMatch& bm) {
  const std::string& brand = bundle_->rules->rule(bm.rule).id;
  buffer_.clear();
  encode_match(bm, brand, analyzer_.layout(), position_, buffer_);
  emit_(brand, buffer_);
  ++pending_;
}

void MatchEmitStage::on_batch_commit(rocksdb::WriteBatch&) { analyzer_.publish(); }

Status<std::string> MatchEmitStage::on_batch_publish(const source::RecordBatch& batch) {
  auto st = publish_(batch);
  if (!st) return st;
  records_ += pending_;
  produced_.Increment(static_cast<double>(pending_));
  pending_ = 0;
  return {};
}

AggregateStage::AggregateStage(BundleFn bundle, window::WindowStore& windows, alert::AlertService& alerts,
                               state::StateStore& state, std::string matches_topic, prometheus::Registry& registry)
    : current_(std::move(bundle)),
      aggregator_(windows, alerts, registry),
      state_(state),
      matches_topic_(std::move(matches_topic)) {
  auto& family = prometheus::BuildCounter()
                     .Name("yuqing_match_records_total")
                     .Help("Match records read by the aggregate role, by result (applied, duplicate, unknown_brand).")
                     .Register(registry);
  counters_[0] = &family.Add({{"result", "applied"}});
  counters_[1] = &family.Add({{"result", "duplicate"}});
  counters_[2] = &family.Add({{"result", "unknown_brand"}});
}

void AggregateStage::on_batch_begin() {
  auto now = current_();
  if (now != bundle_) {
    bundle_ = std::move(now);
    aggregator_.configure(bundle_);
  }
  if (ownership_.version) {
    if (const auto v = ownership_.version(); v != ownership_seen_) {
      ownership_seen_ = v;
      marks_.clear();  // read again from the state store
      aggregator_.on_ownership_changed(ownership_.partition_of);
    }
  }
}

AggregateStage::Mark& AggregateStage::mark(std::int32_t q, std::int32_t p) {
  Mark& m = marks_[{q, p}];
  if (!m.loaded) {
    m.loaded = true;
    m.value = state_.load_meta("dedup:" + matches_topic_ + "/" + std::to_string(q) + "/" + std::to_string(p)).value_or(0);
  }
  return m;
}

std::optional<pipeline::RecordHandler::Rejection> AggregateStage::on_record(std::string_view bytes) {
  if (auto st = decoder_.decode(bytes, record_); !st) {
    return Rejection{record_.version > kMatchRecordVersion ? "bad_value" : "malformed_json",
                     "not a match record: " + st.error()};
  }
  if (record_.src.partition >= 0) {
    Mark& m = mark(partition_, record_.src.partition);
    const auto v = mark_value(record_.src.offset, record_.seq);
    if (v <= m.value) {
      ++pending_[1];
      return std::nullopt;
    }
    m.value = v;
    m.dirty = true;
  }
  const auto rule = aggregator_.rule_of(record_.brand);
  if (!rule) {
    ++pending_[2];
    aggregator_.count_unknown_brand();
    return std::nullopt;
  }
  aggregator_.on_brand_match(to_brand_match(record_, *rule, aggregator_.layout()));
  ++pending_[0];
  ++applied_;
  return std::nullopt;
}

void AggregateStage::on_batch_commit(rocksdb::WriteBatch& batch) {
  aggregator_.on_batch_commit(batch);
  for (auto& [key, m] : marks_) {
    if (!m.dirty) continue;
    state_.put_meta(batch, "dedup:" + matches_topic_ + "/" + std::to_string(key.first) + "/" + std::to_string(key.second),
                    m.value);
    m.dirty = false;
  }
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (pending_[i] > 0) counters_[i]->Increment(static_cast<double>(pending_[i]));
    pending_[i] = 0;
  }
}

}  // namespace yuqing::analyze
