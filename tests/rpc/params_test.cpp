#include "ampd/rpc/params.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/literals.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;
using test_support::A;
using test_support::B32;

// The message of the RpcError `f` throws; fails the test if it throws none.
template <class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, errc::kInvalidParams) << e.message;
        return e.message;
    }
    ADD_FAILURE() << "no RpcError thrown";
    return {};
}

TEST(Params, QuantityU64AcceptsCanonicalForms) {
    EXPECT_EQ(quantity_u64("0x0"), 0U);
    EXPECT_EQ(quantity_u64("0x1"), 1U);
    EXPECT_EQ(quantity_u64("0x400"), 1024U);
    EXPECT_EQ(quantity_u64("0xfF"), 255U);
    EXPECT_EQ(quantity_u64("0X1a"), 26U);
    EXPECT_EQ(quantity_u64("0xffffffffffffffff"), UINT64_MAX);
}

TEST(Params, QuantityRejectsWithPreciseMessages) {
    const auto msg = [](const json& v) {
        return error_of([&] { (void)quantity_u64(v, "argument 0"); });
    };
    EXPECT_EQ(msg("0x00"), "invalid params: argument 0: hex number with leading zero digits");
    EXPECT_EQ(msg("0x0400"), "invalid params: argument 0: hex number with leading zero digits");
    EXPECT_EQ(msg("0x"), "invalid params: argument 0: hex quantity without digits (zero is 0x0)");
    EXPECT_EQ(msg("400"), "invalid params: argument 0: hex string without 0x prefix");
    EXPECT_EQ(msg("x1"), "invalid params: argument 0: hex string without 0x prefix");
    EXPECT_EQ(msg(""), "invalid params: argument 0: empty string");
    EXPECT_EQ(msg("0xg"), "invalid params: argument 0: invalid hex digit");
    EXPECT_EQ(msg("0x 1"), "invalid params: argument 0: invalid hex digit");
    EXPECT_EQ(msg("0x-1"), "invalid params: argument 0: invalid hex digit");
    EXPECT_EQ(msg("0x10000000000000000"),
              "invalid params: argument 0: value too large (over 64 bits)");
    EXPECT_EQ(msg(5), "invalid params: argument 0: expected a hex quantity string, got number");
    EXPECT_EQ(msg(nullptr), "invalid params: argument 0: expected a hex quantity string, got null");
    EXPECT_EQ(msg(json::array()),
              "invalid params: argument 0: expected a hex quantity string, got array");
    EXPECT_EQ(msg(true), "invalid params: argument 0: expected a hex quantity string, got boolean");
}

TEST(Params, QuantityU256CoversTheFullRange) {
    EXPECT_EQ(quantity_u256("0x0"), u256(0));
    EXPECT_EQ(quantity_u256("0xde0b6b3a7640000"), u256(1000000000000000000ULL));
    EXPECT_EQ(quantity_u256("0x" + std::string(64, 'f')), u256::max());
    EXPECT_EQ(quantity_u256("0x1" + std::string(32, '0')), u256(0, 1, 0, 0));
    EXPECT_EQ(error_of([] { (void)quantity_u256("0x1" + std::string(64, '0'), "value"); }),
              "invalid params: value: value too large (over 256 bits)");
    EXPECT_EQ(error_of([] { (void)quantity_u256("0x01", "gas"); }),
              "invalid params: gas: hex number with leading zero digits");
}

TEST(Params, DataBytes) {
    EXPECT_EQ(data_bytes("0x"), Bytes{});
    EXPECT_EQ(data_bytes("0x00ff10"), (Bytes{0x00, 0xff, 0x10}));
    EXPECT_EQ(data_bytes("0xABcd"), (Bytes{0xab, 0xcd}));
    const auto msg = [](const json& v) {
        return error_of([&] { (void)data_bytes(v, "argument 1"); });
    };
    EXPECT_EQ(msg("0x0"), "invalid params: argument 1: hex string of odd length");
    EXPECT_EQ(msg("0xabc"), "invalid params: argument 1: hex string of odd length");
    EXPECT_EQ(msg("00ff"), "invalid params: argument 1: hex string without 0x prefix");
    EXPECT_EQ(msg("0xzz"), "invalid params: argument 1: invalid hex digit");
    EXPECT_EQ(msg(12), "invalid params: argument 1: expected a hex data string, got number");
    // A bad digit is named before an odd length, wherever it sits.
    EXPECT_EQ(msg("0xabz"), "invalid params: argument 1: invalid hex digit");
    EXPECT_EQ(msg("0x" + std::string(345, 'a') + "g"),
              "invalid params: argument 1: invalid hex digit");
    EXPECT_EQ(msg("0xg" + std::string(345, 'a')), "invalid params: argument 1: invalid hex digit");
    // The text overload (the raw-transaction path) agrees with the JSON one.
    const std::string long_hex = "0X" + std::string(344, 'A') + "0f";
    const Bytes decoded = data_bytes(std::string_view(long_hex), "argument 0");
    ASSERT_EQ(decoded.size(), 173U);
    EXPECT_EQ(decoded.front(), 0xaa);
    EXPECT_EQ(decoded.back(), 0x0f);
    EXPECT_EQ(decoded, data_bytes(json(long_hex), "argument 0"));
    EXPECT_EQ(error_of([] { (void)data_bytes(std::string_view("0x1g"), "argument 0"); }),
              "invalid params: argument 0: invalid hex digit");
    EXPECT_EQ(error_of([] { (void)data_bytes(std::string_view(""), "argument 0"); }),
              "invalid params: argument 0: empty string");
}

