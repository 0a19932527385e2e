#include "ampd/primitives/rlp.hpp"

#include <algorithm>
#include <array>

namespace ampd::rlp {
namespace {

constexpr uint8_t kStringBase = 0x80;
constexpr uint8_t kListBase = 0xc0;
constexpr size_t kShortLimit = 56;  // payloads shorter than this use the one-byte header

// Number of bytes in the minimal big-endian form of v (0 for zero).
size_t be_length(uint64_t v) {
    size_t n = 0;
    while (v != 0) {
        ++n;
        v >>= 8;
    }
    return n;
}

void append_be(Bytes& out, uint64_t v, size_t n) {
    for (size_t i = n; i > 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * (i - 1))));
}

struct Header {
    bool list = false;
    size_t header_len = 0;
    size_t payload_len = 0;
};

// Parses the header of the item that starts at in[0] and checks that its
// payload fits in `in`. `nested` picks the message for an item that does
// not fit: inside a list the enclosing list is what it overflows.
Result<Header> parse_header(ByteView in, bool nested) {
    const char* const overflow =
        nested ? "rlp: element overflows its list" : "rlp: input truncated";
    if (in.empty()) return Error{overflow};
    const uint8_t b = in[0];
    if (b < kStringBase) return Header{false, 0, 1};

    const bool list = b >= kListBase;
    const uint8_t base = list ? kListBase : kStringBase;
    const uint8_t code = static_cast<uint8_t>(b - base);  // 0..63
    Header h{list, 1, 0};
    if (code < kShortLimit) {
        h.payload_len = code;
    } else {
        const size_t len_of_len = code - (kShortLimit - 1);  // 1..8
        if (in.size() < 1 + len_of_len) return Error{overflow};
        if (in[1] == 0) return Error{"rlp: non-canonical length (leading zero)"};
        uint64_t len = 0;
        for (size_t i = 0; i < len_of_len; ++i) len = (len << 8) | in[1 + i];
        if (len < kShortLimit) return Error{"rlp: non-canonical length (long form for short item)"};
        h.header_len = 1 + len_of_len;
        h.payload_len = static_cast<size_t>(len);
    }
    if (h.payload_len > in.size() - h.header_len) return Error{overflow};
    if (!list && h.header_len == 1 && h.payload_len == 1 && in[1] < kStringBase) {
        return Error{"rlp: non-canonical single byte (must be encoded as itself)"};
    }
    return h;
}

Item item_of(ByteView in, const Header& h) {
    if (h.header_len == 0) return Item{false, in.first(1), in.first(1)};
    return Item{h.list, in.subspan(h.header_len, h.payload_len),
                in.first(h.header_len + h.payload_len)};
}

// Parses the item at in[0] and, for a list, every element below it.
// `depth` is the number of lists enclosing this item.
Result<Item> parse_tree(ByteView in, bool nested, unsigned depth, unsigned max_depth) {
    auto h = parse_header(in, nested);
    if (!h) return h.error();
    const Item item = item_of(in, *h);
    if (!item.is_list) return item;
    if (depth + 1 > max_depth) return Error{"rlp: nesting too deep"};
    ByteView rest = item.payload;
    while (!rest.empty()) {
        auto child = parse_tree(rest, true, depth + 1, max_depth);
        if (!child) return child.error();
        rest = rest.subspan(child->encoded.size());
    }
    return item;
}

}  // namespace

// ---- Encoding -------------------------------------------------------------

void append_header(Bytes& out, bool list, size_t payload_len) {
    const uint8_t base = list ? kListBase : kStringBase;
    if (payload_len < kShortLimit) {
        out.push_back(static_cast<uint8_t>(base + payload_len));
        return;
    }
    const size_t n = be_length(payload_len);
    out.push_back(static_cast<uint8_t>(base + (kShortLimit - 1) + n));
    append_be(out, payload_len, n);
}

void append_bytes(Bytes& out, ByteView b) {
    if (b.size() == 1 && b[0] < kStringBase) {
        out.push_back(b[0]);
        return;
    }
    append_header(out, false, b.size());
    out.insert(out.end(), b.begin(), b.end());
}

