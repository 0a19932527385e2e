#include "ampd/tx/transaction.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/rlp.hpp"
#include "ethers_vectors.hpp"
#include "support/literals.hpp"

namespace ampd::tx {
namespace {

using test_support::A;
using test_support::B32;
using test_vectors::EthersTx;
using test_vectors::kDevAccounts;
using test_vectors::kEthersTxs;

Bytes H(std::string_view s) {
    auto b = hex::decode(s);
    if (!b) std::abort();
    return *b;
}

u256 dec(std::string_view s) {
    return *u256::from_dec(s);
}

PrivateKey dev_key(int index) {
    return *PrivateKey::from_hex(kDevAccounts[index].key);
}

std::vector<AccessListEntry> amp_access_list() {
    return {
        {A(test_vectors::kAmpAccessListAddress0),
         {B32(test_vectors::kAmpAccessListKeys0[0]), B32(test_vectors::kAmpAccessListKeys0[1])}},
        {A(test_vectors::kAmpAccessListAddress1), {}}};
}

// The unsigned transaction of an ethers vector.
Transaction unsigned_tx(const EthersTx& v) {
    Transaction tx;
    tx.type = static_cast<TxType>(v.type);
    tx.chain_id = dec(v.chain_id).w[0];
    tx.has_chain_id = !(v.type == 0 && tx.chain_id == 0);
    tx.nonce = dec(v.nonce).w[0];
    tx.gas_price = dec(v.gas_price);
    tx.max_priority_fee_per_gas = dec(v.max_priority_fee_per_gas);
    tx.max_fee_per_gas = dec(v.max_fee_per_gas);
    tx.gas_limit = dec(v.gas_limit).w[0];
    if (*v.to != '\0') tx.to = A(v.to);
    tx.value = dec(v.value);
    tx.data = H(v.data);
    if (v.amp_access_list) tx.access_list = amp_access_list();
    return tx;
}

const EthersTx& vector_named(std::string_view name) {
    for (const auto& v : kEthersTxs) {
        if (name == v.name) return v;
    }
    std::abort();
}

// The encoded fields of a valid raw transaction, to rebuild it with one
// field replaced.
struct Parts {
    int type = -1;  // -1: legacy
    std::vector<Bytes> fields;

