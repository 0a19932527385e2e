#include "ampd/storage/crc32c.hpp"

#include <array>

namespace ampd::storage {

Crc32c& Crc32c::update(ByteView data) {
    if (!data.empty()) impl_.Update(data.data(), data.size());
    return *this;
}

uint32_t Crc32c::value() const {
    // TruncatedFinal resets the state, so finish a copy and keep this one
    // open for further updates.
    CryptoPP::CRC32C copy = impl_;
    std::array<CryptoPP::byte, 4> digest{};
    copy.TruncatedFinal(digest.data(), digest.size());
    // Crypto++ emits the register in host order; ampd targets little-endian
    // hosts only, and the value is used as a number, never as bytes.
    return static_cast<uint32_t>(digest[0]) | (static_cast<uint32_t>(digest[1]) << 8) |
           (static_cast<uint32_t>(digest[2]) << 16) | (static_cast<uint32_t>(digest[3]) << 24);
}

uint32_t crc32c(ByteView data) {
    Crc32c c;
    c.update(data);
    return c.value();
}

}  // namespace ampd::storage
