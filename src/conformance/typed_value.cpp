#include "ampd/conformance/typed_value.hpp"

#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

#include "ampd/primitives/hex.hpp"

namespace ampd::conformance {

namespace {

using json = nlohmann::json;
using Kind = TypeSpec::Kind;

// Parses the decimal width suffix of "uint256", "bytes4", ...; 0 if absent or
// malformed.
unsigned parse_width(std::string_view digits) {
    if (digits.empty() || digits.size() > 3 || digits[0] == '0') return 0;
    unsigned n = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || ptr != digits.data() + digits.size()) return 0;
    return n;
}

[[noreturn]] void fail(const TypeSpec& type, const json& value, std::string_view why) {
    throw VectorError("bad " + type.name() + " value " + dump_json(value) + ": " +
                      std::string(why));
}

const std::string& expect_string(const TypeSpec& type, const json& value) {
    if (!value.is_string()) fail(type, value, "expected a JSON string");
    return value.get_ref<const std::string&>();
}

Address parse_address(const TypeSpec& type, const json& value) {
    auto a = Address::from_hex(expect_string(type, value));
    if (!a) fail(type, value, "expected 0x and 40 hex digits");
    return *a;
}

Bytes32 parse_bytes32(const TypeSpec& type, const json& value) {
    auto b = Bytes32::from_hex(expect_string(type, value));
    if (!b) fail(type, value, "expected 0x and 64 hex digits");
    return *b;
}

// Sign-extends the low `bits` bits of `w` to 256 bits.
u256 sign_extend(const u256& w, unsigned bits) {
    if (bits >= 256) return w;
    const u256 mask = (u256(1) << bits) - u256(1);
    const bool negative = !((w >> (bits - 1)) & u256(1)).is_zero();
    return negative ? (w | ~mask) : (w & mask);
}

Bytes32 left_aligned_word(const Bytes& b) {
    Bytes32 w;
    std::memcpy(w.data(), b.data(), b.size() < 32 ? b.size() : 32);
    return w;
}

}  // namespace

// ---------------------------------------------------------------------------
// TypeSpec

std::optional<TypeSpec> TypeSpec::parse(std::string_view name) {
    TypeSpec t;
    if (name.ends_with("[]")) {
        t.array = true;
        name.remove_suffix(2);
    }
    if (name == "address") {
        t.kind = Kind::kAddress;
        t.size = 0;
    } else if (name == "bool") {
        t.kind = Kind::kBool;
        t.size = 0;
    } else if (name == "string") {
        t.kind = Kind::kString;
        t.size = 0;
    } else if (name == "bytes") {
        t.kind = Kind::kBytes;
        t.size = 0;
    } else if (name.starts_with("uint") || name.starts_with("int")) {
        const bool is_uint = name[0] == 'u';
        t.kind = is_uint ? Kind::kUint : Kind::kInt;
        t.size = parse_width(name.substr(is_uint ? 4 : 3));
        if (t.size == 0 || t.size > 256 || t.size % 8 != 0) return std::nullopt;
    } else if (name.starts_with("bytes")) {
        t.kind = Kind::kFixedBytes;
        t.size = parse_width(name.substr(5));
        if (t.size == 0 || t.size > 32) return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (t.array) {
        const bool supported =
            t.kind == Kind::kAddress || (t.kind == Kind::kFixedBytes && t.size == 32);
        if (!supported) return std::nullopt;
    }
    return t;
}

std::string TypeSpec::name() const {
    std::string n;
    switch (kind) {
        case Kind::kUint:
            n = "uint" + std::to_string(size);
            break;
        case Kind::kInt:
            n = "int" + std::to_string(size);
            break;
        case Kind::kAddress:
            n = "address";
            break;
        case Kind::kBool:
            n = "bool";
            break;
        case Kind::kFixedBytes:
            n = "bytes" + std::to_string(size);
            break;
        case Kind::kBytes:
            n = "bytes";
            break;
        case Kind::kString:
            n = "string";
            break;
    }
    if (array) n += "[]";
    return n;
}

// ---------------------------------------------------------------------------
// Parsing

TypedValue parse_typed(const json& j) {
    if (!j.is_object()) throw VectorError("typed value is not an object: " + dump_json(j));
    auto t = j.find("type");
    auto v = j.find("value");
    if (t == j.end() || !t->is_string() || v == j.end()) {
        throw VectorError("typed value needs \"type\" and \"value\": " + dump_json(j));
    }
    auto spec = TypeSpec::parse(t->get_ref<const std::string&>());
    if (!spec) throw VectorError("unsupported type " + dump_json(*t));
    return parse_value(*spec, *v);
}

TypedValue parse_value(const TypeSpec& type, const json& value) {
    TypedValue out{type, u256()};
    if (type.array) {
        if (!value.is_array()) fail(type, value, "expected a JSON array");
        if (type.kind == Kind::kAddress) {
            std::vector<Address> v;
            v.reserve(value.size());
            for (const auto& e : value) v.push_back(parse_address(type, e));
            out.value = std::move(v);
        } else {
            std::vector<Bytes32> v;
            v.reserve(value.size());
            for (const auto& e : value) v.push_back(parse_bytes32(type, e));
            out.value = std::move(v);
        }
        return out;
    }
    switch (type.kind) {
        case Kind::kUint: {
            auto n = u256::from_dec(expect_string(type, value));
            if (!n) fail(type, value, "expected an unsigned decimal string");
            if (n->bit_length() > type.size) fail(type, value, "out of range");
            out.value = *n;
            break;
        }
        case Kind::kInt: {
            auto n = from_dec_i256(expect_string(type, value));
            if (!n) fail(type, value, "expected a signed decimal string");
            if (type.size < 256) {
                const u256 magnitude_bits = is_negative_i256(*n) ? ~*n : *n;
                if (magnitude_bits.bit_length() > type.size - 1) fail(type, value, "out of range");
            }
            out.value = *n;
            break;
        }
        case Kind::kAddress:
            out.value = parse_address(type, value);
            break;
        case Kind::kBool:
            if (!value.is_boolean()) fail(type, value, "expected true or false");
            out.value = value.get<bool>();
            break;
        case Kind::kFixedBytes:
        case Kind::kBytes: {
            auto b = hex::decode(expect_string(type, value));
            if (!b) fail(type, value, "expected 0x-prefixed hex");
            if (type.kind == Kind::kFixedBytes && b->size() != type.size) {
                fail(type, value, "expected exactly " + std::to_string(type.size) + " bytes");
            }
            out.value = std::move(*b);
            break;
        }
        case Kind::kString:
            out.value = expect_string(type, value);
            break;
    }
    return out;
}

// ---------------------------------------------------------------------------
// Formatting

json value_to_json(const TypedValue& v) {
    return std::visit(
        [&](const auto& x) -> json {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, u256>) {
                return v.type.kind == Kind::kInt ? to_dec_i256(x) : x.to_dec();
            } else if constexpr (std::is_same_v<T, Address>) {
                return x.hex();
            } else if constexpr (std::is_same_v<T, bool>) {
                return x;
            } else if constexpr (std::is_same_v<T, Bytes>) {
                return hex::encode(x);
            } else if constexpr (std::is_same_v<T, std::string>) {
                return x;
            } else {  // arrays of fixed-size values
                json arr = json::array();
                for (const auto& e : x) arr.push_back(e.hex());
                return arr;
            }
        },
        v.value);
}

