#include "ampd/rpc/params.hpp"

#include <fmt/format.h>

#include "ampd/primitives/hex.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;

bool has_prefix(std::string_view s) {
    // geth accepts "0X" as well; so do the libraries that talk to it.
    return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// The string value of `v` with its "0x" prefix removed, or the error.
std::string_view hex_digits_of(std::string_view s, std::string_view what) {
    if (s.empty()) throw invalid_param(what, "empty string");
    if (!has_prefix(s)) throw invalid_param(what, "hex string without 0x prefix");
    const std::string_view digits = s.substr(2);
    int bad = 0;
    for (const char c : digits) bad |= hex::digit_value(c);  // any -1 sets the sign bit
    if (bad < 0) throw invalid_param(what, "invalid hex digit");
    return digits;
}

std::string_view hex_digits(const json& v, std::string_view what, std::string_view kind) {
    if (!v.is_string()) {
        throw invalid_param(what,
                            fmt::format("expected a hex {} string, got {}", kind, v.type_name()));
    }
    return hex_digits_of(v.get_ref<const std::string&>(), what);
}

std::string_view quantity_digits(const json& v, std::string_view what, unsigned max_bits) {
    const std::string_view digits = hex_digits(v, what, "quantity");
    if (digits.empty()) throw invalid_param(what, "hex quantity without digits (zero is 0x0)");
    if (digits.size() > 1 && digits[0] == '0') {
        throw invalid_param(what, "hex number with leading zero digits");
    }
    if (digits.size() > max_bits / 4) {
        throw invalid_param(what, fmt::format("value too large (over {} bits)", max_bits));
    }
    return digits;
}

template <size_t N>
FixedBytes<N> fixed_bytes(const json& v, std::string_view what) {
    const std::string_view digits = hex_digits(v, what, "data");
    if (digits.size() != 2 * N) {
        throw invalid_param(what, fmt::format("expected {} bytes of hex ({} digits), got {} digits",
                                              N, 2 * N, digits.size()));
    }
    return FixedBytes<N>::from(hex::decode_digits(digits).value());
}

const json* member(const json& obj, std::string_view key) {
    const auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

RpcError invalid_param(std::string_view what, std::string_view problem) {
    return RpcError::invalid_params(fmt::format("invalid params: {}: {}", what, problem));
}

u256 quantity_u256(const json& v, std::string_view what) {
    const std::string_view digits = quantity_digits(v, what, 256);
    u256 r;
    for (const char c : digits) {
        r = r << 4;
        r.w[0] |= static_cast<uint64_t>(hex::digit_value(c));
    }
    return r;
}

uint64_t quantity_u64(const json& v, std::string_view what) {
    const std::string_view digits = quantity_digits(v, what, 64);
    uint64_t r = 0;
    for (const char c : digits) r = (r << 4) | static_cast<uint64_t>(hex::digit_value(c));
    return r;
}

namespace {

Bytes data_from_digits(std::string_view digits, std::string_view what) {
    if (digits.size() % 2 != 0) throw invalid_param(what, "hex string of odd length");
    return hex::decode_digits(digits).value();  // the digits were checked one by one
}

}  // namespace

Bytes data_bytes(const json& v, std::string_view what) {
    if (v.is_string()) return data_bytes(std::string_view(v.get_ref<const std::string&>()), what);
    return data_from_digits(hex_digits(v, what, "data"), what);  // the type error
}

Bytes data_bytes(std::string_view text, std::string_view what) {
    if (has_prefix(text) && text.size() % 2 == 0) {
        if (auto bytes = hex::decode_digits(text.substr(2))) return std::move(*bytes);
    }
    // Malformed: the checks one by one name the problem.
    return data_from_digits(hex_digits_of(text, what), what);
}

Address address(const json& v, std::string_view what) {
    return fixed_bytes<20>(v, what);
}

Bytes32 hash32(const json& v, std::string_view what) {
    return fixed_bytes<32>(v, what);
}

std::optional<bool> optional_bool(const json* v, std::string_view what) {
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_boolean()) {
        throw invalid_param(what, fmt::format("expected a boolean, got {}", v->type_name()));
    }
    return v->get<bool>();
}

std::string_view to_string(BlockLabel label) {
    switch (label) {
        case BlockLabel::kLatest:
            return "latest";
        case BlockLabel::kEarliest:
            return "earliest";
        case BlockLabel::kPending:
            return "pending";
        case BlockLabel::kSafe:
            return "safe";
        case BlockLabel::kFinalized:
            return "finalized";
    }
    return "latest";
}

BlockTag block_tag(const json& v, std::string_view what) {
    if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        for (const auto label : {BlockLabel::kLatest, BlockLabel::kEarliest, BlockLabel::kPending,
                                 BlockLabel::kSafe, BlockLabel::kFinalized}) {
            if (s == to_string(label)) return label;
        }
        if (!has_prefix(s)) {
            throw invalid_param(what,
                                "expected a block number or one of latest, earliest, pending, "
                                "safe, finalized");
        }
        return quantity_u64(v, what);
    }
    if (v.is_object()) {
        const json* number = member(v, "blockNumber");
        const json* hash = member(v, "blockHash");
        if (number != nullptr && hash != nullptr) {
            throw invalid_param(what, "cannot specify both blockHash and blockNumber, choose one");
        }
        if (number != nullptr) {
            // geth also takes a tag here ({"blockNumber": "latest"}); so do we.
            return block_tag(*number, fmt::format("{}.blockNumber", what));
        }
        if (hash != nullptr) {
            const std::string require_what = fmt::format("{}.requireCanonical", what);
            return BlockHashRef{
                hash32(*hash, fmt::format("{}.blockHash", what)),
                optional_bool(member(v, "requireCanonical"), require_what).value_or(false)};
        }
        throw invalid_param(what, "expected blockHash or blockNumber in the block object");
    }
    throw invalid_param(
        what, fmt::format("expected a block number, tag or object, got {}", v.type_name()));
}

