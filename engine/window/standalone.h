#pragma once
// A RocksDB database holding only the window column families, for tests, benchmarks and
// offline tools. The engine itself uses StateStore (one database for all state).

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/base/result.h"
#include "engine/window/window.h"

namespace yuqing::window {

class StandaloneDb {
 public:
  static Result<std::unique_ptr<StandaloneDb>, std::string> open(const std::string& dir);
  ~StandaloneDb();
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* buckets() { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* top() { return handles_[2]; }
  // Writes the batch (what StateStore::commit does in the engine).
  rocksdb::Status commit(rocksdb::WriteBatch& batch) { return db_->Write(rocksdb::WriteOptions(), &batch); }

 private:
  StandaloneDb() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace yuqing::window