json to_json(const TypedValue& v) {
    return json{{"type", v.type.name()}, {"value", value_to_json(v)}};
}

std::string to_display(const TypedValue& v) {
    return v.type.name() + " " + dump_json(value_to_json(v));
}

std::string dump_json(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---------------------------------------------------------------------------
// ABI

void encode(abi::Encoder& enc, const TypedValue& v) {
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, u256>) {
                enc.uint256(x);  // int values are already two's complement words
            } else if constexpr (std::is_same_v<T, Address>) {
                enc.address(x);
            } else if constexpr (std::is_same_v<T, bool>) {
                enc.boolean(x);
            } else if constexpr (std::is_same_v<T, Bytes>) {
                if (v.type.kind == Kind::kBytes) {
                    enc.bytes(x);
                } else {
                    enc.bytes32(left_aligned_word(x));
                }
            } else if constexpr (std::is_same_v<T, std::string>) {
                enc.string(x);
            } else if constexpr (std::is_same_v<T, std::vector<Bytes32>>) {
                enc.bytes32_array(x);
            } else {
                enc.address_array(x);
            }
        },
        v.value);
}

Bytes encode_all(const std::vector<TypedValue>& values) {
    abi::Encoder enc;
    for (const auto& v : values) encode(enc, v);
    return enc.finish();
}

std::optional<TypedValue> decode(const abi::Decoder& dec, size_t index, const TypeSpec& type) {
    auto wrap = [&](auto&& opt) -> std::optional<TypedValue> {
        if (!opt) return std::nullopt;
        return TypedValue{type, TypedValue::Value(std::move(*opt))};
    };
    if (type.array) {
        if (type.kind == Kind::kAddress) return wrap(dec.address_array(index));
        return wrap(dec.bytes32_array(index));
    }
    switch (type.kind) {
        case Kind::kUint:
            return type.size == 256 ? wrap(dec.uint256(index)) : wrap(dec.uint_n(index, type.size));
        case Kind::kInt: {
            auto w = dec.int256(index);
            if (!w) return std::nullopt;
            return TypedValue{type, sign_extend(*w, type.size)};
        }
        case Kind::kAddress:
            return wrap(dec.address(index));
        case Kind::kBool:
            return wrap(dec.boolean(index));
        case Kind::kFixedBytes: {
            auto w = dec.word(index);
            if (!w) return std::nullopt;
            return TypedValue{type, Bytes(w->b.begin(), w->b.begin() + type.size)};
        }
        case Kind::kBytes:
            return wrap(dec.bytes(index));
        case Kind::kString:
            return wrap(dec.string(index));
    }
    return std::nullopt;
}

}  // namespace ampd::conformance
