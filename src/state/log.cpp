#include "ampd/state/log.hpp"

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"

namespace ampd::state {

std::string_view abi_type_name(AbiType t) {
    switch (t) {
        case AbiType::kUint256: return "uint256";
        case AbiType::kInt256: return "int256";
        case AbiType::kUint8: return "uint8";
        case AbiType::kAddress: return "address";
        case AbiType::kBool: return "bool";
        case AbiType::kBytes32: return "bytes32";
        case AbiType::kBytes4: return "bytes4";
        case AbiType::kBytes: return "bytes";
        case AbiType::kString: return "string";
    }
    return "?";
}

EventDescriptor make_event(std::string_view name, std::initializer_list<EventParam> params) {
    EventDescriptor d;
    d.name = std::string(name);
    d.params.assign(params.begin(), params.end());
    d.signature = d.name + "(";
    for (size_t i = 0; i < d.params.size(); ++i) {
        if (i > 0) d.signature += ",";
        d.signature += abi_type_name(d.params[i].type);
    }
    d.signature += ")";
    d.topic0 = keccak256(std::string_view(d.signature));
    return d;
}

RawLog encode_log(const LogRecord& log) {
    RawLog raw;
    raw.address = log.emitter;
    const EventDescriptor& ev = *log.event;
    raw.topics.reserve(1 + ev.params.size());
    raw.topics.push_back(ev.topic0);
    abi::Encoder data;
    size_t blob_pos = 0;
    for (size_t i = 0; i < ev.params.size(); ++i) {
        const EventParam& p = ev.params[i];
        const Bytes32& w = log.words[i];
        if (is_dynamic(p.type)) {
            const size_t len = u256_from_word(w).w[0];
            ByteView payload(log.blob.data() + blob_pos, len);
            blob_pos += len;
            // An indexed dynamic value is stored as the hash of its contents.
            if (p.indexed) {
                raw.topics.push_back(keccak256(payload));
            } else {
                data.bytes(payload);
            }
            continue;
        }
        if (p.indexed) {
            raw.topics.push_back(w);
        } else {
            data.bytes32(w);
        }
    }
    raw.data = data.finish();
    return raw;
}

}  // namespace ampd::state
