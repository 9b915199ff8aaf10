#include "engine/state/state.h"

#include <rocksdb/options.h>
#include <rocksdb/statistics.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <thread>

#include <sys/statvfs.h>

#include "engine/base/log.h"

namespace yuqing::state {
namespace {

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_u64(std::string_view in, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

}  // namespace

Result<std::unique_ptr<StateStore>, std::string> StateStore::open(const std::string& dir, StateOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unexpected{"cannot create state directory " + dir + ": " + ec.message()};

  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.keep_log_file_num = 5;
  // Tickers (e.g. STALL_MICROS for the write-stall metric) cost a per-core add; histograms and
  // timers, which read the clock, stay off.
  auto statistics = rocksdb::CreateDBStatistics();
  statistics->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  db_options.statistics = statistics;

  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, "offsets"};
  for (const auto& n : options.extra_column_families) names.push_back(n);
  // Families that exist on disk must be opened too (a newer engine may have added some).
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, dir, &existing).ok()) {
    for (const auto& n : existing) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) {
    rocksdb::ColumnFamilyOptions cf_options(db_options);
    if (options.configure_column_family) options.configure_column_family(n, cf_options);
    descriptors.emplace_back(n, cf_options);
  }

  std::unique_ptr<StateStore> store(new StateStore());
  store->statistics_ = statistics;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_options, dir, descriptors, &store->handles_, &raw);
  if (!s.ok()) return Unexpected{"cannot open state in " + dir + ": " + s.ToString()};
  store->db_.reset(raw);
  store->names_ = names;
  store->offsets_ = store->handles_[1];
  store->sync_ = options.sync_writes;
  store->dir_ = dir;
  store->min_free_bytes_ = options.min_free_bytes;
  return store;
}

StateStore::~StateStore() {
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

std::optional<SourcePosition> StateStore::load_position(std::string_view source_key) {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), offsets_, rocksdb::Slice(source_key.data(), source_key.size()), &value);
  if (!s.ok() || value.size() < 16) return std::nullopt;
  return SourcePosition{get_u64(value, 0), get_u64(value, 8)};
}

void StateStore::put_position(rocksdb::WriteBatch& batch, std::string_view source_key, const SourcePosition& pos) {
  std::string value;
  value.reserve(16);
  put_u64(value, pos.offset);
  put_u64(value, pos.records);
  batch.Put(offsets_, rocksdb::Slice(source_key.data(), source_key.size()), value);
}

std::optional<std::uint64_t> StateStore::load_meta(std::string_view key) {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), handles_[0], rocksdb::Slice(key.data(), key.size()), &value);
  if (!s.ok() || value.size() < 8) return std::nullopt;
  return get_u64(value, 0);
}

void StateStore::put_meta(rocksdb::WriteBatch& batch, std::string_view key, std::uint64_t v) {
  std::string value;
  put_u64(value, v);
  batch.Put(handles_[0], rocksdb::Slice(key.data(), key.size()), value);
}

namespace {

// Free bytes for unprivileged writers on the file system holding `dir`; nullopt if unknown.
std::optional<std::uint64_t> free_bytes(const std::string& dir) {
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

}  // namespace

Status<std::string> StateStore::commit(rocksdb::WriteBatch& batch) {
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  if (observer_ != nullptr) observer_->before_commit(batch);
  // Below the watermark, wait before writing: a full disk is an operational condition, not a
  // reason to lose or stop. (One statvfs per batch, not per mention.)
  if (min_free_bytes_ > 0) {
    auto free = free_bytes(dir_);
    if (free && *free < min_free_bytes_) {
      waiting_for_space_.store(true);
      log::error("State directory {} has {} bytes free, under state.min_free_bytes ({}): the engine takes no input "
                 "until space is freed, then goes on by itself. Nothing is lost.",
                 dir_, *free, min_free_bytes_);
      const auto since = std::chrono::steady_clock::now();
      auto last_log = since;
      while (free && *free < min_free_bytes_ && !interrupted_.load()) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        free = free_bytes(dir_);
        if (std::chrono::steady_clock::now() - last_log > std::chrono::seconds(30)) {
          last_log = std::chrono::steady_clock::now();
          log::warn("State directory still short of space ({} bytes free) after {} s; waiting.", free.value_or(0),
                    std::chrono::duration_cast<std::chrono::seconds>(last_log - since).count());
        }
      }
      waiting_for_space_.store(false);
      if (interrupted_.load()) return Unexpected{std::string("state write interrupted while waiting for disk space")};
      log::info("Disk space is back ({} bytes free): the engine goes on.", free.value_or(0));
    }
  }
  auto s = db_->Write(wo, &batch);
  // The disk filled anyway: RocksDB rejected the whole batch and refuses writes until Resume()
  // succeeds (it answers Busy while its own recovery runs). Wait for that, bounded.
  if (s.IsNoSpace()) {
    waiting_for_space_.store(true);
    log::error("State directory is out of disk space ({}); the engine takes no input and waits for space.", s.ToString());
    auto space_back = std::chrono::steady_clock::time_point::max();
    while (!interrupted_.load()) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      if (db_->Resume().ok()) {
        s = db_->Write(wo, &batch);
        if (!s.IsNoSpace()) break;
      }
      const auto free = free_bytes(dir_);
      const bool back = free && *free >= std::max<std::uint64_t>(min_free_bytes_, 1ULL << 20);
      if (!back) space_back = std::chrono::steady_clock::time_point::max();
      if (back && space_back == std::chrono::steady_clock::time_point::max()) space_back = std::chrono::steady_clock::now();
      if (back && std::chrono::steady_clock::now() - space_back > std::chrono::seconds(60)) break;
    }
    waiting_for_space_.store(false);
  }
  if (!s.ok()) return Unexpected{"state write failed: " + s.ToString()};
  if (observer_ != nullptr) return observer_->after_commit(batch);
  return {};
}

Result<std::uint64_t, std::string> StateStore::author_hash_key() {
  constexpr std::string_view kKey = "author_hash_key";
  if (auto k = load_meta(kKey)) return *k;
  std::random_device rd;
  const std::uint64_t key = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ULL;
  rocksdb::WriteBatch wb;
  put_meta(wb, kKey, key);
  if (auto st = commit(wb); !st) return Unexpected{st.error()};
  return key;
}

rocksdb::ColumnFamilyHandle* StateStore::column_family(std::string_view name) {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return handles_[i];
  }
  return nullptr;
}

std::string_view StateStore::column_family_name(std::uint32_t id) const {
  for (std::size_t i = 0; i < handles_.size(); ++i) {
    if (handles_[i]->GetID() == id) return names_[i];
  }
  return {};
}

}  // namespace yuqing::state
