#include "ampd/node/wal_records.hpp"

#include <cstring>

namespace ampd::node::wal {

namespace {

void put_u64(Bytes& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get_u64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

}  // namespace

RecordType type_of(const Record& r) {
    return std::visit(
        [](const auto& x) -> RecordType {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, OpenBlock>) return RecordType::kOpenBlock;
            if constexpr (std::is_same_v<T, Transaction>) return RecordType::kTransaction;
            if constexpr (std::is_same_v<T, SealBlock>) return RecordType::kSealBlock;
            return RecordType::kReset;
        },
        r);
}

Bytes encode_transaction(const Address& sender, ByteView raw) {
    Bytes out;
    out.reserve(20 + raw.size());
    out.insert(out.end(), sender.b.begin(), sender.b.end());
    out.insert(out.end(), raw.begin(), raw.end());
    return out;
}

Bytes encode(const Record& r) {
    Bytes out;
    std::visit(
        [&out](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, OpenBlock>) {
                put_u64(out, x.number);
                put_u64(out, x.timestamp);
            } else if constexpr (std::is_same_v<T, Transaction>) {
                out = encode_transaction(x.sender, x.raw);
            } else if constexpr (std::is_same_v<T, SealBlock>) {
                put_u64(out, x.number);
            } else {
                out = x.snapshot;
            }
        },
        r);
    return out;
}

std::optional<Record> decode(uint8_t type, ByteView p) {
    switch (static_cast<RecordType>(type)) {
        case RecordType::kOpenBlock:
            if (p.size() != 16) return std::nullopt;
            return OpenBlock{get_u64(p.data()), get_u64(p.data() + 8)};
        case RecordType::kTransaction:
            if (p.size() <= 20) return std::nullopt;
            return Transaction{Address::from(p.subspan(0, 20)), Bytes(p.begin() + 20, p.end())};
        case RecordType::kSealBlock:
            if (p.size() != 8) return std::nullopt;
            return SealBlock{get_u64(p.data())};
        case RecordType::kReset:
            return Reset{Bytes(p.begin(), p.end())};
    }
    return std::nullopt;
}

}  // namespace ampd::node::wal
