#include "ampd/primitives/bytes.hpp"

#include "ampd/primitives/hex.hpp"

namespace ampd {

template <size_t N>
std::optional<FixedBytes<N>> FixedBytes<N>::from_hex(std::string_view s) {
    if (s.size() != 2 + 2 * N) return std::nullopt;
    const std::optional<Bytes> raw = hex::decode(s);
    if (!raw || raw->size() != N) return std::nullopt;
    return FixedBytes<N>::from(*raw);
}

template <size_t N>
std::string FixedBytes<N>::hex() const {
    return hex::encode(ByteView(b.data(), N));
}

template struct FixedBytes<20>;
template struct FixedBytes<32>;
template struct FixedBytes<4>;

Bytes32 word_from_address(const Address& a) {
    Bytes32 w;
    std::memcpy(w.data() + 12, a.data(), 20);
    return w;
}

Address address_from_word(const Bytes32& w) {
    Address a;
    std::memcpy(a.data(), w.data() + 12, 20);
    return a;
}

Bytes32 word_from_u256(const u256& v) {
    Bytes32 w;
    v.to_be(w.b);
    return w;
}

u256 u256_from_word(const Bytes32& w) {
    return u256::from_be(w.b);
}

Address address_from_u256(const u256& v) {
    return address_from_word(word_from_u256(v));
}

u256 u256_from_address(const Address& a) {
    return u256_from_word(word_from_address(a));
}

Bytes4 prefix_of(const Bytes32& w) {
    Bytes4 p;
    std::memcpy(p.data(), w.data(), 4);
    return p;
}

}  // namespace ampd
