#include "engine/analyze/analyze_stage.h"

#include <algorithm>

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

alert::WindowStats StoreWindowReader::stats(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const {
  const auto p = store_.total(brand, from_ms, to_ms);
  alert::WindowStats s;
  s.mentions = static_cast<double>(p.mentions);
  s.negative = static_cast<double>(p.negative);
  s.sentiment_sum = p.avg_sentiment * static_cast<double>(p.mentions);
  for (std::size_t c = 0; c < s.crisis.size(); ++c) s.crisis[c] = static_cast<double>(p.crisis[c]);
  return s;
}

alert::Baseline StoreWindowReader::negative_baseline(std::string_view brand, std::int64_t window_ms,
                                                     std::int64_t end_ms) const {
  const auto b = store_.baseline(brand, window::Metric::negatives, end_ms, window_ms);
  alert::Baseline out;
  out.sufficient = b.kind != window::Baseline::Kind::insufficient_history;
  out.mean = b.mean;
  out.stddev = b.stddev;
  return out;
}

double StoreWindowReader::max_story_reposts(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const {
  const auto p = store_.total(brand, from_ms, to_ms);
  return static_cast<double>(p.mentions - std::min(p.mentions, p.stories));
}

std::vector<alert::TopMention> StoreWindowReader::top_negative(std::string_view brand, std::int64_t since_ms,
                                                              std::size_t limit) const {
  std::vector<alert::TopMention> out;
  for (auto& m : store_.top_mentions(brand, std::int8_t{-1}, limit, since_ms)) {
    alert::TopMention t;
    t.id = std::move(m.id);
    t.platform = std::string(platform_name(m.platform));
    t.url = std::move(m.url);
    t.text = std::move(m.text);
    t.author = std::move(m.author_name);
    if (m.followers > 0) t.followers = m.followers;
    t.reach = static_cast<std::int64_t>(m.reach);
    t.score = m.score;
    out.push_back(std::move(t));
  }
  return out;
}

AnalyzeStage::AnalyzeStage(std::function<std::shared_ptr<const RulesBundle>()> bundle, const match::MatchStage& match,
                           window::WindowStore& windows, alert::AlertService& alerts, std::uint64_t author_hash_key,
                           prometheus::Registry& registry)
    : current_(std::move(bundle)),
      match_(match),
      windows_(windows),
      alerts_(alerts),
      reader_(windows),
      author_key_(author_hash_key),
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
          prometheus::BuildCounter().Name("yuqing_dropped_events_total").Register(registry).Add({{"reason", "unknown_brand"}})),
      sentiment_family_(prometheus::BuildCounter()
                            .Name("yuqing_sentiment_total")
                            .Help("Matched mentions by sentiment label.")
                            .Register(registry)) {
  sentiment_[0] = &sentiment_family_.Add({{"label", "negative"}});
  sentiment_[1] = &sentiment_family_.Add({{"label", "neutral"}});
  sentiment_[2] = &sentiment_family_.Add({{"label", "positive"}});
}

void AnalyzeStage::configure(const RulesBundle& b) {
  // Window aspect bits: the union of rule aspects and lexicon aspects, by name, at most 32.
  std::vector<std::string> names;
  auto bit_of = [&](const std::string& name) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) return static_cast<int>(it - names.begin());
    if (names.size() >= static_cast<std::size_t>(window::kMaxAspects)) return -1;
    names.push_back(name);
    return static_cast<int>(names.size() - 1);
  };
  rule_aspect_bit_.clear();
  for (std::size_t a = 0; a < b.rules->aspect_name_count(); ++a) rule_aspect_bit_.push_back(bit_of(b.rules->aspect_name(a)));
  lexicon_aspect_bit_.clear();
  for (std::size_t a = 0; a < b.lexicon->aspect_count(); ++a) lexicon_aspect_bit_.push_back(bit_of(b.lexicon->aspect_name(a)));

  std::vector<window::BrandInfo> wb;
  std::vector<alert::BrandInfo> ab;
  for (std::size_t r = 0; r < b.rules->rule_count(); ++r) {
    const auto& spec = b.rules->rule(r);
    wb.push_back({spec.id, spec.name, spec.competitors});
    ab.push_back({spec.id, spec.name, spec.lang, spec.competitors});
  }
  windows_.set_brands(std::move(wb), std::move(names));
  alerts_.configure(std::move(ab), b.policy);
}

