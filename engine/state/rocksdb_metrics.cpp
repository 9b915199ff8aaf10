#include "engine/state/rocksdb_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <rocksdb/statistics.h>

#include <string>

#include "engine/state/state.h"

namespace yuqing::state {
namespace {

std::uint64_t db_property(rocksdb::DB& db, const std::string& name) {
  std::uint64_t v = 0;
  return db.GetIntProperty(name, &v) ? v : 0;
}

// Summed over every column family (the per-family properties).
std::uint64_t all_families(rocksdb::DB& db, const std::string& name) {
  std::uint64_t v = 0;
  return db.GetAggregatedIntProperty(name, &v) ? v : 0;
}

prometheus::Gauge& gauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

RocksDbStats read_rocksdb_stats(StateStore& store) {
  using P = rocksdb::DB::Properties;
  rocksdb::DB& db = *store.db();
  RocksDbStats s;
  s.write_stopped = db_property(db, P::kIsWriteStopped) != 0;
  s.delayed_write_rate = db_property(db, P::kActualDelayedWriteRate);
  s.running_compactions = db_property(db, P::kNumRunningCompactions);
  s.pending_compaction_bytes = all_families(db, P::kEstimatePendingCompactionBytes);
  s.live_sst_bytes = all_families(db, P::kLiveSstFilesSize);
  s.memtable_bytes = all_families(db, P::kCurSizeAllMemTables);
  if (const auto* stats = store.statistics()) {
    s.write_stall_seconds = static_cast<double>(stats->getTickerCount(rocksdb::STALL_MICROS)) / 1e6;
  }
  return s;
}

RocksDbMetrics::RocksDbMetrics(StateStore& store, prometheus::Registry& registry) : store_(store) {
  stall_active_ = &gauge(registry, "yuqing_rocksdb_write_stall_active",
                         "1 while RocksDB delays or stops writes (compaction or flush is behind), else 0.");
  write_stopped_ = &gauge(registry, "yuqing_rocksdb_write_stopped", "1 while RocksDB stops writes entirely, else 0.");
  delayed_write_rate_ = &gauge(registry, "yuqing_rocksdb_delayed_write_rate_bytes_per_second",
                               "Write rate RocksDB allows while it delays writes; 0 when writes are not delayed.");
  stall_seconds_ = &prometheus::BuildCounter()
                        .Name("yuqing_rocksdb_write_stall_seconds_total")
                        .Help("Time writes to the state store spent delayed or stopped by RocksDB.")
                        .Register(registry)
                        .Add({});
  pending_compaction_ = &gauge(registry, "yuqing_rocksdb_pending_compaction_bytes",
                               "Estimated bytes compaction must rewrite to bring every level under its target size.");
  live_sst_ = &gauge(registry, "yuqing_rocksdb_live_sst_bytes", "Size of the SST files of the current state version.");
  memtable_ = &gauge(registry, "yuqing_rocksdb_memtable_bytes",
                     "Memory of the active and unflushed immutable memtables, all column families.");
  running_compactions_ = &gauge(registry, "yuqing_rocksdb_running_compactions", "Compactions running now.");
  waiting_for_space_ = &gauge(registry, "yuqing_state_waiting_for_space",
                              "1 while a state write waits for disk space (the engine takes no input), else 0.");
}

void RocksDbMetrics::refresh() {
  const RocksDbStats s = read_rocksdb_stats(store_);
  std::lock_guard lock(mu_);
  stall_active_->Set(s.write_stall_active() ? 1 : 0);
  write_stopped_->Set(s.write_stopped ? 1 : 0);
  delayed_write_rate_->Set(static_cast<double>(s.delayed_write_rate));
  if (s.write_stall_seconds > stall_seconds_seen_) {
    stall_seconds_->Increment(s.write_stall_seconds - stall_seconds_seen_);
    stall_seconds_seen_ = s.write_stall_seconds;
  }
  pending_compaction_->Set(static_cast<double>(s.pending_compaction_bytes));
  live_sst_->Set(static_cast<double>(s.live_sst_bytes));
  memtable_->Set(static_cast<double>(s.memtable_bytes));
  running_compactions_->Set(static_cast<double>(s.running_compactions));
  waiting_for_space_->Set(store_.waiting_for_space() ? 1 : 0);
}

}  // namespace yuqing::state
