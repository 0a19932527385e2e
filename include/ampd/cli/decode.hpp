// Logs and calldata of the Amp contracts in words: a receipt's logs decoded
// by topic0 through the contracts' own event descriptors, and a
// transaction's input matched by selector against the functions people
// send to Amp, the FlexaCollateralManager and the swap token.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/state/log.hpp"

namespace ampd::cli {

struct DecodedArg {
    std::string name;
    std::string type;  // Solidity type: "address", "uint256", "bytes32[]", ...
    // address/bytes*/bytes32: lowercase hex; integers: decimal string;
    // bool: boolean; string: string; bytes32[]: list of hex strings.
    nlohmann::json value;
};

struct DecodedLog {
    Address address;
    std::string name;              // "Transfer"
    std::string signature;         // "Transfer(address,address,uint256)"
    std::vector<DecodedArg> args;  // in declaration order
};

struct DecodedCall {
    std::string name;       // "transfer"
    std::string signature;  // "transfer(address,uint256)"
    std::vector<DecodedArg> args;
};

// The event a log is, if it is one the built-in contracts emit and its
// topics and data have that event's shape.
[[nodiscard]] std::optional<DecodedLog> decode_log(const state::RawLog& log);

// A log object of an eth_getTransactionReceipt / eth_getLogs answer.
// Throws CommandError when it is malformed.
[[nodiscard]] state::RawLog raw_log_from_json(const nlohmann::json& log);

// The function `input` calls, if known and its arguments decode.
[[nodiscard]] std::optional<DecodedCall> decode_call(ByteView input);

// Arguments that are token amounts in base units ("value", "amount").
[[nodiscard]] bool is_token_amount(const DecodedArg& arg);

}  // namespace ampd::cli
