// Sinks one by one: JSONL file, the signed webhook (signature recomputed here), answer
// classification, the chat formats' body shapes and signatures, the Alertmanager body, and
// the `sinks:` config with its errors.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <signal.h>

#include <cstdlib>
#include <filesystem>

#include "connectors/alert_sinks/formats.h"
#include "connectors/alert_sinks/http_client.h"
#include "connectors/alert_sinks/sign.h"
#include "connectors/alert_sinks/sink.h"
#include "tests/alert_sinks/fixtures.h"

namespace yuqing {
namespace {

using namespace alert_sinks;
using alert_test::Receiver;
using Kind = DeliveryResult::Kind;

boost::json::object obj(const std::string& s) { return boost::json::parse(s).as_object(); }

// HMAC-SHA256 straight from OpenSSL, independent of sign.cpp's helpers.
std::string reference_hmac_hex(const std::string& key, const std::string& msg) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), out, &len);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

SinkConfig http_config(SinkType type, const std::string& url, const std::string& name = "s") {
  SinkConfig c;
  c.name = name;
  c.type = type;
  c.url = url;
  c.timeout_ms = 2000;
  return c;
}

std::unique_ptr<AlertSink> build(const SinkConfig& c) {
  auto s = build_sink(c);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? std::move(*s) : nullptr;
}

TEST(Sign, KnownVectors) {
  // RFC 4231 test case 2.
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(to_base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(to_base64("fo"), "Zm8=");
  EXPECT_EQ(url_encode("a+b/c=d e"), "a%2Bb%2Fc%3Dd%20e");
  EXPECT_EQ(webhook_signature("k", 1700000000, "{}"), "sha256=" + reference_hmac_hex("k", "1700000000.{}"));
  // DingTalk: HMAC(key=secret, msg="ts\nsecret"); Feishu: HMAC(key="ts\nsecret", msg="").
  EXPECT_EQ(dingtalk_sign("SECxyz", 1700000000123), to_base64(hmac_sha256("SECxyz", "1700000000123\nSECxyz")));
  EXPECT_EQ(feishu_sign("s3", 1700000000), to_base64(hmac_sha256("1700000000\ns3", "")));
}

TEST(Http, ParseUrl) {
  auto u = parse_url("http://127.0.0.1:9093/api/v2/alerts?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "9093");
  EXPECT_EQ(u->target, "/api/v2/alerts?x=1");
  u = parse_url("https://oapi.dingtalk.com/robot/send?access_token=abc");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(parse_url("http://h")->target, "/");
  EXPECT_FALSE(parse_url("ftp://h/").ok());
  EXPECT_FALSE(parse_url("http://user:pw@h/").ok());
  EXPECT_FALSE(parse_url("http://h:x/").ok());
}

// https: against `openssl s_server -WWW` (serves files for GET) with a self-signed certificate
// for localhost. The client trusts it only through ca_file, and checks the host name.
TEST(Http, TlsVerifiesThePeer) {
  if (!std::filesystem::exists("/usr/bin/openssl")) GTEST_SKIP() << "/usr/bin/openssl is not installed";
  testing::TempDir tmp;
  const auto dir = tmp.path().string();
  auto gen = testing::run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                   dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "2", "-subj", "/CN=localhost",
                                   "-addext", "subjectAltName=DNS:localhost"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  testing::write_file(dir + "/hello", "hello over tls");
  const auto port = std::to_string(testing::free_port());
  testing::BackgroundProcess server({"/bin/sh", "-c",
                                     "cd " + dir + " && exec /usr/bin/openssl s_server -quiet -WWW -accept " + port +
                                         " -cert cert.pem -key key.pem"},
                                    dir + "/out", dir + "/err");
  HttpClient trusting(2000, dir + "/cert.pem");
  HttpReply r;
  ASSERT_TRUE(testing::eventually([&] {
    r = trusting.get(*parse_url("https://localhost:" + port + "/hello"));
    return r.status == 200;
  }, 10)) << r.error << testing::read_file(dir + "/err");
  EXPECT_EQ(r.body, "hello over tls");
  // The system store does not know this certificate: the handshake fails (a retry, not a crash).
  HttpClient system(2000);
  r = system.get(*parse_url("https://localhost:" + port + "/hello"));
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("TLS handshake"), std::string::npos) << r.error;
  // Trusted certificate, wrong name (it is for localhost only): rejected too.
  r = trusting.get(*parse_url("https://127.0.0.1:" + port + "/hello"));
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("TLS handshake"), std::string::npos) << r.error;
  server.signal(SIGTERM);
}

