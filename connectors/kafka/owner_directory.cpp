#include "connectors/kafka/owner_directory.h"

#include <chrono>

#include "engine/base/log.h"

namespace yuqing::kafka {

Result<std::unique_ptr<OwnerDirectory>, std::string> OwnerDirectory::open(const KafkaOptions& options,
                                                                          std::string self_address) {
  if (options.handover_topic.empty()) return Unexpected{std::string("the owner directory needs kafka.handover_topic")};
  std::unique_ptr<OwnerDirectory> d(new OwnerDirectory());
  d->options_ = options;
  d->self_ = std::move(self_address);
  auto producer = Producer::open(options);
  if (!producer) return Unexpected{producer.error()};
  d->producer_ = std::move(*producer);

  // A group-less reader of every partition of the hand-over topic, from the beginning.
  auto conf = make_conf(options, {{"group.id", options.group + ".owner-directory"},
                                  {"enable.auto.commit", "false"},
                                  {"enable.partition.eof", "false"}});
  if (!conf) return Unexpected{conf.error()};
  char err[512];
  d->reader_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof err));
  if (!d->reader_) {
    rd_kafka_conf_destroy(*conf);
    return Unexpected{std::string("owner directory: cannot create a reader: ") + err};
  }
  const auto partitions = topic_partition_count(d->reader_.get(), options.handover_topic, 10'000);
  if (!partitions) return Unexpected{"owner directory: the hand-over topic is not available: " + partitions.error()};
  PartitionList all(rd_kafka_topic_partition_list_new(*partitions));
  for (std::int32_t p = 0; p < *partitions; ++p) {
    rd_kafka_topic_partition_list_add(all.get(), options.handover_topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(d->reader_.get(), all.get());
  d->thread_ = std::thread([p = d.get()] { p->tail(); });
  return d;
}

OwnerDirectory::~OwnerDirectory() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (reader_) rd_kafka_consumer_close(reader_.get());
}

std::string OwnerDirectory::key(std::int32_t p) const {
  return options_.group + "/" + options_.matches_topic + "/" + std::to_string(p) + "/owner";
}

Status<std::string> OwnerDirectory::announce(const std::vector<std::int32_t>& partitions) {
  for (auto p : partitions) {
    if (auto st = producer_->produce(options_.handover_topic, key(p), self_); !st) return st;
  }
  if (auto st = producer_->flush(10'000); !st) return Unexpected{"owner directory: " + st.error()};
  std::lock_guard lock(mu_);
  for (auto p : partitions) owners_[p] = self_;  // known at once, before the tail reads it back
  return {};
}

std::string OwnerDirectory::owner(std::int32_t p) const {
  std::lock_guard lock(mu_);
  auto it = owners_.find(p);
  return it == owners_.end() ? std::string() : it->second;
}

void OwnerDirectory::tail() {
  const std::string prefix = options_.group + "/" + options_.matches_topic + "/";
  constexpr std::string_view kSuffix = "/owner";
  while (!stop_.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(reader_.get(), 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->key != nullptr && m->payload != nullptr) {
      const std::string_view k(static_cast<const char*>(m->key), m->key_len);
      if (k.starts_with(prefix) && k.ends_with(kSuffix)) {
        const auto digits = k.substr(prefix.size(), k.size() - prefix.size() - kSuffix.size());
        std::int32_t p = 0;
        bool ok = !digits.empty() && digits.size() < 7;
        for (char c : digits) {
          if (c < '0' || c > '9') ok = false;
          p = p * 10 + (c - '0');
        }
        if (ok) {
          std::lock_guard lock(mu_);
          owners_[p].assign(static_cast<const char*>(m->payload), m->len);
        }
      }
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      log::debug("Owner directory: {}", rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
}

}  // namespace yuqing::kafka
