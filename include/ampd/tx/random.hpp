// Bytes from the operating system's CSPRNG (getrandom(2)): private keys,
// keystore salts and IVs, the secp256k1 context's blinding seed.
#pragma once

#include <cstdint>
#include <span>

namespace ampd::tx {

// Fills `out` completely. Throws std::system_error if the kernel refuses,
// which only happens on a broken system; a key generator must not go on
// with predictable bytes.
void os_random(std::span<uint8_t> out);

}  // namespace ampd::tx
