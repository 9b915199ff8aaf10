#include "connectors/kafka/kafka_source.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "engine/base/log.h"

namespace yuqing::kafka {
namespace {

using Clock = std::chrono::steady_clock;

std::string partition_names(const rd_kafka_topic_partition_list_t* parts) {
  std::string out;
  for (int i = 0; i < parts->cnt; ++i) {
    if (i) out += ',';
    out += std::to_string(parts->elems[i].partition);
    if (parts->elems[i].offset >= 0) out += "@" + std::to_string(parts->elems[i].offset);
  }
  return out;
}

class KafkaSource final : public source::Source {
 public:
  KafkaSource(KafkaOptions options, StoredOffset stored, prometheus::Registry* registry)
      : options_(std::move(options)), stored_(std::move(stored)) {
    if (registry != nullptr) {
      lag_family_ = &prometheus::BuildGauge()
                         .Name("yuqing_kafka_consumer_lag")
                         .Help("Messages behind the partition's high watermark, per assigned partition.")
                         .Register(*registry);
      auto& rebalances = prometheus::BuildCounter()
                             .Name("yuqing_kafka_rebalances_total")
                             .Help("Consumer-group rebalance events, by kind (assign, revoke).")
                             .Register(*registry);
      assigned_counter_ = &rebalances.Add({{"kind", "assign"}});
      revoked_counter_ = &rebalances.Add({{"kind", "revoke"}});
      auto& commits = prometheus::BuildCounter()
                          .Name("yuqing_kafka_offset_commits_total")
                          .Help("Offset commits to the consumer group, by result (ok, error).")
                          .Register(*registry);
      commit_ok_ = &commits.Add({{"result", "ok"}});
      commit_failed_ = &commits.Add({{"result", "error"}});
      assigned_gauge_ = &prometheus::BuildGauge()
                             .Name("yuqing_kafka_assigned_partitions")
                             .Help("Partitions of the mentions topic assigned to this engine.")
                             .Register(*registry)
                             .Add({});
    }
  }

  ~KafkaSource() override {
    // Leaving the group revokes the partitions: commit what the pipeline committed (the
    // pipeline has finished by now, so there is nothing to wait for).
    drain_ = nullptr;
    if (rk_) rd_kafka_consumer_close(rk_.get());
  }

  Status<std::string> start() {
    auto conf = make_conf(options_, {{"group.id", options_.group},
                                     {"enable.auto.commit", "false"},
                                     {"enable.auto.offset.store", "false"},
                                     {"auto.offset.reset", "earliest"},
                                     {"enable.partition.eof", "false"},
                                     {"isolation.level", "read_committed"}});
    if (!conf) return Unexpected{conf.error()};
    rd_kafka_conf_set_rebalance_cb(*conf, &KafkaSource::on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(*conf, &KafkaSource::on_commit);
    rd_kafka_conf_set_opaque(*conf, this);
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof err);
    if (rk == nullptr) {
      rd_kafka_conf_destroy(*conf);
      return Unexpected{std::string("cannot create the Kafka consumer: ") + err};
    }
    rk_.reset(rk);
    rd_kafka_poll_set_consumer(rk);
    PartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), options_.topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto e = rd_kafka_subscribe(rk, topics.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Unexpected{"cannot subscribe to " + options_.topic + ": " + rd_kafka_err2str(e)};
    }
    if (!options_.handover_topic.empty()) {
      auto producer = Producer::open(options_);
      if (!producer) return Unexpected{producer.error()};
      handover_ = std::move(*producer);
    }
    log::info("Kafka: consuming {} from {} in group {}.", options_.topic, options_.brokers, options_.group);
    return {};
  }

