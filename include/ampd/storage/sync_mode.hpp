// Whether the storage layer forces its writes to stable storage.
#pragma once

#include <cstdint>

namespace ampd::storage {

enum class SyncMode : uint8_t {
    kFdatasync,  // durable against power loss: the only mode for a real node
    // No fdatasync and no directory fsync: data survives a crash of the
    // process (it is in the page cache) but not a power loss or kernel
    // crash. For tests and benchmarks only.
    kNone,
};

}  // namespace ampd::storage
