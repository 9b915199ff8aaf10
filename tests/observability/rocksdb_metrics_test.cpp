// engine/state/rocksdb_metrics.h against a real RocksDB: sizes follow writes and flushes, and a
// write stall provoked on purpose (L0 files over the slowdown trigger while background work is
// paused) shows in the gauges and the stall counter, then clears once compaction runs.

#include "engine/state/rocksdb_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

#include "engine/state/state.h"
#include "tests/support/support.h"

namespace yuqing::state {
namespace {

constexpr const char* kFamily = "buckets";

void write_keys(StateStore& store, int first, int count, std::size_t value_bytes) {
  rocksdb::WriteBatch wb;
  for (int i = first; i < first + count; ++i) {
    wb.Put(store.column_family(kFamily), "key" + std::to_string(i), std::string(value_bytes, 'v'));
  }
  ASSERT_TRUE(store.commit(wb).ok());
}

// The value of an unlabelled series in a text exposition; -1 when absent.
double series(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

std::string scrape(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

TEST(RocksDbMetrics, SizesFollowWritesAndFlushes) {
  testing::TempDir dir;
  StateOptions options;
  options.extra_column_families = {kFamily};
  auto store = StateStore::open(dir.file("s"), options);
  ASSERT_TRUE(store.ok()) << store.error();
  auto& s = **store;

  const auto empty = read_rocksdb_stats(s);
  EXPECT_EQ(empty.live_sst_bytes, 0u);
  EXPECT_FALSE(empty.write_stall_active());
  EXPECT_EQ(empty.write_stall_seconds, 0);

  write_keys(s, 0, 2000, 1000);  // ~2 MB into the memtable
  const auto written = read_rocksdb_stats(s);
  EXPECT_GT(written.memtable_bytes, 1'500'000u);
  EXPECT_EQ(written.live_sst_bytes, 0u);

  ASSERT_TRUE(s.db()->Flush(rocksdb::FlushOptions(), s.column_family(kFamily)).ok());
  const auto flushed = read_rocksdb_stats(s);
  EXPECT_GT(flushed.live_sst_bytes, 0u);
  EXPECT_LT(flushed.memtable_bytes, written.memtable_bytes);

  prometheus::Registry registry;
  RocksDbMetrics metrics(s, registry);
  metrics.refresh();
  const auto text = scrape(registry);
  EXPECT_EQ(series(text, "yuqing_rocksdb_live_sst_bytes"), static_cast<double>(flushed.live_sst_bytes));
  EXPECT_GT(series(text, "yuqing_rocksdb_memtable_bytes"), 0);
  EXPECT_EQ(series(text, "yuqing_rocksdb_write_stall_active"), 0);
  EXPECT_EQ(series(text, "yuqing_rocksdb_write_stopped"), 0);
  EXPECT_EQ(series(text, "yuqing_rocksdb_write_stall_seconds_total"), 0);
  EXPECT_GE(series(text, "yuqing_rocksdb_pending_compaction_bytes"), 0);
  EXPECT_GE(series(text, "yuqing_rocksdb_running_compactions"), 0);
}

TEST(RocksDbMetrics, WriteStallIsReportedCountedAndClears) {
  testing::TempDir dir;
  StateOptions options;
  options.extra_column_families = {kFamily};
  options.configure_column_family = [](const std::string& name, rocksdb::ColumnFamilyOptions& o) {
    if (name != kFamily) return;
    o.disable_auto_compactions = true;  // let L0 files pile up without a stall first
    o.level0_file_num_compaction_trigger = 2;
    o.level0_slowdown_writes_trigger = 2;
    o.level0_stop_writes_trigger = 50;
  };
  auto store = StateStore::open(dir.file("s"), options);
  ASSERT_TRUE(store.ok()) << store.error();
  auto& s = **store;
  auto* db = s.db();
  for (int f = 0; f < 3; ++f) {
    write_keys(s, f * 100, 100, 1000);
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), s.column_family(kFamily)).ok());
  }
  prometheus::Registry registry;
  RocksDbMetrics metrics(s, registry);
  metrics.refresh();
  EXPECT_EQ(series(scrape(registry), "yuqing_rocksdb_write_stall_active"), 0);

  // Three L0 files over a slowdown trigger of two, and no compaction may run: writes are
  // delayed, at a rate low enough that the next 64 KB batch waits about a second.
  ASSERT_TRUE(db->SetDBOptions({{"delayed_write_rate", "65536"}}).ok());
  ASSERT_TRUE(db->PauseBackgroundWork().ok());
  ASSERT_TRUE(db->SetOptions(s.column_family(kFamily), {{"disable_auto_compactions", "false"}}).ok());
  const auto stalled = read_rocksdb_stats(s);
  EXPECT_TRUE(stalled.write_stall_active());
  EXPECT_FALSE(stalled.write_stopped);
  EXPECT_GT(stalled.delayed_write_rate, 0u);
  EXPECT_GT(stalled.pending_compaction_bytes, 0u);

  write_keys(s, 1000, 64, 1024);
  metrics.refresh();
  auto text = scrape(registry);
  EXPECT_EQ(series(text, "yuqing_rocksdb_write_stall_active"), 1) << text;
  EXPECT_GT(series(text, "yuqing_rocksdb_delayed_write_rate_bytes_per_second"), 0);
  EXPECT_GT(series(text, "yuqing_rocksdb_pending_compaction_bytes"), 0);
  const double stall_seconds = series(text, "yuqing_rocksdb_write_stall_seconds_total");
  EXPECT_GT(stall_seconds, 0.1) << text;

  // Compaction catches up: the stall ends, the counter keeps what it counted.
  ASSERT_TRUE(db->ContinueBackgroundWork().ok());
  EXPECT_TRUE(testing::eventually([&] { return !read_rocksdb_stats(s).write_stall_active(); }, 60));
  metrics.refresh();
  metrics.refresh();  // a second refresh with no new stall time adds nothing
  text = scrape(registry);
  EXPECT_EQ(series(text, "yuqing_rocksdb_write_stall_active"), 0) << text;
  EXPECT_EQ(series(text, "yuqing_rocksdb_delayed_write_rate_bytes_per_second"), 0);
  EXPECT_EQ(series(text, "yuqing_rocksdb_write_stall_seconds_total"), stall_seconds);
}

}  // namespace
}  // namespace yuqing::state
