#include "engine/analyze/analyze_stage.h"

#include <algorithm>

namespace yuqing::analyze {

alert::WindowStats StoreWindowReader::stats(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const {
  const auto p = store_.recent_total(brand, from_ms, to_ms);
  alert::WindowStats s;
  s.mentions = static_cast<double>(p.mentions);
  s.negative = static_cast<double>(p.negative);
  s.sentiment_sum = p.avg_sentiment() * static_cast<double>(p.mentions);
  for (std::size_t c = 0; c < s.crisis.size(); ++c) s.crisis[c] = static_cast<double>(p.crisis[c]);
  return s;
}

alert::Baseline StoreWindowReader::negative_baseline(std::string_view brand, std::int64_t window_ms,
                                                     std::int64_t end_ms) const {
  const auto b = store_.recent_baseline(brand, window::Metric::negatives, end_ms, window_ms);
  alert::Baseline out;
  out.sufficient = b.kind != window::Baseline::Kind::insufficient_history;
  out.mean = b.mean;
  out.stddev = b.stddev;
  return out;
}

double StoreWindowReader::max_story_reposts(std::string_view brand, std::int64_t from_ms, std::int64_t to_ms) const {
  const auto p = store_.recent_total(brand, from_ms, to_ms);
  return static_cast<double>(p.mentions - std::min(p.mentions, p.stories));
}

std::vector<alert::AspectScore> StoreWindowReader::aspects(std::string_view brand, std::int64_t from_ms,
                                                          std::int64_t to_ms) const {
  const auto p = store_.total(brand, from_ms, to_ms);
  const auto names = store_.aspect_names();
  std::vector<alert::AspectScore> out;
  for (std::size_t i = 0; i < names.size() && i < p.aspect.size(); ++i) {
    if (p.aspect[i] == 0) continue;
    const double all = static_cast<double>(p.aspect[i]);
    const double neg = static_cast<double>(std::min(p.negative_aspect[i], p.aspect[i]));
    out.push_back({names[i], (all - 2 * neg) / all});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score < b.score; });
  return out;
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
      analyzer_(author_hash_key, registry),
      aggregator_(windows, alerts, registry) {}

void AnalyzeStage::on_batch_begin() {
  auto now = current_();
  if (now != bundle_) {
    bundle_ = std::move(now);
    analyzer_.configure(bundle_);
    aggregator_.configure(bundle_);
  }
}

void AnalyzeStage::on_mention(const Mention& m) {
  if (!bundle_ || match_.rules() != bundle_->rules) return;
  analyzer_.analyze(m, match_.last(), match_.normalized(), aggregator_);
}

void AnalyzeStage::on_batch_commit(rocksdb::WriteBatch& batch) {
  aggregator_.on_batch_commit(batch);
  analyzer_.publish();
}

}  // namespace yuqing::analyze
