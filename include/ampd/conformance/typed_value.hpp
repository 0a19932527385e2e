// Typed values of the conformance vectors: {"type": T, "value": V}.
//
// Parsing is strict (a malformed vector is an error, never a guess) and
// normalizes the textual forms (hex case), so two values compare equal
// exactly when they denote the same ABI value. The same representation is
// produced by decoding our return data and our event logs, and is
// ABI-encoded for constructor arguments.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::conformance {

// A vector that does not follow the format (bad type name, bad value, missing
// field). Reported as a failure of the step or scenario that holds it.
class VectorError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The ABI types the vectors use: uintN, intN (N = 8..256 in steps of 8),
// address, bool, bytesN (N = 1..32), bytes, string, bytes32[], address[].
struct TypeSpec {
    enum class Kind : uint8_t { kUint, kInt, kAddress, kBool, kFixedBytes, kBytes, kString };
    Kind kind = Kind::kUint;
    unsigned size = 256;  // bits for kUint/kInt, bytes for kFixedBytes, else 0
    bool array = false;   // T[] (only bytes32[] and address[] are supported)

    // nullopt for a type name outside the supported set.
    [[nodiscard]] static std::optional<TypeSpec> parse(std::string_view name);
    [[nodiscard]] std::string name() const;
    [[nodiscard]] bool is_dynamic() const {
        return array || kind == Kind::kBytes || kind == Kind::kString;
    }

    friend bool operator==(const TypeSpec&, const TypeSpec&) = default;
};

struct TypedValue {
    // uint/int: the 256-bit word (two's complement for int);
    // bytesN and bytes: the bytes (exactly N for bytesN).
    using Value = std::variant<u256, Address, bool, Bytes, std::string, std::vector<Bytes32>,
                               std::vector<Address>>;

    TypeSpec type;
    Value value;

    friend bool operator==(const TypedValue&, const TypedValue&) = default;
};

// Parses {"type": T, "value": V}. Throws VectorError.
[[nodiscard]] TypedValue parse_typed(const nlohmann::json& j);
// Parses a plain value V of type `type`. Throws VectorError.
[[nodiscard]] TypedValue parse_value(const TypeSpec& type, const nlohmann::json& value);

// The canonical vector forms: {"type": T, "value": V} and the plain V.
[[nodiscard]] nlohmann::json to_json(const TypedValue& v);
[[nodiscard]] nlohmann::json value_to_json(const TypedValue& v);
// Short human-readable form for reports, e.g. `uint256 100`, `string "Amp"`.
[[nodiscard]] std::string to_display(const TypedValue& v);

// Appends `v` to an ABI encoding.
void encode(abi::Encoder& enc, const TypedValue& v);
// The ABI encoding of `values` as a parameter list (constructor arguments).
[[nodiscard]] Bytes encode_all(const std::vector<TypedValue>& values);

// Decodes parameter `index` of `dec` as `type`; nullopt if the data is too
// short or malformed for that type.
[[nodiscard]] std::optional<TypedValue> decode(const abi::Decoder& dec, size_t index,
                                               const TypeSpec& type);

// A JSON value as compact text; invalid UTF-8 in strings is replaced rather
// than thrown on, so any decoded value can be printed.
[[nodiscard]] std::string dump_json(const nlohmann::json& j);

}  // namespace ampd::conformance
