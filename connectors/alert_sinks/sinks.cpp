// The sink implementations: JSONL file, generic signed webhook, Slack, WeCom, Feishu,
// DingTalk and Alertmanager v2. Each one formats (formats.h), sends once, and classifies.

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "connectors/alert_sinks/formats.h"
#include "connectors/alert_sinks/http_client.h"
#include "connectors/alert_sinks/sign.h"
#include "connectors/alert_sinks/sink.h"
#include "engine/base/log.h"

namespace yuqing::alert_sinks {
namespace {

using alert::Alert;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

FormatOptions format_options(const SinkConfig& c) {
  FormatOptions o;
  o.lang = c.lang;
  o.link_url = c.link_url;
  o.firing_ttl_ms = c.firing_ttl_ms;
  return o;
}

DeliveryResult from_reply(const HttpReply& r, std::string_view what) {
  if (r.status == 0) return DeliveryResult::retry(std::string(what) + ": " + r.error);
  return classify_http(r.status, what);
}

// ---- JSONL file ----

class FileSink final : public AlertSink {
 public:
  FileSink(std::string name, std::string path, bool fsync) : name_(std::move(name)), path_(std::move(path)), fsync_(fsync) {}
  ~FileSink() override {
    if (fd_ > 2) ::close(fd_);
  }
  std::string_view name() const override { return name_; }

  DeliveryResult deliver(const Alert& a) override {
    if (fd_ < 0) {
      fd_ = path_ == "-" ? 1 : ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd_ < 0) return DeliveryResult::retry("cannot open " + path_ + ": " + std::strerror(errno));
    }
    std::string line = alert::to_json(a);
    line += '\n';
    // One write() per line: with O_APPEND concurrent writers do not interleave lines.
    std::size_t done = 0;
    while (done < line.size()) {
      const auto n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const std::string why = std::strerror(errno);
        if (fd_ > 2) ::close(fd_);
        fd_ = -1;  // reopen next time (the file may have been rotated away)
        return DeliveryResult::retry("cannot write " + path_ + ": " + why);
      }
      done += static_cast<std::size_t>(n);
    }
    if (fsync_ && fd_ > 2 && ::fsync(fd_) != 0) {
      return DeliveryResult::retry("cannot fsync " + path_ + ": " + std::strerror(errno));
    }
    return DeliveryResult::ok();
  }

 private:
  std::string name_, path_;
  bool fsync_;
  int fd_ = -1;
};

// ---- HTTP sinks share the client and URL ----

class HttpSink : public AlertSink {
 public:
  HttpSink(const SinkConfig& c, Url url, std::string secret)
      : config_(c), url_(std::move(url)), secret_(std::move(secret)), client_(c.timeout_ms, c.ca_file) {}
  std::string_view name() const override { return config_.name; }

 protected:
  SinkConfig config_;
  Url url_;
  std::string secret_;
  HttpClient client_;
};

class WebhookSink final : public HttpSink {
 public:
  using HttpSink::HttpSink;
  DeliveryResult deliver(const Alert& a) override {
    const auto body = alert::to_json(a);
    Headers h = {{"X-Yuqing-Alert-Id", a.id}};
    if (!secret_.empty()) {
      const auto ts = now_ms() / 1000;
      h.emplace_back("X-Yuqing-Timestamp", std::to_string(ts));
      h.emplace_back("X-Yuqing-Signature", webhook_signature(secret_, ts, body));
    }
    return from_reply(client_.post(url_, body, "application/json", h), "webhook");
  }
};

class SlackSink final : public HttpSink {
 public:
  using HttpSink::HttpSink;
  DeliveryResult deliver(const Alert& a) override { return send(slack_body(a, format_options(config_))); }
  bool groups() const override { return config_.group_max > 1; }
  DeliveryResult deliver_group(const std::vector<Alert>& g) override {
    return send(slack_body(g, format_options(config_)));
  }

 private:
  DeliveryResult send(const std::string& body) {
    return from_reply(client_.post(url_, body, "application/json"), "slack");
  }
};

