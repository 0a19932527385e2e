// Event logs, recorded compactly and ABI-encoded only when read.
//
// A contract emits a LogRecord: the emitting address, a pointer to the
// event's static descriptor and the argument values as 32-byte words in
// declaration order. Dynamic arguments (bytes, string) keep their payload in
// `blob`, concatenated in declaration order, with each one's byte length in
// its word. Raw topics/data and decoded views are derived from the
// descriptor on demand.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::state {

enum class AbiType : uint8_t {
    kUint256,
    kInt256,
    kUint8,
    kAddress,
    kBool,
    kBytes32,
    kBytes4,
    kBytes,
    kString,
    kUint64,
};

[[nodiscard]] std::string_view abi_type_name(AbiType t);
[[nodiscard]] inline bool is_dynamic(AbiType t) {
    return t == AbiType::kBytes || t == AbiType::kString;
}

struct EventParam {
    std::string_view name;
    AbiType type;
    bool indexed;
};

inline constexpr size_t kMaxEventParams = 8;

// Static description of one event type. Build with make_event(); the
// canonical signature and topic0 are derived from the name and parameters.
struct EventDescriptor {
    std::string name;
    std::string signature;  // "Name(type,type,...)"
    Bytes32 topic0;
    std::vector<EventParam> params;
};

[[nodiscard]] EventDescriptor make_event(std::string_view name,
                                         std::initializer_list<EventParam> params);

struct LogRecord {
    Address emitter;
    const EventDescriptor* event = nullptr;
    std::array<Bytes32, kMaxEventParams> words{};
    Bytes blob;  // payloads of dynamic params, in order
    // Bit i set: dynamic param i was the empty string literal "" in the
    // emit statement. solc 0.6 encodes that as a zero length followed by one
    // zero word (instead of no payload) in the raw log data; decoded it is
    // still empty.
    uint8_t empty_literals = 0;
};

// The log as it appears on chain.
struct RawLog {
    Address address;
    std::vector<Bytes32> topics;
    Bytes data;
};

[[nodiscard]] RawLog encode_log(const LogRecord& log);

// Builder used by contracts: LogBuilder(emitter, desc).word(...).bytes(...)...
class LogBuilder {
public:
    LogBuilder(const Address& emitter, const EventDescriptor& desc) {
        rec_.emitter = emitter;
        rec_.event = &desc;
    }
    LogBuilder& u256v(const u256& v) { return put(word_from_u256(v)); }
    LogBuilder& address(const Address& a) { return put(word_from_address(a)); }
    LogBuilder& bytes32(const Bytes32& b) { return put(b); }
    LogBuilder& boolean(bool b) { return put(word_from_u256(u256(b ? 1 : 0))); }
    LogBuilder& bytes4(const Bytes4& b) {
        Bytes32 w;
        std::memcpy(w.data(), b.data(), 4);
        return put(w);
    }
    LogBuilder& bytes(ByteView b) {
        rec_.blob.insert(rec_.blob.end(), b.begin(), b.end());
        return put(word_from_u256(u256(b.size())));
    }
    LogBuilder& string(std::string_view s) {
        return bytes(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    }
    // An empty bytes/string argument written as the literal "" (see
    // LogRecord::empty_literals).
    LogBuilder& empty_literal() {
        rec_.empty_literals = static_cast<uint8_t>(rec_.empty_literals | (1U << n_));
        return put(Bytes32{});
    }
    LogRecord build() && { return std::move(rec_); }
    // The chained calls above yield an lvalue; building consumes the builder either way.
    LogRecord build() & { return std::move(rec_); }

private:
    LogBuilder& put(const Bytes32& w) {
        rec_.words[n_++] = w;
        return *this;
    }
    LogRecord rec_;
    size_t n_ = 0;
};

}  // namespace ampd::state