    Bytes assemble() const {
        rlp::ListBuilder b;
        for (const auto& f : fields) b.raw(f);
        Bytes out;
        if (type >= 0) out.push_back(static_cast<uint8_t>(type));
        b.finish_into(out);
        return out;
    }
};

Parts split(std::string_view raw_hex) {
    const Bytes raw = H(raw_hex);
    Parts p;
    ByteView body = raw;
    if (raw[0] < 0x80) {
        p.type = raw[0];
        body = body.subspan(1);
    }
    auto top = rlp::decode(body);
    if (!top) std::abort();
    const auto items = rlp::list_items(*top);  // named: a range-for temporary would die early
    for (const auto& item : *items) {
        p.fields.emplace_back(item.encoded.begin(), item.encoded.end());
    }
    return p;
}

DecodeError decode_error(ByteView raw) {
    auto r = decode_transaction(raw);
    if (r) return DecodeError{DecodeErrorKind::kEmptyInput, "<decoded>"};
    return r.error();
}

#define EXPECT_REJECTS(raw, kind_, message_)                      \
    do {                                                          \
        const DecodeError e_ = decode_error(raw);                 \
        EXPECT_EQ(e_.kind, DecodeErrorKind::kind_) << e_.message; \
        EXPECT_EQ(e_.message, message_);                          \
    } while (false)

// ---- ethers cross-checks ---------------------------------------------------

TEST(Transaction, SignsAndEncodesByteIdenticalToEthers) {
    for (const auto& v : kEthersTxs) {
        const Transaction tx = unsigned_tx(v);
        EXPECT_EQ(signing_hash(tx), B32(v.signing_hash)) << v.name;
        const Transaction signed_tx = sign_transaction(tx, dev_key(v.key_index));
        EXPECT_EQ(signed_tx.r, *u256::from_hex(v.r)) << v.name;
        EXPECT_EQ(signed_tx.s, *u256::from_hex(v.s)) << v.name;
        EXPECT_EQ(signed_tx.y_parity, v.y_parity) << v.name;
        const Bytes raw = encode_signed(signed_tx);
        EXPECT_EQ(hex::encode(raw), v.raw) << v.name;
        EXPECT_EQ(tx_hash(raw), B32(v.hash)) << v.name;
    }
}

TEST(Transaction, DecodesEthersTransactions) {
    for (const auto& v : kEthersTxs) {
        const Bytes raw = H(v.raw);
        auto d = decode_transaction(raw);
        ASSERT_TRUE(d) << v.name << ": " << d.error().message;
        EXPECT_EQ(d->sender, *Address::from_hex(v.sender)) << v.name;
        EXPECT_EQ(d->hash, B32(v.hash)) << v.name;
        // Every field, signature included, as our own signing produced it.
        EXPECT_EQ(d->tx, sign_transaction(unsigned_tx(v), dev_key(v.key_index))) << v.name;
        EXPECT_EQ(signing_hash(d->tx), B32(v.signing_hash)) << v.name;
        EXPECT_EQ(encode_signed(d->tx), raw) << v.name;
    }
}

TEST(Transaction, DecodedFieldsOfEachType) {
    {
        auto d = decode_transaction(H(vector_named("legacy_155_31337_transfer").raw));
        ASSERT_TRUE(d);
        EXPECT_EQ(d->tx.type, TxType::kLegacy);
        EXPECT_TRUE(d->tx.has_chain_id);
        EXPECT_EQ(d->tx.chain_id, 31337U);
        EXPECT_EQ(d->tx.v, u256{31337 * 2 + 35 + 1});
        EXPECT_EQ(d->tx.y_parity, 1);
        EXPECT_EQ(d->tx.nonce, 0U);
        EXPECT_EQ(d->tx.gas_price, u256{1000000000});
        EXPECT_EQ(d->tx.gas_limit, 21000U);
        EXPECT_EQ(d->tx.to, A("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"));
        EXPECT_EQ(d->tx.value, dec("1000000000000000000"));
        EXPECT_TRUE(d->tx.data.empty());
        EXPECT_TRUE(d->tx.access_list.empty());
        EXPECT_EQ(d->sender, A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"));
    }
    {
        auto d = decode_transaction(H(vector_named("legacy_pre155_call").raw));
        ASSERT_TRUE(d);
        EXPECT_FALSE(d->tx.has_chain_id);
        EXPECT_EQ(d->tx.chain_id, 0U);
        EXPECT_EQ(d->tx.v, u256{27});
        EXPECT_EQ(d->tx.data, H("0xdeadbeef"));
    }
    {
        auto d = decode_transaction(H(vector_named("legacy_155_bigchain").raw));
        ASSERT_TRUE(d);
        EXPECT_EQ(d->tx.chain_id, 4294967295U);
        EXPECT_EQ(d->tx.v, u256{4294967295ULL * 2 + 35});
        EXPECT_EQ(d->sender, A("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"));
    }
    {
        auto d = decode_transaction(H(vector_named("eip2930_31337_call_al").raw));
        ASSERT_TRUE(d);
        EXPECT_EQ(d->tx.type, TxType::kAccessList);
        EXPECT_EQ(d->tx.gas_price, u256{2000000000});
        EXPECT_EQ(d->tx.access_list, amp_access_list());
        EXPECT_EQ(d->tx.data.size(), 68U);
    }
    {
        auto d = decode_transaction(H(vector_named("eip1559_1_create_key1").raw));
        ASSERT_TRUE(d);
        EXPECT_EQ(d->tx.type, TxType::kDynamicFee);
        EXPECT_EQ(d->tx.chain_id, 1U);
        EXPECT_FALSE(d->tx.to.has_value());
        EXPECT_EQ(d->tx.max_priority_fee_per_gas, u256{0});
        EXPECT_EQ(d->tx.max_fee_per_gas, u256{1});
        EXPECT_EQ(d->tx.gas_price, u256{0});  // not a field of type 2
        EXPECT_EQ(d->sender, A("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"));
    }
    {
        auto d = decode_transaction(H(vector_named("eip1559_extremes").raw));
        ASSERT_TRUE(d);
        EXPECT_EQ(d->tx.chain_id, ~0ULL);
        EXPECT_EQ(d->tx.gas_limit, ~0ULL);
        EXPECT_EQ(d->tx.nonce, 9007199254740991ULL);
        EXPECT_EQ(d->tx.value, u256::max());
        EXPECT_EQ(d->tx.max_fee_per_gas, u256::max());
        EXPECT_EQ(d->tx.to, kZeroAddress);  // the zero address is a call, not a creation
        EXPECT_EQ(d->tx.data, Bytes{0x00});
    }
}

TEST(Transaction, CreateAddressMatchesEthers) {
    for (const auto& c : test_vectors::kCreateAddresses) {
        EXPECT_EQ(create_address(A(c.from), c.nonce), A(c.address)) << c.nonce;
    }
}

// ---- Round trips -----------------------------------------------------------

TEST(TransactionProperty, RandomTransactionsRoundTrip) {
    std::mt19937_64 rng(1559);
    auto rand_u256 = [&] {
        u256 v{rng(), rng(), rng(), rng()};
        return v >> static_cast<unsigned>(rng() % 256);
    };
    const PrivateKey keys[] = {dev_key(0), dev_key(5), generate_private_key()};
    for (int i = 0; i < 300; ++i) {
        Transaction tx;
        tx.type = static_cast<TxType>(rng() % 3);
        tx.has_chain_id = tx.type != TxType::kLegacy || rng() % 4 != 0;
        tx.chain_id = tx.has_chain_id ? rng() >> (rng() % 64) : 0;
        tx.nonce = rng() >> (rng() % 64);
        tx.gas_limit = rng() >> (rng() % 64);
        if (tx.type == TxType::kDynamicFee) {
            tx.max_priority_fee_per_gas = rand_u256();
            tx.max_fee_per_gas = rand_u256();
        } else {
            tx.gas_price = rand_u256();
        }
        if (rng() % 4 != 0) {
            Address to;
            for (auto& b : to.b) b = static_cast<uint8_t>(rng());
            tx.to = to;
        }
        tx.value = rand_u256();
        tx.data.resize(rng() % 3 == 0 ? rng() % 2 : rng() % 300);
        for (auto& b : tx.data) b = static_cast<uint8_t>(rng());
        if (tx.type != TxType::kLegacy) {
            const size_t entries = rng() % 4;
            for (size_t e = 0; e < entries; ++e) {
                AccessListEntry entry;
                entry.address.b[19] = static_cast<uint8_t>(e);
                for (size_t k = rng() % 3; k > 0; --k)
                    entry.storage_keys.push_back(word_from_u256(rand_u256()));
                tx.access_list.push_back(entry);
            }
        }
        const PrivateKey& key = keys[rng() % 3];
        const Transaction signed_tx = sign_transaction(tx, key);
        const Bytes raw = encode_signed(signed_tx);
        auto d = decode_transaction(raw);
        ASSERT_TRUE(d) << d.error().message;
        EXPECT_EQ(d->tx, signed_tx);
        EXPECT_EQ(d->sender, address_of(key));
        EXPECT_EQ(d->hash, tx_hash(raw));
    }
}

TEST(Transaction, TamperedFieldChangesSenderNotValidity) {
    // A signature over other bytes still recovers some key: decoding
    // succeeds with a different sender, which is why the sender is never
    // taken from anywhere but recovery.
    Parts p = split(vector_named("eip1559_31337_transfer").raw);
    p.fields[1] = rlp::encode_uint(2);  // nonce 1 -> 2
    auto d = decode_transaction(p.assemble());
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_NE(d->sender, A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"));
}

// ---- Rejections ------------------------------------------------------------

TEST(TransactionReject, EmptyInput) {
    EXPECT_REJECTS(Bytes{}, kEmptyInput, "empty transaction");
}

TEST(TransactionReject, UnsupportedTypes) {
    const Bytes payload = H(vector_named("eip1559_31337_transfer").raw);
    for (uint8_t type : {0x00, 0x03, 0x04, 0x05, 0x7f}) {
        Bytes raw = payload;
        raw[0] = type;
        char expected[64];
        std::snprintf(expected, sizeof expected, "unsupported transaction type 0x%02x", type);
        EXPECT_REJECTS(raw, kUnsupportedType, expected);
    }
    EXPECT_REJECTS(H("0x03"), kUnsupportedType, "unsupported transaction type 0x03");
}

TEST(TransactionReject, BadEnvelopes) {
    EXPECT_REJECTS(H("0x02"), kMalformed,
                   "malformed transaction: typed transaction has no payload");
    EXPECT_REJECTS(H("0x01"), kMalformed,
                   "malformed transaction: typed transaction has no payload");
    EXPECT_REJECTS(H("0x0280"), kMalformed,
                   "malformed transaction: EIP-1559 transaction must be an RLP list");
    EXPECT_REJECTS(H("0x0183646f67"), kMalformed,
                   "malformed transaction: EIP-2930 transaction must be an RLP list");
    EXPECT_REJECTS(H("0x02c0"), kMalformed,
                   "malformed transaction: EIP-1559 transaction must have 12 fields, got 0");
    // A legacy transaction is a list; a string is not a transaction.
    EXPECT_REJECTS(H("0x83646f67"), kMalformed,
                   "malformed transaction: legacy transaction must be an RLP list");
    EXPECT_REJECTS(H("0x80"), kMalformed,
                   "malformed transaction: legacy transaction must be an RLP list");
    // A typed transaction wrapped as an RLP string (the network's block
    // body form) is not what eth_sendRawTransaction takes.
    const Bytes typed = H(vector_named("eip1559_31337_transfer").raw);
    EXPECT_REJECTS(rlp::encode_bytes(typed), kMalformed,
                   "malformed transaction: legacy transaction must be an RLP list");
    // The payload of one type under the other's type byte.
    Bytes swapped = typed;
    swapped[0] = 0x01;
    EXPECT_REJECTS(swapped, kMalformed,
                   "malformed transaction: EIP-2930 transaction must have 11 fields, got 12");
}

TEST(TransactionReject, TruncatedAndTrailingBytes) {
    for (const auto& v : kEthersTxs) {
        const Bytes raw = H(v.raw);
        EXPECT_REJECTS(ByteView(raw).first(raw.size() - 1), kMalformed,
                       "malformed transaction: rlp: input truncated");
        EXPECT_REJECTS(ByteView(raw).first(raw.size() / 2), kMalformed,
                       "malformed transaction: rlp: input truncated");
        Bytes longer = raw;
        longer.push_back(0x00);
        EXPECT_REJECTS(longer, kMalformed, "malformed transaction: rlp: trailing bytes after item");
    }
    // The header alone.
    EXPECT_REJECTS(H("0xf8"), kMalformed, "malformed transaction: rlp: input truncated");
    EXPECT_REJECTS(H("0x02f8"), kMalformed, "malformed transaction: rlp: input truncated");
}

TEST(TransactionReject, WrongFieldCounts) {
    Parts legacy = split(vector_named("legacy_155_31337_transfer").raw);
    legacy.fields.pop_back();
    EXPECT_REJECTS(legacy.assemble(), kMalformed,
                   "malformed transaction: legacy transaction must have 9 fields, got 8");
    legacy.fields.push_back(rlp::encode_uint(1));
    legacy.fields.push_back(rlp::encode_uint(1));
    EXPECT_REJECTS(legacy.assemble(), kMalformed,
                   "malformed transaction: legacy transaction must have 9 fields, got 10");
    Parts dynamic = split(vector_named("eip1559_31337_transfer").raw);
    dynamic.fields.pop_back();
    EXPECT_REJECTS(dynamic.assemble(), kMalformed,
                   "malformed transaction: EIP-1559 transaction must have 12 fields, got 11");
}

TEST(TransactionReject, WrongToLength) {
    for (const char* name :
         {"legacy_155_31337_transfer", "eip2930_31337_call_al", "eip1559_31337_transfer"}) {
        Parts p = split(vector_named(name).raw);
        const size_t to_index = p.type < 0 ? 3 : (p.type == 1 ? 4 : 5);
        p.fields[to_index] = rlp::encode_bytes(Bytes(19, 0x11));
        EXPECT_REJECTS(p.assemble(), kMalformed,
                       "malformed transaction: to must be empty or 20 bytes, got 19");
        p.fields[to_index] = rlp::encode_bytes(Bytes(21, 0x11));
        EXPECT_REJECTS(p.assemble(), kMalformed,
                       "malformed transaction: to must be empty or 20 bytes, got 21");
        p.fields[to_index] = rlp::encode_bytes(Bytes(32, 0x11));
        EXPECT_REJECTS(p.assemble(), kMalformed,
                       "malformed transaction: to must be empty or 20 bytes, got 32");
        p.fields[to_index] = H("0xc0");
        EXPECT_REJECTS(p.assemble(), kMalformed,
                       "malformed transaction: to: rlp: expected string, got list");
    }
}

TEST(TransactionReject, NonCanonicalRlp) {
    Parts p = split(vector_named("legacy_155_31337_transfer").raw);
    p.fields[0] = H("0x00");  // nonce zero must be 0x80
    EXPECT_REJECTS(p.assemble(), kMalformed,
                   "malformed transaction: nonce: rlp: non-canonical integer");
    p = split(vector_named("legacy_155_31337_transfer").raw);
    p.fields[2] = H("0x83005208");  // gas limit 21000 with a leading zero
    EXPECT_REJECTS(p.assemble(), kMalformed,
                   "malformed transaction: gas limit: rlp: non-canonical integer");
    p = split(vector_named("eip1559_31337_transfer").raw);
    p.fields[7] = H("0x8105");  // one-byte data wrapped in a header
    EXPECT_REJECTS(
        p.assemble(), kMalformed,
        "malformed transaction: rlp: non-canonical single byte (must be encoded as itself)");
    // The outer list header in long form for a short payload.
    Bytes raw = H(vector_named("legacy_pre155_call").raw);
    ASSERT_EQ(raw[0], 0xf8);  // 0xf8 0x67: long form, payload 103 bytes
    // Re-encode the same payload with a two-byte length "0x0067".
    Bytes padded{0xf9, 0x00, 0x67};
    padded.insert(padded.end(), raw.begin() + 2, raw.end());
    EXPECT_REJECTS(padded, kMalformed,
                   "malformed transaction: rlp: non-canonical length (leading zero)");
    // Values with non-canonical integers in the signature.
    p = split(vector_named("eip1559_31337_transfer").raw);
    p.fields[9] = H("0x00");  // y parity 0 must be 0x80
    EXPECT_REJECTS(p.assemble(), kMalformed,
                   "malformed transaction: y parity: rlp: non-canonical integer");
}

TEST(TransactionReject, FieldsTooLarge) {
    const Bytes nine = rlp::encode_uint(u256{0, 0, 1, 0});  // 2^64
    const Bytes thirty_three = rlp::encode_bytes(Bytes(33, 0x01));
    Parts p = split(vector_named("legacy_155_31337_transfer").raw);
    p.fields[0] = nine;
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "nonce exceeds 64 bits");
    p = split(vector_named("legacy_155_31337_transfer").raw);
    p.fields[2] = nine;
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "gas limit exceeds 64 bits");
    p = split(vector_named("legacy_155_31337_transfer").raw);
    p.fields[4] = thirty_three;
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "value exceeds 256 bits");
    p = split(vector_named("legacy_155_31337_transfer").raw);
    p.fields[1] = thirty_three;
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "gas price exceeds 256 bits");
    // A legacy v whose chain id does not fit 64 bits: 2 * 2^64 + 35.
    p = split(vector_named("legacy_155_31337_transfer").raw);
    p.fields[6] = rlp::encode_uint(u256{0, 0, 2, 35});
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "chain id exceeds 64 bits");

    p = split(vector_named("eip1559_31337_transfer").raw);
    p.fields[0] = nine;
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "chain id exceeds 64 bits");
    p = split(vector_named("eip1559_31337_transfer").raw);
    p.fields[1] = nine;
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "nonce exceeds 64 bits");
    p = split(vector_named("eip1559_31337_transfer").raw);
    p.fields[3] = thirty_three;
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "max fee per gas exceeds 256 bits");
    p = split(vector_named("eip2930_1_create").raw);
    p.fields[3] = nine;
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "gas limit exceeds 64 bits");
    p = split(vector_named("eip2930_1_create").raw);
    p.fields[10] = thirty_three;
    EXPECT_REJECTS(p.assemble(), kFieldTooLarge, "s exceeds 256 bits");
}