TEST(Params, AddressAndHash) {
    const std::string lower = "0x52908400098527886e0f7030069857d2e4169ee7";
    const std::string mixed = "0x52908400098527886E0F7030069857D2E4169EE7";
    EXPECT_EQ(address(lower), A(lower));
    EXPECT_EQ(address(mixed), A(lower));
    EXPECT_EQ(address("0x" + std::string(40, '0')), Address{});
    const auto msg = [](const json& v) {
        return error_of([&] { (void)address(v, "argument 0"); });
    };
    EXPECT_EQ(msg(lower.substr(0, 40)),
              "invalid params: argument 0: expected 20 bytes of hex (40 digits), got 38 digits");
    EXPECT_EQ(msg(lower + "00"),
              "invalid params: argument 0: expected 20 bytes of hex (40 digits), got 42 digits");
    EXPECT_EQ(msg(lower.substr(2)), "invalid params: argument 0: hex string without 0x prefix");
    EXPECT_EQ(msg("0x" + std::string(39, 'a') + "g"),
              "invalid params: argument 0: invalid hex digit");

    const std::string h = "0x" + std::string(62, '0') + "ab";
    EXPECT_EQ(hash32(h), B32(h));
    EXPECT_EQ(error_of([&] { (void)hash32(h.substr(0, 64), "argument 0"); }),
              "invalid params: argument 0: expected 32 bytes of hex (64 digits), got 62 digits");
    EXPECT_EQ(error_of([] { (void)hash32(json::object(), "argument 0"); }),
              "invalid params: argument 0: expected a hex data string, got object");
}

TEST(Params, OptionalBool) {
    const json t = true;
    const json n = nullptr;
    const json s = "true";
    EXPECT_EQ(optional_bool(nullptr), std::nullopt);
    EXPECT_EQ(optional_bool(&n), std::nullopt);
    EXPECT_EQ(optional_bool(&t), std::optional<bool>(true));
    EXPECT_EQ(error_of([&] { (void)optional_bool(&s, "argument 1"); }),
              "invalid params: argument 1: expected a boolean, got string");
}

TEST(Params, BlockTags) {
    EXPECT_EQ(block_tag("latest"), BlockTag(BlockLabel::kLatest));
    EXPECT_EQ(block_tag("earliest"), BlockTag(BlockLabel::kEarliest));
    EXPECT_EQ(block_tag("pending"), BlockTag(BlockLabel::kPending));
    EXPECT_EQ(block_tag("safe"), BlockTag(BlockLabel::kSafe));
    EXPECT_EQ(block_tag("finalized"), BlockTag(BlockLabel::kFinalized));
    EXPECT_EQ(block_tag("0x0"), BlockTag(uint64_t{0}));
    EXPECT_EQ(block_tag("0x1b4"), BlockTag(uint64_t{436}));
    for (const auto label : {BlockLabel::kLatest, BlockLabel::kEarliest, BlockLabel::kPending,
                             BlockLabel::kSafe, BlockLabel::kFinalized}) {
        EXPECT_EQ(block_tag(std::string(to_string(label))), BlockTag(label));
    }

    const auto msg = [](const json& v) {
        return error_of([&] { (void)block_tag(v, "argument 1"); });
    };
    EXPECT_EQ(msg("0x01b4"), "invalid params: argument 1: hex number with leading zero digits");
    EXPECT_EQ(msg("Latest"),
              "invalid params: argument 1: expected a block number or one of latest, earliest, "
              "pending, safe, finalized");
    EXPECT_EQ(msg("436"), msg("Latest"));
    EXPECT_EQ(msg("0x10000000000000000"),
              "invalid params: argument 1: value too large (over 64 bits)");
    EXPECT_EQ(msg(436),
              "invalid params: argument 1: expected a block number, tag or object, got number");
}

