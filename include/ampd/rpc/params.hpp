// Strict readers for the value encodings of Ethereum's JSON-RPC API
// (https://ethereum.org/en/developers/docs/apis/json-rpc/#hex-encoding)
// and the formatters for answers.
//
// Every reader throws RpcError -32602 whose message names the value and
// the problem: "invalid params: argument 1: hex number with leading zero
// digits". `what` is that name: "argument 0", "argument 0.gas", ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/rpc/error.hpp"

namespace ampd::rpc {

// RpcError -32602 "invalid params: <what>: <problem>".
[[nodiscard]] RpcError invalid_param(std::string_view what, std::string_view problem);

// QUANTITY: "0x" and at least one hex digit, no leading zeros ("0x0" for
// zero), at most 256 (or 64) bits.
[[nodiscard]] u256 quantity_u256(const nlohmann::json& v, std::string_view what = "value");
[[nodiscard]] uint64_t quantity_u64(const nlohmann::json& v, std::string_view what = "value");
// DATA: "0x" and an even number of hex digits; "0x" is empty.
[[nodiscard]] Bytes data_bytes(const nlohmann::json& v, std::string_view what = "value");
// The same for the text of a JSON string already known to be one.
[[nodiscard]] Bytes data_bytes(std::string_view text, std::string_view what);
// 20 / 32 bytes of DATA. Mixed case is accepted without a checksum check,
// as every Ethereum node does.
[[nodiscard]] Address address(const nlohmann::json& v, std::string_view what = "value");
[[nodiscard]] Bytes32 hash32(const nlohmann::json& v, std::string_view what = "value");
// nullopt when `v` is nullptr (absent) or JSON null; otherwise must be a boolean.
[[nodiscard]] std::optional<bool> optional_bool(const nlohmann::json* v,
                                                std::string_view what = "value");

// The block a state query refers to.
enum class BlockLabel : uint8_t { kLatest, kEarliest, kPending, kSafe, kFinalized };
struct BlockHashRef {  // EIP-1898 {"blockHash": ..., "requireCanonical": ...}
    Bytes32 hash;
    bool require_canonical = false;
    friend bool operator==(const BlockHashRef&, const BlockHashRef&) = default;
};
using BlockTag = std::variant<BlockLabel, uint64_t, BlockHashRef>;

// A tag string, a block number QUANTITY, or an EIP-1898 object
// {"blockNumber": ...} / {"blockHash": ..., "requireCanonical": ...}.
[[nodiscard]] BlockTag block_tag(const nlohmann::json& v, std::string_view what = "value");
[[nodiscard]] std::string_view to_string(BlockLabel label);

// Answers: minimal QUANTITY, lowercase DATA.
[[nodiscard]] std::string to_quantity(const u256& v);
[[nodiscard]] std::string to_quantity(uint64_t v);
[[nodiscard]] std::string to_data(ByteView b);
[[nodiscard]] std::string to_hex(const Address& a);
[[nodiscard]] std::string to_hex(const Bytes32& h);

// Positional arguments of one call, checked for count up front:
//
//     const Params p(params, 1, 2);  // eth_getBalance(address, block?)
//     const Address who = p.address(0);
//     const BlockTag at = p.block_tag_or(1, BlockLabel::kLatest);
//
// An argument given as null counts as absent, as it does for geth.
class Params {
public:
    // Throws -32602 if `params` is not an array, has more than `max`
    // elements, or lacks one of the first `required`.
    Params(const nlohmann::json& params, size_t required, size_t max);
    // Holds a reference: a temporary would dangle.
    Params(nlohmann::json&& params, size_t required, size_t max) = delete;

    [[nodiscard]] size_t size() const { return params_.size(); }
    // Argument i; throws "missing value for required argument i" if absent.
    [[nodiscard]] const nlohmann::json& at(size_t i) const;
    // Argument i, or nullptr when absent or null.
    [[nodiscard]] const nlohmann::json* get(size_t i) const;
    [[nodiscard]] static std::string name(size_t i);  // "argument i"

    [[nodiscard]] u256 quantity_u256(size_t i) const;
    [[nodiscard]] uint64_t quantity_u64(size_t i) const;
    [[nodiscard]] Bytes data_bytes(size_t i) const;
    [[nodiscard]] Address address(size_t i) const;
    [[nodiscard]] Bytes32 hash32(size_t i) const;
    [[nodiscard]] BlockTag block_tag(size_t i) const;
    [[nodiscard]] BlockTag block_tag_or(size_t i, BlockTag fallback) const;
    [[nodiscard]] std::optional<bool> optional_bool(size_t i) const;

private:
    const nlohmann::json& params_;
};

}  // namespace ampd::rpc