TEST(FileSink, AppendsOneValidLinePerAlert) {
  testing::TempDir tmp;
  SinkConfig c;
  c.name = "file";
  c.type = SinkType::file;
  c.path = tmp.file("alerts.jsonl");
  c.fsync = true;
  auto sink = build(c);
  ASSERT_TRUE(sink);
  EXPECT_EQ(sink->deliver(alert_test::zh_p1()).kind, Kind::ok);
  EXPECT_EQ(sink->deliver(alert_test::en_p3_resolved()).kind, Kind::ok);
  const auto lines = testing::read_lines(c.path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(alert::alert_from_json(lines[1])->id, "acme-air:negative_ratio:1714564800000");
  EXPECT_EQ(alert_test::schema_problems({c.path}), "");
  // A directory that does not exist is a retry (it may appear), not a crash.
  c.path = tmp.file("missing/dir/alerts.jsonl");
  auto bad = build(c);
  EXPECT_EQ(bad->deliver(alert_test::zh_p1()).kind, Kind::retry);
}

TEST(WebhookSink, PostsSignedAlertJson) {
  Receiver rx;
  ASSERT_TRUE(rx.start());
  ::setenv("YUQING_TEST_WEBHOOK_SECRET", "s3cr3t-key", 1);
  auto c = http_config(SinkType::webhook, rx.url("/hook"));
  c.secret_env = "YUQING_TEST_WEBHOOK_SECRET";
  auto sink = build(c);
  ASSERT_TRUE(sink);
  const auto a = alert_test::zh_p1();
  ASSERT_EQ(sink->deliver(a).kind, Kind::ok);
  auto got = rx.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/hook");
  EXPECT_EQ(got[0].content_type, "application/json");
  EXPECT_EQ(got[0].alert_id, a.id);
  EXPECT_EQ(got[0].body, alert::to_json(a));
  // The receiver's check: recompute HMAC-SHA256("<timestamp>.<body>") and compare; the
  // timestamp is recent.
  EXPECT_EQ(got[0].signature, "sha256=" + reference_hmac_hex("s3cr3t-key", got[0].timestamp + "." + got[0].body));
  const auto ts = std::stoll(got[0].timestamp);
  EXPECT_LT(std::llabs(ts - std::time(nullptr)), 300);
  // A forged body does not verify.
  EXPECT_NE(got[0].signature, "sha256=" + reference_hmac_hex("s3cr3t-key", got[0].timestamp + "." + got[0].body + " "));
}

TEST(WebhookSink, AnswersAreClassified) {
  Receiver rx;
  ASSERT_TRUE(rx.start());
  auto sink = build(http_config(SinkType::webhook, rx.url()));
  for (auto [status, kind] : std::vector<std::pair<unsigned, Kind>>{
           {200, Kind::ok}, {202, Kind::ok}, {204, Kind::ok}, {429, Kind::retry}, {500, Kind::retry},
           {503, Kind::retry}, {400, Kind::fatal}, {401, Kind::fatal}, {404, Kind::fatal}, {413, Kind::fatal}}) {
    rx.answer(status);
    auto r = sink->deliver(alert_test::zh_p1());
    EXPECT_EQ(r.kind, kind) << status << " " << r.reason;
  }
  // Nobody listening: retry, quickly.
  const auto port = rx.port();
  rx.stop();
  auto c = http_config(SinkType::webhook, "http://127.0.0.1:" + std::to_string(port) + "/hook");
  auto down = build(c);
  auto r = down->deliver(alert_test::zh_p1());
  EXPECT_EQ(r.kind, Kind::retry);
  EXPECT_NE(r.reason.find("connect"), std::string::npos) << r.reason;
}

TEST(WebhookSink, SecretsComeFromEnvOrFileAndAreNeverShown) {
  testing::TempDir tmp;
  auto c = http_config(SinkType::webhook, "http://127.0.0.1:1/x");
  c.secret_env = "YUQING_TEST_UNSET_SECRET_VAR";
  ::unsetenv("YUQING_TEST_UNSET_SECRET_VAR");
  auto r = build_sink(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("YUQING_TEST_UNSET_SECRET_VAR"), std::string::npos);
  c.secret_env.clear();
  c.secret_file = tmp.file("secret");
  testing::write_file(c.secret_file, "from-file-secret\n");
  auto s = read_secret(c);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "from-file-secret");
  // A URL holding a robot key can come from the environment; a bad one is not echoed.
  auto w = http_config(SinkType::wecom, "");
  w.url_env = "YUQING_TEST_ROBOT_URL";
  ::setenv("YUQING_TEST_ROBOT_URL", "nonsense-with-key-SECRETKEY", 1);
  auto e = build_sink(w);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().find("SECRETKEY"), std::string::npos) << e.error();
}

