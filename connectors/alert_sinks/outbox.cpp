#include "connectors/alert_sinks/outbox.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "engine/base/log.h"

namespace yuqing::alert_sinks {
namespace {

constexpr char kPending = 'q';
constexpr char kDead = 'x';
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kHeader = 1 + 4 + 8 + 8;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void put_be64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_be64(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}
template <class T>
void put_le(std::string& out, T v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}
template <class T>
T get_le(std::string_view in, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return static_cast<T>(v);
}

std::string prefix(char kind, std::string_view sink) {
  std::string p(1, kind);
  p += sink;
  p += '\0';
  return p;
}
std::string key(char kind, std::string_view sink, std::uint64_t seq) {
  auto k = prefix(kind, sink);
  put_be64(k, seq);
  return k;
}
// The first key after every key with this prefix ('\0' -> '\1').
std::string prefix_end(char kind, std::string_view sink) {
  auto p = prefix(kind, sink);
  p.back() = '\1';
  return p;
}

struct Entry {
  std::uint32_t attempts = 0;
  std::int64_t next_ms = 0;
  std::int64_t queued_ms = 0;
  std::string json;
};

std::string encode(const Entry& e) {
  std::string v;
  v.reserve(kHeader + e.json.size());
  v.push_back(static_cast<char>(kVersion));
  put_le<std::uint32_t>(v, e.attempts);
  put_le<std::int64_t>(v, e.next_ms);
  put_le<std::int64_t>(v, e.queued_ms);
  v += e.json;
  return v;
}
std::optional<Entry> decode(std::string_view v) {
  if (v.size() < kHeader || static_cast<std::uint8_t>(v[0]) != kVersion) return std::nullopt;
  Entry e;
  e.attempts = get_le<std::uint32_t>(v, 1);
  e.next_ms = get_le<std::int64_t>(v, 5);
  e.queued_ms = get_le<std::int64_t>(v, 13);
  e.json = std::string(v.substr(kHeader));
  return e;
}

std::string_view as_view(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

}  // namespace

std::int64_t backoff_ms(int attempts, int base_ms, int max_ms, double unit) {
  double d = base_ms;
  for (int i = 1; i < attempts && d < max_ms; ++i) d *= 2;
  d = std::min<double>(d, max_ms);
  return static_cast<std::int64_t>(d / 2 + unit * d / 2);
}

// One deliverer per sink.
struct Lane {
  SinkConfig config;
  std::unique_ptr<AlertSink> sink;
  std::thread thread;
  std::string cursor;  // no pending key below this one (everything before was deleted)
  prometheus::Counter* ok = nullptr;
  prometheus::Counter* retry = nullptr;
  prometheus::Counter* fatal = nullptr;
  prometheus::Counter* dead = nullptr;
  prometheus::Gauge* depth = nullptr;
  prometheus::Histogram* seconds = nullptr;
  std::atomic<std::uint64_t> n_ok{0}, n_retry{0}, n_fatal{0};
};

struct Outbox::Impl {
  state::StateStore* store = nullptr;
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  OutboxOptions options;
  std::shared_ptr<prometheus::Registry> own_registry;
  std::vector<std::unique_ptr<Lane>> lanes;
  std::atomic<std::uint64_t> next_seq{1};

  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t wakeups = 0;  // bumped by notify(); guarded by mu
  bool stopping = false;      // guarded by mu
  bool started = false;

