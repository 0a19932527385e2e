// Ethereum transactions as eth_sendRawTransaction receives them: legacy
// (with or without the EIP-155 chain id in v), EIP-2930 access-list
// (type 1) and EIP-1559 dynamic-fee (type 2) envelopes.
//
// decode_transaction is the node's admission gate for untrusted bytes: it
// accepts only the canonical encoding (so the hash of the bytes is the hash
// of the transaction), checks the signature scalars and recovers the
// sender, and explains every rejection with a kind and a message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/tx/result.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd::tx {

enum class TxType : uint8_t {
    kLegacy = 0,
    kAccessList = 1,  // EIP-2930
    kDynamicFee = 2,  // EIP-1559
};

struct AccessListEntry {
    Address address;
    std::vector<Bytes32> storage_keys;
    friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};

// Fields that a type does not have (gas_price for type 2, the two EIP-1559
// fees for types 0 and 1, access_list for type 0) are zero after decoding
// and ignored by signing and encoding.
struct Transaction {
    TxType type = TxType::kLegacy;
    uint64_t chain_id = 0;
    bool has_chain_id = true;  // false only for a legacy transaction signed before EIP-155
    uint64_t nonce = 0;
    u256 gas_price;
    u256 max_priority_fee_per_gas;
    u256 max_fee_per_gas;
    uint64_t gas_limit = 0;
    std::optional<Address> to;  // nullopt: contract creation
    u256 value;
    Bytes data;
    std::vector<AccessListEntry> access_list;
    u256 r;
    u256 s;
    uint8_t y_parity = 0;
    // Legacy only: v as it appears on the wire (27/28, or chain_id*2+35+parity).
    // Set by decode_transaction and sign_transaction; encode_signed derives
    // it from chain_id and y_parity rather than trusting this copy.
    u256 v;

    friend bool operator==(const Transaction&, const Transaction&) = default;
};

// The hash the sender signs: keccak256 of the unsigned fields (with the
// EIP-155 chain id suffix for a legacy transaction that has one; prefixed by
// the type byte for a typed transaction).
[[nodiscard]] Bytes32 signing_hash(const Transaction& tx);

// The signed transaction's wire bytes (what eth_sendRawTransaction gets).
[[nodiscard]] Bytes encode_signed(const Transaction& tx);

// The transaction hash: keccak256 of the wire bytes.
[[nodiscard]] Bytes32 tx_hash(ByteView raw);

// The legacy v for the transaction's chain id and parity.
[[nodiscard]] u256 legacy_v(const Transaction& tx);

// Signs `tx` (RFC 6979, low s), filling r, s, y_parity and v.
[[nodiscard]] Transaction sign_transaction(Transaction tx, const PrivateKey& key);

enum class DecodeErrorKind : uint8_t {
    kEmptyInput,        // zero bytes
    kMalformed,         // bad RLP, wrong field count or shape, bad envelope
    kUnsupportedType,   // a type byte other than 0x01 and 0x02 (0x03 blob, 0x04 set-code, ...)
    kInvalidSignature,  // r or s outside [1, n-1], bad v / y parity, no key recovers
    kHighS,             // s > n/2, forbidden by EIP-2
    kFieldTooLarge,     // an integer wider than its field (nonce, gas limit, chain id: 64 bits)
};
[[nodiscard]] std::string_view to_string(DecodeErrorKind kind);

struct DecodeError {
    DecodeErrorKind kind;
    std::string message;
};

struct DecodedTransaction {
    Transaction tx;
    Address sender;
    Bytes32 hash;
};

[[nodiscard]] Result<DecodedTransaction, DecodeError> decode_transaction(ByteView raw);

// The fields of a signed transaction without recovering its sender: for
// bytes this node already admitted (its own log and history), whose sender
// is recorded beside them. Same canonical-form checks as decode_transaction,
// but no signature check.
[[nodiscard]] Result<Transaction, DecodeError> parse_transaction(ByteView raw);

// ---- Fees -----------------------------------------------------------------

// Most the sender pays per gas: gas_price, or max_fee_per_gas for type 2.
[[nodiscard]] u256 fee_cap(const Transaction& tx);
// Price per gas actually paid in a block with `base_fee`: gas_price, or for
// type 2 min(max_fee_per_gas, base_fee + max_priority_fee_per_gas). The
// receipt's effectiveGasPrice. Meaningful only when fee_cap >= base_fee,
// which admission must check.
[[nodiscard]] u256 effective_gas_price(const Transaction& tx, const u256& base_fee);
// The tip per gas for the block producer, or nullopt when the fee cap is
// below the base fee (the transaction cannot be included).
[[nodiscard]] std::optional<u256> effective_priority_fee(const Transaction& tx,
                                                         const u256& base_fee);

// Address of a contract created by `sender` with `nonce`:
// keccak256(rlp([sender, nonce]))[12:].
[[nodiscard]] Address create_address(const Address& sender, uint64_t nonce);

}  // namespace ampd::tx
