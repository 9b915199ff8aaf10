#include "connectors/kafka/kafka.h"

#include <chrono>

namespace yuqing::kafka {

void HandleDeleter::operator()(rd_kafka_t* rk) const {
  if (rk != nullptr) rd_kafka_destroy(rk);
}

void PartitionListDeleter::operator()(rd_kafka_topic_partition_list_t* list) const {
  if (list != nullptr) rd_kafka_topic_partition_list_destroy(list);
}

Result<std::int32_t, std::string> topic_partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  const auto err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (md != nullptr) rd_kafka_metadata_destroy(md);
    return Unexpected{"cannot read the metadata of " + topic + ": " + rd_kafka_err2str(err)};
  }
  std::int32_t n = 0;
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) n = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  if (n <= 0) return Unexpected{"topic " + topic + " does not exist"};
  return n;
}

Result<rd_kafka_conf_t*, std::string> make_conf(const KafkaOptions& options, const Properties& defaults) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& key, const std::string& value, bool user) -> Status<std::string> {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      return Unexpected{std::string(user ? "kafka.properties." : "") + key + ": " + err};
    }
    return {};
  };
  Status<std::string> st;
  if (!options.brokers.empty()) st = set("bootstrap.servers", options.brokers, false);
  for (const auto& [k, v] : defaults) {
    if (st) st = set(k, v, false);
  }
  for (const auto& [k, v] : options.properties) {
    if (st) st = set(k, v, true);
  }
  if (!st) {
    rd_kafka_conf_destroy(conf);
    return Unexpected{st.error()};
  }
  return conf;
}

void Producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->delivered_.fetch_add(1, std::memory_order_relaxed);
  } else {
    if (self->failed_.fetch_add(1, std::memory_order_relaxed) == self->failed_reported_) {
      self->first_error_ = rd_kafka_err2str(msg->err);
    }
  }
}

Result<std::unique_ptr<Producer>, std::string> Producer::open(const KafkaOptions& options, Properties defaults) {
  // Idempotence gives ordered, de-duplicated retries per partition: a retried batch never
  // lands twice or out of order.
  Properties base = {{"enable.idempotence", "true"}, {"acks", "all"}, {"compression.type", "lz4"},
                     {"linger.ms", "5"},             {"message.timeout.ms", "120000"}};
  for (auto& d : defaults) base.push_back(std::move(d));
  auto conf = make_conf(options, base);
  if (!conf) return Unexpected{conf.error()};
  std::unique_ptr<Producer> p(new Producer());
  rd_kafka_conf_set_dr_msg_cb(*conf, &Producer::on_delivery);
  rd_kafka_conf_set_opaque(*conf, p.get());
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return Unexpected{std::string("cannot create a Kafka producer: ") + err};
  }
  p->rk_.reset(rk);
  return p;
}

Producer::~Producer() {
  if (rk_) rd_kafka_flush(rk_.get(), 5000);
}

Status<std::string> Producer::produce(std::string_view topic, std::string_view key, std::string_view value,
                                      const std::vector<Header>& headers) {
  return produce_impl(topic, RD_KAFKA_PARTITION_UA, key, value.data() == nullptr ? "" : value.data(), value.size(),
                      headers);
}

Status<std::string> Producer::produce_to(std::string_view topic, std::int32_t partition, std::string_view key,
                                         std::optional<std::string_view> value) {
  return produce_impl(topic, partition, key, value ? (value->data() == nullptr ? "" : value->data()) : nullptr,
                      value ? value->size() : 0, {});
}

Status<std::string> Producer::produce_impl(std::string_view topic, std::int32_t partition, std::string_view key,
                                           const char* value, std::size_t value_size,
                                           const std::vector<Header>& headers) {
  for (;;) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const auto& h : headers) {
        rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                            static_cast<ssize_t>(h.value.size()));
      }
    }
    const std::string topic_name(topic);
    rd_kafka_vu_t vu[6];
    std::size_t n = 0;
    vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[n++].u.cstr = topic_name.c_str();
    if (partition != RD_KAFKA_PARTITION_UA) {
      vu[n].vtype = RD_KAFKA_VTYPE_PARTITION;
      vu[n++].u.i32 = partition;
    }
    if (!key.empty()) {
      vu[n].vtype = RD_KAFKA_VTYPE_KEY;
      vu[n].u.mem.ptr = const_cast<char*>(key.data());
      vu[n++].u.mem.size = key.size();
    }
    vu[n].vtype = RD_KAFKA_VTYPE_VALUE;  // a null value is a tombstone (compacted topics)
    vu[n].u.mem.ptr = const_cast<char*>(value);
    vu[n++].u.mem.size = value_size;
    vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
    if (hdrs != nullptr) {
      vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
      vu[n++].u.headers = hdrs;
    }
    rd_kafka_error_t* error = rd_kafka_produceva(rk_.get(), vu, n);
    const rd_kafka_resp_err_t err = error == nullptr ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_error_code(error);
    if (error != nullptr) rd_kafka_error_destroy(error);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++produced_;
      rd_kafka_poll(rk_.get(), 0);
      return {};
    }
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);  // not taken over on failure
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return Unexpected{std::string("cannot produce to ") + topic_name + ": " + rd_kafka_err2str(err)};
    }
    rd_kafka_poll(rk_.get(), 50);  // local queue full: let deliveries drain, then retry
  }
}

Status<std::string> Producer::flush(int timeout_ms) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), timeout_ms);
  // Deliveries that failed since the last flush: the owner must not acknowledge what they
  // carried (the pipeline stops and replays; the outbox retries the alert).
  if (const auto failed = failed_.load(); failed > failed_reported_) {
    const auto n = failed - failed_reported_;
    failed_reported_ = failed;
    return Unexpected{std::to_string(n) + " messages were not delivered (first error: " + first_error_ + ")"};
  }
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return Unexpected{std::to_string(rd_kafka_outq_len(rk_.get())) + " messages still undelivered after " +
                      std::to_string(timeout_ms) + " ms"};
  }
  return {};
}

}  // namespace yuqing::kafka
