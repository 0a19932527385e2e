// A value or the error that prevented it. Decoders of untrusted input
// (raw transactions, keystore files) return one instead of throwing, so a
// bad request costs a branch, not an unwind, and the reason travels to the
// JSON-RPC error message.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace ampd::tx {

template <class T, class E>
class Result {
    static_assert(!std::is_same_v<T, E>, "value and error types must differ");

public:
    Result(T value)
        : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(E error)
        : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    // Precondition: ok() for the value accessors, !ok() for error().
    [[nodiscard]] T& value() { return std::get<0>(v_); }
    [[nodiscard]] const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    [[nodiscard]] const E& error() const { return std::get<1>(v_); }

private:
    std::variant<T, E> v_;
};

}  // namespace ampd::tx