// The robots of WeCom, DingTalk and Feishu answer 200 with an error code in the body.
// `retry_codes` are their rate-limit / busy codes.
DeliveryResult robot_result(const HttpReply& r, std::string_view what, std::initializer_list<std::int64_t> retry_codes) {
  auto res = from_reply(r, what);
  if (res.kind != DeliveryResult::Kind::ok) return res;
  boost::system::error_code ec;
  auto doc = boost::json::parse(r.body, ec);
  if (ec || !doc.is_object()) return DeliveryResult::ok();  // not JSON: trust the 2xx
  const auto& o = doc.get_object();
  std::int64_t code = 0;
  std::string msg;
  for (const char* k : {"errcode", "code", "StatusCode"}) {
    if (auto it = o.find(k); it != o.end() && it->value().is_int64()) {
      code = it->value().get_int64();
      break;
    }
  }
  for (const char* k : {"errmsg", "msg", "StatusMessage"}) {
    if (auto it = o.find(k); it != o.end() && it->value().is_string()) {
      msg = std::string(it->value().get_string());
      break;
    }
  }
  if (code == 0) return DeliveryResult::ok();
  const std::string why = std::string(what) + " answered code " + std::to_string(code) + ": " + msg;
  for (auto rc : retry_codes) {
    if (rc == code) return DeliveryResult::retry(why);
  }
  return DeliveryResult::fatal(why);
}

class WeComSink final : public HttpSink {
 public:
  using HttpSink::HttpSink;
  DeliveryResult deliver(const Alert& a) override { return send(wecom_body(a, format_options(config_))); }
  bool groups() const override { return config_.group_max > 1; }
  DeliveryResult deliver_group(const std::vector<Alert>& g) override {
    return send(wecom_body(g, format_options(config_)));
  }

 private:
  DeliveryResult send(const std::string& body) {
    // 45009: API frequency limit; -1: system busy.
    return robot_result(client_.post(url_, body, "application/json"), "wecom", {45009, -1});
  }
};

class FeishuSink final : public HttpSink {
 public:
  using HttpSink::HttpSink;
  DeliveryResult deliver(const Alert& a) override {
    return send([&](std::string_view sign, std::int64_t ts) { return feishu_body(a, format_options(config_), sign, ts); });
  }
  bool groups() const override { return config_.group_max > 1; }
  DeliveryResult deliver_group(const std::vector<Alert>& g) override {
    return send([&](std::string_view sign, std::int64_t ts) { return feishu_body(g, format_options(config_), sign, ts); });
  }

 private:
  // body(sign, timestamp): the signature goes inside the body (empty for an unsigned bot).
  template <class Body>
  DeliveryResult send(const Body& body) {
    std::string b;
    if (secret_.empty()) {
      b = body("", 0);
    } else {
      const auto ts = now_ms() / 1000;
      b = body(feishu_sign(secret_, ts), ts);
    }
    // 9499 / 11232: request frequency limited.
    return robot_result(client_.post(url_, b, "application/json"), "feishu", {9499, 11232, 11233});
  }
};

class DingTalkSink final : public HttpSink {
 public:
  using HttpSink::HttpSink;
  DeliveryResult deliver(const Alert& a) override { return send(dingtalk_body(a, format_options(config_))); }
  bool groups() const override { return config_.group_max > 1; }
  DeliveryResult deliver_group(const std::vector<Alert>& g) override {
    return send(dingtalk_body(g, format_options(config_)));
  }

 private:
  DeliveryResult send(const std::string& body) {
    Url url = url_;
    if (!secret_.empty()) {
      const auto ts = now_ms();
      url.target += url.target.find('?') == std::string::npos ? "?" : "&";
      url.target += "timestamp=" + std::to_string(ts) + "&sign=" + url_encode(dingtalk_sign(secret_, ts));
    }
    // 130101: sending too fast; -1: system busy.
    return robot_result(client_.post(url, body, "application/json"), "dingtalk", {130101, -1});
  }
};

class AlertmanagerSink final : public HttpSink {
 public:
  AlertmanagerSink(const SinkConfig& c, Url url, std::string secret) : HttpSink(c, std::move(url), std::move(secret)) {
    // The API path is fixed; the configured URL is Alertmanager's base (http://host:9093).
    auto& t = url_.target;
    while (!t.empty() && t.back() == '/') t.pop_back();
    if (!t.ends_with("/api/v2/alerts")) t += "/api/v2/alerts";
  }
  DeliveryResult deliver(const Alert& a) override {
    Headers h;
    if (!secret_.empty()) h.emplace_back("Authorization", "Bearer " + secret_);
    return from_reply(client_.post(url_, alertmanager_body(a, format_options(config_), now_ms()), "application/json", h),
                      "alertmanager");
  }
};

}  // namespace

std::string_view result_name(DeliveryResult::Kind k) {
  switch (k) {
    case DeliveryResult::Kind::ok: return "ok";
    case DeliveryResult::Kind::retry: return "retry";
    case DeliveryResult::Kind::fatal: return "fatal";
  }
  return "fatal";
}

