#include "ampd/state/log.hpp"

#include <algorithm>
#include <array>
#include <cstring>

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

// ABI encoding of the non-indexed parameters, written in place: a head word
// per parameter (the value, or a dynamic one's offset), then each dynamic
// one's tail (length word, payload padded to a word). The sequencer encodes
// every log of every transaction; measuring the size first lets the data be
// one zero-filled allocation written through offsets instead of an encoder
// with an allocation per value.
RawLog encode_log(const LogRecord& log) {
    RawLog raw;
    raw.address = log.emitter;
    const EventDescriptor& ev = *log.event;
    raw.topics.reserve(1 + ev.params.size());
    raw.topics.push_back(ev.topic0);
    // First pass: topics, where each dynamic payload sits in the blob, and
    // the data's size.
    std::array<ByteView, kMaxEventParams> payloads{};
    const auto padded = [](size_t n) { return (n + 31) / 32 * 32; };
    // solc 0.6 writes an empty "" literal as its zero length followed by one
    // zero word.
    const auto literal_word = [&log, &payloads](size_t i) -> size_t {
        return payloads[i].empty() && ((log.empty_literals >> i) & 1U) != 0 ? 32 : 0;
    };
    size_t head_bytes = 0;
    size_t tail_bytes = 0;
    size_t blob_pos = 0;
    for (size_t i = 0; i < ev.params.size(); ++i) {
        const EventParam& p = ev.params[i];
        if (is_dynamic(p.type)) {
            const size_t len = u256_from_word(log.words[i]).w[0];
            payloads[i] = ByteView(log.blob.data() + blob_pos, len);
            blob_pos += len;
            if (p.indexed) {
                // An indexed dynamic value is stored as the hash of its contents.
                raw.topics.push_back(keccak256(payloads[i]));
                continue;
            }
            tail_bytes += 32 + literal_word(i) + padded(len);
        } else if (p.indexed) {
            raw.topics.push_back(log.words[i]);
            continue;
        }
        head_bytes += 32;
    }
    // Second pass: heads and tails.
    raw.data.assign(head_bytes + tail_bytes, 0);
    uint8_t* const data = raw.data.data();
    const auto put_word = [data](size_t at, const Bytes32& w) {
        std::memcpy(data + at, w.data(), 32);
    };
    size_t head = 0;
    size_t tail = head_bytes;
    for (size_t i = 0; i < ev.params.size(); ++i) {
        const EventParam& p = ev.params[i];
        if (p.indexed) continue;
        if (!is_dynamic(p.type)) {
            put_word(head, log.words[i]);
            head += 32;
            continue;
        }
        const ByteView payload = payloads[i];
        put_word(head, word_from_u256(u256(static_cast<uint64_t>(tail))));
        head += 32;
        put_word(tail, word_from_u256(u256(static_cast<uint64_t>(payload.size()))));
        tail += 32 + literal_word(i);
        if (!payload.empty()) std::memcpy(data + tail, payload.data(), payload.size());
        tail += padded(payload.size());
    }
    return raw;
}

}  // namespace ampd::state