void append_uint(Bytes& out, uint64_t v) {
    if (v != 0 && v < kStringBase) {
        out.push_back(static_cast<uint8_t>(v));
        return;
    }
    const size_t n = be_length(v);
    append_header(out, false, n);
    append_be(out, v, n);
}

void append_uint(Bytes& out, const u256& v) {
    if (v.fits_u64()) {
        append_uint(out, v.w[0]);
        return;
    }
    const auto be = v.to_be_bytes();
    size_t skip = 0;
    while (be[skip] == 0) ++skip;  // v > 2^64, so a nonzero byte exists
    append_bytes(out, ByteView(be).subspan(skip));
}

Bytes encode_bytes(ByteView b) {
    Bytes out;
    append_bytes(out, b);
    return out;
}

Bytes encode_uint(const u256& v) {
    Bytes out;
    append_uint(out, v);
    return out;
}

ListBuilder& ListBuilder::bytes(ByteView b) {
    append_bytes(payload_, b);
    return *this;
}

ListBuilder& ListBuilder::uint(uint64_t v) {
    append_uint(payload_, v);
    return *this;
}

ListBuilder& ListBuilder::uint(const u256& v) {
    append_uint(payload_, v);
    return *this;
}

ListBuilder& ListBuilder::list(const ListBuilder& nested) {
    nested.finish_into(payload_);
    return *this;
}

ListBuilder& ListBuilder::raw(ByteView encoded_item) {
    payload_.insert(payload_.end(), encoded_item.begin(), encoded_item.end());
    return *this;
}

Bytes ListBuilder::finish() const {
    Bytes out;
    finish_into(out);
    return out;
}

void ListBuilder::finish_into(Bytes& out) const {
    out.reserve(out.size() + payload_.size() + 9);
    append_header(out, true, payload_.size());
    out.insert(out.end(), payload_.begin(), payload_.end());
}

// ---- Decoding -------------------------------------------------------------

Result<Item> decode(ByteView input, unsigned max_depth) {
    auto item = parse_tree(input, false, 0, max_depth);
    if (!item) return item;
    if (item->encoded.size() != input.size()) return Error{"rlp: trailing bytes after item"};
    return item;
}

Result<std::vector<Item>> list_items(const Item& item) {
    if (!item.is_list) return Error{"rlp: expected list, got string"};
    std::vector<Item> out;
    // One allocation for the lists decoded per transaction (at most 12
    // fields), rather than one per doubling.
    out.reserve(std::min<size_t>(item.payload.size(), 16));
    ByteView rest = item.payload;
    while (!rest.empty()) {
        auto h = parse_header(rest, true);
        if (!h) return h.error();
        out.push_back(item_of(rest, *h));
        rest = rest.subspan(out.back().encoded.size());
    }
    return out;
}

Result<ByteView> as_bytes(const Item& item) {
    if (item.is_list) return Error{"rlp: expected string, got list"};
    return item.payload;
}

Result<ByteView> as_uint_bytes(const Item& item) {
    auto b = as_bytes(item);
    if (b && !b->empty() && (*b)[0] == 0) return Error{"rlp: non-canonical integer"};
    return b;
}

Result<uint64_t> as_u64(const Item& item) {
    auto b = as_uint_bytes(item);
    if (!b) return b.error();
    if (b->size() > 8) return Error{"rlp: integer exceeds 64 bits"};
    uint64_t v = 0;
    for (uint8_t x : *b) v = (v << 8) | x;
    return v;
}

Result<u256> as_u256(const Item& item) {
    auto b = as_uint_bytes(item);
    if (!b) return b.error();
    if (b->size() > 32) return Error{"rlp: integer exceeds 256 bits"};
    std::array<uint8_t, 32> be{};
    std::copy(b->begin(), b->end(), be.begin() + static_cast<std::ptrdiff_t>(32 - b->size()));
    return u256::from_be(be);
}

}  // namespace ampd::rlp