  // Waits up to `ms` or until notify()/stop(). Returns false when stopping.
  bool wait(std::int64_t ms, std::uint64_t& seen) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(ms, 1)),
                [&] { return stopping || wakeups != seen; });
    seen = wakeups;
    return !stopping;
  }
  bool is_stopping() {
    std::lock_guard lock(mu);
    return stopping;
  }

  std::size_t count(char kind, std::string_view sink) const {
    rocksdb::ReadOptions ro;
    const auto end = prefix_end(kind, sink);
    rocksdb::Slice upper(end);
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
    std::size_t n = 0;
    for (it->Seek(prefix(kind, sink)); it->Valid(); it->Next()) ++n;
    return n;
  }

  void to_dead_letter(Lane& lane, const std::string& k, const Entry& e, const std::string& reason) {
    std::string v;
    v.push_back(static_cast<char>(kVersion));
    put_le<std::int64_t>(v, wall_ms());
    put_le<std::uint32_t>(v, e.attempts);
    put_le<std::uint32_t>(v, static_cast<std::uint32_t>(reason.size()));
    v += reason;
    v += e.json;
    rocksdb::WriteBatch b;
    b.Delete(cf, k);
    b.Put(cf, key(kDead, lane.config.name, get_be64(std::string_view(k).substr(k.size() - 8))), v);
    auto s = db->Write(rocksdb::WriteOptions(), &b);
    if (!s.ok()) log::error("Alert outbox: cannot move an entry of sink '{}' to the dead letters: {}", lane.config.name, s.ToString());
    lane.dead->Increment();
  }

  // One pending entry taken for delivery.
  struct Pending {
    std::string key;
    Entry entry;
    std::optional<alert::Alert> alert;
  };

  // Adds to `group` the other due entries of the head's brand (in queue order), up to the
  // sink's group_max: alerts raised together for one brand go out as one message.
  void gather(Lane& lane, const std::string& end, std::int64_t now, std::vector<Pending>& group) {
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper(end);
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
    const std::string brand = group.front().alert->brand;  // a copy: push_back moves the group
    it->Seek(group.front().key);
    if (it->Valid()) it->Next();  // past the head
    for (; it->Valid() && group.size() < lane.config.group_max; it->Next()) {
      auto d = decode(as_view(it->value()));
      if (!d || d->next_ms > now) continue;
      auto a = alert::alert_from_json(d->json);
      if (!a || a->brand != brand) continue;
      group.push_back({it->key().ToString(), std::move(*d), std::move(*a)});
    }
  }

  bool head_gone(const std::string& k) {
    std::string v;
    return db->Get(rocksdb::ReadOptions(), cf, k, &v).IsNotFound();
  }

  // Applies a delivery result to one entry of the message: delete on ok, dead-letter on fatal
  // (or when it has been retried too often or for too long), else reschedule after `delay`.
  void settle(Lane& lane, Pending& p, const DeliveryResult& r, std::int64_t done, std::int64_t delay) {
    const auto& name = lane.config.name;
    Entry& e = p.entry;
    const std::string id = p.alert ? p.alert->id : std::string("?");
    switch (r.kind) {
      case DeliveryResult::Kind::ok: {
        auto s = db->Delete(rocksdb::WriteOptions(), cf, p.key);
        if (!s.ok()) log::error("Alert outbox: cannot delete a delivered entry of sink '{}': {}", name, s.ToString());
        lane.ok->Increment();
        lane.n_ok.fetch_add(1, std::memory_order_relaxed);
        lane.seconds->Observe(static_cast<double>(std::max<std::int64_t>(done - e.queued_ms, 0)) / 1000.0);
        if (e.attempts > 0) log::info("Alert {} delivered to sink '{}' after {} failed attempt(s).", id, name, e.attempts);
        return;
      }
      case DeliveryResult::Kind::fatal: {
        lane.fatal->Increment();
        lane.n_fatal.fetch_add(1, std::memory_order_relaxed);
        log::error("Alert {} could not be delivered to sink '{}' and was moved to the dead letters: {}", id, name,
                   r.reason);
        e.attempts += 1;
        to_dead_letter(lane, p.key, e, r.reason);
        return;
      }
      case DeliveryResult::Kind::retry: {
        lane.retry->Increment();
        lane.n_retry.fetch_add(1, std::memory_order_relaxed);
        e.attempts += 1;
        const bool too_many = lane.config.max_attempts > 0 && e.attempts >= static_cast<std::uint32_t>(lane.config.max_attempts);
        const bool too_old = lane.config.max_age_ms > 0 && done - e.queued_ms > lane.config.max_age_ms;
        if (too_many || too_old) {
          lane.fatal->Increment();
          lane.n_fatal.fetch_add(1, std::memory_order_relaxed);
          log::error("Alert {} given up for sink '{}' after {} attempt(s) ({}); moved to the dead letters. Last error: {}",
                     id, name, e.attempts, too_many ? "max_attempts" : "max_age", r.reason);
          to_dead_letter(lane, p.key, e, (too_many ? "max_attempts reached: " : "max_age reached: ") + r.reason);
          return;
        }
        e.next_ms = done + delay;
        auto s = db->Put(rocksdb::WriteOptions(), cf, p.key, encode(e));
        if (!s.ok()) log::error("Alert outbox: cannot reschedule an entry of sink '{}': {}", name, s.ToString());
        log::warn("Alert {} not delivered to sink '{}' (attempt {}): {}; next attempt in {} ms.", id, name, e.attempts,
                  r.reason, delay);
        return;
      }
    }
  }

  void run(Lane& lane) {
    std::mt19937_64 rng(std::random_device{}());
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::uint64_t seen = 0;
    auto last_depth = std::chrono::steady_clock::now() - std::chrono::hours(1);
    const auto end = prefix_end(kPending, lane.config.name);
    const auto& name = lane.config.name;
    while (!is_stopping()) {
      // The head of this sink's queue.
      std::string k;
      Entry e;
      {
        rocksdb::ReadOptions ro;
        rocksdb::Slice upper(end);
        ro.iterate_upper_bound = &upper;
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
        it->Seek(lane.cursor);
        if (!it->Valid()) {
          lane.depth->Set(0);
          if (!wait(options.poll_interval_ms, seen)) break;
          continue;
        }
        k = it->key().ToString();
        auto d = decode(as_view(it->value()));
        if (!d) {
          log::error("Alert outbox: entry of sink '{}' cannot be read (version?); moved to the dead letters.", name);
          Entry raw;
          raw.json = it->value().ToString();
          to_dead_letter(lane, k, raw, "unreadable outbox entry");
          continue;
        }
        e = std::move(*d);
      }
      const auto now_steady = std::chrono::steady_clock::now();
      if (now_steady - last_depth > std::chrono::milliseconds(options.depth_refresh_ms)) {
        lane.depth->Set(static_cast<double>(count(kPending, name)));
        last_depth = now_steady;
      }
      const auto now = wall_ms();
      // (A wall clock that jumped back does not stretch a wait past one full backoff.)
      if (e.next_ms > now && e.next_ms - now <= static_cast<std::int64_t>(lane.config.backoff_max_ms) + 1000) {
        if (!wait(std::min<std::int64_t>(e.next_ms - now, 1000), seen)) break;
        continue;
      }
      // group_wait: a brand's first alert waits so that alerts raised right after it can join.
      if (lane.sink->groups() && lane.config.group_wait_ms > 0 && e.attempts == 0 &&
          now < e.queued_ms + lane.config.group_wait_ms) {
        if (!wait(std::min<std::int64_t>(e.queued_ms + lane.config.group_wait_ms - now, 1000), seen)) break;
        continue;
      }
      auto alert = alert::alert_from_json(e.json);
      std::vector<Pending> group;
      group.push_back({k, std::move(e), alert ? std::optional<alert::Alert>(std::move(*alert)) : std::nullopt});
      if (group.front().alert && lane.sink->groups()) gather(lane, end, now, group);
      DeliveryResult r;
      if (!group.front().alert) {
        r = DeliveryResult::fatal("unreadable alert: " + alert.error());
      } else if (group.size() == 1) {
        r = lane.sink->deliver(*group.front().alert);
      } else {
        // Tier order, firing before resolved: the first alert leads the message.
        std::vector<alert::Alert> alerts;
        for (auto& p : group) alerts.push_back(*p.alert);
        std::stable_sort(alerts.begin(), alerts.end(), [](const alert::Alert& a, const alert::Alert& b) {
          if (a.resolved() != b.resolved()) return !a.resolved();
          return static_cast<int>(a.tier) < static_cast<int>(b.tier);
        });
        r = lane.sink->deliver_group(alerts);
      }
      const auto done = wall_ms();
      const std::int64_t delay = backoff_ms(static_cast<int>(group.front().entry.attempts + 1),
                                            lane.config.backoff_base_ms, lane.config.backoff_max_ms, unit(rng));
      for (auto& p : group) settle(lane, p, r, done, delay);
      // Delivered or dead-lettered: nothing pending is left at or below the head's key. (A
      // rescheduled head stays where it is.)
      if (head_gone(group.front().key)) {
        lane.cursor = group.front().key;
        lane.cursor.push_back('\0');  // just past it
      }
    }
  }
};

