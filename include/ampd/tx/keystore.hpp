// Encrypted key files in the Web3 Secret Storage format, version 3: the
// JSON keystores geth, Clef, ethers and MetaMask exchange.
//
// The password derives a 32-byte key (scrypt, or PBKDF2-HMAC-SHA256 when
// reading older files); its first half is the AES-128-CTR key for the
// private key, and keccak256(second half || ciphertext) is the MAC that
// tells a wrong password from a right one before anything is decrypted.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ampd/primitives/bytes.hpp"
#include "ampd/tx/result.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd::tx {

enum class Kdf : uint8_t { kScrypt, kPbkdf2 };

struct KdfParams {
    Kdf kdf = Kdf::kScrypt;
    // scrypt: cost (a power of two above 1), block size, parallelization.
    // The defaults are geth's "standard" parameters: 256 MiB, about a
    // second. Tests use a small n.
    uint64_t n = 262144;
    uint32_t r = 8;
    uint32_t p = 1;
    // PBKDF2-HMAC-SHA256 iterations.
    uint32_t c = 262144;
};

// Limits for files we read, so a hostile keystore cannot demand gigabytes
// or hours: scrypt memory 128*r*n and work n*r*p up to 16 times the
// defaults, PBKDF2 up to 2^24 iterations.
inline constexpr uint64_t kMaxScryptMemory = uint64_t{1} << 30;
inline constexpr uint64_t kMaxScryptWork = uint64_t{1} << 25;
inline constexpr uint64_t kMaxPbkdf2Iterations = uint64_t{1} << 24;

enum class KeystoreErrorKind : uint8_t {
    kMalformed,      // not a v3 keystore, or a field of the wrong shape
    kUnsupported,    // version, cipher, kdf, prf or parameters we do not handle
    kWrongPassword,  // the MAC does not match
};

struct KeystoreError {
    KeystoreErrorKind kind;
    std::string message;
};

// The random inputs of one encryption. Normally drawn from the OS CSPRNG;
// fixed only to reproduce a known file.
struct KeystoreRandomness {
    Bytes32 salt;
    std::array<uint8_t, 16> iv{};
    std::array<uint8_t, 16> id{};  // made an RFC 4122 version-4 UUID
};

// The keystore JSON text for `key`. Fails only for parameters outside the
// limits above (or not a power-of-two n).
[[nodiscard]] Result<std::string, KeystoreError> encrypt_key(const PrivateKey& key,
                                                             std::string_view password,
                                                             const KdfParams& params = {});
[[nodiscard]] Result<std::string, KeystoreError> encrypt_key(const PrivateKey& key,
                                                             std::string_view password,
                                                             const KdfParams& params,
                                                             const KeystoreRandomness& randomness);

// Accepts "crypto" or "Crypto" (both occur in the wild) and hex with or
// without 0x. When the file names an address, it must be the key's.
[[nodiscard]] Result<PrivateKey, KeystoreError> decrypt_key(std::string_view json_text,
                                                            std::string_view password);

}  // namespace ampd::tx
