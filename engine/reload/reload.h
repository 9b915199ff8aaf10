#pragma once
// Hot reload of configuration that ops edit as files (rules, lexicons, alert policy).
//
// A Reloader<T> owns the live, immutable T (shared_ptr<const T>). reload() builds a new T off
// the hot path with the loader; on success it is swapped in atomically, on failure the old one
// keeps running and the errors are returned, logged and counted. The worker thread calls
// current() once per batch, so a batch never sees two versions and mentions in flight finish
// on the version they started with.
//
// Triggers: a DirectoryWatcher (polls file names, sizes and mtimes), SIGHUP and the HTTP API
// all call reload(); reloads are serialized by a mutex that the hot path never takes.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::reload {

struct ReloadOutcome {
  bool ok = false;
  std::uint64_t version = 0;          // live version after the attempt
  std::vector<std::string> messages;  // errors (file:line:col: ...) when !ok; warnings when ok
};

template <class T>
class Reloader {
 public:
  // The loader returns the new T plus warnings, or the list of errors.
  struct Loaded {
    std::shared_ptr<const T> value;
    std::vector<std::string> warnings;
  };
  using Loader = std::function<Result<Loaded, std::vector<std::string>>()>;

  explicit Reloader(Loader loader) : loader_(std::move(loader)) {}

  ReloadOutcome reload() {
    std::lock_guard lock(reload_mu_);
    auto loaded = loader_();
    ReloadOutcome out;
    if (!loaded) {
      out.messages = loaded.error();
      out.version = version_.load();
      ++failures_;
      return out;
    }
    std::atomic_store(&live_, loaded->value);
    out.ok = true;
    out.version = ++version_;
    out.messages = loaded->warnings;
    ++successes_;
    return out;
  }

  // The live value; nullptr before the first successful reload().
  std::shared_ptr<const T> current() const { return std::atomic_load(&live_); }
  std::uint64_t version() const { return version_.load(); }
  std::uint64_t successes() const { return successes_.load(); }
  std::uint64_t failures() const { return failures_.load(); }

 private:
  Loader loader_;
  std::mutex reload_mu_;
  std::shared_ptr<const T> live_;
  std::atomic<std::uint64_t> version_{0}, successes_{0}, failures_{0};
};

// Calls on_change() when anything under `dir` changes (a file added, removed, resized or
// touched). Polling keeps it simple and works on every file system, including bind mounts
// and Kubernetes ConfigMaps (which swap a symlink).
class DirectoryWatcher {
 public:
  DirectoryWatcher(std::filesystem::path dir, std::chrono::milliseconds interval, std::function<void()> on_change);
  ~DirectoryWatcher();
  DirectoryWatcher(const DirectoryWatcher&) = delete;
  DirectoryWatcher& operator=(const DirectoryWatcher&) = delete;

  // A fingerprint of the tree (names, sizes, mtimes); exposed for tests.
  static std::string fingerprint(const std::filesystem::path& dir);

 private:
  std::filesystem::path dir_;
  std::chrono::milliseconds interval_;
  std::function<void()> on_change_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace yuqing::reload