TEST(ChatFormats, Slack) {
  FormatOptions o;
  o.link_url = "https://yuqing.example.com/alerts/{id}";
  auto b = obj(slack_body(alert_test::zh_p1(), o));
  EXPECT_EQ(b["text"].as_string(), "[P1 红色预警] 海底捞 · 负面声量激增");
  auto& att = b["attachments"].as_array().at(0).as_object();
  EXPECT_EQ(att["color"].as_string(), "#d9333f");
  auto& blocks = att["blocks"].as_array();
  ASSERT_EQ(blocks.size(), 2u);
  const std::string text(blocks[1].as_object().at("text").as_object().at("text").as_string());
  EXPECT_NE(text.find("12.2"), std::string::npos);
  EXPECT_NE(text.find("<https://yuqing.example.com/alerts/haidilao%3Anegative_volume_spike%3A1714565400000|查看预警>"),
            std::string::npos)
      << text;
  // English forced; resolved is green and says so.
  o.lang = "en";
  auto r = obj(slack_body(alert_test::en_p3_resolved(), o));
  EXPECT_EQ(r["text"].as_string(), "[RESOLVED] [P3 elevated] acme-air · high negative share");
  EXPECT_EQ(r["attachments"].as_array()[0].as_object()["color"].as_string(), "#2eb67d");
}

TEST(ChatFormats, OneMessageForSeveralAlertsOfABrand) {
  auto p1 = alert_test::zh_p1();
  auto p2 = alert_test::zh_p1("haidilao:crisis_term_burst:1714565400000");
  p2.tier = alert::Tier::P2;
  p2.detector = alert::Detector::crisis_term_burst;
  p2.reason = "10 分钟 内 88 条提及含危机词，主要涉及：安全";
  const std::vector<alert::Alert> group = {p1, p2};
  FormatOptions o;
  auto b = obj(slack_body(group, o));
  EXPECT_EQ(b["text"].as_string(), "[P1 红色预警] 海底捞 · 2 条预警");
  EXPECT_EQ(b["attachments"].as_array()[0].as_object()["color"].as_string(), "#d9333f");  // the lead's tier
  const std::string text(
      b["attachments"].as_array()[0].as_object()["blocks"].as_array()[1].as_object().at("text").as_object().at("text").as_string());
  EXPECT_NE(text.find("[P1 红色预警] 海底捞 · 负面声量激增"), std::string::npos) << text;
  EXPECT_NE(text.find("[P2 橙色预警] 海底捞 · 危机词爆发"), std::string::npos) << text;
  EXPECT_NE(text.find("88 条提及含危机词"), std::string::npos) << text;
  // The brand's top mentions once, not once per alert.
  const std::string top = "人民日报";
  EXPECT_EQ(text.find(top), text.rfind(top)) << text;
  EXPECT_NE(text.find(top), std::string::npos) << text;
  for (const auto& body : {wecom_body(group, o), feishu_body(group, o), dingtalk_body(group, o)}) {
    EXPECT_NE(body.find("海底捞 · 2 条预警"), std::string::npos) << body;
    EXPECT_NE(body.find("危机词爆发"), std::string::npos) << body;
  }
  o.lang = "en";
  EXPECT_EQ(group_headline(group, "en"), "[P1 critical] 海底捞 · 2 alerts");
}

TEST(ChatFormats, WeCom) {
  auto b = obj(wecom_body(alert_test::zh_p1(), {}));
  EXPECT_EQ(b["msgtype"].as_string(), "markdown");
  const std::string content(b["markdown"].as_object()["content"].as_string());
  EXPECT_TRUE(content.starts_with("<font color=\"warning\">**[P1 红色预警] 海底捞 · 负面声量激增**</font>")) << content;
  EXPECT_NE(content.find("食物中毒"), std::string::npos);
  EXPECT_NE(content.find("人民日报"), std::string::npos);
  // Markup in user text is neutralised, the newline inside a mention is flattened.
  EXPECT_EQ(content.find("*星号*"), std::string::npos);
  EXPECT_LE(content.size(), 4096u);
  auto big = alert_test::zh_p1();
  big.reason = std::string(6000, 'x');
  EXPECT_LE(obj(wecom_body(big, {}))["markdown"].as_object()["content"].as_string().size(), 4096u);
}

