#include "ampd/state/log.hpp"

#include <algorithm>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"

namespace ampd::state {

std::string_view abi_type_name(AbiType t) {
    switch (t) {
        case AbiType::kUint256:
            return "uint256";
        case AbiType::kInt256:
            return "int256";
        case AbiType::kUint8:
            return "uint8";
        case AbiType::kAddress:
            return "address";
        case AbiType::kBool:
            return "bool";
        case AbiType::kBytes32:
            return "bytes32";
        case AbiType::kBytes4:
            return "bytes4";
        case AbiType::kBytes:
            return "bytes";
        case AbiType::kString:
            return "string";
        case AbiType::kUint64:
            return "uint64";
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
    std::vector<size_t> dynamic_heads;  // head index of every non-indexed dynamic param
    std::vector<size_t> literal_heads;  // ... of those that are an empty "" literal
    size_t head = 0;
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
                if (len == 0 && ((log.empty_literals >> i) & 1U) != 0)
                    literal_heads.push_back(head);
                dynamic_heads.push_back(head);
                data.bytes(payload);
                ++head;
            }
            continue;
        }
        if (p.indexed) {
            raw.topics.push_back(w);
        } else {
            data.bytes32(w);
            ++head;
        }
    }
    raw.data = data.finish();
    // An empty literal's tail gets a zero word after its length word; the
    // tails after it move down by one word.
    for (auto it = literal_heads.rbegin(); it != literal_heads.rend(); ++it) {
        auto offset_at = [&](size_t h) {
            return static_cast<size_t>(
                u256_from_word(Bytes32::from(ByteView(raw.data).subspan(h * 32, 32))).w[0]);
        };
        const size_t tail = offset_at(*it);
        raw.data.insert(raw.data.begin() + static_cast<ptrdiff_t>(tail + 32), 32, 0);
        for (size_t h : dynamic_heads) {
            const size_t off = offset_at(h);
            if (off > tail) {
                const Bytes32 w = word_from_u256(u256(static_cast<uint64_t>(off + 32)));
                std::copy(w.b.begin(), w.b.end(),
                          raw.data.begin() + static_cast<ptrdiff_t>(h * 32));
            }
        }
    }
    return raw;
}

}  // namespace ampd::state
