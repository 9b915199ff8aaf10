#pragma once
// State store: one RocksDB database per engine, in the state directory.
//
// Column families (created on open):
//   default   - small named values (put_meta/load_meta), e.g. the dead-letter file length
//   offsets   - source positions: where each input resumes after a restart
// Later stages add their own (buckets, alerts, outbox) through column_family().
//
// Everything one processed batch changes is written in ONE WriteBatch (stage updates + the
// source position + the dead-letter file length), so after a kill -9 the engine resumes
// exactly after the last committed batch: nothing counted twice, nothing lost.
//
// Threading: open/load_position before the pipeline starts; commit() from the single worker
// thread that owns the batch; column_family() is safe from any thread after open.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::state {

// Where a source resumes. Stored little-endian as 2 x uint64.
struct SourcePosition {
  std::uint64_t offset = 0;   // source-specific: byte offset in a file, record index in the demo
  std::uint64_t records = 0;  // records (lines) consumed up to offset, for the accounting
};

// Sees every batch the store commits: before_commit() may add to it (it is written in the
// same atomic write), after_commit() runs once it is durable; its error is commit()'s (the
// engine stops; a restart reconciles). The aggregate role's changelog
// (connectors/kafka/changelog.h) is one. Called on the committing thread.
class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  virtual void before_commit(rocksdb::WriteBatch& batch) = 0;
  virtual Status<std::string> after_commit(const rocksdb::WriteBatch& batch) = 0;
};

struct StateOptions {
  bool sync_writes = false;  // Default: false (survives process crash; true also power loss)
  // Free space the state directory's file system must keep: below it, commit() waits (the
  // engine takes no input) until space returns, so RocksDB never runs into a full disk.
  // 0 = no check. Default: 64 MiB.
  std::uint64_t min_free_bytes = 64ULL << 20;
  // Extra column families a stage needs, created if missing.
  std::vector<std::string> extra_column_families;
  // Called for every column family before open, e.g. to install a merge operator or a
  // compaction filter on the family a stage owns. May be empty.
  std::function<void(const std::string& name, rocksdb::ColumnFamilyOptions& options)> configure_column_family;
};

class StateStore {
 public:
  static Result<std::unique_ptr<StateStore>, std::string> open(const std::string& dir,
                                                               StateOptions options = {});
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  std::optional<SourcePosition> load_position(std::string_view source_key);
  // Adds the position update to `batch` (does not write).
  void put_position(rocksdb::WriteBatch& batch, std::string_view source_key, const SourcePosition& pos);
  // Small named counters kept with the state (e.g. the dead-letter file length).
  std::optional<std::uint64_t> load_meta(std::string_view key);
  void put_meta(rocksdb::WriteBatch& batch, std::string_view key, std::uint64_t value);
  // The deployment's secret key for hashing author ids (privacy: ids are stored only as keyed
  // hashes). Created at random on first use and kept in the state, so hashes stay stable.
  Result<std::uint64_t, std::string> author_hash_key();
  // Writes the batch atomically. When the file system's free space is under min_free_bytes it
  // first waits, saying why in the log, until space returns: the pipeline's queue fills, the
  // source pauses, the engine takes no input and loses nothing, and goes on by itself.
  // (If the disk fills anyway, e.g. by another writer, RocksDB's write fails; commit() waits
  // for RocksDB to recover for up to a minute after space is back, then returns the error:
  // the engine stops and a restart resumes after the last committed batch.) interrupt()
  // ends a wait with an error (shutdown).
  Status<std::string> commit(rocksdb::WriteBatch& batch);
  // Ends a commit() that waits for disk space, with an error. Any thread; sticky.
  void interrupt() { interrupted_.store(true); }
  // True while a commit() waits for disk space (yuqing_state_waiting_for_space).
  bool waiting_for_space() const { return waiting_for_space_.load(); }

  // At most one; set before the pipeline starts, nullptr removes it.
  void set_commit_observer(CommitObserver* observer) { observer_ = observer; }

  rocksdb::DB* db() { return db_.get(); }
  // Tickers only (no histograms or timers); read by rocksdb_metrics.h. Never null after open.
  const rocksdb::Statistics* statistics() const { return statistics_.get(); }
  // nullptr when the family was not requested at open.
  rocksdb::ColumnFamilyHandle* column_family(std::string_view name);
  // The name of the family with RocksDB id `id` ("" if unknown), e.g. for a WriteBatch::Handler.
  std::string_view column_family_name(std::uint32_t id) const;

 private:
  StateStore() = default;
  std::shared_ptr<rocksdb::Statistics> statistics_;  // before db_: the DB uses it until closed
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::vector<std::string> names_;
  rocksdb::ColumnFamilyHandle* offsets_ = nullptr;
  CommitObserver* observer_ = nullptr;
  bool sync_ = false;
  std::string dir_;
  std::uint64_t min_free_bytes_ = 0;
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> waiting_for_space_{false};
};

}  // namespace yuqing::state
