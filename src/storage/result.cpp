#include "ampd/storage/result.hpp"

namespace ampd::storage {

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kIo:
            return "io error";
        case ErrorKind::kWalCorruption:
            return "wal corruption";
        case ErrorKind::kCorruption:
            return "corruption";
        case ErrorKind::kInvalidArgument:
            return "invalid argument";
        case ErrorKind::kLimitExceeded:
            return "limit exceeded";
        case ErrorKind::kNotFound:
            return "not found";
        case ErrorKind::kBusy:
            return "busy";
        case ErrorKind::kFailed:
            return "failed";
    }
    return "unknown";
}

std::string StorageError::describe() const {
    std::string out(to_string(kind));
    out += ": ";
    out += message;
    return out;
}

}  // namespace ampd::storage
