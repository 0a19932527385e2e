#include "ampd/primitives/rlp.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "ampd/primitives/hex.hpp"

namespace ampd {
namespace {

Bytes H(std::string_view s) {
    auto b = hex::decode(s);
    if (!b) std::abort();
    return *b;
}

ByteView text(std::string_view s) {
    return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string decode_error(std::string_view hex_input, unsigned max_depth = rlp::kDefaultMaxDepth) {
    const Bytes in = H(hex_input);
    auto r = rlp::decode(in, max_depth);
    return r ? std::string("ok") : r.error().message;
}

// ---- Encoding: the classic examples ----------------------------------------

TEST(Rlp, EncodesStrings) {
    EXPECT_EQ(hex::encode(rlp::encode_bytes(text("dog"))), "0x83646f67");
    EXPECT_EQ(hex::encode(rlp::encode_bytes({})), "0x80");
    EXPECT_EQ(hex::encode(rlp::encode_bytes(Bytes{0x00})), "0x00");  // a byte below 0x80 is itself
    EXPECT_EQ(hex::encode(rlp::encode_bytes(Bytes{0x7f})), "0x7f");
    EXPECT_EQ(hex::encode(rlp::encode_bytes(Bytes{0x80})), "0x8180");
    const std::string s55(55, 'a');
    const Bytes e55 = rlp::encode_bytes(text(s55));
    EXPECT_EQ(e55.size(), 56U);
    EXPECT_EQ(e55[0], 0xb7);  // longest short form
    const std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
    ASSERT_EQ(lorem.size(), 56U);
    const Bytes el = rlp::encode_bytes(text(lorem));
    EXPECT_EQ(el[0], 0xb8);
    EXPECT_EQ(el[1], 0x38);
    EXPECT_EQ(el.size(), 58U);
    const Bytes big(1024, 0xab);
    const Bytes eb = rlp::encode_bytes(big);
    EXPECT_EQ(hex::encode(ByteView(eb).first(3)), "0xb90400");
    EXPECT_EQ(eb.size(), 1027U);
}

TEST(Rlp, EncodesIntegersMinimally) {
    EXPECT_EQ(hex::encode(rlp::encode_uint(0)), "0x80");
    EXPECT_EQ(hex::encode(rlp::encode_uint(1)), "0x01");
    EXPECT_EQ(hex::encode(rlp::encode_uint(15)), "0x0f");
    EXPECT_EQ(hex::encode(rlp::encode_uint(127)), "0x7f");
    EXPECT_EQ(hex::encode(rlp::encode_uint(128)), "0x8180");
    EXPECT_EQ(hex::encode(rlp::encode_uint(1024)), "0x820400");
    EXPECT_EQ(hex::encode(rlp::encode_uint(u256{~0ULL})), "0x88ffffffffffffffff");
    EXPECT_EQ(hex::encode(rlp::encode_uint(u256{0, 0, 1, 0})), "0x89010000000000000000");
    EXPECT_EQ(hex::encode(rlp::encode_uint(u256::max())), "0xa0" + std::string(64, 'f'));
    Bytes out;
    rlp::append_uint(out, uint64_t{0x0102030405060708});
    EXPECT_EQ(hex::encode(out), "0x880102030405060708");
}

TEST(Rlp, EncodesLists) {
    EXPECT_EQ(hex::encode(rlp::ListBuilder().finish()), "0xc0");
    EXPECT_EQ(hex::encode(rlp::ListBuilder().bytes(text("cat")).bytes(text("dog")).finish()),
              "0xc88363617483646f67");
    // The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ].
    const rlp::ListBuilder zero;
    rlp::ListBuilder one;
    one.list(zero);
    rlp::ListBuilder two;
    two.list(zero).list(one);
    rlp::ListBuilder three;
    three.list(zero).list(one).list(two);
    EXPECT_EQ(hex::encode(three.finish()), "0xc7c0c1c0c3c0c1c0");
    // A list whose payload is 56 bytes takes the long form.
    rlp::ListBuilder long_list;
    long_list.bytes(Bytes(55, 0x11));  // 1-byte header + 55 = 56
    const Bytes el = long_list.finish();
    EXPECT_EQ(hex::encode(ByteView(el).first(3)), "0xf838b7");
    EXPECT_EQ(el.size(), 58U);
    // raw() splices an encoded item unchanged.
    EXPECT_EQ(hex::encode(rlp::ListBuilder().raw(H("0x83646f67")).uint(0).finish()),
              "0xc583646f6780");
}

// ---- Decoding --------------------------------------------------------------

TEST(Rlp, DecodesStringsAndIntegers) {
    const Bytes dog_rlp = H("0x83646f67");  // items are views: the input must outlive them
    auto dog = rlp::decode(dog_rlp);
    ASSERT_TRUE(dog) << dog.error().message;
    EXPECT_FALSE(dog->is_list);
    const ByteView dog_text = text("dog");
    EXPECT_EQ(Bytes(dog->payload.begin(), dog->payload.end()),
              Bytes(dog_text.begin(), dog_text.end()));
    EXPECT_EQ(dog->encoded.size(), 4U);

    const Bytes single = H("0x7f");
    auto b = rlp::decode(single);
    ASSERT_TRUE(b);
    EXPECT_EQ(*rlp::as_u64(*b), 127U);

    const Bytes empty = H("0x80");
    EXPECT_EQ(*rlp::as_u256(*rlp::decode(empty)), u256{0});
    const Bytes n1024 = H("0x820400");
    EXPECT_EQ(*rlp::as_u64(*rlp::decode(n1024)), 1024U);
    const Bytes max = H("0xa0" + std::string(64, 'f'));
    EXPECT_EQ(*rlp::as_u256(*rlp::decode(max)), u256::max());
    const Bytes u64max = H("0x88ffffffffffffffff");
    EXPECT_EQ(*rlp::as_u64(*rlp::decode(u64max)), ~0ULL);
}

TEST(Rlp, DecodesNestedLists) {
    const Bytes in = H("0xc7c0c1c0c3c0c1c0");
    auto top = rlp::decode(in);
    ASSERT_TRUE(top) << top.error().message;
    ASSERT_TRUE(top->is_list);
    auto items = rlp::list_items(*top);
    ASSERT_TRUE(items);
    ASSERT_EQ(items->size(), 3U);
    EXPECT_TRUE((*items)[0].is_list);
    EXPECT_TRUE((*items)[0].payload.empty());
    EXPECT_EQ(hex::encode((*items)[1].encoded), "0xc1c0");
    auto inner = rlp::list_items((*items)[2]);
    ASSERT_TRUE(inner);
    ASSERT_EQ(inner->size(), 2U);
    EXPECT_EQ(hex::encode((*inner)[1].encoded), "0xc1c0");
}

TEST(Rlp, DecodesLongForms) {
    const std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
    const Bytes enc = rlp::encode_bytes(text(lorem));
    auto item = rlp::decode(enc);
    ASSERT_TRUE(item) << item.error().message;
    EXPECT_EQ(std::string(item->payload.begin(), item->payload.end()), lorem);

    rlp::ListBuilder l;
    for (int i = 0; i < 100; ++i) l.uint(static_cast<uint64_t>(i) * 1000);
    const Bytes le = l.finish();
    auto list = rlp::decode(le);
    ASSERT_TRUE(list) << list.error().message;
    auto items = rlp::list_items(*list);
    ASSERT_TRUE(items);
    ASSERT_EQ(items->size(), 100U);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(*rlp::as_u64((*items)[i]), static_cast<uint64_t>(i) * 1000);
    }
}

TEST(Rlp, RejectsTruncatedInput) {
    EXPECT_EQ(decode_error("0x"), "rlp: input truncated");
    EXPECT_EQ(decode_error("0x83646f"), "rlp: input truncated");    // payload cut short
    EXPECT_EQ(decode_error("0xb8"), "rlp: input truncated");        // length byte missing
    EXPECT_EQ(decode_error("0xb90400"), "rlp: input truncated");    // 1024 declared, 0 present
    EXPECT_EQ(decode_error("0xf90100c0"), "rlp: input truncated");  // list of 256, 1 present
    EXPECT_EQ(decode_error("0xc3c0"), "rlp: input truncated");
    // A 2^64-1 length must not wrap any arithmetic.
    EXPECT_EQ(decode_error("0xbfffffffffffffffff"), "rlp: input truncated");
    EXPECT_EQ(decode_error("0xffffffffffffffffff00"), "rlp: input truncated");
}

TEST(Rlp, RejectsElementsOverflowingTheirList) {
    EXPECT_EQ(decode_error("0xc283646f"), "rlp: element overflows its list");
    EXPECT_EQ(decode_error("0xc2c3c0c0"), "rlp: element overflows its list");
    EXPECT_EQ(decode_error("0xc1b8"), "rlp: element overflows its list");
    // The outer list is complete but an inner length points past it.
    EXPECT_EQ(decode_error("0xc3c28080c0"), "rlp: trailing bytes after item");
    EXPECT_EQ(decode_error("0xc2c180c0"), "rlp: trailing bytes after item");
    EXPECT_EQ(decode_error("0xc3c1c28080"), "rlp: element overflows its list");
}

TEST(Rlp, RejectsTrailingBytes) {
    EXPECT_EQ(decode_error("0x83646f6700"), "rlp: trailing bytes after item");
    EXPECT_EQ(decode_error("0xc0c0"), "rlp: trailing bytes after item");
    EXPECT_EQ(decode_error("0x0000"), "rlp: trailing bytes after item");
}

TEST(Rlp, RejectsNonCanonicalHeaders) {
    // A single byte below 0x80 wrapped in a string header.
    EXPECT_EQ(decode_error("0x8100"), "rlp: non-canonical single byte (must be encoded as itself)");
    EXPECT_EQ(decode_error("0x817f"), "rlp: non-canonical single byte (must be encoded as itself)");
    EXPECT_EQ(decode_error("0x8180"), "ok");
    EXPECT_EQ(decode_error("0xc28100"),
              "rlp: non-canonical single byte (must be encoded as itself)");
    // Long form for a payload that fits the short form.
    EXPECT_EQ(decode_error("0xb803646f67"), "rlp: non-canonical length (long form for short item)");
    EXPECT_EQ(decode_error("0xb837" + std::string(110, '1')),
              "rlp: non-canonical length (long form for short item)");
    EXPECT_EQ(decode_error("0xf837" + std::string(110, '1')),
              "rlp: non-canonical length (long form for short item)");
    EXPECT_EQ(decode_error("0xf800"), "rlp: non-canonical length (leading zero)");
    // Length with a leading zero byte.
    EXPECT_EQ(decode_error("0xb90038" + std::string(112, '1')),
              "rlp: non-canonical length (leading zero)");
    EXPECT_EQ(decode_error("0xf90038" + std::string(112, '1')),
              "rlp: non-canonical length (leading zero)");
    // The shortest long form is accepted.
    EXPECT_EQ(decode_error("0xb838" + std::string(112, '1')), "ok");
}

TEST(Rlp, NestingDepthIsBounded) {
    auto nested = [](int depth) {
        rlp::ListBuilder b;
        for (int i = 0; i < depth; ++i) {
            rlp::ListBuilder outer;
            outer.list(b);
            b = outer;
        }
        return b.finish();  // depth + 1 lists
    };
    const Bytes ok = nested(15);  // 16 lists
    EXPECT_TRUE(rlp::decode(ok));
    const Bytes deep = nested(16);  // 17 lists
    auto r = rlp::decode(deep);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "rlp: nesting too deep");
    EXPECT_EQ(decode_error("0xc1c0", 1), "rlp: nesting too deep");
    EXPECT_EQ(decode_error("0xc0", 1), "ok");
    EXPECT_EQ(decode_error("0x80", 0), "ok");
    // Ten thousand nested lists are rejected without deep recursion.
    Bytes bomb;
    for (int i = 0; i < 10000; ++i) {
        const size_t len = bomb.size();
        Bytes next;
        rlp::append_header(next, true, len);
        next.insert(next.end(), bomb.begin(), bomb.end());
        bomb.swap(next);
    }
    auto br = rlp::decode(bomb);
    ASSERT_FALSE(br);
    EXPECT_EQ(br.error().message, "rlp: nesting too deep");
}

TEST(Rlp, TypedAccessorsCheckShapeAndCanonicalIntegers) {
    const Bytes list = H("0xc0");
    const Bytes str = H("0x83646f67");
    EXPECT_EQ(rlp::as_bytes(*rlp::decode(list)).error().message, "rlp: expected string, got list");
    EXPECT_EQ(rlp::as_u64(*rlp::decode(list)).error().message, "rlp: expected string, got list");
    EXPECT_EQ(rlp::list_items(*rlp::decode(str)).error().message, "rlp: expected list, got string");

    const Bytes zero_byte = H("0x00");  // canonical as a string, not as an integer
    EXPECT_TRUE(rlp::as_bytes(*rlp::decode(zero_byte)));
    EXPECT_EQ(rlp::as_u64(*rlp::decode(zero_byte)).error().message, "rlp: non-canonical integer");
    const Bytes padded = H("0x820001");
    EXPECT_EQ(rlp::as_u256(*rlp::decode(padded)).error().message, "rlp: non-canonical integer");

    const Bytes nine = H("0x89010000000000000000");
    EXPECT_EQ(rlp::as_u64(*rlp::decode(nine)).error().message, "rlp: integer exceeds 64 bits");
    EXPECT_EQ(*rlp::as_u256(*rlp::decode(nine)), (u256{0, 0, 1, 0}));
    const Bytes thirty_three = H("0xa101" + std::string(64, '0'));
    EXPECT_EQ(rlp::as_u256(*rlp::decode(thirty_three)).error().message,
              "rlp: integer exceeds 256 bits");
}

// ---- Properties ------------------------------------------------------------

// A random tree, encoded, decodes back to the same shape and leaves.
struct Node {
    bool list = false;
    Bytes leaf;
    std::vector<Node> children;
};

Node random_node(std::mt19937_64& rng, int depth) {
    Node n;
    n.list = depth < 4 && rng() % 3 == 0;
    if (n.list) {
        const int count = static_cast<int>(rng() % 6);
        for (int i = 0; i < count; ++i) n.children.push_back(random_node(rng, depth + 1));
    } else {
        // Lengths cluster around the 1-byte and 56-byte boundaries.
        static constexpr size_t kLengths[] = {0, 1, 1, 2, 55, 56, 57, 300};
        n.leaf.resize(kLengths[rng() % 8]);
        for (auto& x : n.leaf) x = static_cast<uint8_t>(rng() % 3 == 0 ? rng() % 0x80 : rng());
    }
    return n;
}

void encode_node(const Node& n, rlp::ListBuilder& parent) {
    if (!n.list) {
        parent.bytes(n.leaf);
        return;
    }
    rlp::ListBuilder b;
    for (const auto& c : n.children) encode_node(c, b);
    parent.list(b);
}

void expect_same(const Node& n, const rlp::Item& item) {
    ASSERT_EQ(item.is_list, n.list);
    if (!n.list) {
        EXPECT_EQ(Bytes(item.payload.begin(), item.payload.end()), n.leaf);
        return;
    }
    auto items = rlp::list_items(item);
    ASSERT_TRUE(items);
    ASSERT_EQ(items->size(), n.children.size());
    for (size_t i = 0; i < items->size(); ++i) expect_same(n.children[i], (*items)[i]);
}

TEST(RlpProperty, RandomTreesRoundTrip) {
    std::mt19937_64 rng(20240601);
    for (int iter = 0; iter < 500; ++iter) {
        Node root;
        root.list = true;
        const int count = static_cast<int>(rng() % 5);
        for (int i = 0; i < count; ++i) root.children.push_back(random_node(rng, 1));
        rlp::ListBuilder b;
        for (const auto& c : root.children) encode_node(c, b);
        const Bytes enc = b.finish();
        auto item = rlp::decode(enc);
        ASSERT_TRUE(item) << item.error().message;
        expect_same(root, *item);
    }
}

TEST(RlpProperty, RandomIntegersRoundTrip) {
    std::mt19937_64 rng(7);
    for (int iter = 0; iter < 2000; ++iter) {
        u256 v{rng(), rng(), rng(), rng()};
        v = v >> static_cast<unsigned>(rng() % 256);
        const Bytes enc = rlp::encode_uint(v);
        auto item = rlp::decode(enc);
        ASSERT_TRUE(item);
        EXPECT_EQ(*rlp::as_u256(*item), v);
        EXPECT_EQ(enc.size(),
                  v.bit_length() <= 7 && !v.is_zero() ? 1U : 1 + (v.bit_length() + 7) / 8);
    }
}

TEST(RlpProperty, MutatedInputNeverReadsOutOfBounds) {
    // Decoding arbitrary corruptions of a valid encoding either fails with a
    // message or succeeds on a re-encodable item; ASan checks the bounds.
    std::mt19937_64 rng(99);
    rlp::ListBuilder b;
    b.uint(5).bytes(Bytes(60, 0xaa)).list(rlp::ListBuilder().bytes(Bytes(3, 1)).uint(1024));
    const Bytes base = b.finish();
    for (int iter = 0; iter < 5000; ++iter) {
        Bytes m = base;
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            switch (rng() % 3) {
                case 0:
                    m[rng() % m.size()] = static_cast<uint8_t>(rng());
                    break;
                case 1:
                    m.resize(rng() % (m.size() + 1));
                    break;
                default:
                    m.push_back(static_cast<uint8_t>(rng()));
                    break;
            }
            if (m.empty()) m.push_back(0xc0);
        }
        auto r = rlp::decode(m);
        if (!r) {
            EXPECT_EQ(r.error().message.rfind("rlp: ", 0), 0U);
        } else {
            EXPECT_EQ(r->encoded.size(), m.size());
        }
    }
}

}  // namespace
}  // namespace ampd
