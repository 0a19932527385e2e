// A deferred JSON-RPC method whose calls a test holds: "wait" with one
// string parameter x is ready when the gate opens and answers "done x", in
// its JSON and text forms. x = "refuse" fails at start, x = "fail" when
// completed. Every start and completion is recorded in the trace.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "ampd/rpc/error.hpp"
#include "ampd/rpc/method_table.hpp"
#include "support/call_trace.hpp"
#include "support/readiness_gate.hpp"
#include "support/rpc_requests.hpp"

namespace test_support {

inline void add_gated_method(ampd::rpc::MethodTable& t, CallTrace& trace, ReadinessGate& gate) {
    using ampd::rpc::Completion;
    using ampd::rpc::RequestContext;
    using ampd::rpc::RpcError;
    using ampd::rpc::TextCompletion;
    namespace errc = ampd::rpc::errc;
    const auto waiting = [&trace, &gate](const std::string& x) {
        trace.add("start " + x);
        if (x == "refuse") throw RpcError(errc::kInvalidInput, "refused at start");
        return std::pair{std::function<std::string()>([&trace, x] {
                             trace.add("complete " + x);
                             if (x == "fail") {
                                 throw RpcError(errc::kTransactionRejected, "refused later");
                             }
                             return "done " + x;
                         }),
                         gate.when_ready()};
    };
    t.add_deferred(
        "wait",
        [waiting](const nlohmann::json& params, const RequestContext&) -> Completion {
            auto [finish, ready] = waiting(first_param(params));
            return Completion([finish] { return nlohmann::json(finish()); }, std::move(ready));
        },
        [waiting](std::string_view param, const RequestContext&) -> TextCompletion {
            auto [finish, ready] = waiting(std::string(param));
            return TextCompletion([finish] { return "\"" + finish() + "\""; }, std::move(ready));
        });
}

}  // namespace test_support