TEST(TransactionReject, HighS) {
    // (r, n - s) with the other parity recovers the same sender: accepted by
    // plain ECDSA, rejected by EIP-2 so each transaction has one hash.
    for (const auto& v : kEthersTxs) {
        Parts p = split(v.raw);
        const size_t n = p.fields.size();
        const u256 s = *u256::from_hex(v.s);
        p.fields[n - 1] = rlp::encode_uint(kCurveOrder - s);
        if (p.type < 0) {
            const auto item = rlp::decode(p.fields[n - 3]);
            const u256 v_raw = *rlp::as_u256(*item);
            // Flip the parity bit of v: 27 <-> 28, 35 + 2c <-> 36 + 2c.
            const bool odd_parity =
                v_raw == u256{28} || (v_raw >= u256{35} && ((v_raw.w[0] - 35) & 1));
            p.fields[n - 3] = rlp::encode_uint(odd_parity ? v_raw - u256{1} : v_raw + u256{1});
        } else {
            p.fields[n - 3] = rlp::encode_uint(static_cast<uint64_t>(v.y_parity ^ 1));
        }
        EXPECT_REJECTS(p.assemble(), kHighS,
                       "invalid signature: s is above n/2 (EIP-2 requires low s)");
    }
}

TEST(TransactionReject, SignatureScalarsOutOfRange) {
    const struct {
        size_t index_from_end;  // 2: r, 1: s
        u256 value;
        const char* message;
    } cases[] = {
        {2, u256{0}, "invalid signature: r is not in [1, n-1]"},
        {2, kCurveOrder, "invalid signature: r is not in [1, n-1]"},
        {2, u256::max(), "invalid signature: r is not in [1, n-1]"},
        {1, u256{0}, "invalid signature: s is not in [1, n-1]"},
        {1, kCurveOrder, "invalid signature: s is not in [1, n-1]"},
    };
    for (const char* name : {"legacy_155_1_create", "eip2930_1_create", "eip1559_1_create_key1"}) {
        for (const auto& c : cases) {
            Parts p = split(vector_named(name).raw);
            p.fields[p.fields.size() - c.index_from_end] = rlp::encode_uint(c.value);
            EXPECT_REJECTS(p.assemble(), kInvalidSignature, c.message);
        }
    }
}

