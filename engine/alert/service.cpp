#include "engine/alert/service.h"

#include <boost/json.hpp>
#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "connectors/alert_sinks/outbox.h"
#include "engine/base/log.h"
#include "engine/base/text.h"
#include "engine/http/server.h"

namespace yuqing::alert {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr int kMaxCatchUpMinutes = 60;
constexpr std::size_t kAlertTopMentions = 5;  // evidence per alert (sinks show 3 by default)
constexpr std::size_t kAlertCrisisTerms = 8;  // a replay jumping further evaluates only the last hour

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view category_word(std::size_t c, bool zh) {
  static constexpr std::array<std::string_view, 6> kZh = {"安全", "质量", "法律", "服务", "声誉", "隐私"};
  return zh ? kZh[c] : kCrisisCategories[c];
}

std::string incident_key(const Incident& inc) { return "i/" + IncidentTracker::key(inc.brand, inc.detector); }

}  // namespace

AlertService::AlertService(state::StateStore& store, alert_sinks::Outbox* outbox, prometheus::Registry& registry)
    : store_(store),
      cf_(store.column_family(kAlertsColumnFamily)),
      outbox_(outbox),
      alerts_total_(prometheus::BuildCounter()
                        .Name("yuqing_alerts_total")
                        .Help("Alert notifications raised (opened, escalated, updated, resolved), by brand, tier and change.")
                        .Register(registry)) {}

Status<std::string> AlertService::restore() {
  if (cf_ == nullptr) return Unexpected{std::string("the state store was opened without the alerts column family")};
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(rocksdb::ReadOptions(), cf_));
  int restored = 0;
  for (it->Seek("i/"); it->Valid() && it->key().starts_with("i/"); it->Next()) {
    auto inc = Incident::decode(it->value().ToStringView());
    if (!inc) {
      log::warn("Skipping an unreadable incident record in the state store ({}).", it->key().ToString());
      continue;
    }
    watermark_ms_ = std::max(watermark_ms_, inc->updated_ms);
    evaluator_.tracker().restore(std::move(*inc));
    ++restored;
  }
  Clock& c = groups_.front();
  c.watermark_ms = watermark_ms_;
  c.evaluated_minute = watermark_ms_ - watermark_ms_ % kMinute;
  c.committed_ms = watermark_ms_;
  if (restored > 0) log::info("Restored {} alert incidents from the state store.", restored);
  return {};
}

void AlertService::configure(std::vector<BrandInfo> brands, std::shared_ptr<const Policy> policy,
                             CrisisTermFinder crisis_terms) {
  crisis_terms_ = std::move(crisis_terms);
  brands_ = std::move(brands);
  rebuild_refs();
  policy_ = std::move(policy);
}

void AlertService::rebuild_refs() {
  if (!partition_of_) {
    groups_.resize(1);  // one clock for every brand (keeps the restored one)
    groups_.front().refs.clear();
    for (const auto& b : brands_) groups_.front().refs.push_back({b.id, b.lang, b.competitors});
    group_of_brand_.clear();
    return;
  }
  // One clock per owned partition; a partition kept across the change keeps its clock.
  std::vector<Clock> next;
  group_of_brand_.clear();
  for (const auto& b : brands_) {
    const auto p = partition_of_(b.id);
    if (!p) continue;
    auto it = std::find_if(next.begin(), next.end(), [&](const Clock& c) { return c.partition == *p; });
    if (it == next.end()) {
      auto old = std::find_if(groups_.begin(), groups_.end(), [&](const Clock& c) { return c.partition == *p; });
      next.push_back(old != groups_.end() && split_ ? std::move(*old) : Clock{});
      next.back().partition = *p;
      next.back().refs.clear();
      it = next.end() - 1;
    }
    it->refs.push_back({b.id, b.lang, b.competitors});
    group_of_brand_[b.id] = static_cast<std::size_t>(it - next.begin());
  }
  groups_ = std::move(next);
  split_ = true;
}

void AlertService::set_owned_brands(std::function<std::optional<std::int32_t>(std::string_view)> partition_of) {
  partition_of_ = std::move(partition_of);
  rebuild_refs();
  evaluator_.tracker().clear();
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(rocksdb::ReadOptions(), cf_));
  for (it->Seek("i/"); it->Valid() && it->key().starts_with("i/"); it->Next()) {
    if (auto inc = Incident::decode(it->value().ToStringView())) evaluator_.tracker().restore(std::move(*inc));
  }
}

