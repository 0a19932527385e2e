#include "ampd/primitives/abi.hpp"

#include <cstring>
#include <utility>

namespace ampd::abi {
namespace {

constexpr size_t kWord = 32;
constexpr uint8_t kErrorSelector[4] = {0x08, 0xc3, 0x79, 0xa0};

bool high_bytes_zero(const Bytes32& w, size_t n) {
    for (size_t k = 0; k < n; ++k) {
        if (w.b[k] != 0) return false;
    }
    return true;
}

Bytes32 word_at(ByteView data, size_t pos) {  // caller checks pos + 32 <= size
    return Bytes32::from(data.subspan(pos, kWord));
}

Bytes32 length_word(size_t n) {
    return word_from_u256(u256{static_cast<uint64_t>(n)});
}

void append_word(Bytes& out, const Bytes32& w) {
    out.insert(out.end(), w.b.begin(), w.b.end());
}

}  // namespace

// ---------------------------------------------------------------- Decoder

std::optional<Bytes32> Decoder::word(size_t i) const {
    if (i >= data_.size() / kWord) return std::nullopt;
    return word_at(data_, i * kWord);
}

std::optional<u256> Decoder::uint256(size_t i) const {
    const std::optional<Bytes32> w = word(i);
    if (!w) return std::nullopt;
    return u256_from_word(*w);
}

std::optional<u256> Decoder::uint_n(size_t i, unsigned bits) const {
    if (bits == 0 || bits > 256) return std::nullopt;
    const std::optional<u256> v = uint256(i);
    if (!v || bits == 256) return v;
    const u256 mask = (u256{1} << bits) - u256{1};
    if (cleaning_ == Cleaning::kStrict) {
        if (*v > mask) return std::nullopt;
        return v;
    }
    return *v & mask;
}

std::optional<Address> Decoder::address(size_t i) const {
    const std::optional<Bytes32> w = word(i);
    if (!w) return std::nullopt;
    if (cleaning_ == Cleaning::kStrict && !high_bytes_zero(*w, 12)) return std::nullopt;
    return address_from_word(*w);
}

std::optional<bool> Decoder::boolean(size_t i) const {
    const std::optional<u256> v = uint256(i);
    if (!v) return std::nullopt;
    if (cleaning_ == Cleaning::kStrict && *v > u256{1}) return std::nullopt;
    return !v->is_zero();
}

std::optional<Bytes4> Decoder::bytes4(size_t i) const {
    const std::optional<Bytes32> w = word(i);
    if (!w) return std::nullopt;
    if (cleaning_ == Cleaning::kStrict) {
        for (size_t k = 4; k < kWord; ++k) {
            if (w->b[k] != 0) return std::nullopt;
        }
    }
    return prefix_of(*w);
}

std::optional<std::pair<size_t, size_t>> Decoder::tail(size_t i, size_t elem_size) const {
    const std::optional<u256> off = uint256(i);
    if (!off || elem_size == 0) return std::nullopt;
    const size_t size = data_.size();
    // Compare as u256 first: the offset may be any 256-bit value.
    if (*off > u256{static_cast<uint64_t>(size)}) return std::nullopt;
    const size_t start = static_cast<size_t>(off->w[0]);
    if (size - start < kWord) return std::nullopt;
    const u256 len = u256_from_word(word_at(data_, start));
    const size_t avail = size - start - kWord;
    if (len > u256{static_cast<uint64_t>(avail / elem_size)}) return std::nullopt;
    return std::make_pair(start + kWord, static_cast<size_t>(len.w[0]));
}

std::optional<Bytes> Decoder::bytes(size_t i) const {
    const auto t = tail(i, 1);
    if (!t) return std::nullopt;
    const ByteView payload = data_.subspan(t->first, t->second);
    return Bytes(payload.begin(), payload.end());
}

std::optional<std::string> Decoder::string(size_t i) const {
    const auto t = tail(i, 1);
    if (!t) return std::nullopt;
    const ByteView payload = data_.subspan(t->first, t->second);
    return std::string(payload.begin(), payload.end());
}

std::optional<std::vector<Bytes32>> Decoder::bytes32_array(size_t i) const {
    const auto t = tail(i, kWord);
    if (!t) return std::nullopt;
    std::vector<Bytes32> out;
    out.reserve(t->second);
    for (size_t k = 0; k < t->second; ++k) out.push_back(word_at(data_, t->first + k * kWord));
    return out;
}

std::optional<std::vector<Address>> Decoder::address_array(size_t i) const {
    const auto t = tail(i, kWord);
    if (!t) return std::nullopt;
    std::vector<Address> out;
    out.reserve(t->second);
    for (size_t k = 0; k < t->second; ++k) {
        const Bytes32 w = word_at(data_, t->first + k * kWord);
        if (cleaning_ == Cleaning::kStrict && !high_bytes_zero(w, 12)) return std::nullopt;
        out.push_back(address_from_word(w));
    }
    return out;
}

// ---------------------------------------------------------------- Encoder

Encoder& Encoder::uint256(const u256& v) {
    return bytes32(word_from_u256(v));
}

Encoder& Encoder::address(const Address& a) {
    return bytes32(word_from_address(a));
}

Encoder& Encoder::boolean(bool b) {
    return uint256(u256{b ? 1U : 0U});
}

Encoder& Encoder::bytes32(const Bytes32& b) {
    Item item;
    item.head = b;
    items_.push_back(std::move(item));
    return *this;
}

Encoder& Encoder::bytes4(const Bytes4& b) {
    Bytes32 w;
    std::memcpy(w.data(), b.data(), 4);
    return bytes32(w);
}

Encoder& Encoder::bytes(ByteView b) {
    Item item;
    item.dynamic = true;
    append_word(item.tail, length_word(b.size()));
    append_padded(item.tail, b);
    items_.push_back(std::move(item));
    return *this;
}

Encoder& Encoder::string(std::string_view s) {
    return bytes(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

Encoder& Encoder::bytes32_array(const std::vector<Bytes32>& v) {
    Item item;
    item.dynamic = true;
    item.tail.reserve(kWord * (v.size() + 1));
    append_word(item.tail, length_word(v.size()));
    for (const Bytes32& w : v) append_word(item.tail, w);
    items_.push_back(std::move(item));
    return *this;
}

Encoder& Encoder::address_array(const std::vector<Address>& v) {
    Item item;
    item.dynamic = true;
    item.tail.reserve(kWord * (v.size() + 1));
    append_word(item.tail, length_word(v.size()));
    for (const Address& a : v) append_word(item.tail, word_from_address(a));
    items_.push_back(std::move(item));
    return *this;
}

Bytes Encoder::finish() const {
    size_t tail_size = 0;
    for (const Item& it : items_) tail_size += it.tail.size();
    const size_t head_size = items_.size() * kWord;
    Bytes out;
    out.reserve(head_size + tail_size);
    size_t offset = head_size;
    for (const Item& it : items_) {
        if (it.dynamic) {
            append_word(out, length_word(offset));
            offset += it.tail.size();
        } else {
            append_word(out, it.head);
        }
    }
    for (const Item& it : items_) out.insert(out.end(), it.tail.begin(), it.tail.end());
    return out;
}

Bytes Encoder::finish_call(const Bytes4& selector) const {
    const Bytes body = finish();
    Bytes out;
    out.reserve(4 + body.size());
    out.insert(out.end(), selector.b.begin(), selector.b.end());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

void append_padded(Bytes& out, ByteView b) {
    out.insert(out.end(), b.begin(), b.end());
    const size_t rem = b.size() % kWord;
    if (rem != 0) out.insert(out.end(), kWord - rem, 0);
}

Bytes error_data(std::string_view reason) {
    Bytes4 sel;
    std::memcpy(sel.data(), kErrorSelector, 4);
    return Encoder().string(reason).finish_call(sel);
}

std::optional<std::string> decode_error(ByteView revert_data) {
    if (revert_data.size() < 4) return std::nullopt;
    if (std::memcmp(revert_data.data(), kErrorSelector, 4) != 0) return std::nullopt;
    return Decoder(revert_data.subspan(4)).string(0);
}

}  // namespace ampd::abi
