#include "connectors/kafka/changelog.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "connectors/kafka/kafka_source.h"
#include "engine/base/log.h"

namespace yuqing::kafka {
namespace {

using Clock = std::chrono::steady_clock;

// Family names as the state store knows them (engine/window, engine/alert, engine/state).
constexpr std::string_view kBuckets = "buckets";
constexpr std::string_view kTop = "top_mentions";
constexpr std::string_view kAlerts = "alerts";
constexpr std::string_view kOffsets = "offsets";
constexpr std::string_view kDefault = "default";

std::int32_t to_partition(std::string_view digits) {
  std::int32_t v = 0;
  if (digits.empty() || digits.size() > 6) return -1;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Changelog key: family name, NUL, state key.
void encode_key(std::string& out, std::string_view family, std::string_view key) {
  out.assign(family);
  out.push_back('\0');
  out.append(key);
}

bool decode_key(std::string_view in, std::string_view& family, std::string_view& key) {
  const auto nul = in.find('\0');
  if (nul == std::string_view::npos) return false;
  family = in.substr(0, nul);
  key = in.substr(nul + 1);
  return true;
}

// Collects the (family, key) of every change in a WriteBatch.
class KeyCollector final : public rocksdb::WriteBatch::Handler {
 public:
  explicit KeyCollector(std::function<void(std::uint32_t, const rocksdb::Slice&)> add) : add_(std::move(add)) {}
  rocksdb::Status PutCF(std::uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice&) override {
    add_(cf, key);
    return rocksdb::Status::OK();
  }
  rocksdb::Status MergeCF(std::uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice&) override {
    add_(cf, key);
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(std::uint32_t cf, const rocksdb::Slice& key) override {
    add_(cf, key);
    return rocksdb::Status::OK();
  }
  rocksdb::Status SingleDeleteCF(std::uint32_t cf, const rocksdb::Slice& key) override {
    add_(cf, key);
    return rocksdb::Status::OK();
  }
  // Retention's range deletions are not logged (see the header).
  rocksdb::Status DeleteRangeCF(std::uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }

 private:
  std::function<void(std::uint32_t, const rocksdb::Slice&)> add_;
};

}  // namespace

std::optional<std::int32_t> state_partition(std::string_view family, std::string_view key,
                                            std::string_view matches_topic, std::int32_t partitions) {
  if (partitions <= 0) return std::nullopt;
  auto of_brand = [&](std::string_view brand) -> std::optional<std::int32_t> {
    if (brand.empty()) return std::nullopt;
    return partition_of_key(brand, partitions);
  };
  if (family == kBuckets || family == kTop) {  // brand id, NUL, ...; meta keys start with NUL
    const auto nul = key.find('\0');
    if (nul == std::string_view::npos) return std::nullopt;
    return of_brand(key.substr(0, nul));
  }
  if (family == kAlerts) {
    if (key.starts_with("i/")) {  // i/<brand> 0x1f <detector>
      const auto sep = key.find('\x1f');
      if (sep == std::string_view::npos) return std::nullopt;
      return of_brand(key.substr(2, sep - 2));
    }
    if (key.starts_with("h/")) {  // h/<brand>:<detector>:<minute>
      auto rest = key.substr(2);
      const auto last = rest.rfind(':');
      if (last == std::string_view::npos || last == 0) return std::nullopt;
      const auto before = rest.rfind(':', last - 1);
      if (before == std::string_view::npos) return std::nullopt;
      return of_brand(rest.substr(0, before));
    }
    return std::nullopt;  // a/<id>: who acknowledged, kept where it was said
  }
  // offsets: kafka:<matches topic>/<p>; default: dedup:<topic>/<q>/<p> and changelog:<topic>/<p>
  auto numbered = [&](std::string_view prefix) -> std::optional<std::int32_t> {
    if (!key.starts_with(prefix) || key.size() <= prefix.size() + matches_topic.size() + 1) return std::nullopt;
    auto rest = key.substr(prefix.size());
    if (!rest.starts_with(matches_topic) || rest[matches_topic.size()] != '/') return std::nullopt;
    rest = rest.substr(matches_topic.size() + 1);
    const auto p = to_partition(rest.substr(0, rest.find('/')));
    if (p < 0 || p >= partitions) return std::nullopt;
    return p;
  };
  if (family == kOffsets) return numbered("kafka:");
  if (family == kDefault) {
    if (auto p = numbered("dedup:")) return p;
    return numbered("changelog:");
  }
  return std::nullopt;
}

Result<std::unique_ptr<StateChangelog>, std::string> StateChangelog::open(const KafkaOptions& options,
                                                                          std::string changelog_topic,
                                                                          state::StateStore& state,
                                                                          prometheus::Registry& registry) {
  std::unique_ptr<StateChangelog> c(new StateChangelog());
  c->options_ = options;
  c->topic_ = std::move(changelog_topic);
  c->state_ = &state;
  // Gapless: a record that cannot be delivered fails every later one too (a fatal producer
  // error), so the log never has a hole before a marker.
  auto producer = Producer::open(options, {{"enable.gapless.guarantee", "true"}, {"linger.ms", "5"}});
  if (!producer) return Unexpected{producer.error()};
  c->producer_ = std::move(*producer);
  // Retried: right after start-up the client may not have reached a broker yet.
  auto matches = topic_partition_count(c->producer_->handle(), options.matches_topic);
  for (int attempt = 0; !matches && attempt < 10; ++attempt) {
    matches = topic_partition_count(c->producer_->handle(), options.matches_topic);
  }
  if (!matches) return Unexpected{"state changelog: " + matches.error()};
  auto changelog = topic_partition_count(c->producer_->handle(), c->topic_);
  if (!changelog) {
    return Unexpected{"state changelog: " + changelog.error() + "; create it with " + std::to_string(*matches) +
                      " partitions (as many as " + options.matches_topic + ") and cleanup.policy=compact"};
  }
  if (*changelog != *matches) {
    return Unexpected{"state changelog: " + c->topic_ + " has " + std::to_string(*changelog) + " partitions, " +
                      options.matches_topic + " has " + std::to_string(*matches) + "; they must be equal"};
  }
  c->partitions_ = *matches;
  std::random_device rd;
  c->epoch_ = rd();

  auto& records = prometheus::BuildCounter()
                      .Name("yuqing_changelog_records_total")
                      .Help("State changelog records, by operation (produced, restored, repaired).")
                      .Register(registry);
  c->produced_ = &records.Add({{"operation", "produced"}});
  c->restored_records_ = &records.Add({{"operation", "restored"}});
  c->repaired_ = &records.Add({{"operation", "repaired"}});
  auto& restores = prometheus::BuildCounter()
                       .Name("yuqing_changelog_restores_total")
                       .Help("Partitions assigned to this instance, by outcome (restored from the changelog, or "
                             "current: the local state already matched it).")
                       .Register(registry);
  c->restores_ = &restores.Add({{"outcome", "restored"}});
  c->restores_skipped_ = &restores.Add({{"outcome", "current"}});
  c->restoring_gauge_ = &prometheus::BuildGauge()
                             .Name("yuqing_changelog_restoring_partitions")
                             .Help("Partitions being restored from the state changelog now (the instance is not ready).")
                             .Register(registry)
                             .Add({});
  c->restore_seconds_ = &prometheus::BuildGauge()
                             .Name("yuqing_changelog_last_restore_seconds")
                             .Help("Wall time of the last restore from the state changelog.")
                             .Register(registry)
                             .Add({});
  log::info("State changelog: {} ({} partitions, as {}).", c->topic_, c->partitions_, options.matches_topic);
  return c;
}

StateChangelog::~StateChangelog() = default;

std::string StateChangelog::marker_key(std::int32_t p) const {
  return "changelog:" + options_.matches_topic + "/" + std::to_string(p);
}

std::uint64_t StateChangelog::next_marker() {
  return (static_cast<std::uint64_t>(epoch_) << 32) | (seq_.fetch_add(1) + 1);
}

void StateChangelog::before_commit(rocksdb::WriteBatch& batch) {
  entries_.clear();
  touched_.clear();
  KeyCollector collect([&](std::uint32_t cf, const rocksdb::Slice& key) {
    const auto family = state_->column_family_name(cf);
    const std::string_view k(key.data(), key.size());
    if (auto p = state_partition(family, k, options_.matches_topic, partitions_)) {
      entries_.push_back({*p, cf, std::string(k)});
      touched_.push_back(*p);
    }
  });
  batch.Iterate(&collect);
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  // The partition's marker goes into this very batch: the local state and its batch id are
  // written atomically.
  const auto marker = next_marker();
  auto* meta = state_->column_family(kDefault);
  for (auto p : touched_) {
    state_->put_meta(batch, marker_key(p), marker);
    entries_.push_back({p, meta->GetID(), marker_key(p)});
  }
}

Status<std::string> StateChangelog::after_commit(const rocksdb::WriteBatch&) {
  if (entries_.empty()) return {};
  auto* meta = state_->column_family(kDefault);
  const auto meta_id = meta->GetID();
  // Per partition, every key once, the marker last.
  std::stable_sort(entries_.begin(), entries_.end(), [&](const Entry& a, const Entry& b) {
    if (a.partition != b.partition) return a.partition < b.partition;
    const bool am = a.family == meta_id && a.key.starts_with("changelog:");
    const bool bm = b.family == meta_id && b.key.starts_with("changelog:");
    if (am != bm) return bm;
    if (a.family != b.family) return a.family < b.family;
    return a.key < b.key;
  });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const Entry& a, const Entry& b) {
                               return a.partition == b.partition && a.family == b.family && a.key == b.key;
                             }),
                 entries_.end());
  std::lock_guard lock(producer_mu_);
  if (producer_->failed() > 0) {
    return Unexpected{std::string("the state changelog lost a record (Kafka did not acknowledge it): stopping, so that "
                                  "a restart reconciles the state with the changelog")};
  }
  rocksdb::ReadOptions ro;
  std::uint64_t n = 0;
  for (const auto& e : entries_) {
    auto* cf = state_->column_family(state_->column_family_name(e.family));
    const auto s = state_->db()->Get(ro, cf, e.key, &value_buf_);
    if (!s.ok() && !s.IsNotFound()) return Unexpected{"state changelog: cannot read back " + e.key + ": " + s.ToString()};
    encode_key(key_buf_, state_->column_family_name(e.family), e.key);
    auto st = producer_->produce_to(topic_, e.partition, key_buf_,
                                    s.ok() ? std::optional<std::string_view>(value_buf_) : std::nullopt);
    if (!st) return Unexpected{"state changelog: " + st.error()};
    ++n;
  }
  produced_->Increment(static_cast<double>(n));
  producer_->poll();
  return {};
}

