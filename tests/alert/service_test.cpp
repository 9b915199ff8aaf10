// AlertService's evaluation cadence: window detectors run at each minute boundary of event time
// and, on a live stream, in between once `evaluate_every` of wall time has passed, so a crisis
// is judged within about that delay instead of at the next minute.

#include "engine/alert/service.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <rocksdb/write_batch.h>

#include <thread>

#include "tests/support/support.h"

namespace yuqing::alert {
namespace {

constexpr std::int64_t kT0 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z, a minute boundary

// A brand whose mentions turn negative from event time `bad_from` on: windows ending after it
// are full of negative mentions, the ones before are calm.
class Windows final : public WindowReader {
 public:
  std::int64_t bad_from = kT0 + 30'000;
  WindowStats stats(std::string_view, std::int64_t, std::int64_t to) const override {
    WindowStats s;
    s.mentions = 500;
    s.negative = to > bad_from ? 450 : 50;
    return s;
  }
  Baseline negative_baseline(std::string_view, std::int64_t, std::int64_t) const override { return {true, 50, 7}; }
  double max_story_reposts(std::string_view, std::int64_t, std::int64_t) const override { return 0; }
};

TEST(AlertService, LiveStreamsAreJudgedBetweenMinuteBoundaries) {
  testing::TempDir tmp;
  state::StateOptions so;
  so.extra_column_families = {std::string(kAlertsColumnFamily)};
  auto store = state::StateStore::open(tmp.file("state"), so);
  ASSERT_TRUE(store.ok()) << store.error();
  prometheus::Registry registry;
  AlertService service(**store, nullptr, registry);
  ASSERT_TRUE(service.restore().ok());
  auto policy = parse_policy(R"(lifecycle:
  evaluate_every: 100ms
detectors:
  negative_ratio:
    window: 10m
    min_count: 20
    tiers:
      P1: {share: 0.8}
)",
                             "alerts.yaml");
  ASSERT_TRUE(policy.ok());
  service.configure({{"lantu", "蓝途", "zh", {}}}, *policy);
  Windows windows;
  rocksdb::WriteBatch batch;
  auto commit_at = [&](std::int64_t event_ms) {
    service.on_mention("lantu", event_ms, false, 10, false, 0);
    service.on_batch_commit(batch, windows);
  };
  commit_at(kT0 + 10'000);  // the first batch: nothing committed before it to judge
  commit_at(kT0 + 20'000);  // judges the minute boundary 00:00 (calm)
  EXPECT_EQ(service.notifications(), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  commit_at(kT0 + 40'000);  // 150 ms of wall time later: judged at 00:20, still calm
  EXPECT_EQ(service.notifications(), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  commit_at(kT0 + 45'000);  // judged at 00:40: negative share and volume way up, 20 s before 01:00
  const auto raised = service.notifications();
  EXPECT_GT(raised, 0u);
  // Without wall time passing, batches are not judged again (replays cost nothing extra).
  commit_at(kT0 + 50'000);
  commit_at(kT0 + 55'000);
  EXPECT_EQ(service.notifications(), raised);
}

}  // namespace
}  // namespace yuqing::alert