TEST(TransactionReject, BadVAndParity) {
    for (uint64_t v : {0ULL, 1ULL, 26ULL, 29ULL, 34ULL}) {
        Parts p = split(vector_named("legacy_155_31337_transfer").raw);
        p.fields[6] = rlp::encode_uint(v);
        EXPECT_REJECTS(
            p.assemble(), kInvalidSignature,
            "invalid signature: legacy v must be 27, 28 or at least 35, got " + std::to_string(v));
    }
    Parts p = split(vector_named("eip1559_31337_transfer").raw);
    p.fields[9] = rlp::encode_uint(2);
    EXPECT_REJECTS(p.assemble(), kInvalidSignature,
                   "invalid signature: y parity must be 0 or 1, got 2");
    p.fields[9] = rlp::encode_uint(27);
    EXPECT_REJECTS(p.assemble(), kInvalidSignature,
                   "invalid signature: y parity must be 0 or 1, got 27");
}

TEST(TransactionReject, RecoveryFailure) {
    // r = 5 is in range but no curve point has x = 5.
    Parts p = split(vector_named("eip2930_31337_call_al").raw);
    p.fields[9] = rlp::encode_uint(5);
    EXPECT_REJECTS(p.assemble(), kInvalidSignature,
                   "invalid signature: no public key recovers from r, s and y parity");
}

