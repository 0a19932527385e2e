#include "ampd/state/log.hpp"

#include <algorithm>
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

namespace {

// The low 64 bits of a big-endian word: a dynamic parameter's byte length.
uint64_t word_low64(const Bytes32& w) {
    uint64_t v = 0;
    for (size_t i = 24; i < 32; ++i) v = (v << 8) | w.b[i];
    return v;
}

void put_word_u64(uint8_t* at, uint64_t v) {
    for (size_t i = 0; i < 8; ++i) at[31 - i] = static_cast<uint8_t>(v >> (8 * i));
}

size_t padded32(size_t n) {
    return (n + 31) / 32 * 32;
}

}  // namespace

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
    const auto empty_literal = [&log](size_t i, uint64_t len) {
        return len == 0 && ((log.empty_literals >> i) & 1U) != 0;
    };
    size_t head_bytes = 0;
    size_t tail_bytes = 0;
    size_t blob_pos = 0;
    for (size_t i = 0; i < ev.params.size(); ++i) {
        const EventParam& p = ev.params[i];
        const Bytes32& w = log.words[i];
        if (is_dynamic(p.type)) {
            const uint64_t len = word_low64(w);
            const ByteView payload(log.blob.data() + blob_pos, len);
            blob_pos += len;
            if (p.indexed) {
                // An indexed dynamic value is stored as the hash of its contents.
                raw.topics.push_back(keccak256(payload));
                continue;
            }
            // solc 0.6 writes an empty "" literal as its zero length followed
            // by one zero word.
            tail_bytes += 32 + padded32(len) + (empty_literal(i, len) ? 32 : 0);
        } else if (p.indexed) {
            raw.topics.push_back(w);
            continue;
        }
        head_bytes += 32;
    }
    raw.data.assign(head_bytes + tail_bytes, 0);
    uint8_t* const data = raw.data.data();
    size_t head = 0;
    size_t tail = head_bytes;
    blob_pos = 0;
    for (size_t i = 0; i < ev.params.size(); ++i) {
        const EventParam& p = ev.params[i];
        const Bytes32& w = log.words[i];
        if (is_dynamic(p.type)) {
            const uint64_t len = word_low64(w);
            const uint8_t* payload = log.blob.data() + blob_pos;
            blob_pos += len;
            if (p.indexed) continue;
            put_word_u64(data + head, tail);
            head += 32;
            put_word_u64(data + tail, len);
            tail += 32;
            if (empty_literal(i, len)) tail += 32;
            if (len > 0) std::memcpy(data + tail, payload, len);
            tail += padded32(len);
        } else if (!p.indexed) {
            std::memcpy(data + head, w.b.data(), 32);
            head += 32;
        }
    }
    return raw;
}

}  // namespace ampd::state
