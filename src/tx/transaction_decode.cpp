// decode_transaction: untrusted wire bytes to a checked, sender-recovered
// transaction.
#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/primitives/rlp.hpp"
#include "ampd/tx/transaction.hpp"

namespace ampd::tx {
namespace {

// Largest type byte of a typed envelope (EIP-2718); a first byte above it
// starts an RLP list, i.e. a legacy transaction.
constexpr uint8_t kMaxTypeByte = 0x7f;

constexpr size_t kLegacyFields = 9;
constexpr size_t kAccessListFields = 11;
constexpr size_t kDynamicFeeFields = 12;

DecodeError malformed(std::string what) {
    return DecodeError{DecodeErrorKind::kMalformed, "malformed transaction: " + std::move(what)};
}

DecodeError too_large(const char* field, int bits) {
    return DecodeError{DecodeErrorKind::kFieldTooLarge,
                       std::string(field) + " exceeds " + std::to_string(bits) + " bits"};
}

DecodeError bad_signature(const std::string& why) {
    return DecodeError{DecodeErrorKind::kInvalidSignature, "invalid signature: " + why};
}

// [[address, [storage key, ...]], ...]
Result<std::vector<AccessListEntry>, DecodeError> parse_access_list(const rlp::Item& item) {
    auto entries = rlp::list_items(item);
    if (!entries) return malformed("access list: " + entries.error().message);
    std::vector<AccessListEntry> out;
    out.reserve(entries->size());
    for (const auto& entry : *entries) {
        auto parts = rlp::list_items(entry);
        if (!parts || parts->size() != 2 || (*parts)[0].is_list || !(*parts)[1].is_list) {
            return malformed("access list entry must be [address, [storage keys]]");
        }
        const ByteView address = (*parts)[0].payload;
        if (address.size() != Address::size()) {
            return malformed("access list address must be 20 bytes, got " +
                             std::to_string(address.size()));
        }
        AccessListEntry e{Address::from(address), {}};
        auto keys = rlp::list_items((*parts)[1]);
        if (!keys) return malformed("access list: " + keys.error().message);
        for (const auto& key : *keys) {
            if (key.is_list || key.payload.size() != Bytes32::size()) {
                return malformed("access list storage key must be 32 bytes");
            }
            e.storage_keys.push_back(Bytes32::from(key.payload));
        }
        out.push_back(std::move(e));
    }
    return out;
}

// Reads the fields of one transaction in order. The first error wins and
// later reads return zero values, so the per-type code reads straight
// through and checks once at the end.
class FieldReader {
public:
    explicit FieldReader(const std::vector<rlp::Item>& items) : items_(items) {}

    uint64_t u64(const char* name) {
        const ByteView b = integer(name);
        if (b.size() > 8) fail(too_large(name, 64));
        if (failed()) return 0;
        uint64_t v = 0;
        for (uint8_t x : b) v = (v << 8) | x;
        return v;
    }

    u256 u256_field(const char* name) {
        const ByteView b = integer(name);
        if (b.size() > 32) fail(too_large(name, 256));
        if (failed()) return u256{};
        std::array<uint8_t, 32> be{};
        std::copy(b.begin(), b.end(), be.end() - static_cast<std::ptrdiff_t>(b.size()));
        return u256::from_be(be);
    }

    std::optional<Address> to() {
        const ByteView b = bytes("to");
        if (failed() || b.empty()) return std::nullopt;
        if (b.size() != Address::size()) {
            fail(malformed("to must be empty or 20 bytes, got " + std::to_string(b.size())));
            return std::nullopt;
        }
        return Address::from(b);
    }

    Bytes data() {
        const ByteView b = bytes("data");
        return Bytes(b.begin(), b.end());
    }

    std::vector<AccessListEntry> access_list() {
        const rlp::Item* item = next();
        if (item == nullptr) return {};
        auto list = parse_access_list(*item);
        if (!list) {
            fail(list.error());
            return {};
        }
        return std::move(*list);
    }

    [[nodiscard]] bool failed() const { return error_.has_value(); }
    [[nodiscard]] const DecodeError& error() const { return *error_; }

private:
    const rlp::Item* next() {
        if (failed()) return nullptr;
        return &items_[pos_++];  // the caller checked the field count
    }