Status<std::string> StateChangelog::flush() {
  std::lock_guard lock(producer_mu_);
  return producer_->flush(30'000);
}

void StateChangelog::wipe(std::int32_t p) {
  auto* db = state_->db();
  rocksdb::WriteBatch wb;
  // Window buckets and top mentions: brand-prefixed keys; one range per brand of p.
  for (auto family : {kBuckets, kTop}) {
    auto* cf = state_->column_family(family);
    if (cf == nullptr) continue;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->Seek(std::string(1, '\x01')); it->Valid();) {
      const std::string_view k(it->key().data(), it->key().size());
      const auto nul = k.find('\0');
      if (nul == std::string_view::npos) {
        it->Next();
        continue;
      }
      const std::string brand(k.substr(0, nul));
      if (partition_of_key(brand, partitions_) == p) wb.DeleteRange(cf, brand + '\0', brand + '\x01');
      it->Seek(brand + '\x01');
    }
  }
  // Everything else: few keys; delete those of p one by one.
  for (auto family : {kAlerts, kOffsets, kDefault}) {
    auto* cf = state_->column_family(family);
    if (cf == nullptr) continue;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view k(it->key().data(), it->key().size());
      if (state_partition(family, k, options_.matches_topic, partitions_) == p) wb.Delete(cf, it->key());
    }
  }
  db->Write(rocksdb::WriteOptions(), &wb);
}