TEST(Params, BlockTagEip1898Objects) {
    const std::string h = "0x" + std::string(64, 'a');
    EXPECT_EQ(block_tag(json{{"blockNumber", "0x5"}}), BlockTag(uint64_t{5}));
    EXPECT_EQ(block_tag(json{{"blockNumber", "latest"}}), BlockTag(BlockLabel::kLatest));
    EXPECT_EQ(block_tag(json{{"blockHash", h}}), BlockTag(BlockHashRef{B32(h), false}));
    EXPECT_EQ(block_tag(json{{"blockHash", h}, {"requireCanonical", true}}),
              BlockTag(BlockHashRef{B32(h), true}));
    EXPECT_EQ(block_tag(json{{"blockHash", h}, {"requireCanonical", nullptr}}),
              BlockTag(BlockHashRef{B32(h), false}));

    const auto msg = [](const json& v) {
        return error_of([&] { (void)block_tag(v, "argument 1"); });
    };
    EXPECT_EQ(msg(json{{"blockHash", h}, {"blockNumber", "0x1"}}),
              "invalid params: argument 1: cannot specify both blockHash and blockNumber, choose "
              "one");
    EXPECT_EQ(msg(json::object()),
              "invalid params: argument 1: expected blockHash or blockNumber in the block object");
    EXPECT_EQ(msg(json{{"blockNumber", "0x01"}}),
              "invalid params: argument 1.blockNumber: hex number with leading zero digits");
    EXPECT_EQ(msg(json{{"blockHash", "0x12"}}),
              "invalid params: argument 1.blockHash: expected 32 bytes of hex (64 digits), got 2 "
              "digits");
    EXPECT_EQ(msg(json{{"blockHash", h}, {"requireCanonical", "yes"}}),
              "invalid params: argument 1.requireCanonical: expected a boolean, got string");
}

TEST(Params, PositionalAccessChecksCounts) {
    const json two = json::array({"0x52908400098527886e0f7030069857d2e4169ee7", "0x10"});
    const Params p(two, 1, 2);
    EXPECT_EQ(p.size(), 2U);
    EXPECT_EQ(p.address(0), A("0x52908400098527886e0f7030069857d2e4169ee7"));
    EXPECT_EQ(p.block_tag(1), BlockTag(uint64_t{16}));
    EXPECT_EQ(p.quantity_u256(1), u256(16));
    EXPECT_EQ(p.get(2), nullptr);
    EXPECT_EQ(p.block_tag_or(2, BlockLabel::kPending), BlockTag(BlockLabel::kPending));
    EXPECT_EQ(Params::name(3), "argument 3");

    const json empty = json::array();
    EXPECT_EQ(error_of([&] { Params(empty, 1, 2); }),
              "invalid params: missing value for required argument 0");
    const json one_null = json::array({"0x1", nullptr});
    EXPECT_EQ(error_of([&] { Params(one_null, 2, 2); }),
              "invalid params: missing value for required argument 1");
    const Params optional_null(one_null, 1, 2);
    EXPECT_EQ(optional_null.get(1), nullptr);
    EXPECT_EQ(optional_null.block_tag_or(1, BlockLabel::kLatest), BlockTag(BlockLabel::kLatest));
    EXPECT_EQ(optional_null.optional_bool(1), std::nullopt);
    EXPECT_EQ(error_of([&] { (void)optional_null.at(1); }),
              "invalid params: missing value for required argument 1");
    const json three = json::array({1, 2, 3});
    EXPECT_EQ(error_of([&] { Params(three, 0, 2); }),
              "invalid params: too many arguments, want at most 2");
    const json object = json::object();
    EXPECT_EQ(error_of([&] { Params(object, 0, 2); }),
              "invalid params: expected an array of positional arguments");

    const json bad = json::array({"0x01"});
    const Params q(bad, 1, 1);
    EXPECT_EQ(error_of([&] { (void)q.quantity_u64(0); }),
              "invalid params: argument 0: hex number with leading zero digits");
    EXPECT_EQ(q.data_bytes(0), Bytes{0x01});
    EXPECT_EQ(error_of([&] { (void)q.hash32(0); }),
              "invalid params: argument 0: expected 32 bytes of hex (64 digits), got 2 digits");
}

TEST(Params, Formatters) {
    EXPECT_EQ(to_quantity(uint64_t{0}), "0x0");
    EXPECT_EQ(to_quantity(uint64_t{255}), "0xff");
    EXPECT_EQ(to_quantity(UINT64_MAX), "0xffffffffffffffff");
    EXPECT_EQ(to_quantity(u256(0)), "0x0");
    EXPECT_EQ(to_quantity(u256::max()), "0x" + std::string(64, 'f'));
    EXPECT_EQ(to_quantity(u256(0, 1, 0, 0)), "0x1" + std::string(32, '0'));
    EXPECT_EQ(to_data(Bytes{}), "0x");
    EXPECT_EQ(to_data(Bytes{0x00, 0xAB}), "0x00ab");
    const std::string mixed = "0x52908400098527886E0F7030069857D2E4169EE7";
    EXPECT_EQ(to_hex(address(mixed)), "0x52908400098527886e0f7030069857d2e4169ee7");
    const std::string h = "0x" + std::string(63, '0') + "1";
    EXPECT_EQ(to_hex(hash32(h)), h);
    // Every formatted value parses back.
    for (const uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{16}, UINT64_MAX}) {
        EXPECT_EQ(quantity_u64(to_quantity(v)), v);
    }
}

}  // namespace
}  // namespace ampd::rpc