    ByteView bytes(const char* name) {
        const rlp::Item* item = next();
        if (item == nullptr) return {};
        auto b = rlp::as_bytes(*item);
        if (!b) {
            fail(malformed(std::string(name) + ": " + b.error().message));
            return {};
        }
        return *b;
    }

    ByteView integer(const char* name) {
        const rlp::Item* item = next();
        if (item == nullptr) return {};
        auto b = rlp::as_uint_bytes(*item);
        if (!b) {
            fail(malformed(std::string(name) + ": " + b.error().message));
            return {};
        }
        return *b;
    }

    void fail(DecodeError e) {
        if (!error_) error_ = std::move(e);
    }

    const std::vector<rlp::Item>& items_;
    size_t pos_ = 0;
    std::optional<DecodeError> error_;
};

// The list of fields of a transaction, exactly `count` long.
Result<std::vector<rlp::Item>, DecodeError> field_list(ByteView payload, const char* kind,
                                                       size_t count) {
    auto top = rlp::decode(payload);
    if (!top) return malformed(top.error().message);
    if (!top->is_list) return malformed(std::string(kind) + " transaction must be an RLP list");
    auto items = rlp::list_items(*top);
    if (!items) return malformed(items.error().message);
    if (items->size() != count) {
        return malformed(std::string(kind) + " transaction must have " + std::to_string(count) +
                         " fields, got " + std::to_string(items->size()));
    }
    return std::move(*items);
}

// The wire bytes of fields [0, first_signature_field): what the signature
// covers, exactly as a canonical encoder writes them (the decode checked
// that every header is canonical).
ByteView signed_fields(const std::vector<rlp::Item>& items, size_t first_signature_field) {
    const uint8_t* begin = items.front().encoded.data();
    const uint8_t* end = items[first_signature_field].encoded.data();
    return {begin, static_cast<size_t>(end - begin)};
}

Result<Transaction, DecodeError> decode_legacy(ByteView raw, ByteView* covered) {
    auto items = field_list(raw, "legacy", kLegacyFields);
    if (!items) return items.error();
    if (covered != nullptr) *covered = signed_fields(*items, 6);
    FieldReader f(*items);
    Transaction tx;
    tx.type = TxType::kLegacy;
    tx.nonce = f.u64("nonce");
    tx.gas_price = f.u256_field("gas price");
    tx.gas_limit = f.u64("gas limit");
    tx.to = f.to();
    tx.value = f.u256_field("value");
    tx.data = f.data();
    tx.v = f.u256_field("v");
    tx.r = f.u256_field("r");
    tx.s = f.u256_field("s");
    if (f.failed()) return f.error();

    if (tx.v == u256{27} || tx.v == u256{28}) {
        tx.has_chain_id = false;
        tx.chain_id = 0;
        tx.y_parity = static_cast<uint8_t>(tx.v.w[0] - 27);
    } else if (tx.v >= u256{35}) {
        const u256 chain_id = (tx.v - u256{35}) >> 1;
        if (!chain_id.fits_u64()) return too_large("chain id", 64);
        tx.has_chain_id = true;
        tx.chain_id = chain_id.w[0];
        tx.y_parity = static_cast<uint8_t>((tx.v.w[0] - 35) & 1);
    } else {
        return bad_signature("legacy v must be 27, 28 or at least 35, got " + tx.v.to_dec());
    }
    return tx;
}

Result<Transaction, DecodeError> decode_typed(TxType type, ByteView payload, ByteView* covered) {
    const bool dynamic = type == TxType::kDynamicFee;
    auto items = field_list(payload, dynamic ? "EIP-1559" : "EIP-2930",
                            dynamic ? kDynamicFeeFields : kAccessListFields);
    if (!items) return items.error();
    if (covered != nullptr) *covered = signed_fields(*items, dynamic ? 9 : 8);
    FieldReader f(*items);
    Transaction tx;
    tx.type = type;
    tx.has_chain_id = true;
    tx.chain_id = f.u64("chain id");
    tx.nonce = f.u64("nonce");
    if (dynamic) {
        tx.max_priority_fee_per_gas = f.u256_field("max priority fee per gas");
        tx.max_fee_per_gas = f.u256_field("max fee per gas");
    } else {
        tx.gas_price = f.u256_field("gas price");
    }
    tx.gas_limit = f.u64("gas limit");
    tx.to = f.to();
    tx.value = f.u256_field("value");
    tx.data = f.data();
    tx.access_list = f.access_list();
    const u256 parity = f.u256_field("y parity");
    tx.r = f.u256_field("r");
    tx.s = f.u256_field("s");
    if (f.failed()) return f.error();
    if (parity > u256{1}) return bad_signature("y parity must be 0 or 1, got " + parity.to_dec());
    tx.y_parity = static_cast<uint8_t>(parity.w[0]);
    tx.v = parity;
    return tx;
}

// signing_hash(tx) from the signed fields' wire bytes, without encoding
// them again.
Bytes32 signing_hash_of(const Transaction& tx, ByteView covered) {
    Bytes buf;
    buf.reserve(covered.size() + 16);
    if (tx.type != TxType::kLegacy) {
        buf.push_back(static_cast<uint8_t>(tx.type));
        rlp::append_header(buf, true, covered.size());
        buf.insert(buf.end(), covered.begin(), covered.end());
        return keccak256(ByteView(buf));
    }
    Bytes suffix;  // EIP-155: chain id, 0, 0
    if (tx.has_chain_id) {
        rlp::append_uint(suffix, tx.chain_id);
        rlp::append_uint(suffix, uint64_t{0});
        rlp::append_uint(suffix, uint64_t{0});
    }
    rlp::append_header(buf, true, covered.size() + suffix.size());
    buf.insert(buf.end(), covered.begin(), covered.end());
    buf.insert(buf.end(), suffix.begin(), suffix.end());
    return keccak256(ByteView(buf));
}

Result<Address, DecodeError> recover_sender(const Transaction& tx, const Bytes32& hash) {
    switch (check_signature(tx.r, tx.s, tx.y_parity)) {
        case SignatureCheck::kOk:
            break;
        case SignatureCheck::kROutOfRange:
            return bad_signature("r is not in [1, n-1]");
        case SignatureCheck::kSOutOfRange:
            return bad_signature("s is not in [1, n-1]");
        case SignatureCheck::kHighS:
            return DecodeError{DecodeErrorKind::kHighS,
                               "invalid signature: s is above n/2 (EIP-2 requires low s)"};
        case SignatureCheck::kBadParity:
            return bad_signature("y parity must be 0 or 1");
    }
    auto sender = recover_address(hash, tx.r, tx.s, tx.y_parity);
    if (!sender) return bad_signature("no public key recovers from r, s and y parity");
    return *sender;
}

Result<Transaction, DecodeError> parse_wire(ByteView raw, ByteView* covered) {
    if (raw.empty()) return DecodeError{DecodeErrorKind::kEmptyInput, "empty transaction"};
    const uint8_t first = raw[0];
    if (first > kMaxTypeByte) return decode_legacy(raw, covered);
    if (first == static_cast<uint8_t>(TxType::kAccessList) ||
        first == static_cast<uint8_t>(TxType::kDynamicFee)) {
        if (raw.size() == 1) return malformed("typed transaction has no payload");
        return decode_typed(static_cast<TxType>(first), raw.subspan(1), covered);
    }
    return DecodeError{DecodeErrorKind::kUnsupportedType,
                       "unsupported transaction type " + hex::encode(raw.first(1))};
}

}  // namespace

Result<Transaction, DecodeError> parse_transaction(ByteView raw) {
    return parse_wire(raw, nullptr);
}

Result<DecodedTransaction, DecodeError> decode_transaction(ByteView raw) {
    ByteView covered;
    auto decoded = parse_wire(raw, &covered);
    if (!decoded) return decoded.error();
    auto sender = recover_sender(decoded.value(), signing_hash_of(decoded.value(), covered));
    if (!sender) return sender.error();
    return DecodedTransaction{std::move(decoded.value()), *sender, tx_hash(raw)};
}

}  // namespace ampd::tx