void AnalyzeStage::on_batch_begin() {
  auto now = current_();
  if (now != bundle_) {
    bundle_ = std::move(now);
    if (bundle_) configure(*bundle_);
  }
}

void AnalyzeStage::on_mention(const Mention& m) {
  const auto& result = match_.last();
  if (result.brands.empty() || !bundle_ || match_.rules() != bundle_->rules) return;
  // One sentiment score per mention; a brand's own lexicon overrides apply when it is the only
  // brand matched (the common case); otherwise the shared lexicon decides.
  const auto* overrides = result.brands.size() == 1 ? &bundle_->overrides[result.brands[0].rule] : nullptr;
  const auto& s = scorer_.score(m, *bundle_->lexicon, overrides);
  const std::int8_t label = s.label == sentiment::Label::negative ? -1 : s.label == sentiment::Label::positive ? 1 : 0;
  if (label < 0) ++negative_;
  ++sentiment_pending_[static_cast<std::size_t>(label + 1)];

  window::WindowUpdate u;
  u.event_ms = m.created_at_ms;
  u.platform = m.platform;
  u.label = label;
  u.score = s.score;
  const auto engagement = m.metrics.likes + m.metrics.reposts + m.metrics.comments;
  u.reach = static_cast<std::uint64_t>(std::max<std::int64_t>(0, m.author.followers) + std::max<std::int64_t>(0, engagement));
  u.author_hash = author_hash(author_key_, m.author.id);
  u.story = window::simhash64(match_.normalized());
  u.is_repost = !m.parent_id.empty();
  u.crisis_mask = static_cast<std::uint8_t>(s.crisis_mask);
  for (const auto& a : s.aspects) {
    const int bit = a.aspect < lexicon_aspect_bit_.size() ? lexicon_aspect_bit_[a.aspect] : -1;
    if (bit < 0) continue;
    u.aspect_mask |= 1u << bit;
    if (a.score <= sentiment::kNegativeThreshold) u.negative_aspect_mask |= 1u << bit;
  }
  auto& agg = windows_.aggregator();
  for (const auto& b : result.brands) {
    std::uint32_t mask = u.aspect_mask;
    for (const auto& ah : result.aspects_of(b)) {
      const int bit = ah.aspect < rule_aspect_bit_.size() ? rule_aspect_bit_[ah.aspect] : -1;
      if (bit >= 0) mask |= 1u << bit;
    }
    window::WindowUpdate per_brand = u;
    per_brand.brand = b.rule;
    per_brand.aspect_mask = mask;
    agg.add(per_brand);
    if (agg.top_mention_qualifies(b.rule, u.reach)) {
      window::TopMentionView top;
      top.id = m.id;
      top.url = m.url;
      top.text = m.text;
      top.author_name = m.author.name;
      top.platform = m.platform;
      top.followers = m.author.followers;
      top.reach = u.reach;
      top.score = s.score;
      top.label = label;
      top.event_ms = m.created_at_ms;
      top.author_hash = u.author_hash;
      agg.add_top_mention(b.rule, top);
    }
    alerts_.on_mention(bundle_->rules->rule(b.rule).id, m.created_at_ms, label < 0, m.author.followers,
                       m.author.verified, s.crisis_mask);
  }
}

void AnalyzeStage::on_batch_commit(rocksdb::WriteBatch& batch) {
  auto& agg = windows_.aggregator();
  agg.flush(batch);
  alerts_.on_batch_commit(batch, reader_);
  // Publish once per batch: deltas of the aggregator's counters and the sentiment tallies.
  const auto& c = agg.counters();
  const std::array<std::uint64_t, 4> now = {c.late.load(), c.dropped_beyond_retention.load(), c.dropped_future.load(),
                                            c.dropped_unknown_brand.load()};
  const std::array<prometheus::Counter*, 4> targets = {&late_, &dropped_retention_, &dropped_future_, &dropped_unknown_brand_};
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (now[i] > published_[i]) targets[i]->Increment(static_cast<double>(now[i] - published_[i]));
    published_[i] = now[i];
  }
  for (std::size_t i = 0; i < sentiment_pending_.size(); ++i) {
    if (sentiment_pending_[i] > 0) sentiment_[i]->Increment(static_cast<double>(sentiment_pending_[i]));
    sentiment_pending_[i] = 0;
  }
}

}  // namespace yuqing::analyze
