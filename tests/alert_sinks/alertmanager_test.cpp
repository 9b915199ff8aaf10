// Integration: a real Alertmanager (Debian prometheus-alertmanager) on loopback. Alerts go in
// through the outbox and the alertmanager sink; GET /api/v2/alerts must show them with the
// right labels, an escalation must replace the lower tier, and a resolution must end it.
// Skipped only when the binary is not installed.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>

#include <filesystem>

#include "connectors/alert_sinks/outbox.h"
#include "tests/alert_sinks/fixtures.h"

namespace yuqing {
namespace {

using namespace alert_sinks;

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

class AlertmanagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kAlertmanager)) {
      GTEST_SKIP() << kAlertmanager << " is not installed (apt-get install prometheus-alertmanager)";
    }
    port_ = testing::free_port();
    const auto cfg = tmp_.file("alertmanager.yml");
    testing::write_file(cfg,
                        "route:\n  receiver: blackhole\n  group_by: [brand]\n"
                        "receivers:\n  - name: blackhole\n");
    std::filesystem::create_directories(tmp_.file("data"));
    am_ = std::make_unique<testing::BackgroundProcess>(
        std::vector<std::string>{kAlertmanager, "--config.file=" + cfg, "--storage.path=" + tmp_.file("data"),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                 "--cluster.listen-address=", "--log.level=warn"},
        tmp_.file("am.out"), tmp_.file("am.err"));
    const bool ready = testing::eventually([&] { return testing::http_get(port_, "/-/ready").status == 200; }, 30);
    ASSERT_TRUE(ready) << "Alertmanager did not become ready:\n" << testing::read_file(tmp_.file("am.err"));
  }
  void TearDown() override {
    if (am_) {
      am_->signal(SIGTERM);
      EXPECT_NE(am_->wait(20), -1000) << "Alertmanager did not stop";
    }
  }

  // Active alerts whose alert_id label is `id`.
  std::vector<boost::json::object> active(const std::string& id) {
    auto r = testing::http_get(port_, "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true");
    std::vector<boost::json::object> out;
    if (r.status != 200) return out;
    const auto doc = boost::json::parse(r.body);
    for (const auto& v : doc.as_array()) {
      const auto& o = v.as_object();
      const auto& labels = o.at("labels").as_object();
      if (labels.contains("alert_id") && labels.at("alert_id").as_string() == id) out.push_back(o);
    }
    return out;
  }

  testing::TempDir tmp_;
  std::uint16_t port_ = 0;
  std::unique_ptr<testing::BackgroundProcess> am_;
};

TEST_F(AlertmanagerTest, AlertIsVisibleWithItsLabelsThenEscalatesAndResolves) {
  state::StateOptions so;
  so.extra_column_families.emplace_back(kOutboxColumnFamily);
  auto store = state::StateStore::open(tmp_.file("state"), so);
  ASSERT_TRUE(store.ok());
  auto sinks = parse_sink_configs(YAML::Load("sinks:\n  - name: am\n    type: alertmanager\n    url: http://127.0.0.1:" +
                                             std::to_string(port_) +
                                             "\n    link_url: http://127.0.0.1:8080/api/v1/alerts/{id}\n")["sinks"],
                                  "test.yaml");
  ASSERT_TRUE(sinks.ok());
  auto ob = Outbox::open(**store, *sinks, nullptr);
  ASSERT_TRUE(ob.ok()) << ob.error();
  (*ob)->start();
  auto send = [&](const alert::Alert& a) {
    rocksdb::WriteBatch b;
    ASSERT_EQ((*ob)->enqueue(b, a), 1u);
    ASSERT_TRUE((*store)->commit(b).ok());
    (*ob)->notify();
  };

  auto a = alert_test::zh_p1();
  a.tier = alert::Tier::P2;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  a.processing_started_ms = a.processing_updated_ms = now - 1000;
  send(a);
  std::vector<boost::json::object> seen;
  ASSERT_TRUE(testing::eventually([&] { return !(seen = active(a.id)).empty(); }, 15))
      << "alert never showed up; stderr:\n" << testing::read_file(tmp_.file("am.err"));
  ASSERT_EQ(seen.size(), 1u);
  auto labels = seen[0].at("labels").as_object();
  EXPECT_EQ(labels.at("alertname").as_string(), "yuqing");
  EXPECT_EQ(labels.at("brand").as_string(), "haidilao");
  EXPECT_EQ(labels.at("tier").as_string(), "P2");
  EXPECT_EQ(labels.at("detector").as_string(), "negative_volume_spike");
  const auto& ann = seen[0].at("annotations").as_object();
  EXPECT_EQ(ann.at("description").as_string(), a.reason);
  EXPECT_EQ(ann.at("summary").as_string(), "[P2 橙色预警] 海底捞 · 负面声量激增");
  EXPECT_EQ(seen[0].at("generatorURL").as_string(),
            "http://127.0.0.1:8080/api/v1/alerts/haidilao%3Anegative_volume_spike%3A1714565400000");
  EXPECT_TRUE(testing::eventually([&] { return (*ob)->counts("am").ok == 1; }, 5));

  // Escalation to P1: the P1 alert is active and the P2 one has ended.
  a.tier = alert::Tier::P1;
  send(a);
  ASSERT_TRUE(testing::eventually([&] {
    seen = active(a.id);
    return seen.size() == 1 && seen[0].at("labels").as_object().at("tier").as_string() == "P1";
  }, 15));

  // Resolution: nothing of the incident stays active.
  a.state = alert::AlertState::resolved;
  a.resolved_ms = a.updated_ms + 600000;
  a.processing_resolved_ms = now;
  send(a);
  ASSERT_TRUE(testing::eventually([&] { return active(a.id).empty(); }, 15));
  // (the deliverer counts just after Alertmanager answers)
  EXPECT_TRUE(testing::eventually([&] { return (*ob)->counts("am").ok == 3; }, 5));
  EXPECT_EQ((*ob)->counts("am").fatal, 0u);
  (*ob)->stop();
}

}  // namespace
}  // namespace yuqing
