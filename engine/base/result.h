#pragma once
// Result<T, E>: a value or an error, for the hot path where exceptions are not used.
// A minimal stand-in for C++23 std::expected (g++ 12 in C++20 mode has none).

#include <cassert>
#include <utility>
#include <variant>

namespace yuqing {

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class G>
  Result(Unexpected<G> err) : v_(std::in_place_index<1>, std::move(err.error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  E& error() & { assert(!ok()); return std::get<1>(v_); }
  const E& error() const& { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// Status: success or an error value, for operations that return nothing.
template <class E>
class [[nodiscard]] Status {
 public:
  Status() = default;
  template <class G>
  Status(Unexpected<G> err) : err_(std::move(err.error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { assert(!ok_); return err_; }

 private:
  E err_{};
  bool ok_ = true;
};

}  // namespace yuqing
