// CRC32C (Castagnoli), the checksum on every byte the storage layer writes.
// Backed by Crypto++, which uses the SSE4.2 crc32 instruction when present.
#pragma once

#include <cryptopp/crc.h>

#include <cstdint>

#include "ampd/primitives/bytes.hpp"

namespace ampd::storage {

// Incremental form, for a checksum over a header and a payload that are not
// contiguous in memory. value() may be read at any time.
class Crc32c {
public:
    Crc32c& update(ByteView data);
    [[nodiscard]] uint32_t value() const;

private:
    CryptoPP::CRC32C impl_;
};

[[nodiscard]] uint32_t crc32c(ByteView data);

}  // namespace ampd::storage