TEST(ChatFormats, FeishuCardWithOptionalSignature) {
  auto b = obj(feishu_body(alert_test::zh_p1(), {}));
  EXPECT_EQ(b["msg_type"].as_string(), "interactive");
  EXPECT_FALSE(b.contains("sign"));
  auto& card = b["card"].as_object();
  EXPECT_EQ(card["header"].as_object()["template"].as_string(), "red");
  EXPECT_EQ(card["header"].as_object()["title"].as_object()["content"].as_string(),
            "[P1 红色预警] 海底捞 · 负面声量激增");
  EXPECT_EQ(card["elements"].as_array()[0].as_object()["text"].as_object()["tag"].as_string(), "lark_md");
  auto p2 = alert_test::zh_p1();
  p2.tier = alert::Tier::P2;
  auto s = obj(feishu_body(p2, {}, feishu_sign("sec", 1700000000), 1700000000));
  EXPECT_EQ(s["timestamp"].as_string(), "1700000000");
  EXPECT_EQ(s["sign"].as_string(), to_base64(hmac_sha256("1700000000\nsec", "")));
  EXPECT_EQ(s["card"].as_object()["header"].as_object()["template"].as_string(), "orange");
}

TEST(ChatFormats, DingTalk) {
  auto b = obj(dingtalk_body(alert_test::en_p3_resolved(), {}));
  EXPECT_EQ(b["msgtype"].as_string(), "markdown");
  auto& md = b["markdown"].as_object();
  EXPECT_EQ(md["title"].as_string(), "[RESOLVED] [P3 elevated] acme-air · high negative share");
  EXPECT_TRUE(std::string(md["text"].as_string()).starts_with("### [RESOLVED]"));
}

TEST(ChatSinks, SignedDingTalkUrlAndRobotErrorCodes) {
  Receiver rx;
  ASSERT_TRUE(rx.start());
  ::setenv("YUQING_TEST_DING_SECRET", "SECabc", 1);
  auto c = http_config(SinkType::dingtalk, rx.url("/robot/send?access_token=tok"));
  c.secret_env = "YUQING_TEST_DING_SECRET";
  auto sink = build(c);
  rx.answer(200, R"({"errcode":0,"errmsg":"ok"})");
  ASSERT_EQ(sink->deliver(alert_test::zh_p1()).kind, Kind::ok);
  auto got = rx.received().back();
  EXPECT_EQ(got.path, "/robot/send");
  // access_token=tok&timestamp=<ms>&sign=<urlencoded base64 HMAC>
  const auto q = got.query;
  ASSERT_TRUE(q.starts_with("access_token=tok&timestamp=")) << q;
  const auto ts = q.substr(27, q.find("&sign=") - 27);
  const auto sign = q.substr(q.find("&sign=") + 6);
  EXPECT_EQ(sign, url_encode(to_base64(hmac_sha256("SECabc", ts + "\nSECabc"))));
  // Robots answer 200 with an error code: rate limits retry, the rest is fatal.
  rx.answer(200, R"({"errcode":130101,"errmsg":"send too fast"})");
  EXPECT_EQ(sink->deliver(alert_test::zh_p1()).kind, Kind::retry);
  rx.answer(200, R"({"errcode":310000,"errmsg":"sign not match"})");
  auto r = sink->deliver(alert_test::zh_p1());
  EXPECT_EQ(r.kind, Kind::fatal);
  EXPECT_NE(r.reason.find("310000"), std::string::npos);

  auto wecom = build(http_config(SinkType::wecom, rx.url("/cgi-bin/webhook/send?key=k")));
  rx.answer(200, R"({"errcode":45009,"errmsg":"api freq out of limit"})");
  EXPECT_EQ(wecom->deliver(alert_test::zh_p1()).kind, Kind::retry);
  rx.answer(200, R"({"errcode":93000,"errmsg":"invalid webhook url"})");
  EXPECT_EQ(wecom->deliver(alert_test::zh_p1()).kind, Kind::fatal);

  ::setenv("YUQING_TEST_FEISHU_SECRET", "fs", 1);
  auto fc = http_config(SinkType::feishu, rx.url("/open-apis/bot/v2/hook/x"));
  fc.secret_env = "YUQING_TEST_FEISHU_SECRET";
  auto feishu = build(fc);
  rx.answer(200, R"({"code":0,"msg":"success"})");
  EXPECT_EQ(feishu->deliver(alert_test::zh_p1()).kind, Kind::ok);
  auto fb = obj(rx.received().back().body);
  EXPECT_EQ(fb["sign"].as_string(), feishu_sign("fs", std::stoll(std::string(fb["timestamp"].as_string()))));
  rx.answer(200, R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"})");
  EXPECT_EQ(feishu->deliver(alert_test::zh_p1()).kind, Kind::fatal);

  auto slack = build(http_config(SinkType::slack, rx.url("/services/T/B/X")));
  rx.answer(200, "ok");
  EXPECT_EQ(slack->deliver(alert_test::zh_p1()).kind, Kind::ok);
}

