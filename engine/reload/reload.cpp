#include "engine/reload/reload.h"

#include <algorithm>

namespace yuqing::reload {

std::string DirectoryWatcher::fingerprint(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (!it->is_regular_file(e2)) continue;
    const auto size = it->file_size(e2);
    const auto mtime = fs::last_write_time(it->path(), e2).time_since_epoch().count();
    entries.push_back(it->path().string() + "|" + std::to_string(size) + "|" + std::to_string(mtime));
  }
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const auto& e : entries) out += e + "\n";
  return out;
}

DirectoryWatcher::DirectoryWatcher(std::filesystem::path dir, std::chrono::milliseconds interval,
                                   std::function<void()> on_change)
    : dir_(std::move(dir)), interval_(interval), on_change_(std::move(on_change)) {
  thread_ = std::thread([this] {
    std::string last = fingerprint(dir_);
    while (!stop_) {
      for (auto waited = std::chrono::milliseconds(0); waited < interval_ && !stop_; waited += std::chrono::milliseconds(50)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (stop_) break;
      auto now = fingerprint(dir_);
      if (now != last) {
        last = std::move(now);
        on_change_();
      }
    }
  });
}

DirectoryWatcher::~DirectoryWatcher() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace yuqing::reload