std::string to_quantity(const u256& v) {
    return v.to_hex();
}

std::string to_quantity(uint64_t v) {
    return fmt::format("0x{:x}", v);
}

std::string to_data(ByteView b) {
    return hex::encode(b);
}

std::string to_hex(const Address& a) {
    return a.hex();
}

std::string to_hex(const Bytes32& h) {
    return h.hex();
}

Params::Params(const json& params, size_t required, size_t max) : params_(params) {
    if (!params.is_array()) {
        throw RpcError::invalid_params("invalid params: expected an array of positional arguments");
    }
    if (params.size() > max) {
        throw RpcError::invalid_params(
            fmt::format("invalid params: too many arguments, want at most {}", max));
    }
    for (size_t i = 0; i < required; ++i) (void)at(i);
}

const json& Params::at(size_t i) const {
    const json* v = get(i);
    if (v == nullptr) {
        throw RpcError::invalid_params(
            fmt::format("invalid params: missing value for required argument {}", i));
    }
    return *v;
}

const json* Params::get(size_t i) const {
    if (i >= params_.size() || params_[i].is_null()) return nullptr;
    return &params_[i];
}

std::string Params::name(size_t i) {
    return fmt::format("argument {}", i);
}

u256 Params::quantity_u256(size_t i) const {
    return rpc::quantity_u256(at(i), name(i));
}
uint64_t Params::quantity_u64(size_t i) const {
    return rpc::quantity_u64(at(i), name(i));
}
Bytes Params::data_bytes(size_t i) const {
    return rpc::data_bytes(at(i), name(i));
}
Address Params::address(size_t i) const {
    return rpc::address(at(i), name(i));
}
Bytes32 Params::hash32(size_t i) const {
    return rpc::hash32(at(i), name(i));
}
BlockTag Params::block_tag(size_t i) const {
    return rpc::block_tag(at(i), name(i));
}
BlockTag Params::block_tag_or(size_t i, BlockTag fallback) const {
    const json* v = get(i);
    return v == nullptr ? fallback : rpc::block_tag(*v, name(i));
}
std::optional<bool> Params::optional_bool(size_t i) const {
    return rpc::optional_bool(get(i), name(i));
}

}  // namespace ampd::rpc
