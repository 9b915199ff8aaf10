#include "engine/window/standalone.h"

namespace yuqing::window {

Result<std::unique_ptr<StandaloneDb>, std::string> StandaloneDb::open(const std::string& dir) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (std::string name : {std::string(rocksdb::kDefaultColumnFamilyName), std::string(kBucketsFamily),
                           std::string(kTopFamily)}) {
    rocksdb::ColumnFamilyOptions co(o);
    configure_column_family(name, co);
    cfs.emplace_back(name, co);
  }
  std::unique_ptr<StandaloneDb> s(new StandaloneDb());
  rocksdb::DB* raw = nullptr;
  auto st = rocksdb::DB::Open(o, dir, cfs, &s->handles_, &raw);
  if (!st.ok()) return Unexpected{"cannot open " + dir + ": " + st.ToString()};
  s->db_.reset(raw);
  return s;
}

StandaloneDb::~StandaloneDb() {
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

}  // namespace yuqing::window