TEST(AlertmanagerFormat, LabelsAnnotationsAndTimes) {
  FormatOptions o;
  o.link_url = "http://yuqing:8080/api/v1/alerts/{id}";
  const std::int64_t now = 1714570000000;
  auto p2 = alert_test::zh_p1();
  p2.tier = alert::Tier::P2;
  auto arr = boost::json::parse(alertmanager_body(p2, o, now)).as_array();
  // The firing P2 itself, and the P3 it may have escalated from, ended now.
  ASSERT_EQ(arr.size(), 2u);
  auto& a = arr[0].as_object();
  auto& labels = a["labels"].as_object();
  EXPECT_EQ(labels["alertname"].as_string(), "yuqing");
  EXPECT_EQ(labels["brand"].as_string(), "haidilao");
  EXPECT_EQ(labels["tier"].as_string(), "P2");
  EXPECT_EQ(labels["detector"].as_string(), "negative_volume_spike");
  EXPECT_EQ(labels["alert_id"].as_string(), p2.id);
  auto& ann = a["annotations"].as_object();
  EXPECT_EQ(ann["description"].as_string(), p2.reason);
  EXPECT_EQ(ann["summary"].as_string(), "[P2 橙色预警] 海底捞 · 负面声量激增");
  EXPECT_EQ(ann["links"].as_string(), "https://weibo.com/2803301701/O2aCxYz12");
  EXPECT_EQ(a["startsAt"].as_string(), "2024-05-01T12:11:04.512Z");
  EXPECT_EQ(a["endsAt"].as_string(), alert::format_time_ms(now + o.firing_ttl_ms));
  EXPECT_EQ(a["generatorURL"].as_string(), "http://yuqing:8080/api/v1/alerts/haidilao%3Anegative_volume_spike%3A1714565400000");
  auto& lower = arr[1].as_object();
  EXPECT_EQ(lower["labels"].as_object()["tier"].as_string(), "P3");
  EXPECT_EQ(lower["endsAt"].as_string(), alert::format_time_ms(now));
  // Resolved: one entry, endsAt = when the engine resolved it.
  auto res = boost::json::parse(alertmanager_body(alert_test::en_p3_resolved(), {}, now)).as_array();
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].as_object()["endsAt"].as_string(), "2024-05-01T12:25:01.003Z");
  EXPECT_FALSE(res[0].as_object().contains("generatorURL"));
}

// ---- config ----

Result<std::vector<SinkConfig>, std::vector<SinkConfigError>> parse(const std::string& yaml) {
  auto root = YAML::Load(yaml);
  return parse_sink_configs(root["sinks"], "rules/alerts.yaml");
}

std::string all(const std::vector<SinkConfigError>& errors) {
  std::string s;
  for (const auto& e : errors) s += e.message + "\n";
  return s;
}

