#include "ampd/node/gas_schedule.hpp"

namespace ampd::node::gas {

uint64_t intrinsic(ByteView calldata, bool creation, uint64_t access_list_addresses,
                   uint64_t access_list_keys) {
    uint64_t g = creation ? kCreation : kTransaction;
    for (uint8_t b : calldata) g += b == 0 ? kCalldataZeroByte : kCalldataNonZeroByte;
    return g + access_list_addresses * kAccessListAddress +
           access_list_keys * kAccessListStorageKey;
}

uint64_t execution(const state::ExecResult& r) {
    uint64_t g = r.state_writes * kStateWrite;
    for (const state::LogRecord& log : r.logs) {
        const state::RawLog raw = state::encode_log(log);
        g += kLog + kLogTopic * raw.topics.size() + kLogDataByte * raw.data.size();
    }
    return g;
}

}  // namespace ampd::node::gas