const BrandInfo* AlertService::brand(std::string_view id) const {
  for (const auto& b : brands_) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

void AlertService::on_mention(const std::string& brand_id, std::int64_t event_ms, bool negative,
                              std::int64_t followers, bool verified, std::uint32_t crisis_mask) {
  watermark_ms_ = std::max(watermark_ms_, event_ms);
  Clock* clock = nullptr;
  if (!split_) {
    clock = &groups_.front();
  } else if (const auto it = group_of_brand_.find(brand_id); it != group_of_brand_.end()) {
    clock = &groups_[it->second];
  }
  if (clock != nullptr) {
    clock->watermark_ms = std::max(clock->watermark_ms, event_ms);
    if (clock->evaluated_minute == 0 && (clock->first_event_ms == 0 || event_ms < clock->first_event_ms)) {
      clock->first_event_ms = event_ms;
    }
  }
  if (!negative || !policy_) return;
  if (auto c = evaluator_.on_negative_mention(brand_id, followers, verified, crisis_mask, *policy_, event_ms)) {
    pending_.push_back(std::move(*c));
  }
}

void AlertService::on_batch_commit(rocksdb::WriteBatch& batch, const WindowReader& windows) {
  {
    std::lock_guard lock(ack_mu_);
    for (const auto& [id, by] : pending_acks_) evaluator_.tracker().acknowledge(id, by);
    pending_acks_.clear();
  }
  std::vector<IncidentChange> changes = std::move(pending_);
  pending_.clear();
  if (policy_) {
    for (Clock& c : groups_) evaluate(c, windows, changes);
  }
  for (const auto& c : changes) emit(c, batch, windows);
  // Incident state that moved without a notification (e.g. last time the condition held).
  for (const Incident* inc : evaluator_.tracker().take_dirty()) batch.Put(cf_, incident_key(*inc), inc->encode());
}

void AlertService::evaluate(Clock& c, const WindowReader& windows, std::vector<IncidentChange>& changes) {
  if (c.committed_ms > 0) {
    // Window detectors run at each minute boundary of event time. They read committed window
    // state, so a boundary is evaluated once the batch that crossed it has been committed:
    // up to the watermark of the previous batch (one batch later than live, ~100 ms).
    const std::int64_t minute = c.committed_ms - c.committed_ms % kMinute;
    // The first evaluation starts at the minute of the first mention seen, so a replay or a
    // backlog has its first batch's minutes evaluated too (bounded by the catch-up below).
    if (c.evaluated_minute == 0) {
      const std::int64_t first = c.first_event_ms > 0 ? c.first_event_ms : c.committed_ms;
      c.evaluated_minute = std::min(first - first % kMinute, minute - kMinute);
    }
    c.evaluated_minute = std::max(c.evaluated_minute, minute - kMaxCatchUpMinutes * kMinute);
    const auto now_wall = std::chrono::steady_clock::now();
    while (c.evaluated_minute < minute) {
      c.evaluated_minute += kMinute;
      auto more = evaluator_.evaluate(c.refs, *policy_, windows, c.evaluated_minute);
      changes.insert(changes.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
      c.last_evaluated_ms = c.evaluated_minute;
      c.last_evaluation_wall = now_wall;
    }
    // Live streams: between minute boundaries, judge the windows ending at the committed
    // watermark every evaluate_every of wall time, so a crisis is seen within about that delay
    // rather than at the next minute. (Times only move forward: minutes first, then this.)
    // Budget: these extra runs take at most ~10 % of the worker's time (with thousands of
    // brands a run costs hundreds of ms, and the interval stretches accordingly).
    const auto every = std::max<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(policy_->lifecycle().evaluate_every_ms), 10 * c.last_evaluation_cost);
    if (c.committed_ms > c.last_evaluated_ms && now_wall - c.last_evaluation_wall >= every) {
      auto more = evaluator_.evaluate(c.refs, *policy_, windows, c.committed_ms);
      changes.insert(changes.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
      c.last_evaluated_ms = c.committed_ms;
      c.last_evaluation_wall = std::chrono::steady_clock::now();
      c.last_evaluation_cost = c.last_evaluation_wall - now_wall;
    }
  }
  c.committed_ms = c.watermark_ms;
}

Alert AlertService::to_alert(const IncidentChange& change) const {
  const Incident& inc = change.incident;
  const BrandInfo* b = brand(inc.brand);
  Alert a;
  a.id = inc.id;
  a.brand = inc.brand;
  a.brand_name = b ? b->name : "";
  a.lang = b && b->lang == "zh" ? "zh" : "en";
  a.tier = inc.tier;
  a.severity = std::clamp(inc.severity, 1, 10);
  a.detector = inc.detector;
  a.state = inc.firing ? AlertState::firing : AlertState::resolved;
  a.started_ms = inc.started_ms;
  a.updated_ms = inc.updated_ms;
  const auto now = wall_ms();
  a.processing_started_ms = now;  // the first notification's processing time is kept in history
  a.processing_updated_ms = now;
  if (!inc.firing) {
    a.resolved_ms = inc.resolved_ms;
    a.processing_resolved_ms = now;
  }
  std::vector<std::string> terms;
  const bool zh = a.lang == "zh";
  for (std::size_t c = 0; c < kCrisisCategories.size(); ++c) {
    if (inc.last.crisis_mask & (1u << c)) terms.emplace_back(category_word(c, zh));
  }
  a.reason = reason_text(inc.last, a.lang, terms);
  if (!inc.firing) a.reason = (zh ? "已恢复：" : "Resolved: ") + a.reason;
  if (inc.last.window_ms > 0) a.metrics.window_s = static_cast<double>(inc.last.window_ms) / 1000.0;
  a.metrics.value = inc.last.value;
  if (inc.last.baseline != 0) a.metrics.baseline = inc.last.baseline;
  if (inc.last.ratio != 0) a.metrics.ratio = inc.last.ratio;
  if (inc.last.z_score != 0) a.metrics.z_score = inc.last.z_score;
  a.metrics.count = static_cast<std::int64_t>(inc.last.count);
  if (inc.acked) a.acked = Ack{inc.acked_by, now};
  return a;
}

void AlertService::on_batch_committed() {
  if (emitted_uncommitted_ && outbox_ != nullptr) outbox_->notify();
  emitted_uncommitted_ = false;
}

void AlertService::emit(const IncidentChange& change, rocksdb::WriteBatch& batch, const WindowReader& windows) {
  Alert a = to_alert(change);
  // Evidence: the widest-reaching negative mentions of the detector's window (an influencer
  // incident: of the last hour). Read from committed state, so a mention of the batch being
  // committed shows from the incident's next update on.
  if (a.state == AlertState::firing) {
    const auto& last = change.incident.last;
    const std::int64_t since = last.window_ms > 0 ? change.incident.updated_ms - last.window_ms
                                                  : change.incident.updated_ms - 3'600'000;
    a.top_mentions = windows.top_negative(a.brand, since, kAlertTopMentions);
    a.aspects = windows.aspects(a.brand, since, change.incident.updated_ms);
    // The crisis terms in those mentions, most frequent first.
    if (crisis_terms_) {
      std::vector<CrisisTerm> found;
      for (const auto& m : a.top_mentions) crisis_terms_(m.text, found);
      std::map<std::pair<std::string, std::string>, int> counts;
      for (auto& t : found) ++counts[{std::move(t.term), std::move(t.category)}];
      std::vector<std::pair<int, CrisisTerm>> ranked;
      for (auto& [k, n] : counts) ranked.push_back({n, CrisisTerm{k.first, k.second}});
      std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
      for (std::size_t i = 0; i < ranked.size() && i < kAlertCrisisTerms; ++i) a.crisis_terms.push_back(ranked[i].second);
    }
  }
  // Keep the processing time of the first notification across updates.
  std::string previous;
  if (store_.db()->Get(rocksdb::ReadOptions(), cf_, "h/" + a.id, &previous).ok()) {
    if (auto old = alert_from_json(previous); old.ok()) a.processing_started_ms = old->processing_started_ms;
  }
  const std::string json = to_json(a);
  batch.Put(cf_, "h/" + a.id, json);
  batch.Put(cf_, incident_key(change.incident), change.incident.encode());
  if (outbox_ != nullptr && outbox_->enqueue(batch, a) > 0) emitted_uncommitted_ = true;
  ++notifications_;
  alerts_total_.Add({{"brand", a.brand}, {"tier", std::string(tier_name(a.tier))}, {"change", std::string(change_name(change.change))}})
      .Increment();
  log::info("Alert {} {} {} {}: {}", change_name(change.change), tier_name(a.tier), a.brand, detector_name(a.detector),
            a.reason);
}

void AlertService::register_routes(http::Server& server, const std::string& api_token) {
  server.route("GET", "/api/v1/alerts", [this](const http::Request& req) {
    const std::string brand_filter = req.param("brand");
    std::int64_t since = 0;
    if (const auto s = req.param("since"); !s.empty()) {
      if (auto t = parse_time_ms(s)) {
        since = *t;
      } else {
        try {
          since = std::stoll(s);
        } catch (const std::exception&) {
          return http::problem(400, "Bad Request", "since must be an RFC 3339 time or epoch milliseconds");
        }
      }
    }
    if (!brand_filter.empty() && brand(brand_filter) == nullptr) {
      return http::problem(404, "Not Found", "no brand '" + brand_filter + "' in the rules");
    }
    std::vector<std::pair<std::int64_t, std::string>> rows;
    std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(rocksdb::ReadOptions(), cf_));
    for (it->Seek("h/"); it->Valid() && it->key().starts_with("h/"); it->Next()) {
      auto a = alert_from_json(it->value().ToStringView());
      if (!a.ok() || a->updated_ms < since || (!brand_filter.empty() && a->brand != brand_filter)) continue;
      std::string ack;
      if (store_.db()->Get(rocksdb::ReadOptions(), cf_, "a/" + a->id, &ack).ok() && !a->acked) {
        auto by = ack.substr(0, ack.find('\x1f'));
        a->acked = Ack{by, std::stoll(ack.substr(ack.find('\x1f') + 1))};
      }
      rows.emplace_back(a->updated_ms, to_json(*a));
    }
    std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    std::string body = "{\"alerts\":[";
    for (std::size_t i = 0; i < rows.size() && i < 500; ++i) {
      if (i) body += ',';
      body += rows[i].second;
    }
    body += "]}\n";
    return http::json(body);
  });
  server.route_prefix("POST", "/api/v1/alerts/", [this, api_token](const http::Request& req) {
    constexpr std::string_view kSuffix = "/ack";
    std::string_view rest = req.path.substr(std::string_view("/api/v1/alerts/").size());
    if (!rest.ends_with(kSuffix)) return http::problem(404, "Not Found", "expected /api/v1/alerts/{id}/ack");
    const std::string id(rest.substr(0, rest.size() - kSuffix.size()));
    if (api_token.empty()) {
      return http::problem(403, "Forbidden", "acknowledging over HTTP is off: set api.token_file or YUQING_API_TOKEN");
    }
    const std::string_view auth = req.header("Authorization");
    const std::string expected = "Bearer " + api_token;
    if (!text::constant_time_equal(auth, expected)) {
      auto r = http::problem(401, "Unauthorized", "a valid bearer token is required");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    std::string existing;
    if (!store_.db()->Get(rocksdb::ReadOptions(), cf_, "h/" + id, &existing).ok()) {
      return http::problem(404, "Not Found", "no alert with id '" + id + "'");
    }
    std::string by = "api";
    if (!req.body.empty()) {
      boost::system::error_code ec;
      auto v = boost::json::parse(req.body, ec);
      if (ec || !v.is_object()) return http::problem(400, "Bad Request", "the body must be a JSON object such as {\"by\":\"alice\"}");
      if (auto* b = v.as_object().if_contains("by"); b && b->is_string()) by = std::string(b->as_string());
    }
    const auto at = wall_ms();
    store_.db()->Put(rocksdb::WriteOptions(), cf_, "a/" + id, by + '\x1f' + std::to_string(at));
    {
      std::lock_guard lock(ack_mu_);
      pending_acks_.emplace_back(id, by);
    }
    log::info("Alert {} acknowledged by {}.", id, by);
    std::string body = "{\"id\":";
    text::append_json_string(body, id);
    body += ",\"acked\":{\"by\":";
    text::append_json_string(body, by);
    body += ",\"at\":";
    text::append_json_string(body, format_time_ms(at));
    body += "}}\n";
    return http::json(body);
  });
}

}  // namespace yuqing::alert
