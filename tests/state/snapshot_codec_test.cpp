// The snapshot byte codec: round trips, the compact u256 form, and strict
// rejection (SnapshotError, never a crash) of truncated, non-canonical and
// oversized input.
#include "ampd/state/snapshot_codec.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace ampd::state {
namespace {

Address address_of(uint8_t seed) {
    Address a;
    for (size_t i = 0; i < a.size(); ++i) a.b[i] = static_cast<uint8_t>(seed + i);
    return a;
}

Bytes32 bytes32_of(uint8_t seed) {
    Bytes32 b;
    for (size_t i = 0; i < b.size(); ++i) b.b[i] = static_cast<uint8_t>(seed * 3 + i);
    return b;
}

const std::vector<u256>& sample_u256s() {
    static const std::vector<u256> kValues{
        u256(0),
        u256(1),
        u256(255),
        u256(256),
        u256(1'000'000'000'000'000'000ULL),
        u256(~0ULL),
        u256(0, 0, 1, 0),
        u256(1) << 200,
        u256::max(),
    };
    return kValues;
}

// A small snapshot using every kind of field, including a nested block.
Bytes sample() {
    SnapshotWriter w;
    w.u8(0xab);
    w.u32(0xdeadbeef);
    w.u64(0x0123456789abcdefULL);
    w.boolean(true);
    w.boolean(false);
    for (const u256& v : sample_u256s()) w.uint256(v);
    w.address(address_of(7));
    w.bytes32(bytes32_of(9));
    w.bytes4(Bytes4{{1, 2, 3, 4}});
    w.bytes(Bytes{});
    w.bytes(Bytes{9, 8, 7});
    w.string("Amp");
    const size_t mark = w.begin_block();
    w.count(2);
    w.address(address_of(1));
    w.address(address_of(2));
    w.end_block(mark);
    w.u8(0x5a);
    return std::move(w).take();
}

// Reads sample() back, checking every value.
void read_sample(SnapshotReader& r) {
    r.section("Test.sample");
    EXPECT_EQ(r.u8(), 0xab);
    EXPECT_EQ(r.u32(), 0xdeadbeefU);
    EXPECT_EQ(r.u64(), 0x0123456789abcdefULL);
    EXPECT_TRUE(r.boolean());
    EXPECT_FALSE(r.boolean());
    for (const u256& v : sample_u256s()) EXPECT_EQ(r.uint256(), v);
    EXPECT_EQ(r.address(), address_of(7));
    EXPECT_EQ(r.bytes32(), bytes32_of(9));
    EXPECT_EQ(r.bytes4(), (Bytes4{{1, 2, 3, 4}}));
    EXPECT_TRUE(r.bytes().empty());
    EXPECT_EQ(r.bytes(), (Bytes{9, 8, 7}));
    EXPECT_EQ(r.string(), "Amp");
    SnapshotReader block = r.block();
    block.section("Test.block");
    ASSERT_EQ(block.count(20), 2U);
    EXPECT_EQ(block.address(), address_of(1));
    EXPECT_EQ(block.address(), address_of(2));
    block.expect_end();
    EXPECT_EQ(r.u8(), 0x5a);
    r.expect_end();
}

Bytes encode_u256(const u256& v) {
    SnapshotWriter w;
    w.uint256(v);
    return std::move(w).take();
}

// The exception a read sequence throws on `input`, or "" if none.
template <class F>
std::string error_of(ByteView input, F&& read) {
    try {
        SnapshotReader r(input);
        read(r);
    } catch (const SnapshotError& e) {
        return e.what();
    }
    return "";
}

TEST(SnapshotCodec, RoundTripsEveryField) {
    const Bytes data = sample();
    SnapshotReader r(data);
    read_sample(r);
}

TEST(SnapshotCodec, BytesViewReadsTheBytesFieldWithoutCopying) {
    SnapshotWriter w;
    w.bytes(Bytes{4, 5, 6});
    w.u8(9);
    SnapshotReader r(w.data());
    const ByteView v = r.bytes_view();
    EXPECT_EQ(Bytes(v.begin(), v.end()), (Bytes{4, 5, 6}));
    EXPECT_EQ(v.data(), w.data().data() + 8);
    EXPECT_EQ(r.u8(), 9);
    r.expect_end();
    const Bytes cut(w.data().begin(), w.data().begin() + 10);
    EXPECT_NE(error_of(cut, [](SnapshotReader& in) { (void)in.bytes_view(); }).find("truncated"),
              std::string::npos);
}

TEST(SnapshotCodec, IntegersAreLittleEndian) {
    SnapshotWriter w;
    w.u32(0x04030201);
    w.u64(0x0807060504030201ULL);
    EXPECT_EQ(w.data(), (Bytes{1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(SnapshotCodec, U256IsLengthThenSignificantBytesLittleEndian) {
    EXPECT_EQ(encode_u256(u256(0)), (Bytes{0}));
    EXPECT_EQ(encode_u256(u256(0x0102)), (Bytes{2, 0x02, 0x01}));
    EXPECT_EQ(encode_u256(u256(1'000'000'000'000'000'000ULL)).size(), 9U);
    EXPECT_EQ(encode_u256(u256::max()).size(), 33U);
    Bytes top(33, 0);
    top[0] = 32;
    top[32] = 0x80;
    EXPECT_EQ(SnapshotReader(top).uint256(), u256(1) << 255);
}

TEST(SnapshotCodec, EndBlockRecordsTheBlockLength) {
    SnapshotWriter w;
    w.u8(1);
    const size_t mark = w.begin_block();
    w.u32(7);
    w.u8(2);
    w.end_block(mark);
    EXPECT_EQ(w.data(), (Bytes{1, 5, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 2}));
}

TEST(SnapshotCodec, EveryTruncationThrowsSnapshotError) {
    const Bytes data = sample();
    for (size_t len = 0; len < data.size(); ++len) {
        const ByteView prefix(data.data(), len);
        bool threw = false;
        try {
            SnapshotReader r(prefix);
            read_sample(r);
        } catch (const SnapshotError&) {
            threw = true;
        }
        EXPECT_TRUE(threw) << "prefix of " << len << " bytes was accepted";
    }
}

TEST(SnapshotCodec, TruncationMessageNamesSectionAndOffset) {
    const Bytes data{1, 2, 3};
    const std::string msg = error_of(data, [](SnapshotReader& r) {
        r.section("FlexaCollateralManager.accounts");
        (void)r.u8();
        (void)r.address();
    });
    EXPECT_EQ(msg,
              "snapshot: truncated (need 20 bytes, 2 left) reading "
              "FlexaCollateralManager.accounts at offset 1");
}

TEST(SnapshotCodec, RejectsNonCanonicalU256) {
    EXPECT_NE(error_of(Bytes{1, 0}, [](SnapshotReader& r) { (void)r.uint256(); })
                  .find("non-canonical u256"),
              std::string::npos);
    EXPECT_NE(error_of(Bytes{2, 5, 0}, [](SnapshotReader& r) { (void)r.uint256(); })
                  .find("non-canonical u256"),
              std::string::npos);
    Bytes too_long(34, 1);
    too_long[0] = 33;
    EXPECT_NE(error_of(too_long, [](SnapshotReader& r) { (void)r.uint256(); })
                  .find("u256 length 33 > 32"),
              std::string::npos);
}

TEST(SnapshotCodec, RejectsBoolsOtherThanZeroOrOne) {
    EXPECT_NE(error_of(Bytes{2}, [](SnapshotReader& r) { (void)r.boolean(); }).find("invalid bool"),
              std::string::npos);
}

TEST(SnapshotCodec, RejectsCountsThatCannotFitBeforeAllocating) {
    SnapshotWriter w;
    w.count(size_t{1} << 40);
    w.u64(0);
    const std::string msg = error_of(w.data(), [](SnapshotReader& r) { (void)r.count(30); });
    EXPECT_NE(msg.find("cannot fit"), std::string::npos) << msg;
    // Exactly fitting is fine.
    SnapshotWriter ok;
    ok.count(2);
    ok.u64(0);
    ok.u64(0);
    SnapshotReader r(ok.data());
    EXPECT_EQ(r.count(8), 2U);
}

TEST(SnapshotCodec, RejectsOversizedLengths) {
    SnapshotWriter w;
    w.u64(~0ULL);
    w.u8(0);
    EXPECT_NE(error_of(w.data(), [](SnapshotReader& r) { (void)r.bytes(); }).find("truncated"),
              std::string::npos);
    EXPECT_NE(error_of(w.data(), [](SnapshotReader& r) { (void)r.string(); }).find("truncated"),
              std::string::npos);
    EXPECT_NE(error_of(w.data(), [](SnapshotReader& r) { (void)r.block(); }).find("truncated"),
              std::string::npos);
}

TEST(SnapshotCodec, ABlockReaderStopsAtItsEndAndReportsAbsoluteOffsets) {
    SnapshotWriter w;
    w.u32(0);
    const size_t mark = w.begin_block();
    w.u8(1);
    w.end_block(mark);
    w.u64(0);  // more input after the block
    SnapshotReader r(w.data());
    (void)r.u32();
    SnapshotReader block = r.block();
    block.section("Test.block");
    EXPECT_EQ(block.u8(), 1);
    try {
        (void)block.u8();
        FAIL() << "read past the end of the block";
    } catch (const SnapshotError& e) {
        EXPECT_NE(std::string(e.what()).find("Test.block at offset 13"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(r.u64(), 0U);
    r.expect_end();
}

TEST(SnapshotCodec, ExpectEndRejectsTrailingBytes) {
    const Bytes data{1, 2};
    const std::string msg = error_of(data, [](SnapshotReader& r) {
        (void)r.u8();
        r.expect_end();
    });
    EXPECT_NE(msg.find("1 unread trailing bytes"), std::string::npos) << msg;
}

TEST(SnapshotCodec, RandomInputOnlyEverThrowsSnapshotError) {
    std::mt19937_64 rng(12345);
    for (int round = 0; round < 2000; ++round) {
        Bytes input(rng() % 160);
        for (uint8_t& b : input) b = static_cast<uint8_t>(rng());
        // Small lengths now and then, so reads get past the first field.
        if (input.size() > 8 && rng() % 2 == 0) {
            for (size_t i = 1; i < 8; ++i) input[i] = 0;
            input[0] = static_cast<uint8_t>(rng() % 40);
        }
        try {
            SnapshotReader r(input);
            (void)r.bytes();
            SnapshotReader block = r.block();
            const size_t n = block.count(21);
            for (size_t i = 0; i < n; ++i) {
                (void)block.address();
                (void)block.uint256();
            }
            (void)r.boolean();
            r.expect_end();
        } catch (const SnapshotError&) {
        }
    }
}

}  // namespace
}  // namespace ampd::state