Status<std::string> StateChangelog::restore(const std::vector<std::int32_t>& partitions) {
  if (partitions.empty()) return {};
  restoring_.store(true);
  restoring_gauge_->Set(static_cast<double>(partitions.size()));
  const auto started = Clock::now();
  Status<std::string> result;
  for (auto p : partitions) {
    if (p < 0 || p >= partitions_) continue;
    result = restore_one(p);
    if (!result) break;
    restoring_gauge_->Decrement();
  }
  restore_seconds_->Set(std::chrono::duration<double>(Clock::now() - started).count());
  restoring_gauge_->Set(0);
  restoring_.store(false);
  return result;
}

Status<std::string> StateChangelog::restore_one(std::int32_t p) {
  // A group-less reader: it only assign()s (rd_kafka_consumer_poll needs a group.id).
  auto conf = make_conf(options_, {{"group.id", options_.group + ".changelog-reader"},
                                   {"enable.partition.eof", "true"},
                                   {"enable.auto.commit", "false"},
                                   {"fetch.max.bytes", "16777216"}});
  if (!conf) return Unexpected{conf.error()};
  char err[512];
  Handle reader(rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof err));
  if (!reader) {
    rd_kafka_conf_destroy(*conf);
    return Unexpected{std::string("state changelog: cannot create a reader: ") + err};
  }
  std::int64_t lo = 0, hi = 0;
  if (auto e = rd_kafka_query_watermark_offsets(reader.get(), topic_.c_str(), p, &lo, &hi, 10'000);
      e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unexpected{"state changelog: cannot read the offsets of " + topic_ + "/" + std::to_string(p) + ": " +
                      rd_kafka_err2str(e)};
  }
  // Reads [from, to) and hands each record to `fn`.
  auto read = [&](std::int64_t from, std::int64_t to,
                  const std::function<Status<std::string>(const rd_kafka_message_t&)>& fn) -> Status<std::string> {
    if (from >= to) return {};
    PartitionList list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p)->offset = from;
    rd_kafka_assign(reader.get(), list.get());
    auto last_progress = Clock::now();
    std::int64_t next = from;
    Status<std::string> st;
    while (next < to && st) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(reader.get(), 200);
      if (m == nullptr) {
        if (Clock::now() - last_progress > std::chrono::seconds(60)) {
          st = Unexpected{"state changelog: no progress reading " + topic_ + "/" + std::to_string(p) + " at offset " +
                          std::to_string(next) + " of " + std::to_string(to)};
        }
        continue;
      }
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset >= next && m->offset < to) {
        st = fn(*m);
        next = m->offset + 1;
        last_progress = Clock::now();
      } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (m->offset >= to) next = to;
      } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log::warn("State changelog: reading {}/{}: {}", topic_, p, rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(reader.get(), nullptr);
    return st;
  };

  const std::string meta_key = marker_key(p);
  std::string marker_ck;
  encode_key(marker_ck, kDefault, meta_key);
  auto is_marker = [&](const rd_kafka_message_t& m) {
    return m.key != nullptr && m.payload != nullptr &&
           std::string_view(static_cast<const char*>(m.key), m.key_len) == marker_ck;
  };
  // The last complete batch: the last marker, found by reading back from the end.
  std::int64_t last_marker = -1;
  std::uint64_t last_marker_value = 0;
  for (std::int64_t window = 512, from = std::max(lo, hi - window);; window *= 8, from = std::max(lo, hi - window)) {
    auto st = read(from, hi, [&](const rd_kafka_message_t& m) -> Status<std::string> {
      if (is_marker(m) && m.len == 8) {
        last_marker = m.offset;
        last_marker_value = 0;
        for (int i = 0; i < 8; ++i) {
          last_marker_value |= static_cast<std::uint64_t>(static_cast<const unsigned char*>(m.payload)[i]) << (8 * i);
        }
      }
      return {};
    });
    if (!st) return st;
    if (last_marker >= 0 || from <= lo) break;
  }
  const auto local = state_->load_meta(meta_key);
  if (last_marker == hi - 1 && local && *local == last_marker_value) {
    restores_skipped_->Increment();
    log::info("State changelog: partition {} is current (local state matches {} at offset {}).", p, topic_, last_marker);
    return {};
  }
  if (last_marker < 0 && !local) {
    // Nothing complete in the changelog and nothing written by a changelog-aware writer here:
    // a new partition (or a state from before the changelog, kept as it is).
    restores_skipped_->Increment();
    if (hi > lo) log::warn("State changelog: {}/{} holds no complete batch; partition {} starts empty.", topic_, p, p);
    return {};
  }

  // Rebuild: wipe what this instance has of p, then apply the changelog up to the marker.
  const auto started = Clock::now();
  wipe(p);
  auto* db = state_->db();
  rocksdb::WriteBatch wb;
  std::uint64_t applied = 0;
  auto apply = [&](const rd_kafka_message_t& m) -> Status<std::string> {
    if (m.key == nullptr) return {};
    std::string_view family, key;
    if (!decode_key(std::string_view(static_cast<const char*>(m.key), m.key_len), family, key)) return {};
    auto* cf = state_->column_family(family);
    if (cf == nullptr) return {};  // a family this build does not have
    if (m.payload == nullptr) {
      wb.Delete(cf, rocksdb::Slice(key.data(), key.size()));
    } else {
      wb.Put(cf, rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(static_cast<const char*>(m.payload), m.len));
    }
    ++applied;
    if (wb.Count() >= 4096) {
      if (auto s = db->Write(rocksdb::WriteOptions(), &wb); !s.ok()) return Unexpected{"state changelog: " + s.ToString()};
      wb.Clear();
    }
    return {};
  };
  if (auto st = read(lo, last_marker + 1, apply); !st) return st;
  if (wb.Count() > 0) {
    if (auto s = db->Write(rocksdb::WriteOptions(), &wb); !s.ok()) return Unexpected{"state changelog: " + s.ToString()};
    wb.Clear();
  }
  restored_records_->Increment(static_cast<double>(applied));
  restores_->Increment();

  // Repair an incomplete tail (a writer died mid-batch): its keys get the restored values and
  // a new marker follows, so the log reads as the state just restored.
  std::uint64_t repaired = 0;
  if (last_marker < hi - 1) {
    std::set<std::string> keys;
    auto st = read(last_marker + 1, hi, [&](const rd_kafka_message_t& m) -> Status<std::string> {
      if (m.key != nullptr) keys.emplace(static_cast<const char*>(m.key), m.key_len);
      return {};
    });
    if (!st) return st;
    std::lock_guard lock(producer_mu_);
    std::string value;
    for (const auto& ck : keys) {
      std::string_view family, key;
      if (!decode_key(ck, family, key) || ck == marker_ck) continue;
      auto* cf = state_->column_family(family);
      if (cf == nullptr) continue;
      const auto s = db->Get(rocksdb::ReadOptions(), cf, rocksdb::Slice(key.data(), key.size()), &value);
      auto produced = producer_->produce_to(topic_, p, ck, s.ok() ? std::optional<std::string_view>(value) : std::nullopt);
      if (!produced) return Unexpected{"state changelog: " + produced.error()};
      ++repaired;
    }
    const auto marker = next_marker();
    rocksdb::WriteBatch mb;
    state_->put_meta(mb, meta_key, marker);
    if (auto s = db->Write(rocksdb::WriteOptions(), &mb); !s.ok()) return Unexpected{"state changelog: " + s.ToString()};
    std::string mv;
    if (!db->Get(rocksdb::ReadOptions(), state_->column_family(kDefault), meta_key, &mv).ok()) mv.clear();
    if (auto produced = producer_->produce_to(topic_, p, marker_ck, mv); !produced) {
      return Unexpected{"state changelog: " + produced.error()};
    }
    if (auto f = producer_->flush(30'000); !f) return Unexpected{"state changelog: repairing: " + f.error()};
    repaired_->Increment(static_cast<double>(repaired));
  }
  log::info("State changelog: restored partition {} from {} ({} records up to offset {}, {} after it repaired) in {} ms.",
            p, topic_, applied, last_marker, repaired,
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
  return {};
}

}  // namespace yuqing::kafka
