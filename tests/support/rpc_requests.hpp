// JSON-RPC request objects for dispatcher tests whose methods take one
// string parameter naming what they do.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace test_support {

// {"jsonrpc":"2.0","method":method,"params":[x]} with "id" unless a notification.
inline nlohmann::json rpc_request(const std::string& method, const std::string& x,
                                  std::optional<int> id) {
    nlohmann::json r = {{"jsonrpc", "2.0"}, {"method", method}, {"params", {x}}};
    if (id) r["id"] = *id;
    return r;
}

// params[0] when it is a string, else "?".
inline std::string first_param(const nlohmann::json& params) {
    return params.is_array() && !params.empty() && params[0].is_string()
               ? params[0].get<std::string>()
               : std::string("?");
}

}  // namespace test_support
