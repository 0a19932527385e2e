// The JSON-RPC dispatcher's own work per transaction on the ingest path,
// without the node: a batch of 64 plain eth_sendRawTransaction requests
// through the text path, whose handler only decodes the hex (as the real one
// does before decoding and recovering the transaction) and answers a fixed
// hash. What is left is reading the body, checking each item, starting and
// completing it, the per-method metrics and writing the answer.
//   TextBatch64/metrics:0|1   without and with a metrics registry
#include <benchmark/benchmark.h>

#include <string>

#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/metrics.hpp"
#include "ampd/rpc/params.hpp"

namespace {

using nlohmann::json;

std::string raw_tx_hex(size_t i) {
    std::string text = "0x02f8aa";
    const char* digits = "0123456789abcdef";
    while (text.size() < 2 + 346) text.push_back(digits[(text.size() * 7 + i) % 16]);
    return text;
}

std::string batch_body(size_t n) {
    std::string body = "[";
    for (size_t i = 0; i < n; ++i) {
        if (i > 0) body += ',';
        body += R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                R"(,"method":"eth_sendRawTransaction","params":[")" + raw_tx_hex(i) + R"("]})";
    }
    return body + "]";
}

ampd::rpc::MethodTable decode_only_table() {
    using ampd::rpc::Completion;
    using ampd::rpc::RequestContext;
    using ampd::rpc::TextCompletion;
    ampd::rpc::MethodTable t;
    static const std::string kHash = "0x" + std::string(64, 'a');
    t.add_deferred(
        "eth_sendRawTransaction",
        [](const json& params, const RequestContext&) -> Completion {
            const ampd::Bytes raw = ampd::rpc::data_bytes(params.at(0), "params[0]");
            benchmark::DoNotOptimize(raw.data());
            return [] { return json(kHash); };
        },
        [](std::string_view param, const RequestContext&) -> TextCompletion {
            const ampd::Bytes raw = ampd::rpc::data_bytes(param, "params[0]");
            benchmark::DoNotOptimize(raw.data());
            return [] { return "\"" + kHash + "\""; };
        });
    return t;
}

void BM_TextBatch64(benchmark::State& state) {
    ampd::rpc::MetricsRegistry metrics;
    const ampd::rpc::Dispatcher d(decode_only_table(), {},
                                  state.range(0) != 0 ? &metrics : nullptr);
    const std::string body = batch_body(64);
    for (auto _ : state) {
        std::string out = d.handle(body, "peer");
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 64);
}
BENCHMARK(BM_TextBatch64)->ArgName("metrics")->Arg(0)->Arg(1);

}  // namespace
