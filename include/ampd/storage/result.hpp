// Value-or-error results of the storage layer.
//
// Storage operations fail for reasons the caller must act on (a full disk, a
// corrupt log that must stop the node), so they return a Result instead of
// throwing. Reading the value of a failed Result, or the error of a
// successful one, is a programmer error and throws std::logic_error.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ampd::storage {

enum class ErrorKind : uint8_t {
    kIo,               // an operating system or RocksDB I/O call failed
    kWalCorruption,    // the write-ahead log is damaged beyond a torn tail: stop the node
    kCorruption,       // a snapshot or history record failed its checksum or decoding
    kInvalidArgument,  // the caller passed something the store cannot accept
    kLimitExceeded,    // a query exceeds a configured limit
    kNotFound,         // the requested range is no longer (or not yet) stored
    kBusy,             // another process or object holds the directory lock
    kFailed,           // the WAL stopped after an earlier write or sync error
};

[[nodiscard]] std::string_view to_string(ErrorKind kind);

struct StorageError {
    ErrorKind kind;
    std::string message;

    // "kind: message", for logs.
    [[nodiscard]] std::string describe() const;
};

[[nodiscard]] inline StorageError make_error(ErrorKind kind, std::string message) {
    return StorageError{kind, std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}             // NOLINT(google-explicit-constructor)
    Result(StorageError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    [[nodiscard]] T& value() & {
        check_value();
        return std::get<0>(v_);
    }
    [[nodiscard]] const T& value() const& {
        check_value();
        return std::get<0>(v_);
    }
    [[nodiscard]] T&& value() && {
        check_value();
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    [[nodiscard]] const StorageError& error() const& {
        if (ok()) throw std::logic_error("Result::error() on a successful result");
        return std::get<1>(v_);
    }
    [[nodiscard]] StorageError&& error() && {
        if (ok()) throw std::logic_error("Result::error() on a successful result");
        return std::get<1>(std::move(v_));
    }

private:
    void check_value() const {
        if (!ok()) {
            throw std::logic_error("Result::value() on an error: " + std::get<1>(v_).describe());
        }
    }

    std::variant<T, StorageError> v_;
};

// A result without a value.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(StorageError error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return !error_.has_value(); }
    explicit operator bool() const { return ok(); }

    [[nodiscard]] const StorageError& error() const& {
        if (ok()) throw std::logic_error("Status::error() on a successful status");
        return *error_;
    }
    [[nodiscard]] StorageError&& error() && {
        if (ok()) throw std::logic_error("Status::error() on a successful status");
        return std::move(*error_);
    }

private:
    std::optional<StorageError> error_;
};

using Status = Result<void>;

[[nodiscard]] inline Status ok_status() {
    return {};
}

}  // namespace ampd::storage
