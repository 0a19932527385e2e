// Encoding, signing and fee arithmetic. Decoding is in transaction_decode.cpp.
#include "ampd/tx/transaction.hpp"

#include "ampd/primitives/keccak.hpp"
#include "ampd/primitives/rlp.hpp"

namespace ampd::tx {
namespace {

void add_to(rlp::ListBuilder& b, const std::optional<Address>& to) {
    if (to) {
        b.bytes(to->b);
    } else {
        b.bytes({});
    }
}

rlp::ListBuilder access_list_rlp(const std::vector<AccessListEntry>& list) {
    rlp::ListBuilder out;
    for (const auto& e : list) {
        rlp::ListBuilder keys;
        for (const auto& k : e.storage_keys) keys.bytes(k.b);
        out.list(rlp::ListBuilder().bytes(e.address.b).list(keys));
    }
    return out;
}

// The fields every signature covers, in wire order, without the EIP-155
// suffix of a legacy transaction.
rlp::ListBuilder unsigned_fields(const Transaction& tx) {
    rlp::ListBuilder b;
    switch (tx.type) {
        case TxType::kLegacy:
            b.uint(tx.nonce).uint(tx.gas_price).uint(tx.gas_limit);
            add_to(b, tx.to);
            b.uint(tx.value).bytes(tx.data);
            break;
        case TxType::kAccessList:
            b.uint(tx.chain_id).uint(tx.nonce).uint(tx.gas_price).uint(tx.gas_limit);
            add_to(b, tx.to);
            b.uint(tx.value).bytes(tx.data).list(access_list_rlp(tx.access_list));
            break;
        case TxType::kDynamicFee:
            b.uint(tx.chain_id)
                .uint(tx.nonce)
                .uint(tx.max_priority_fee_per_gas)
                .uint(tx.max_fee_per_gas)
                .uint(tx.gas_limit);
            add_to(b, tx.to);
            b.uint(tx.value).bytes(tx.data).list(access_list_rlp(tx.access_list));
            break;
    }
    return b;
}

// A typed transaction on the wire and in its signing payload: the type
// byte, then the RLP list.
Bytes envelope(TxType type, const rlp::ListBuilder& fields) {
    Bytes out{static_cast<uint8_t>(type)};
    fields.finish_into(out);
    return out;
}

}  // namespace

u256 legacy_v(const Transaction& tx) {
    if (!tx.has_chain_id) return u256{27U + tx.y_parity};
    return u256{tx.chain_id} * u256{2} + u256{35U + tx.y_parity};
}

Bytes32 signing_hash(const Transaction& tx) {
    rlp::ListBuilder b = unsigned_fields(tx);
    if (tx.type != TxType::kLegacy) return keccak256(envelope(tx.type, b));
    if (tx.has_chain_id) b.uint(tx.chain_id).uint(0).uint(0);  // EIP-155
    return keccak256(b.finish());
}

Bytes encode_signed(const Transaction& tx) {
    rlp::ListBuilder b = unsigned_fields(tx);
    if (tx.type == TxType::kLegacy) {
        b.uint(legacy_v(tx)).uint(tx.r).uint(tx.s);
        return b.finish();
    }
    b.uint(tx.y_parity).uint(tx.r).uint(tx.s);
    return envelope(tx.type, b);
}

Bytes32 tx_hash(ByteView raw) {
    return keccak256(raw);
}

Transaction sign_transaction(Transaction tx, const PrivateKey& key) {
    // Typed transactions always carry a chain id; a pre-EIP-155 legacy one
    // has none, so it must not keep a stale value the signature ignores.
    if (tx.type != TxType::kLegacy) tx.has_chain_id = true;
    if (!tx.has_chain_id) tx.chain_id = 0;
    const Signature sig = sign(signing_hash(tx), key);
    tx.r = sig.r;
    tx.s = sig.s;
    tx.y_parity = sig.y_parity;
    tx.v = tx.type == TxType::kLegacy ? legacy_v(tx) : u256{sig.y_parity};
    return tx;
}

std::string_view to_string(DecodeErrorKind kind) {
    switch (kind) {
        case DecodeErrorKind::kEmptyInput:
            return "empty input";
        case DecodeErrorKind::kMalformed:
            return "malformed";
        case DecodeErrorKind::kUnsupportedType:
            return "unsupported type";
        case DecodeErrorKind::kInvalidSignature:
            return "invalid signature";
        case DecodeErrorKind::kHighS:
            return "high s";
        case DecodeErrorKind::kFieldTooLarge:
            return "field too large";
    }
    return "unknown";
}

u256 fee_cap(const Transaction& tx) {
    return tx.type == TxType::kDynamicFee ? tx.max_fee_per_gas : tx.gas_price;
}

u256 effective_gas_price(const Transaction& tx, const u256& base_fee) {
    if (tx.type != TxType::kDynamicFee) return tx.gas_price;
    u256 sum;
    if (add_overflow(base_fee, tx.max_priority_fee_per_gas, sum)) return tx.max_fee_per_gas;
    return sum < tx.max_fee_per_gas ? sum : tx.max_fee_per_gas;
}

std::optional<u256> effective_priority_fee(const Transaction& tx, const u256& base_fee) {
    const u256 cap = fee_cap(tx);
    if (cap < base_fee) return std::nullopt;
    const u256 headroom = cap - base_fee;
    if (tx.type != TxType::kDynamicFee) return headroom;
    return tx.max_priority_fee_per_gas < headroom ? tx.max_priority_fee_per_gas : headroom;
}

Address create_address(const Address& sender, uint64_t nonce) {
    const Bytes32 h = keccak256(rlp::ListBuilder().bytes(sender.b).uint(nonce).finish());
    return Address::from(ByteView(h.b).subspan(12));
}

}  // namespace ampd::tx