Outbox::Outbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Outbox::~Outbox() { stop(); }

Result<std::unique_ptr<Outbox>, std::string> Outbox::open(state::StateStore& store, const std::vector<SinkConfig>& configs,
                                                          prometheus::Registry* registry, OutboxOptions options) {
  std::vector<OutboxSink> sinks;
  for (const auto& c : configs) {
    auto s = build_sink(c);
    if (!s) return Unexpected{s.error()};
    sinks.push_back({c, std::move(*s)});
  }
  return open(store, std::move(sinks), registry, options);
}

Result<std::unique_ptr<Outbox>, std::string> Outbox::open(state::StateStore& store, std::vector<OutboxSink> sinks,
                                                          prometheus::Registry* registry, OutboxOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->store = &store;
  impl->db = store.db();
  impl->cf = store.column_family(kOutboxColumnFamily);
  if (impl->cf == nullptr) {
    return Unexpected{std::string("the state store was opened without the 'outbox' column family")};
  }
  impl->options = options;
  if (registry == nullptr) {
    impl->own_registry = std::make_shared<prometheus::Registry>();
    registry = impl->own_registry.get();
  }
  auto& deliveries = prometheus::BuildCounter()
                         .Name("yuqing_alert_deliveries_total")
                         .Help("Alert delivery attempts by sink and result (ok, retry, fatal).")
                         .Register(*registry);
  auto& depth = prometheus::BuildGauge()
                    .Name("yuqing_alert_outbox_depth")
                    .Help("Alerts waiting in the outbox for a sink.")
                    .Register(*registry);
  auto& seconds = prometheus::BuildHistogram()
                      .Name("yuqing_alert_delivery_seconds")
                      .Help("Time from an alert entering the outbox to its delivery, by sink (wall clock).")
                      .Register(*registry);
  auto& dead = prometheus::BuildCounter()
                   .Name("yuqing_alert_dead_letters_total")
                   .Help("Alerts a sink gave up on (fatal answer, max_attempts or max_age).")
                   .Register(*registry);
  std::map<std::string, int> names;
  for (auto& s : sinks) {
    if (!s.sink) return Unexpected{"sink '" + s.config.name + "' has no implementation"};
    if (names[s.config.name]++) return Unexpected{"two sinks are named '" + s.config.name + "'"};
    auto lane = std::make_unique<Lane>();
    lane->config = s.config;
    lane->sink = std::move(s.sink);
    lane->cursor = prefix(kPending, lane->config.name);
    const auto& n = lane->config.name;
    lane->ok = &deliveries.Add({{"sink", n}, {"result", "ok"}});
    lane->retry = &deliveries.Add({{"sink", n}, {"result", "retry"}});
    lane->fatal = &deliveries.Add({{"sink", n}, {"result", "fatal"}});
    lane->dead = &dead.Add({{"sink", n}});
    lane->depth = &depth.Add({{"sink", n}});
    lane->seconds = &seconds.Add({{"sink", n}}, prometheus::Histogram::BucketBoundaries{
                                                     0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800});
    impl->lanes.push_back(std::move(lane));
  }
  // The next sequence follows every key in the family, and pending entries of sinks that are
  // no longer configured are reported (they stay until such a sink returns).
  std::map<std::string, std::size_t> orphans;
  std::uint64_t max_seq = 0;
  std::unique_ptr<rocksdb::Iterator> it(impl->db->NewIterator(rocksdb::ReadOptions(), impl->cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const auto k = as_view(it->key());
    if (k.size() < 10) continue;
    max_seq = std::max(max_seq, get_be64(k.substr(k.size() - 8)));
    if (k[0] == kPending) {
      const std::string sink(k.substr(1, k.size() - 10));
      if (names.find(sink) == names.end()) ++orphans[sink];
    }
  }
  impl->next_seq = max_seq + 1;
  for (const auto& [sink, n] : orphans) {
    log::warn("Alert outbox holds {} alert(s) for sink '{}', which is not configured; they wait for it to return.", n, sink);
  }
  for (auto& lane : impl->lanes) lane->depth->Set(static_cast<double>(impl->count(kPending, lane->config.name)));
  return std::unique_ptr<Outbox>(new Outbox(std::move(impl)));
}

bool Outbox::routes(const SinkConfig& c, const alert::Alert& a) {
  if (!c.tiers[static_cast<std::size_t>(a.tier)]) return false;
  if (a.resolved() && !c.send_resolved) return false;
  return true;
}

std::size_t Outbox::enqueue(rocksdb::WriteBatch& batch, const alert::Alert& a) {
  std::size_t n = 0;
  Entry e;
  e.queued_ms = wall_ms();
  e.next_ms = 0;
  e.json = alert::to_json(a);
  const auto value = encode(e);
  const auto seq = impl_->next_seq.fetch_add(1);
  for (const auto& lane : impl_->lanes) {
    if (!routes(lane->config, a)) continue;
    batch.Put(impl_->cf, key(kPending, lane->config.name, seq), value);
    ++n;
  }
  return n;
}

void Outbox::notify() {
  {
    std::lock_guard lock(impl_->mu);
    ++impl_->wakeups;
  }
  impl_->cv.notify_all();
}

void Outbox::start() {
  if (impl_->started) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = false;
  }
  impl_->started = true;
  for (auto& lane : impl_->lanes) {
    Lane* l = lane.get();
    l->thread = std::thread([this, l] { impl_->run(*l); });
  }
}

