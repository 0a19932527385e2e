// JSON-RPC parameter decoding on the ingest path.
//   DataBytesRawTx   the hex string of a signed Amp transfer (173 bytes, 346
//                    digits, as eth_sendRawTransaction receives it) to bytes:
//                    checking and decoding every digit is paid per
//                    transaction on the RPC threads.
#include <benchmark/benchmark.h>

#include <string>

#include "ampd/rpc/params.hpp"

namespace {

void BM_DataBytesRawTx(benchmark::State& state) {
    std::string text = "0x02f8aa";
    const char* digits = "0123456789abcdef";
    while (text.size() < 2 + 346) text.push_back(digits[text.size() * 7 % 16]);
    for (auto _ : state) {
        ampd::Bytes bytes = ampd::rpc::data_bytes(std::string_view(text), "params[0]");
        benchmark::DoNotOptimize(bytes.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 346);
}
BENCHMARK(BM_DataBytesRawTx);

}  // namespace
