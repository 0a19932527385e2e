#include "ampd/tx/secp256k1.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <string.h>  // explicit_bzero

#include <cstdlib>

#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/tx/random.hpp"

namespace ampd::tx {
namespace {

// Created on first use (thread-safe static initialisation) and never
// destroyed: other statics may still sign during shutdown. Randomizing
// blinds the signing computations against side channels; after that the
// context is only read, which libsecp256k1 allows from any thread.
const secp256k1_context* context() {
    static const secp256k1_context* const ctx = [] {
        secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        if (c == nullptr) std::abort();
        std::array<uint8_t, 32> seed{};
        os_random(seed);
        if (secp256k1_context_randomize(c, seed.data()) != 1) std::abort();
        explicit_bzero(seed.data(), seed.size());
        return c;
    }();
    return ctx;
}

bool in_scalar_range(const u256& v) {
    return !v.is_zero() && v < kCurveOrder;
}

secp256k1_pubkey public_key_of(const PrivateKey& key) {
    secp256k1_pubkey pub;
    // Cannot fail: PrivateKey holds a valid secret.
    if (secp256k1_ec_pubkey_create(context(), &pub, key.bytes().data()) != 1) std::abort();
    return pub;
}

Address address_of_pubkey(const secp256k1_pubkey& pub) {
    std::array<uint8_t, 65> ser{};
    size_t len = ser.size();
    secp256k1_ec_pubkey_serialize(context(), ser.data(), &len, &pub, SECP256K1_EC_UNCOMPRESSED);
    const Bytes32 h = keccak256(ByteView(ser).subspan(1));
    return Address::from(ByteView(h.b).subspan(12));
}

}  // namespace

std::optional<PrivateKey> PrivateKey::from_bytes(ByteView b) {
    if (b.size() != 32) return std::nullopt;
    if (secp256k1_ec_seckey_verify(context(), b.data()) != 1) return std::nullopt;
    return PrivateKey(Bytes32::from(b));
}

std::optional<PrivateKey> PrivateKey::from_hex(std::string_view s) {
    auto b = hex::decode_loose(s);
    if (!b) return std::nullopt;
    auto key = from_bytes(*b);
    explicit_bzero(b->data(), b->size());
    return key;
}

PrivateKey::~PrivateKey() {
    explicit_bzero(key_.data(), key_.size());
}

std::string PrivateKey::hex() const {
    return hex::encode(key_.b);
}

SignatureCheck check_signature(const u256& r, const u256& s, uint8_t y_parity) {
    if (!in_scalar_range(r)) return SignatureCheck::kROutOfRange;
    if (!in_scalar_range(s)) return SignatureCheck::kSOutOfRange;
    if (s > kHalfCurveOrder) return SignatureCheck::kHighS;
    if (y_parity > 1) return SignatureCheck::kBadParity;
    return SignatureCheck::kOk;
}

std::optional<Address> recover_address(const Bytes32& hash, const u256& r, const u256& s,
                                       uint8_t y_parity) {
    // Parity 2 and 3 (r >= p - n) are valid ECDSA but not expressible in an
    // Ethereum signature.
    if (!in_scalar_range(r) || !in_scalar_range(s) || y_parity > 1) return std::nullopt;
    std::array<uint8_t, 64> compact{};
    r.to_be(std::span<uint8_t, 32>(compact.data(), 32));
    s.to_be(std::span<uint8_t, 32>(compact.data() + 32, 32));
    secp256k1_ecdsa_recoverable_signature sig;
    if (secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, compact.data(),
                                                            y_parity) != 1) {
        return std::nullopt;
    }
    secp256k1_pubkey pub;
    if (secp256k1_ecdsa_recover(context(), &pub, &sig, hash.data()) != 1) return std::nullopt;
    return address_of_pubkey(pub);
}

Signature sign(const Bytes32& hash, const PrivateKey& key) {
    secp256k1_ecdsa_recoverable_signature sig;
    // A null nonce function selects RFC 6979; libsecp256k1 always returns low s.
    if (secp256k1_ecdsa_sign_recoverable(context(), &sig, hash.data(), key.bytes().data(), nullptr,
                                         nullptr) != 1) {
        std::abort();  // only fails for an invalid key, which PrivateKey excludes
    }
    std::array<uint8_t, 64> compact{};
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), compact.data(), &recid,
                                                            &sig);
    // recid 2 or 3 needs r >= p - n: probability about 2^-127, never seen.
    return Signature{u256::from_be(std::span<const uint8_t, 32>(compact.data(), 32)),
                     u256::from_be(std::span<const uint8_t, 32>(compact.data() + 32, 32)),
                     static_cast<uint8_t>(recid)};
}

std::array<uint8_t, 65> public_key_uncompressed(const PrivateKey& key) {
    const secp256k1_pubkey pub = public_key_of(key);
    std::array<uint8_t, 65> out{};
    size_t len = out.size();
    secp256k1_ec_pubkey_serialize(context(), out.data(), &len, &pub, SECP256K1_EC_UNCOMPRESSED);
    return out;
}

std::array<uint8_t, 33> public_key_compressed(const PrivateKey& key) {
    const secp256k1_pubkey pub = public_key_of(key);
    std::array<uint8_t, 33> out{};
    size_t len = out.size();
    secp256k1_ec_pubkey_serialize(context(), out.data(), &len, &pub, SECP256K1_EC_COMPRESSED);
    return out;
}

Address address_of(const PrivateKey& key) {
    return address_of_pubkey(public_key_of(key));
}

std::optional<PrivateKey> tweak_add(const PrivateKey& key, const Bytes32& tweak) {
    Bytes32 sum = key.bytes();
    std::optional<PrivateKey> out;
    if (secp256k1_ec_seckey_tweak_add(context(), sum.data(), tweak.data()) == 1) {
        out = PrivateKey::from_bytes(sum.b);
    }
    explicit_bzero(sum.data(), sum.size());
    return out;
}

PrivateKey generate_private_key() {
    // A uniform 32-byte string is a valid key except with probability
    // about 2^-128 (zero or >= n); draw again in that case.
    for (;;) {
        Bytes32 candidate;
        os_random(candidate.b);
        auto key = PrivateKey::from_bytes(candidate.b);
        explicit_bzero(candidate.data(), candidate.size());
        if (key) return *key;
    }
}

}  // namespace ampd::tx