  std::string key() const override { return "kafka:" + options_.topic; }
  rd_kafka_t* handle() const { return rk_.get(); }
  Ownership ownership() const {
    std::lock_guard lock(owned_mu_);
    return owned_;
  }
  std::string partition_key(std::int32_t partition) const override {
    return "kafka:" + options_.topic + "/" + std::to_string(partition);
  }
  // Positions are per partition and applied on assignment (see the header).
  Status<std::string> seek(std::uint64_t) override { return {}; }
  bool resumable() const override { return true; }
  void stop() override { stopping_ = true; }
  std::uint64_t generation() const override { return generation_.load(); }
  void set_drain_hook(DrainHook hook) override { drain_ = std::move(hook); }
  void set_state_hooks(PartitionStateHooks hooks) { hooks_ = std::move(hooks); }

  Status<std::string> read(source::RecordBatch& batch, const source::ReadLimits& limits) override {
    if (!hook_error_.empty()) return Unexpected{hook_error_};
    batch.generation = generation_.load();
    const auto deadline = Clock::now() + std::chrono::milliseconds(limits.max_delay_ms);
    while (!stopping_ && batch.records.size() < limits.max_records && batch.bytes.size() < limits.max_bytes) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_.get(), static_cast<int>(std::min<long>(left, 100)));
      if (msg == nullptr) continue;
      if (generation_.load() != batch.generation) {  // a rebalance ran inside the poll
        batch.clear();
        batch.generation = generation_.load();
      }
      if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        auto st = on_error(msg);
        rd_kafka_message_destroy(msg);
        if (!st) return st;
        continue;
      }
      append(batch, *msg, limits);
      rd_kafka_message_destroy(msg);
    }
    if (generation_.load() != batch.generation) {
      batch.clear();
      batch.generation = generation_.load();
    }
    if (!hook_error_.empty()) return Unexpected{hook_error_};
    refresh_lag();
    return {};
  }

  void committed(const source::RecordBatch& batch) override {
    if (batch.partition_ends.empty()) return;
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(batch.partition_ends.size())));
    {
      std::lock_guard lock(committed_mu_);
      for (const auto& end : batch.partition_ends) {
        rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), end.partition)->offset =
            static_cast<std::int64_t>(end.next_offset);
        committed_[end.partition] = static_cast<std::int64_t>(end.next_offset);
      }
    }
    // Asynchronous: the state store already holds these offsets; Kafka's copy is for lag
    // tools and the next owner, and is made synchronous at revocation.
    rd_kafka_commit(rk_.get(), list.get(), 1);
  }

  void wait_while_full() override {
    if (!paused_ && assigned_ && assigned_->cnt > 0) {
      rd_kafka_pause_partitions(rk_.get(), assigned_.get());
      paused_ = true;
    }
    // Polling serves the group session. A message already fetched before the pause is let go
    // here and read again after resume_taking() seeks back to it.
    if (rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_.get(), 100)) {
      if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        (void)on_error(msg);
      } else {
        consumed_.try_emplace(msg->partition, msg->offset);  // nothing taken from it yet: seek here
      }
      rd_kafka_message_destroy(msg);
    }
  }

  void resume_taking() override {
    if (!paused_ || !assigned_) {
      paused_ = false;
      return;
    }
    paused_ = false;
    rd_kafka_resume_partitions(rk_.get(), assigned_.get());
    // Resume exactly after the last record taken: librdkafka 2.0 may continue from its fetch
    // position instead (records fetched before the pause would be skipped).
    PartitionList next(rd_kafka_topic_partition_list_new(static_cast<int>(consumed_.size())));
    for (const auto& [partition, offset] : consumed_) {
      rd_kafka_topic_partition_list_add(next.get(), options_.topic.c_str(), partition)->offset = offset;
    }
    if (next->cnt == 0) return;
    if (rd_kafka_error_t* e = rd_kafka_seek_partitions(rk_.get(), next.get(), 10'000)) {
      log::error("Kafka: seeking back after a pause failed: {}", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
  }

 private:
  static void on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque) {
    auto* self = static_cast<KafkaSource*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->assign(parts);
    } else {
      if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) log::warn("Kafka rebalance error: {}", rd_kafka_err2str(err));
      self->revoke(parts);
    }
  }

  std::string handover_key(std::int32_t partition) const {
    return options_.group + "/" + options_.topic + "/" + std::to_string(partition);
  }

  // Produces the committed offsets of partitions being let go to the hand-over topic and waits
  // for Kafka to have them.
  void publish_handover(const rd_kafka_topic_partition_list_t* offsets) {
    if (!handover_ || offsets->cnt == 0) return;
    for (int i = 0; i < offsets->cnt; ++i) {
      const auto& p = offsets->elems[i];
      if (auto st = handover_->produce(options_.handover_topic, handover_key(p.partition), std::to_string(p.offset));
          !st) {
        log::warn("Kafka: hand-over of offsets failed: {}", st.error());
        return;
      }
    }
    if (auto st = handover_->flush(15'000); !st) log::warn("Kafka: hand-over of offsets failed: {}", st.error());
  }

  // Reads the whole hand-over topic (small: one record per partition move) with a group-less
  // consumer and returns the highest offset handed over per partition of our topic.
  std::map<std::int32_t, std::int64_t> read_handover() {
    std::map<std::int32_t, std::int64_t> out;
    if (options_.handover_topic.empty()) return out;
    // rd_kafka_consumer_poll needs a group.id; this consumer only assign()s, never joins it.
    auto conf = make_conf(options_, {{"group.id", options_.group + ".handover-reader"},
                                     {"enable.partition.eof", "true"},
                                     {"enable.auto.commit", "false"}});
    if (!conf) return out;
    char err[512];
    Handle reader(rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof err));
    if (!reader) {
      rd_kafka_conf_destroy(*conf);
      log::warn("Kafka: cannot read the hand-over topic: {}", err);
      return out;
    }
    const auto partitions = topic_partition_count(reader.get(), options_.handover_topic, 10'000);
    if (!partitions) {
      log::warn("Kafka: hand-over topic {} is not available ({}); relying on the group's committed offsets.",
                options_.handover_topic, partitions.error());
      return out;
    }
    PartitionList all(rd_kafka_topic_partition_list_new(*partitions));
    int pending = 0;
    for (std::int32_t id = 0; id < *partitions; ++id) {
      std::int64_t lo = 0, hi = 0;
      if (rd_kafka_query_watermark_offsets(reader.get(), options_.handover_topic.c_str(), id, &lo, &hi, 10'000) !=
              RD_KAFKA_RESP_ERR_NO_ERROR ||
          hi <= lo) {
        continue;  // empty (or unreadable: the group offsets still apply)
      }
      rd_kafka_topic_partition_list_add(all.get(), options_.handover_topic.c_str(), id)->offset = lo;
      ++pending;
    }
    if (pending == 0) return out;
    rd_kafka_assign(reader.get(), all.get());
    const std::string prefix = options_.group + "/" + options_.topic + "/";
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    while (pending > 0 && Clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(reader.get(), 200);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        --pending;
      } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->key != nullptr) {
        const std::string_view key(static_cast<const char*>(m->key), m->key_len);
        const std::string value(static_cast<const char*>(m->payload), m->len);
        if (key.starts_with(prefix)) {
          try {
            const auto partition = std::stoi(std::string(key.substr(prefix.size())));
            const std::int64_t offset = std::stoll(value);
            auto& best = out[partition];
            best = std::max(best, offset);
          } catch (const std::exception&) {
            // not ours / malformed: ignore
          }
        }
      }
      rd_kafka_message_destroy(m);
    }
    if (pending > 0) log::warn("Kafka: the hand-over topic was not read to its end in time.");
    log::debug("Kafka: {} partitions found in the hand-over topic.", out.size());
    rd_kafka_consumer_close(reader.get());
    return out;
  }

  // Result of an asynchronous offset commit (served by the consumer poll, reader thread).
  static void on_commit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets, void* opaque) {
    auto* self = static_cast<KafkaSource*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;  // nothing to commit
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (self->commit_ok_ != nullptr) self->commit_ok_->Increment();
      return;
    }
    if (self->commit_failed_ != nullptr) self->commit_failed_->Increment();
    log::warn("Kafka: committing offsets {} to the group failed: {} (the state store has them; a later commit "
              "supersedes this one).",
              partition_names(offsets), rd_kafka_err2str(err));
  }

  void assign(rd_kafka_topic_partition_list_t* parts) {
    // What the group has committed for these partitions (retried: the coordinator may be
    // moving). Without it a partition another engine advanced could be counted twice.
    PartitionList group(rd_kafka_topic_partition_list_copy(parts));
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int attempt = 0; attempt < 30 && !stopping_; ++attempt) {
      err = rd_kafka_committed(rk_.get(), group.get(), 5000);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      log::warn("Kafka: reading the group's committed offsets failed ({}); retrying.", rd_kafka_err2str(err));
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::error("Kafka: the group's committed offsets could not be read: starting from this engine's own offsets.");
    }
    if (hooks_.restore) {
      std::vector<std::int32_t> ids;
      for (int i = 0; i < parts->cnt; ++i) ids.push_back(parts->elems[i].partition);
      if (auto st = hooks_.restore(ids); !st) {
        log::error("Kafka: the state of partitions {} could not be restored: {}", partition_names(parts), st.error());
        hook_error_ = st.error();
      }
    }
    const auto handed = read_handover();
    for (int i = 0; i < parts->cnt; ++i) {
      auto& p = parts->elems[i];
      std::int64_t start = -1;
      if (auto own = stored_(partition_key(p.partition))) start = static_cast<std::int64_t>(*own);
      // With a state hook the restored state came with its offset: exactly that, nothing newer.
      const bool from_state = hooks_.restore && start >= 0;
      if (auto it = handed.find(p.partition); !from_state && it != handed.end()) start = std::max(start, it->second);
      if (!from_state && err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const auto* g = rd_kafka_topic_partition_list_find(group.get(), p.topic, p.partition);
        if (g != nullptr && g->err == RD_KAFKA_RESP_ERR_NO_ERROR && g->offset >= 0) start = std::max(start, g->offset);
      }
      p.offset = start >= 0 ? start : RD_KAFKA_OFFSET_INVALID;  // invalid: auto.offset.reset (earliest)
      if (start >= 0) consumed_[p.partition] = start;
      // What a revocation commits if nothing is processed before it: never an older offset
      // from a previous ownership.
      std::lock_guard lock(committed_mu_);
      if (start >= 0) {
        committed_[p.partition] = start;
      } else {
        committed_.erase(p.partition);
      }
    }
    if (auto e = rd_kafka_assign(rk_.get(), parts); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::error("Kafka: assign failed: {}", rd_kafka_err2str(e));
    }
    assigned_.reset(rd_kafka_topic_partition_list_copy(parts));
    paused_ = false;
    {
      Ownership now;
      now.assigned = true;
      for (int i = 0; i < parts->cnt; ++i) now.partitions.push_back(parts->elems[i].partition);
      now.partition_count = partition_count();
      std::lock_guard lock(owned_mu_);
      now.version = owned_.version + 1;
      owned_ = std::move(now);
    }
    generation_.fetch_add(1);
    if (hooks_.assigned) {
      std::vector<std::int32_t> ids;
      for (int i = 0; i < parts->cnt; ++i) ids.push_back(parts->elems[i].partition);
      if (auto st = hooks_.assigned(ids); !st) log::warn("Kafka: after the assignment: {}", st.error());
    }
    if (assigned_counter_ != nullptr) {
      assigned_counter_->Increment();
      assigned_gauge_->Set(parts->cnt);
    }
    log::info("Kafka: assigned {} partitions of {}: {}.", parts->cnt, options_.topic, partition_names(parts));
  }

  void revoke(rd_kafka_topic_partition_list_t* parts) {
    generation_.fetch_add(1);  // whatever was read and not handed over is dropped
    const bool drained = drain_ ? drain_() : true;
    if (!drained) {
      log::warn("Kafka: the pipeline stopped before every batch was committed; the next owner of the partitions "
                "resumes from the last committed offsets.");
    }
    if (hooks_.release) {
      if (auto st = hooks_.release(); !st) {
        log::error("Kafka: the state of the revoked partitions is not durable for the next owner: {}", st.error());
        hook_error_ = st.error();
      }
    }
    PartitionList list(rd_kafka_topic_partition_list_new(parts->cnt));
    {
      std::lock_guard lock(committed_mu_);
      for (int i = 0; i < parts->cnt; ++i) {
        auto it = committed_.find(parts->elems[i].partition);
        if (it == committed_.end()) continue;
        rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), it->first)->offset = it->second;
      }
    }
    publish_handover(list.get());
    if (list->cnt > 0) {
      if (auto e = rd_kafka_commit(rk_.get(), list.get(), 0); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (commit_failed_ != nullptr) commit_failed_->Increment();
        log::warn("Kafka: committing offsets of revoked partitions failed ({}); the state store keeps them.",
                  rd_kafka_err2str(e));
      }
    }
    rd_kafka_assign(rk_.get(), nullptr);
    assigned_.reset();
    {
      std::lock_guard lock(owned_mu_);
      owned_.assigned = false;
      owned_.partitions.clear();
      ++owned_.version;
    }
    paused_ = false;
    if (revoked_counter_ != nullptr) {
      revoked_counter_->Increment();
      assigned_gauge_->Set(0);
      for (auto& [partition, gauge] : lag_gauges_) lag_family_->Remove(gauge);
      lag_gauges_.clear();
    }
    consumed_.clear();
    log::info("Kafka: revoked {} partitions of {} (offsets committed: {}).", parts->cnt, options_.topic,
              partition_names(list.get()));
  }

  // Partitions of our topic per the cluster's metadata (0 when it cannot be read now).
  std::int32_t partition_count() {
    const auto n = topic_partition_count(rk_.get(), options_.topic);
    return n ? *n : 0;
  }

  Status<std::string> on_error(const rd_kafka_message_t* msg) {
    char fatal[512];
    if (rd_kafka_fatal_error(rk_.get(), fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Unexpected{std::string("Kafka consumer failed: ") + fatal};
    }
    // Transient (a broker down, a leader moving): librdkafka retries by itself. Say so, but
    // not hundreds of times a second.
    const auto now = Clock::now();
    if (now - last_error_log_ >= std::chrono::seconds(5)) {
      last_error_log_ = now;
      log::warn("Kafka consumer: {} (retrying).", rd_kafka_message_errstr(msg));
    }
    return {};
  }

  void append(source::RecordBatch& batch, const rd_kafka_message_t& msg, const source::ReadLimits& limits) {
    source::Record r;
    r.partition = msg.partition;
    r.offset = static_cast<std::uint64_t>(msg.offset);
    r.begin = static_cast<std::uint32_t>(batch.bytes.size());
    r.full_size = msg.len;
    r.size = static_cast<std::uint32_t>(std::min<std::size_t>(msg.len, limits.max_line_bytes));
    batch.bytes.append(static_cast<const char*>(msg.payload), r.size);
    batch.records.push_back(r);
    auto it = std::find_if(batch.partition_ends.begin(), batch.partition_ends.end(),
                           [&](const source::PartitionEnd& e) { return e.partition == msg.partition; });
    if (it == batch.partition_ends.end()) {
      batch.partition_ends.push_back({msg.partition, 0, 0});
      it = batch.partition_ends.end() - 1;
    }
    it->next_offset = r.offset + 1;
    ++it->records;
    consumed_[msg.partition] = msg.offset + 1;
  }

  // Lag of every assigned partition: its high watermark (cached from fetch responses, no
  // broker round trip) minus the next offset this engine will read.
  void refresh_lag() {
    if (lag_family_ == nullptr || !assigned_) return;
    const auto now = Clock::now();
    if (now - last_lag_ < std::chrono::seconds(1)) return;
    last_lag_ = now;
    PartitionList positions(rd_kafka_topic_partition_list_copy(assigned_.get()));
    if (rd_kafka_position(rk_.get(), positions.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    for (int i = 0; i < positions->cnt; ++i) {
      const auto& p = positions->elems[i];
      std::int64_t next = p.offset;
      if (auto it = consumed_.find(p.partition); it != consumed_.end()) next = std::max(next, it->second);
      std::int64_t lo = 0, hi = 0;
      if (next < 0 ||
          rd_kafka_get_watermark_offsets(rk_.get(), options_.topic.c_str(), p.partition, &lo, &hi) !=
              RD_KAFKA_RESP_ERR_NO_ERROR ||
          hi < 0) {
        continue;  // not fetched yet: no figure rather than a wrong one
      }
      auto& gauge = lag_gauges_[p.partition];
      if (gauge == nullptr) {
        gauge = &lag_family_->Add({{"topic", options_.topic}, {"partition", std::to_string(p.partition)}});
      }
      gauge->Set(static_cast<double>(std::max<std::int64_t>(0, hi - next)));
    }
  }

  KafkaOptions options_;
  StoredOffset stored_;
  Handle rk_;
  std::unique_ptr<Producer> handover_;
  DrainHook drain_;
  PartitionStateHooks hooks_;
  std::string hook_error_;  // sticky: read() returns it (reader thread only)
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> generation_{1};
  // Reader thread only (read, wait_while_full, the rebalance callback that runs inside them).
  PartitionList assigned_;
  bool paused_ = false;
  std::map<std::int32_t, std::int64_t> consumed_;  // next offset to read, per partition
  Clock::time_point last_error_log_{};
  Clock::time_point last_lag_{};
  // Offsets committed to the state store (written by the worker, read at revocation).
  std::mutex committed_mu_;
  std::map<std::int32_t, std::int64_t> committed_;
  // What this source owns, for the HTTP API (written by the rebalance callback).
  mutable std::mutex owned_mu_;
  Ownership owned_;
  // Metrics.
  prometheus::Family<prometheus::Gauge>* lag_family_ = nullptr;
  std::map<std::int32_t, prometheus::Gauge*> lag_gauges_;
  prometheus::Counter* assigned_counter_ = nullptr;
  prometheus::Counter* revoked_counter_ = nullptr;
  prometheus::Gauge* assigned_gauge_ = nullptr;
  prometheus::Counter* commit_ok_ = nullptr;
  prometheus::Counter* commit_failed_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<source::Source>, std::string> open_consumer(const KafkaOptions& options, StoredOffset stored,
                                                                  prometheus::Registry* registry) {
  auto src = std::make_unique<KafkaSource>(options, std::move(stored), registry);
  if (auto st = src->start(); !st) return Unexpected{st.error()};
  return std::unique_ptr<source::Source>(std::move(src));
}

rd_kafka_consumer_group_metadata_t* consumer_group_metadata(source::Source& source) {
  auto* kafka = dynamic_cast<KafkaSource*>(&source);
  if (kafka == nullptr || kafka->handle() == nullptr) return nullptr;
  return rd_kafka_consumer_group_metadata(kafka->handle());
}

Ownership consumer_ownership(const source::Source& source) {
  const auto* kafka = dynamic_cast<const KafkaSource*>(&source);
  return kafka == nullptr ? Ownership{} : kafka->ownership();
}

void set_partition_state_hooks(source::Source& source, PartitionStateHooks hooks) {
  if (auto* kafka = dynamic_cast<KafkaSource*>(&source)) kafka->set_state_hooks(std::move(hooks));
}

std::int32_t partition_of_key(std::string_view key, std::int32_t partition_count) {
  if (partition_count <= 0) return -1;
  return rd_kafka_msg_partitioner_consistent(nullptr, key.data(), key.size(), partition_count, nullptr, nullptr);
}

}  // namespace yuqing::kafka