TEST(TransactionReject, MalformedAccessLists) {
    const std::string raw = vector_named("eip1559_31337_call_al").raw;
    const Bytes addr(20, 0xaa);
    const Bytes key32(32, 0xbb);
    const struct {
        Bytes list;
        const char* message;
    } cases[] = {
        {rlp::encode_bytes(addr),
         "malformed transaction: access list: rlp: expected list, got string"},
        {rlp::ListBuilder().bytes(addr).finish(),
         "malformed transaction: access list entry must be [address, [storage keys]]"},
        {rlp::ListBuilder().list(rlp::ListBuilder().bytes(addr)).finish(),
         "malformed transaction: access list entry must be [address, [storage keys]]"},
        {rlp::ListBuilder()
             .list(rlp::ListBuilder().bytes(addr).list(rlp::ListBuilder()).bytes(addr))
             .finish(),
         "malformed transaction: access list entry must be [address, [storage keys]]"},
        {rlp::ListBuilder().list(rlp::ListBuilder().bytes(addr).bytes(key32)).finish(),
         "malformed transaction: access list entry must be [address, [storage keys]]"},
        {rlp::ListBuilder()
             .list(rlp::ListBuilder().bytes(Bytes(19, 1)).list(rlp::ListBuilder()))
             .finish(),
         "malformed transaction: access list address must be 20 bytes, got 19"},
        {rlp::ListBuilder()
             .list(rlp::ListBuilder().bytes(addr).list(rlp::ListBuilder().bytes(Bytes(31, 1))))
             .finish(),
         "malformed transaction: access list storage key must be 32 bytes"},
        {rlp::ListBuilder()
             .list(rlp::ListBuilder().bytes(addr).list(
                 rlp::ListBuilder().bytes(key32).list(rlp::ListBuilder())))
             .finish(),
         "malformed transaction: access list storage key must be 32 bytes"},
    };
    for (const auto& c : cases) {
        Parts p = split(raw);
        p.fields[8] = c.list;
        EXPECT_REJECTS(p.assemble(), kMalformed, c.message);
    }
    // A well-formed replacement list decodes (with some other sender).
    Parts p = split(raw);
    p.fields[8] = rlp::ListBuilder()
                      .list(rlp::ListBuilder().bytes(addr).list(rlp::ListBuilder().bytes(key32)))
                      .finish();
    auto d = decode_transaction(p.assemble());
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_EQ(d->tx.access_list.size(), 1U);
    EXPECT_EQ(d->tx.access_list[0].storage_keys.size(), 1U);
}

