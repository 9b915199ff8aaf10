#pragma once
// A byte-budgeted blocking queue between two pipeline threads. Items are batches, not
// mentions, so the lock is taken once per batch. When the budget is used up, push() blocks:
// that is how a full pipeline pauses its source; nothing is dropped.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace yuqing::pipeline {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Blocks while the queue holds max_bytes or more (an item is always accepted into an empty
  // queue, so one oversized batch cannot deadlock). Returns false once closed.
  bool push(T item, std::size_t bytes) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.empty() || bytes_ + bytes <= max_bytes_; });
    if (closed_) return false;
    items_.push_back({std::move(item), bytes});
    bytes_ += bytes;
    not_empty_.notify_one();
    return true;
  }

  enum class PushResult { pushed, full, closed };
  // Like push(), but waits at most `timeout` for room; `item` is moved from only when pushed.
  // Lets the producer do other work (keep a Kafka session alive) while the queue is full.
  template <class Duration>
  PushResult push_for(T& item, std::size_t bytes, Duration timeout) {
    std::unique_lock lock(mu_);
    const bool room = not_full_.wait_for(
        lock, timeout, [&] { return closed_ || items_.empty() || bytes_ + bytes <= max_bytes_; });
    if (closed_) return PushResult::closed;
    if (!room) return PushResult::full;
    items_.push_back({std::move(item), bytes});
    bytes_ += bytes;
    not_empty_.notify_one();
    return PushResult::pushed;
  }

  // Blocks until an item is there; nullopt when closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    auto entry = std::move(items_.front());
    items_.pop_front();
    bytes_ -= entry.bytes;
    not_full_.notify_one();
    return std::move(entry.item);
  }

  // Wakes everyone; pop() drains what is left, push() fails.
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  std::size_t bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
  }

 private:
  struct Entry {
    T item;
    std::size_t bytes;
  };
  mutable std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Entry> items_;
  std::size_t bytes_ = 0;
  std::size_t max_bytes_;
  bool closed_ = false;
};

}  // namespace yuqing::pipeline
