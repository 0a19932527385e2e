// ECDSA over secp256k1 as Ethereum uses it: recoverable signatures (r, s,
// y parity) over a 32-byte hash, addresses derived from public keys.
//
// Backed by libsecp256k1 through one process-wide context, created and
// blinded on first use; every function here is safe to call from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::tx {

// The order n of the curve's group, and n / 2 (EIP-2's bound for s).
inline constexpr u256 kCurveOrder{0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFEULL,
                                  0xBAAEDCE6AF48A03BULL, 0xBFD25E8CD0364141ULL};
inline constexpr u256 kHalfCurveOrder{0x7FFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL,
                                      0x5D576E7357A4501DULL, 0xDFE92F46681B20A0ULL};

// A secp256k1 secret: 32 bytes, nonzero, below n. Only constructible from
// valid bytes, so every function taking one can rely on it. The bytes are
// wiped when the object is destroyed.
class PrivateKey {
public:
    static std::optional<PrivateKey> from_bytes(ByteView b);
    // 64 hex digits, "0x" prefix optional.
    static std::optional<PrivateKey> from_hex(std::string_view s);

    PrivateKey(const PrivateKey&) = default;
    PrivateKey& operator=(const PrivateKey&) = default;
    ~PrivateKey();

    [[nodiscard]] const Bytes32& bytes() const { return key_; }
    [[nodiscard]] std::string hex() const;  // "0x" + 64 lowercase digits

    friend bool operator==(const PrivateKey&, const PrivateKey&) = default;

private:
    explicit PrivateKey(const Bytes32& key) : key_(key) {}
    Bytes32 key_;
};

struct Signature {
    u256 r;
    u256 s;
    uint8_t y_parity = 0;  // parity of the y coordinate of the point R
    friend bool operator==(const Signature&, const Signature&) = default;
};

// What is wrong with a signature's scalars, checked in this order.
enum class SignatureCheck : uint8_t {
    kOk,
    kROutOfRange,  // r not in [1, n-1]
    kSOutOfRange,  // s not in [1, n-1]
    kHighS,        // s > n/2: valid ECDSA, but EIP-2 forbids it in transactions
    kBadParity,    // y parity not 0 or 1
};
[[nodiscard]] SignatureCheck check_signature(const u256& r, const u256& s, uint8_t y_parity);

// The address that signed `hash`, or nullopt when r or s is not in
// [1, n-1], the parity is not 0 or 1, or no public key matches. High s is
// accepted, as the ecrecover precompile does; transaction validation calls
// check_signature first to enforce EIP-2.
[[nodiscard]] std::optional<Address> recover_address(const Bytes32& hash, const u256& r,
                                                     const u256& s, uint8_t y_parity);

// Deterministic (RFC 6979) signature with low s.
[[nodiscard]] Signature sign(const Bytes32& hash, const PrivateKey& key);

// SEC1 encodings of the public key: 0x04 || x || y, and 0x02/0x03 || x.
[[nodiscard]] std::array<uint8_t, 65> public_key_uncompressed(const PrivateKey& key);
[[nodiscard]] std::array<uint8_t, 33> public_key_compressed(const PrivateKey& key);

// Last 20 bytes of keccak256 of the 64-byte x || y.
[[nodiscard]] Address address_of(const PrivateKey& key);

// (key + tweak) mod n, the step of BIP-32 child derivation; nullopt when
// the tweak is not below n or the sum is zero.
[[nodiscard]] std::optional<PrivateKey> tweak_add(const PrivateKey& key, const Bytes32& tweak);

// A fresh key from the OS CSPRNG.
[[nodiscard]] PrivateKey generate_private_key();

}  // namespace ampd::tx