TEST(TransactionReject, ErrorKindNames) {
    EXPECT_EQ(to_string(DecodeErrorKind::kEmptyInput), "empty input");
    EXPECT_EQ(to_string(DecodeErrorKind::kMalformed), "malformed");
    EXPECT_EQ(to_string(DecodeErrorKind::kUnsupportedType), "unsupported type");
    EXPECT_EQ(to_string(DecodeErrorKind::kInvalidSignature), "invalid signature");
    EXPECT_EQ(to_string(DecodeErrorKind::kHighS), "high s");
    EXPECT_EQ(to_string(DecodeErrorKind::kFieldTooLarge), "field too large");
}

TEST(TransactionProperty, CorruptedBytesNeverCrash) {
    // Random corruption of valid transactions: every outcome is a decoded
    // transaction whose re-encoding is the input, or an error; ASan and
    // UBSan check the rest.
    std::mt19937_64 rng(2930);
    for (int i = 0; i < 3000; ++i) {
        Bytes raw = H(kEthersTxs[rng() % std::size(kEthersTxs)].raw);
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits && !raw.empty(); ++e) {
            switch (rng() % 3) {
                case 0:
                    raw[rng() % raw.size()] ^= static_cast<uint8_t>(1U << (rng() % 8));
                    break;
                case 1:
                    raw.resize(rng() % raw.size());
                    break;
                default:
                    raw.insert(raw.begin() + static_cast<std::ptrdiff_t>(rng() % raw.size()),
                               static_cast<uint8_t>(rng()));
                    break;
            }
        }
        auto d = decode_transaction(raw);
        if (d) {
            EXPECT_EQ(encode_signed(d->tx), raw);
        } else {
            EXPECT_FALSE(d.error().message.empty());
        }
    }
}