TEST(SinkConfig, ParsesEveryType) {
  auto r = parse(R"(
sinks:
  - name: archive
    type: file
    path: /var/lib/yuqing/alerts.jsonl
    fsync: true
  - name: pager
    type: webhook
    url: https://hooks.example.com/yuqing
    secret_env: YUQING_WEBHOOK_SECRET
    tiers: [P1]
    timeout: 3s
    backoff_base: 250ms
    backoff_max: 30s
    max_attempts: 50
    max_age: 6h
  - name: pr-team
    type: wecom
    url_env: YUQING_WECOM_URL
    tiers: [P1, P2]
    send_resolved: false
    lang: zh
  - name: am
    type: alertmanager
    url: http://127.0.0.1:9093
    link_url: http://yuqing:8080/api/v1/alerts/{id}
    firing_ttl: 12h
  - {name: s, type: slack, url_file: /run/secrets/slack_url}
  - {name: f, type: feishu, url: "https://open.feishu.cn/open-apis/bot/v2/hook/x", secret_file: /run/secrets/f}
  - {name: d, type: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=t", secret_env: D}
)");
  ASSERT_TRUE(r.ok()) << all(r.error());
  ASSERT_EQ(r->size(), 7u);
  const auto& v = *r;
  EXPECT_EQ(v[0].type, SinkType::file);
  EXPECT_TRUE(v[0].fsync);
  EXPECT_EQ(v[1].timeout_ms, 3000);
  EXPECT_EQ(v[1].backoff_base_ms, 250);
  EXPECT_EQ(v[1].backoff_max_ms, 30000);
  EXPECT_EQ(v[1].max_attempts, 50);
  EXPECT_EQ(v[1].max_age_ms, 6 * 3600 * 1000);
  EXPECT_EQ(v[1].tiers, (std::array<bool, 3>{true, false, false}));
  EXPECT_EQ(v[2].url_env, "YUQING_WECOM_URL");
  EXPECT_FALSE(v[2].send_resolved);
  EXPECT_EQ(v[2].lang, "zh");
  EXPECT_EQ(v[3].firing_ttl_ms, 12LL * 3600 * 1000);
  EXPECT_EQ(v[4].type, SinkType::slack);
  EXPECT_EQ(v[6].type, SinkType::dingtalk);
  // No sinks section: no sinks.
  auto none = parse("other: 1\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(SinkConfig, GroupingIsForChatSinks) {
  auto ok = parse(R"(sinks:
  - {name: s, type: slack, url: "https://hooks.slack.com/services/x", group_wait: 10s, group_max: 5}
  - {name: w, type: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
)");
  ASSERT_TRUE(ok.ok()) << all(ok.error());
  EXPECT_EQ((*ok)[0].group_wait_ms, 10'000);
  EXPECT_EQ((*ok)[0].group_max, 5u);
  EXPECT_EQ((*ok)[1].group_wait_ms, 0);  // default: group what is already waiting, add no delay
  EXPECT_EQ((*ok)[1].group_max, 10u);
  auto bad = parse(R"(sinks:
  - {name: h, type: webhook, url: "https://example.com/hook", group_max: 5}
  - {name: c, type: slack, url: "https://hooks.slack.com/services/x", group_max: 0}
)");
  ASSERT_FALSE(bad.ok());
  const auto text = all(bad.error());
  EXPECT_NE(text.find("group_max and group_wait apply to slack, wecom, feishu and dingtalk"), std::string::npos) << text;
  EXPECT_NE(text.find("group_max"), std::string::npos) << text;
  EXPECT_NE(text.find(":3:"), std::string::npos) << text;  // file:line of the second entry
}

TEST(SinkConfig, ReportsEveryErrorWithFileLineAndHint) {
  auto r = parse(R"(sinks:
  - name: pager
    type: webhok
    url: https://x
    timout: 3s
  - name: pager
    type: file
  - type: slack
    url: ftp://x
    tiers: [P1, P7]
    timeout: 3
    secret_env: A
    secret_file: B
)");
  ASSERT_FALSE(r.ok());
  const auto text = all(r.error());
  EXPECT_NE(text.find("rules/alerts.yaml:3:11: sinks[0].type: unknown type 'webhok' (did you mean 'webhook'?)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rules/alerts.yaml:5:5: sinks[0]: unknown key 'timout' (did you mean 'timeout'?)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("a sink named 'pager' is already defined"), std::string::npos) << text;
  EXPECT_NE(text.find("a file sink needs 'path'"), std::string::npos) << text;
  EXPECT_NE(text.find("sinks[2]: missing 'name'"), std::string::npos) << text;
  EXPECT_NE(text.find("sinks[2].url must start with http:// or https://"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown tier 'P7'"), std::string::npos) << text;
  EXPECT_NE(text.find("sinks[2].timeout must be a duration with a unit"), std::string::npos) << text;
  EXPECT_NE(text.find("give secret_env or secret_file, not both"), std::string::npos) << text;
  EXPECT_GE(r.error().size(), 9u);
  auto not_list = parse("sinks: {name: x}\n");
  ASSERT_FALSE(not_list.ok());
  EXPECT_NE(all(not_list.error()).find("rules/alerts.yaml:1:8: sinks must be a list"), std::string::npos)
      << all(not_list.error());
}

}  // namespace
}  // namespace yuqing
