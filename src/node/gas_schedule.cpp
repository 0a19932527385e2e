#include "ampd/node/gas_schedule.hpp"

#include <algorithm>

namespace ampd::node::gas {

uint64_t intrinsic(ByteView calldata, bool creation, uint64_t access_list_addresses,
                   uint64_t access_list_keys) {
    // Counting the zero bytes (a loop the compiler vectorises) and pricing
    // the two counts: the sequencer prices every transaction twice, at
    // admission and at execution.
    const auto zeros = static_cast<uint64_t>(std::count(calldata.begin(), calldata.end(), 0));
    const uint64_t g = (creation ? kCreation : kTransaction) + zeros * kCalldataZeroByte +
                       (calldata.size() - zeros) * kCalldataNonZeroByte;
    return g + access_list_addresses * kAccessListAddress +
           access_list_keys * kAccessListStorageKey;
}

uint64_t execution(uint64_t state_writes, const std::vector<state::RawLog>& logs) {
    uint64_t g = state_writes * kStateWrite;
    for (const state::RawLog& raw : logs) {
        g += kLog + kLogTopic * raw.topics.size() + kLogDataByte * raw.data.size();
    }
    return g;
}

uint64_t execution(const state::ExecResult& r) {
    std::vector<state::RawLog> raw;
    raw.reserve(r.logs.size());
    for (const state::LogRecord& log : r.logs) raw.push_back(state::encode_log(log));
    return execution(r.state_writes, raw);
}

}  // namespace ampd::node::gas
