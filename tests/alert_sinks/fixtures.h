#pragma once
// Shared pieces of the alert delivery tests: sample alerts, a recording webhook receiver on
// loopback (engine/http Server) that can be started late ("down, then up"), and the schema
// check of alert JSON through tests/alert_sinks/validate_alerts.py.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/alert/alert.h"
#include "engine/http/server.h"
#include "tests/support/support.h"

namespace yuqing::alert_test {

// A firing P1 in Chinese with every optional field set.
inline alert::Alert zh_p1(std::string id = "haidilao:negative_volume_spike:1714565400000") {
  alert::Alert a;
  a.id = std::move(id);
  a.brand = "haidilao";
  a.brand_name = "海底捞";
  a.tier = alert::Tier::P1;
  a.severity = 9;
  a.detector = alert::Detector::negative_volume_spike;
  a.started_ms = 1714565400000;
  a.updated_ms = 1714566600000;
  a.processing_started_ms = 1714565464512;
  a.processing_updated_ms = 1714566662087;
  a.lang = "zh";
  a.reason = "过去10分钟“海底捞”负面提及 342 条，是基线（28 条）的 12.2 倍，主要涉及：安全（爆炸、起火）";
  a.metrics.window_s = 600;
  a.metrics.value = 342;
  a.metrics.baseline = 28;
  a.metrics.ratio = 12.2;
  a.metrics.z_score = 9.8;
  a.metrics.count = 342;
  a.top_mentions.push_back({"weibo:5031240019862215", "weibo", "https://weibo.com/2803301701/O2aCxYz12",
                            "转发微博 //@爱吃火锅的小王: 一家三口都中招了 \"引号\" *星号* [括号]\n换行", "人民日报",
                            159000000, 2130000, -0.62});
  a.top_mentions.push_back({"douyin:7364599911223344556", "douyin", "", "同一家店，我朋友昨天也吃坏了肚子", "", std::nullopt,
                            15400, -0.74});
  a.aspects.push_back({"safety", -0.86});
  a.aspects.push_back({"service", -0.58});
  a.crisis_terms.push_back({"食物中毒", "food_safety"});
  a.crisis_terms.push_back({"维权", "legal"});
  return a;
}

// A resolved P3 in English, acknowledged, with only the required fields plus a few.
inline alert::Alert en_p3_resolved(std::string id = "acme-air:negative_ratio:1714564800000") {
  alert::Alert a;
  a.id = std::move(id);
  a.brand = "acme-air";
  a.tier = alert::Tier::P3;
  a.severity = 2;
  a.detector = alert::Detector::negative_ratio;
  a.state = alert::AlertState::resolved;
  a.started_ms = 1714564800000;
  a.updated_ms = 1714565400000;
  a.resolved_ms = 1714566300000;
  a.processing_started_ms = 1714564801001;
  a.processing_updated_ms = 1714565401002;
  a.processing_resolved_ms = 1714566301003;
  a.lang = "en";
  a.reason = "Negative share stayed below 30% for 15 minutes; resolved.";
  a.metrics.value = 0.21;
  a.acked = alert::Ack{"ops@example.com", 1714565000000};
  return a;
}

// Runs validate_alerts.py over JSONL files; returns its output, "" when every line is valid.
inline std::string schema_problems(const std::vector<std::string>& files) {
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   (testing::source_dir() / "tests/alert_sinks/validate_alerts.py").string(),
                                   (testing::source_dir() / "schemas").string()};
  argv.insert(argv.end(), files.begin(), files.end());
  auto r = testing::run_process(argv);
  if (r.exit_code == 0) return "";
  return "exit " + std::to_string(r.exit_code) + ": " + r.out + r.err;
}

struct Received {
  std::string path;
  std::string query;
  std::string body;
  std::string timestamp;  // X-Yuqing-Timestamp
  std::string signature;  // X-Yuqing-Signature
  std::string alert_id;   // X-Yuqing-Alert-Id
  std::string content_type;
};

// A webhook receiver on 127.0.0.1:port that records every POST and answers `status` (and
// `reply_body`). Not listening until start() — "down" until then.
class Receiver {
 public:
  explicit Receiver(std::uint16_t port = 0) : port_(port) {}
  ~Receiver() { stop(); }

  bool start() {
    http::ServerOptions o;
    o.listen = "127.0.0.1:" + std::to_string(port_);
    server_ = std::make_unique<http::Server>(o);
    auto handler = [this](const http::Request& req) {
      Received r;
      r.path = std::string(req.path);
      r.query = std::string(req.query);
      r.body = std::string(req.body);
      r.timestamp = std::string(req.header("X-Yuqing-Timestamp"));
      r.signature = std::string(req.header("X-Yuqing-Signature"));
      r.alert_id = std::string(req.header("X-Yuqing-Alert-Id"));
      r.content_type = std::string(req.header("Content-Type"));
      std::lock_guard lock(mu_);
      received_.push_back(std::move(r));
      http::Response resp;
      resp.status = status_;
      resp.content_type = "application/json";
      if (status_ != 204) resp.body = reply_body_;  // a 204 has no body
      return resp;
    };
    server_->route_prefix("POST", "/", handler);
    auto s = server_->start();
    if (!s) return false;
    port_ = server_->port();
    return true;
  }
  void stop() {
    if (server_) server_->stop();
    server_.reset();
  }
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void answer(unsigned status, std::string body = "{}") {
    std::lock_guard lock(mu_);
    status_ = status;
    reply_body_ = std::move(body);
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return received_.size();
  }

 private:
  std::uint16_t port_;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mu_;
  std::vector<Received> received_;
  unsigned status_ = 200;
  std::string reply_body_ = "{}";
};

}  // namespace yuqing::alert_test