// ---- Fees ------------------------------------------------------------------

TEST(TransactionFees, LegacyAndAccessListPayGasPrice) {
    Transaction tx;
    tx.type = TxType::kLegacy;
    tx.gas_price = u256{10};
    EXPECT_EQ(fee_cap(tx), u256{10});
    EXPECT_EQ(effective_gas_price(tx, u256{7}), u256{10});
    EXPECT_EQ(effective_priority_fee(tx, u256{7}), std::optional<u256>(u256{3}));
    EXPECT_EQ(effective_priority_fee(tx, u256{10}), std::optional<u256>(u256{0}));
    EXPECT_FALSE(effective_priority_fee(tx, u256{11}).has_value());
    tx.type = TxType::kAccessList;
    EXPECT_EQ(effective_gas_price(tx, u256{0}), u256{10});
}

TEST(TransactionFees, DynamicFeeIsCappedTip) {
    Transaction tx;
    tx.type = TxType::kDynamicFee;
    tx.max_fee_per_gas = u256{30};
    tx.max_priority_fee_per_gas = u256{2};
    EXPECT_EQ(fee_cap(tx), u256{30});
    EXPECT_EQ(effective_gas_price(tx, u256{10}), u256{12});
    EXPECT_EQ(effective_priority_fee(tx, u256{10}), std::optional<u256>(u256{2}));
    // Near the cap the tip shrinks.
    EXPECT_EQ(effective_gas_price(tx, u256{29}), u256{30});
    EXPECT_EQ(effective_priority_fee(tx, u256{29}), std::optional<u256>(u256{1}));
    EXPECT_FALSE(effective_priority_fee(tx, u256{31}).has_value());
    // base_fee + tip overflowing 256 bits saturates at the cap.
    tx.max_fee_per_gas = u256::max();
    tx.max_priority_fee_per_gas = u256::max();
    EXPECT_EQ(effective_gas_price(tx, u256{5}), u256::max());
    EXPECT_EQ(effective_priority_fee(tx, u256{5}), std::optional<u256>(u256::max() - u256{5}));
}

}  // namespace
}  // namespace ampd::tx
