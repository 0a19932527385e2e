#include "ampd/tx/secp256k1.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ethers_vectors.hpp"
#include "support/literals.hpp"

namespace ampd::tx {
namespace {

using test_support::A;
using test_support::B32;
using test_vectors::kDevAccounts;
using test_vectors::kEthersTxs;

PrivateKey key(std::string_view hex) {
    auto k = PrivateKey::from_hex(hex);
    if (!k) std::abort();
    return *k;
}

u256 U(std::string_view hex) {
    return *u256::from_hex(hex);
}

const char* const kDevKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

TEST(Secp256k1, CurveConstants) {
    EXPECT_EQ(kCurveOrder.to_hex(),
              "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    EXPECT_EQ(kHalfCurveOrder, kCurveOrder >> 1);
}

TEST(Secp256k1, PrivateKeyValidation) {
    EXPECT_FALSE(PrivateKey::from_bytes(Bytes(32, 0)).has_value());        // zero
    EXPECT_FALSE(PrivateKey::from_bytes(Bytes(31, 1)).has_value());        // short
    EXPECT_FALSE(PrivateKey::from_bytes(Bytes(33, 1)).has_value());        // long
    EXPECT_FALSE(PrivateKey::from_hex(kCurveOrder.to_hex()).has_value());  // n
    EXPECT_FALSE(PrivateKey::from_hex("0x" + std::string(64, 'f')).has_value());
    EXPECT_FALSE(PrivateKey::from_hex("0xzz" + std::string(62, '1')).has_value());
    const auto n_minus_1 = PrivateKey::from_hex((kCurveOrder - u256{1}).to_hex());
    ASSERT_TRUE(n_minus_1.has_value());
    Bytes one(32, 0);
    one[31] = 1;
    EXPECT_TRUE(PrivateKey::from_bytes(one).has_value());
    // With and without the prefix; hex() is lowercase with prefix.
    EXPECT_EQ(key(kDevKey0).hex(), kDevKey0);
    EXPECT_EQ(key(std::string_view(kDevKey0).substr(2)), key(kDevKey0));
}

TEST(Secp256k1, AddressesOfKnownKeys) {
    for (const auto& acct : kDevAccounts) {
        EXPECT_EQ(address_of(key(acct.key)), *Address::from_hex(acct.address)) << acct.address;
    }
    // Secret 1 is the generator point G.
    Bytes one(32, 0);
    one[31] = 1;
    const auto g = *PrivateKey::from_bytes(one);
    EXPECT_EQ(hex::encode(public_key_compressed(g)),
              "0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    EXPECT_EQ(address_of(g), A("0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"));
    // The Web3 Secret Storage test vector's key.
    EXPECT_EQ(address_of(key("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")),
              A("0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b"));
}

TEST(Secp256k1, PublicKeyEncodingsAgree) {
    const PrivateKey k = key(kDevKey0);
    const auto full = public_key_uncompressed(k);
    const auto compact = public_key_compressed(k);
    EXPECT_EQ(full[0], 0x04);
    EXPECT_EQ(compact[0], 0x02 | (full[64] & 1));
    EXPECT_TRUE(std::equal(compact.begin() + 1, compact.end(), full.begin() + 1));
    const Bytes32 h = keccak256(ByteView(full).subspan(1));
    EXPECT_EQ(Address::from(ByteView(h.b).subspan(12)), address_of(k));
}

// ethers signs the same hashes with the same keys: RFC 6979 makes the
// signatures identical.
TEST(Secp256k1, SignaturesMatchEthers) {
    for (const auto& v : kEthersTxs) {
        const PrivateKey k = key(kDevAccounts[v.key_index].key);
        const Signature sig = sign(B32(v.signing_hash), k);
        EXPECT_EQ(sig.r, U(v.r)) << v.name;
        EXPECT_EQ(sig.s, U(v.s)) << v.name;
        EXPECT_EQ(sig.y_parity, v.y_parity) << v.name;
        EXPECT_EQ(recover_address(B32(v.signing_hash), sig.r, sig.s, sig.y_parity),
                  *Address::from_hex(v.sender))
            << v.name;
    }
}

TEST(Secp256k1, SignIsDeterministicAndLowS) {
    const PrivateKey k = key(kDevKey0);
    for (int i = 0; i < 200; ++i) {
        const Bytes32 h = keccak256(std::to_string(i));
        const Signature a = sign(h, k);
        EXPECT_EQ(a, sign(h, k));
        EXPECT_LE(a.s, kHalfCurveOrder);
        EXPECT_EQ(check_signature(a.r, a.s, a.y_parity), SignatureCheck::kOk);
        EXPECT_EQ(recover_address(h, a.r, a.s, a.y_parity), address_of(k));
    }
}

TEST(Secp256k1, HighSIsDetectedButRecoverable) {
    const PrivateKey k = key(kDevKey0);
    const Bytes32 h = keccak256(std::string_view("amp"));
    const Signature sig = sign(h, k);
    // (r, n - s) with the other parity is the same signature mirrored: valid
    // ECDSA, the malleability EIP-2 closes.
    const u256 high_s = kCurveOrder - sig.s;
    const uint8_t flipped = sig.y_parity ^ 1;
    EXPECT_GT(high_s, kHalfCurveOrder);
    EXPECT_EQ(check_signature(sig.r, high_s, flipped), SignatureCheck::kHighS);
    EXPECT_EQ(recover_address(h, sig.r, high_s, flipped), address_of(k));
    // Exactly n/2 is still low.
    EXPECT_EQ(check_signature(sig.r, kHalfCurveOrder, 0), SignatureCheck::kOk);
    EXPECT_EQ(check_signature(sig.r, kHalfCurveOrder + u256{1}, 0), SignatureCheck::kHighS);
}

TEST(Secp256k1, ScalarRangeChecks) {
    const PrivateKey k = key(kDevKey0);
    const Bytes32 h = keccak256(std::string_view("range"));
    const Signature sig = sign(h, k);
    EXPECT_EQ(check_signature(u256{0}, sig.s, 0), SignatureCheck::kROutOfRange);
    EXPECT_EQ(check_signature(kCurveOrder, sig.s, 0), SignatureCheck::kROutOfRange);
    EXPECT_EQ(check_signature(u256::max(), sig.s, 0), SignatureCheck::kROutOfRange);
    EXPECT_EQ(check_signature(sig.r, u256{0}, 0), SignatureCheck::kSOutOfRange);
    EXPECT_EQ(check_signature(sig.r, kCurveOrder, 0), SignatureCheck::kSOutOfRange);
    EXPECT_EQ(check_signature(sig.r, sig.s, 2), SignatureCheck::kBadParity);
    EXPECT_EQ(check_signature(u256{1}, u256{1}, 1), SignatureCheck::kOk);

    EXPECT_FALSE(recover_address(h, u256{0}, sig.s, sig.y_parity).has_value());
    EXPECT_FALSE(recover_address(h, kCurveOrder, sig.s, sig.y_parity).has_value());
    EXPECT_FALSE(recover_address(h, sig.r, u256{0}, sig.y_parity).has_value());
    EXPECT_FALSE(recover_address(h, sig.r, kCurveOrder, sig.y_parity).has_value());
    EXPECT_FALSE(recover_address(h, sig.r, sig.s, 2).has_value());
    EXPECT_FALSE(recover_address(h, sig.r, sig.s, 27).has_value());
    // The wrong parity recovers a different key, never the signer's.
    const auto other = recover_address(h, sig.r, sig.s, sig.y_parity ^ 1);
    EXPECT_NE(other, std::optional<Address>(address_of(k)));
    // A different hash recovers someone else.
    EXPECT_NE(recover_address(keccak256(std::string_view("other")), sig.r, sig.s, sig.y_parity),
              std::optional<Address>(address_of(k)));
}

TEST(Secp256k1, RecoveryFailsForAnXWithNoPoint) {
    // r = 5: x^3 + 7 = 132 is not a square mod p, so no point R has x = 5
    // and recovery must fail rather than invent a key.
    const Bytes32 h = keccak256(std::string_view("x"));
    EXPECT_EQ(check_signature(u256{5}, u256{1}, 0), SignatureCheck::kOk);
    EXPECT_FALSE(recover_address(h, u256{5}, u256{1}, 0).has_value());
    EXPECT_FALSE(recover_address(h, u256{5}, u256{1}, 1).has_value());
}

TEST(Secp256k1, TweakAdd) {
    Bytes one(32, 0);
    one[31] = 1;
    const auto k1 = *PrivateKey::from_bytes(one);
    Bytes32 t1;
    t1.b[31] = 1;
    const auto k2 = tweak_add(k1, t1);
    ASSERT_TRUE(k2.has_value());
    EXPECT_EQ(k2->bytes().b[31], 2);
    // n - 1 + 1 = 0 mod n: not a key.
    const auto top = key((kCurveOrder - u256{1}).to_hex());
    EXPECT_FALSE(tweak_add(top, t1).has_value());
    // n - 1 + 2 = 1 mod n.
    Bytes32 t2;
    t2.b[31] = 2;
    EXPECT_EQ(tweak_add(top, t2), k1);
    // A tweak of n or more is rejected (BIP-32: IL >= n is an invalid child).
    EXPECT_FALSE(tweak_add(k1, word_from_u256(kCurveOrder)).has_value());
}

TEST(Secp256k1, GeneratedKeysAreValidAndDistinct) {
    std::set<Bytes32> seen;
    for (int i = 0; i < 32; ++i) {
        const PrivateKey k = generate_private_key();
        EXPECT_TRUE(PrivateKey::from_bytes(k.bytes().b).has_value());
        seen.insert(k.bytes());
    }
    EXPECT_EQ(seen.size(), 32U);
}

TEST(Secp256k1, ConcurrentSigningAgrees) {
    // The shared context is read-only after set-up: threads signing and
    // recovering at once get the single-threaded answers.
    const PrivateKey k = key(kDevKey0);
    std::vector<Signature> expected;
    for (int i = 0; i < 64; ++i) expected.push_back(sign(keccak256(std::to_string(i)), k));
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 64; ++i) {
                const Bytes32 h = keccak256(std::to_string(i));
                const Signature s = sign(h, k);
                if (!(s == expected[i]) ||
                    recover_address(h, s.r, s.s, s.y_parity) != address_of(k)) {
                    ++mismatches[t];
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace ampd::tx