void Outbox::stop() {
  if (!impl_ || !impl_->started) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  for (auto& lane : impl_->lanes) {
    if (lane->thread.joinable()) lane->thread.join();
  }
  impl_->started = false;
}

std::size_t Outbox::depth(std::string_view sink) const { return impl_->count(kPending, sink); }

std::vector<DeadLetter> Outbox::dead_letters(std::string_view sink) const {
  std::vector<DeadLetter> out;
  rocksdb::ReadOptions ro;
  const auto end = prefix_end(kDead, sink);
  rocksdb::Slice upper(end);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf));
  for (it->Seek(prefix(kDead, sink)); it->Valid(); it->Next()) {
    const auto k = as_view(it->key());
    const auto v = as_view(it->value());
    if (v.size() < 17 || static_cast<std::uint8_t>(v[0]) != kVersion) continue;
    DeadLetter d;
    d.sink = std::string(sink);
    d.sequence = get_be64(k.substr(k.size() - 8));
    d.at_ms = get_le<std::int64_t>(v, 1);
    d.attempts = get_le<std::uint32_t>(v, 9);
    const auto rlen = get_le<std::uint32_t>(v, 13);
    if (17 + rlen > v.size()) continue;
    d.reason = std::string(v.substr(17, rlen));
    d.alert_json = std::string(v.substr(17 + rlen));
    out.push_back(std::move(d));
  }
  return out;
}

SinkCounts Outbox::counts(std::string_view sink) const {
  for (const auto& lane : impl_->lanes) {
    if (lane->config.name == sink) {
      return {lane->n_ok.load(), lane->n_retry.load(), lane->n_fatal.load()};
    }
  }
  return {};
}

std::vector<std::string> Outbox::sink_names() const {
  std::vector<std::string> out;
  for (const auto& lane : impl_->lanes) out.push_back(lane->config.name);
  return out;
}

}  // namespace yuqing::alert_sinks
