#pragma once
// RocksDB health as Prometheus metrics: write stalls, compaction debt, SST and memtable size.
//
// read_rocksdb_stats() reads DB properties (DB::GetIntProperty / GetAggregatedIntProperty,
// summed over column families) and the STALL_MICROS ticker of the store's statistics. It is
// cheap (no I/O, a few mutex-protected reads) but not free, so it runs when /metrics is
// scraped, never per mention. RocksDbMetrics registers the gauges once and refresh() copies a
// fresh reading into them; names and meanings are in docs/metrics.md.
//
// Threading: read_rocksdb_stats() and refresh() may be called from any thread while the
// store is open (the HTTP thread, concurrently with the pipeline's commits); refresh() holds
// its own lock so concurrent scrapes do not double-count the stall counter.

#include <cstdint>
#include <mutex>

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace yuqing::state {

class StateStore;

struct RocksDbStats {
  bool write_stopped = false;           // rocksdb.is-write-stopped
  std::uint64_t delayed_write_rate = 0;  // rocksdb.actual-delayed-write-rate, bytes/s; 0 = not delayed
  double write_stall_seconds = 0;       // STALL_MICROS ticker: time writes spent delayed or stopped
  std::uint64_t pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes, all families
  std::uint64_t live_sst_bytes = 0;            // rocksdb.live-sst-files-size, all families
  std::uint64_t memtable_bytes = 0;            // rocksdb.cur-size-all-mem-tables, all families
  std::uint64_t running_compactions = 0;       // rocksdb.num-running-compactions

  bool write_stall_active() const { return write_stopped || delayed_write_rate > 0; }
};

RocksDbStats read_rocksdb_stats(StateStore& store);

// The yuqing_rocksdb_* metrics of one store, in `registry`. Both must outlive this object.
class RocksDbMetrics {
 public:
  RocksDbMetrics(StateStore& store, prometheus::Registry& registry);
  RocksDbMetrics(const RocksDbMetrics&) = delete;
  RocksDbMetrics& operator=(const RocksDbMetrics&) = delete;

  // Reads the store's properties into the gauges; call right before serializing a scrape.
  void refresh();

 private:
  StateStore& store_;
  std::mutex mu_;
  double stall_seconds_seen_ = 0;  // what the counter already holds
  prometheus::Gauge* stall_active_ = nullptr;
  prometheus::Gauge* write_stopped_ = nullptr;
  prometheus::Gauge* delayed_write_rate_ = nullptr;
  prometheus::Counter* stall_seconds_ = nullptr;
  prometheus::Gauge* pending_compaction_ = nullptr;
  prometheus::Gauge* live_sst_ = nullptr;
  prometheus::Gauge* memtable_ = nullptr;
  prometheus::Gauge* running_compactions_ = nullptr;
  prometheus::Gauge* waiting_for_space_ = nullptr;
};

}  // namespace yuqing::state
