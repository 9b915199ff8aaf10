#include "engine/analyze/brand_match.h"

#include <algorithm>

#include "engine/analyze/analyze_stage.h"

namespace yuqing::analyze {

std::uint64_t author_hash(std::uint64_t key, std::string_view author_id) {
  if (author_id.empty()) return 0;
  std::uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < 8; ++i) {
    h ^= (key >> (8 * i)) & 0xff;
    h *= 1099511628211ULL;
  }
  for (unsigned char c : author_id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h == 0 ? 1 : h;
}

AspectLayout AspectLayout::of(const RulesBundle& b) {
  AspectLayout out;
  auto bit_of = [&](const std::string& name) {
    auto it = std::find(out.names.begin(), out.names.end(), name);
    if (it != out.names.end()) return static_cast<int>(it - out.names.begin());
    if (out.names.size() >= static_cast<std::size_t>(window::kMaxAspects)) return -1;
    out.names.push_back(name);
    return static_cast<int>(out.names.size() - 1);
  };
  for (std::size_t a = 0; a < b.rules->aspect_name_count(); ++a) out.rule_bit.push_back(bit_of(b.rules->aspect_name(a)));
  for (std::size_t a = 0; a < b.lexicon->aspect_count(); ++a) out.lexicon_bit.push_back(bit_of(b.lexicon->aspect_name(a)));
  return out;
}

int AspectLayout::bit_of(std::string_view name) const {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

// ---- match half ----------------------------------------------------------------------------

MatchAnalyzer::MatchAnalyzer(std::uint64_t author_hash_key, prometheus::Registry& registry)
    : author_key_(author_hash_key) {
  auto& family = prometheus::BuildCounter()
                     .Name("yuqing_sentiment_total")
                     .Help("Matched mentions by sentiment label.")
                     .Register(registry);
  sentiment_[0] = &family.Add({{"label", "negative"}});
  sentiment_[1] = &family.Add({{"label", "neutral"}});
  sentiment_[2] = &family.Add({{"label", "positive"}});
}

void MatchAnalyzer::configure(std::shared_ptr<const RulesBundle> bundle) {
  bundle_ = std::move(bundle);
  if (bundle_) layout_ = AspectLayout::of(*bundle_);
}

void MatchAnalyzer::analyze(const Mention& m, const match::MatchResult& result, std::string_view normalized,
                            BrandMatchSink& sink) {
  if (result.brands.empty() || !bundle_) return;
  // One sentiment score per mention; a brand's own lexicon overrides apply when it is the only
  // brand matched (the common case); otherwise the shared lexicon decides.
  const auto* overrides = result.brands.size() == 1 ? &bundle_->overrides[result.brands[0].rule] : nullptr;
  const auto& s = scorer_.score(m, *bundle_->lexicon, overrides);
  const std::int8_t label = s.label == sentiment::Label::negative ? -1 : s.label == sentiment::Label::positive ? 1 : 0;
  if (label < 0) ++negative_;
  ++sentiment_pending_[static_cast<std::size_t>(label + 1)];

  BrandMatch out;
  window::WindowUpdate& u = out.update;
  u.event_ms = m.created_at_ms;
  u.platform = m.platform;
  u.label = label;
  u.score = s.score;
  const auto engagement = m.metrics.likes + m.metrics.reposts + m.metrics.comments;
  u.reach = static_cast<std::uint64_t>(std::max<std::int64_t>(0, m.author.followers) + std::max<std::int64_t>(0, engagement));
  u.author_hash = author_hash(author_key_, m.author.id);
  u.story = window::simhash64(normalized);
  u.is_repost = !m.parent_id.empty();
  u.crisis_mask = static_cast<std::uint8_t>(s.crisis_mask);
  for (const auto& a : s.aspects) {
    const int bit = a.aspect < layout_.lexicon_bit.size() ? layout_.lexicon_bit[a.aspect] : -1;
    if (bit < 0) continue;
    u.aspect_mask |= 1u << bit;
    if (a.score <= sentiment::kNegativeThreshold) u.negative_aspect_mask |= 1u << bit;
  }
  const std::uint32_t mention_aspects = u.aspect_mask;
  out.mention_id = m.id;
  out.url = m.url;
  out.text = m.text;
  out.author_name = m.author.name;
  out.followers = m.author.followers;
  out.verified = m.author.verified;
  std::uint32_t seq = 0;
  for (const auto& b : result.brands) {
    std::uint32_t mask = mention_aspects;
    for (const auto& ah : result.aspects_of(b)) {
      const int bit = ah.aspect < layout_.rule_bit.size() ? layout_.rule_bit[ah.aspect] : -1;
      if (bit >= 0) mask |= 1u << bit;
    }
    out.rule = b.rule;
    out.seq = seq++;
    u.brand = b.rule;
    u.aspect_mask = mask;
    sink.on_brand_match(out);
  }
}

void MatchAnalyzer::publish() {
  for (std::size_t i = 0; i < sentiment_pending_.size(); ++i) {
    if (sentiment_pending_[i] > 0) sentiment_[i]->Increment(static_cast<double>(sentiment_pending_[i]));
    sentiment_pending_[i] = 0;
  }
}

// ---- aggregate half ------------------------------------------------------------------------

BrandAggregator::BrandAggregator(window::WindowStore& windows, alert::AlertService& alerts,
                                 prometheus::Registry& registry)
    : windows_(windows),
      alerts_(alerts),
      reader_(std::make_unique<StoreWindowReader>(windows)),
      late_(prometheus::BuildCounter()
                .Name("yuqing_late_events_total")
                .Help("Mentions older than the allowed lateness behind the event-time watermark (still counted when retained).")
                .Register(registry)
                .Add({})),
      dropped_retention_(prometheus::BuildCounter()
                             .Name("yuqing_dropped_events_total")
                             .Help("Window updates dropped, by reason (never silently).")
                             .Register(registry)
                             .Add({{"reason", "beyond_retention"}})),
      dropped_future_(prometheus::BuildCounter().Name("yuqing_dropped_events_total").Register(registry).Add({{"reason", "future"}})),
      dropped_unknown_brand_(
          prometheus::BuildCounter().Name("yuqing_dropped_events_total").Register(registry).Add({{"reason", "unknown_brand"}})) {}

void BrandAggregator::configure(std::shared_ptr<const RulesBundle> bundle) {
  bundle_ = std::move(bundle);
  if (!bundle_) return;
  const auto& b = *bundle_;
  layout_ = AspectLayout::of(b);
  rule_index_.clear();
  std::vector<window::BrandInfo> wb;
  std::vector<alert::BrandInfo> ab;
  for (std::size_t r = 0; r < b.rules->rule_count(); ++r) {
    const auto& spec = b.rules->rule(r);
    rule_index_.emplace(spec.id, static_cast<std::uint32_t>(r));
    wb.push_back({spec.id, spec.name, spec.competitors});
    ab.push_back({spec.id, spec.name, spec.lang, spec.competitors});
  }
  windows_.set_brands(std::move(wb), layout_.names);
  // The alert evidence's crisis terms: the bundle's crisis lexicon over a top mention's text
  // (worker thread, like every alert change, so one scorer serves).
  alert::AlertService::CrisisTermFinder finder;
  if (b.lexicon) {
    finder = [this, lexicon = b.lexicon](std::string_view text, std::vector<alert::CrisisTerm>& out) {
      const auto& r = evidence_scorer_.score_text(text, *lexicon);
      for (const auto& hit : r.crisis) {
        out.push_back({lexicon->term(hit.term), std::string(sentiment::crisis_category_name(hit.category))});
      }
    };
  }
  alerts_.configure(std::move(ab), b.policy, std::move(finder));
}

std::optional<std::uint32_t> BrandAggregator::rule_of(std::string_view brand_id) const {
  auto it = rule_index_.find(brand_id);
  if (it == rule_index_.end()) return std::nullopt;
  return it->second;
}

void BrandAggregator::on_brand_match(const BrandMatch& bm) {
  if (!bundle_ || bm.rule >= bundle_->rules->rule_count()) {
    ++unknown_brand_pending_;
    return;
  }
  auto& agg = windows_.aggregator();
  agg.add(bm.update);
  if (agg.top_mention_qualifies(bm.rule, bm.update.reach)) {
    window::TopMentionView top;
    top.id = bm.mention_id;
    top.url = bm.url;
    top.text = bm.text;
    top.author_name = bm.author_name;
    top.platform = bm.update.platform;
    top.followers = bm.followers;
    top.reach = bm.update.reach;
    top.score = bm.update.score;
    top.label = bm.update.label;
    top.event_ms = bm.update.event_ms;
    top.author_hash = bm.update.author_hash;
    agg.add_top_mention(bm.rule, top);
  }
  alerts_.on_mention(bundle_->rules->rule(bm.rule).id, bm.update.event_ms, bm.update.label < 0, bm.followers,
                     bm.verified, bm.update.crisis_mask);
}

void BrandAggregator::on_batch_commit(rocksdb::WriteBatch& batch) {
  auto& agg = windows_.aggregator();
  agg.flush(batch);
  alerts_.on_batch_commit(batch, *reader_);
  // Publish once per batch: deltas of the aggregator's counters.
  const auto& c = agg.counters();
  const std::array<std::uint64_t, 4> now = {c.late.load(), c.dropped_beyond_retention.load(), c.dropped_future.load(),
                                            c.dropped_unknown_brand.load()};
  const std::array<prometheus::Counter*, 4> targets = {&late_, &dropped_retention_, &dropped_future_, &dropped_unknown_brand_};
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (now[i] > published_[i]) targets[i]->Increment(static_cast<double>(now[i] - published_[i]));
    published_[i] = now[i];
  }
  if (unknown_brand_pending_ > 0) dropped_unknown_brand_.Increment(static_cast<double>(unknown_brand_pending_));
  unknown_brand_pending_ = 0;
}

void BrandAggregator::on_ownership_changed(std::function<std::optional<std::int32_t>(std::string_view)> partition_of) {
  windows_.aggregator().drop_cached_state();
  alerts_.set_owned_brands(std::move(partition_of));
}

}  // namespace yuqing::analyze
