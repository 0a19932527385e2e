// Output of the commands that send or look up transactions: human text by
// default, one JSON object with --json (amounts in base units as decimal
// strings, so no consumer loses precision).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ampd/cli/context.hpp"
#include "ampd/cli/decode.hpp"
#include "ampd/cli/tx_sender.hpp"

namespace ampd::cli {

// Decoded events of a receipt's logs, as JSON ({address, contract, event,
// signature, args}; an unknown log as {address, topics, data}).
nlohmann::json events_json(Context& ctx, const nlohmann::json& logs);

// One event for people: "amp Transfer(from=alice, to=0x7099..., value=12.5 AMP)".
std::string describe_event(Context& ctx, const DecodedLog& log);
// Arguments for people: addresses labelled, partitions named, amounts in
// tokens when `amounts_in` names the token ("AMP", "FXC"; empty: raw).
std::string describe_args(Context& ctx, const std::vector<DecodedArg>& args,
                          const std::string& amounts_in);

// Prints a sent transaction (with its receipt when waited for); the exit
// code: kReverted when the receipt's status is 0.
int report_sent(Context& ctx, const SentTransaction& sent);
// Prints a receipt as `amp receipt` shows it; same exit codes.
int report_receipt(Context& ctx, const nlohmann::json& receipt);

}  // namespace ampd::cli