DeliveryResult classify_http(int status, std::string_view what) {
  if (status >= 200 && status < 300) return DeliveryResult::ok();
  const std::string why = std::string(what) + " answered HTTP " + std::to_string(status);
  if (status == 408 || status == 425 || status == 429 || status >= 500) return DeliveryResult::retry(why);
  return DeliveryResult::fatal(why);
}

std::string_view sink_type_name(SinkType t) {
  switch (t) {
    case SinkType::file: return "file";
    case SinkType::webhook: return "webhook";
    case SinkType::slack: return "slack";
    case SinkType::wecom: return "wecom";
    case SinkType::feishu: return "feishu";
    case SinkType::dingtalk: return "dingtalk";
    case SinkType::alertmanager: return "alertmanager";
    case SinkType::kafka: return "kafka";
  }
  return "webhook";
}

Result<std::string, std::string> read_secret(const SinkConfig& c) {
  if (!c.secret_env.empty()) {
    const char* v = std::getenv(c.secret_env.c_str());
    if (v == nullptr || *v == '\0') {
      return Unexpected{"sink '" + c.name + "': environment variable " + c.secret_env + " (secret_env) is not set"};
    }
    return std::string(v);
  }
  if (!c.secret_file.empty()) {
    std::ifstream in(c.secret_file, std::ios::binary);
    if (!in) return Unexpected{"sink '" + c.name + "': cannot read secret_file " + c.secret_file};
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.empty()) return Unexpected{"sink '" + c.name + "': secret_file " + c.secret_file + " is empty"};
    return s;
  }
  return std::string();
}

Result<std::string, std::string> resolve_url(const SinkConfig& c) {
  // The value may carry the robot's key: it never appears in an error.
  if (!c.url_env.empty()) {
    const char* v = std::getenv(c.url_env.c_str());
    if (v == nullptr || *v == '\0') {
      return Unexpected{"sink '" + c.name + "': environment variable " + c.url_env + " (url_env) is not set"};
    }
    if (!parse_url(v)) return Unexpected{"sink '" + c.name + "': " + c.url_env + " does not hold an http(s):// URL"};
    return std::string(v);
  }
  if (!c.url_file.empty()) {
    SinkConfig as_secret;
    as_secret.name = c.name;
    as_secret.secret_file = c.url_file;
    auto v = read_secret(as_secret);
    if (!v) return Unexpected{"sink '" + c.name + "': cannot read url_file " + c.url_file};
    if (!parse_url(*v)) return Unexpected{"sink '" + c.name + "': " + c.url_file + " does not hold an http(s):// URL"};
    return *v;
  }
  if (!parse_url(c.url)) return Unexpected{"sink '" + c.name + "': " + parse_url(c.url).error()};
  return c.url;
}

Result<std::unique_ptr<AlertSink>, std::string> build_sink(const SinkConfig& c) {
  if (c.type == SinkType::file) {
    if (c.path.empty()) return Unexpected{"sink '" + c.name + "': a file sink needs a path"};
    return std::unique_ptr<AlertSink>(std::make_unique<FileSink>(c.name, c.path, c.fsync));
  }
  if (c.type == SinkType::kafka) {
    return Unexpected{"sink '" + c.name + "': the Kafka alert sink is made by the engine from kafka.alerts_topic"};
  }
  auto url_text = resolve_url(c);
  if (!url_text) return Unexpected{url_text.error()};
  auto url = parse_url(*url_text);
  if (!url) return Unexpected{"sink '" + c.name + "': bad url"};
  auto secret = read_secret(c);
  if (!secret) return Unexpected{secret.error()};
  if (c.type == SinkType::webhook && secret->empty()) {
    log::warn("Alert sink '{}' has no secret: its receiver cannot verify where alerts come from.", c.name);
  }
  std::unique_ptr<AlertSink> sink;
  switch (c.type) {
    case SinkType::webhook: sink = std::make_unique<WebhookSink>(c, *url, *secret); break;
    case SinkType::slack: sink = std::make_unique<SlackSink>(c, *url, *secret); break;
    case SinkType::wecom: sink = std::make_unique<WeComSink>(c, *url, *secret); break;
    case SinkType::feishu: sink = std::make_unique<FeishuSink>(c, *url, *secret); break;
    case SinkType::dingtalk: sink = std::make_unique<DingTalkSink>(c, *url, *secret); break;
    case SinkType::alertmanager: sink = std::make_unique<AlertmanagerSink>(c, *url, *secret); break;
    case SinkType::file:
    case SinkType::kafka: break;
  }
  return sink;
}

}  // namespace yuqing::alert_sinks
