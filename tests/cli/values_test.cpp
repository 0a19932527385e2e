#include "ampd/cli/values.hpp"

#include <gtest/gtest.h>

#include "ampd/cli/errors.hpp"
#include "support/literals.hpp"

namespace ampd::cli {
namespace {

using test_support::A;

const u256 kToken = u256(1'000'000'000'000'000'000ULL);

std::string usage_error(std::string_view text, bool raw = false) {
    try {
        (void)parse_amount(text, raw);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "accepted";
}

TEST(Amounts, ParsesDecimalAmpExactly) {
    EXPECT_EQ(parse_amount("12.5", false), u256(12) * kToken + u256(500'000'000'000'000'000ULL));
    EXPECT_EQ(parse_amount("0", false), u256(0));
    EXPECT_EQ(parse_amount("1", false), kToken);
    EXPECT_EQ(parse_amount("0.000000000000000001", false), u256(1));
    EXPECT_EQ(parse_amount("007.10", false), u256(7) * kToken + u256(100'000'000'000'000'000ULL));
    // 0.1 has no exact binary form; here it is exactly 10^17 base units.
    EXPECT_EQ(parse_amount("0.1", false), u256(100'000'000'000'000'000ULL));
    EXPECT_EQ(parse_amount("1000000", false), u256(1'000'000) * kToken);
}

TEST(Amounts, RawIsWholeBaseUnits) {
    EXPECT_EQ(parse_amount("12", true), u256(12));
    EXPECT_EQ(
        parse_amount("115792089237316195423570985008687907853269984665640564039457584007913129"
                     "639935",
                     true),
        u256::max());
    EXPECT_NE(usage_error("1.5", true).find("whole number of base units"), std::string::npos);
}

TEST(Amounts, RejectsWithAReason) {
    EXPECT_NE(usage_error("-1").find("negative"), std::string::npos);
    EXPECT_NE(usage_error("+1").find("without a sign"), std::string::npos);
    EXPECT_NE(usage_error("1e18").find("exponent"), std::string::npos);
    EXPECT_NE(usage_error("1,000").find("separators"), std::string::npos);
    EXPECT_NE(usage_error("1 000").find("separators"), std::string::npos);
    EXPECT_NE(usage_error("0.0000000000000000001").find("19 fractional digits"), std::string::npos);
    for (const char* junk : {"", "abc", "12.", ".5", "1.2.3", "0x10", "12.5abc", " 1", "NaN"}) {
        const std::string e = usage_error(junk);
        EXPECT_NE(e, "accepted") << junk;
        EXPECT_NE(e.find("AMOUNT \"" + std::string(junk) + "\""), std::string::npos) << e;
    }
    // 2^256 base units is one too many.
    EXPECT_NE(usage_error("115792089237316195423570985008687907853269984665640564039457584007913129"
                          "639936",
                          true)
                  .find("too large"),
              std::string::npos);
    EXPECT_NE(usage_error("115792089237316195423570985008687907853269984665640564039458")
                  .find("too large"),
              std::string::npos);
}

TEST(Amounts, FormatsExactlyAndRoundTrips) {
    EXPECT_EQ(format_amount(u256(0)), "0");
    EXPECT_EQ(format_amount(u256(1)), "0.000000000000000001");
    EXPECT_EQ(format_amount(kToken), "1");
    EXPECT_EQ(format_amount(u256(12) * kToken + u256(500'000'000'000'000'000ULL)), "12.5");
    EXPECT_EQ(format_amount(u256::max()),
              "115792089237316195423570985008687907853269984665640564039457.584007913129639935");
    for (const char* s : {"0", "1", "12.5", "0.000000000000000001", "999999.999999999999999999",
                          "123456789012345678901234567890.1"}) {
        EXPECT_EQ(format_amount(parse_amount(s, false)), s);
    }
}

TEST(Addresses, ChecksumIsEnforcedOnlyForMixedCase) {
    const Address a = A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    EXPECT_EQ(checksum_address(a), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    EXPECT_EQ(parse_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), a);
    EXPECT_EQ(parse_address("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"), a);
    EXPECT_EQ(parse_address("0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266"), a);
    try {
        (void)parse_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267", "TO");
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("TO"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("EIP-55"), std::string::npos);
    }
    EXPECT_THROW((void)parse_address("0x1234"), UsageError);
    EXPECT_THROW((void)parse_address("f39fd6e51aad88f6f4ce6ab8827279cfffb92266"), UsageError);
}

TEST(Partitions, DefaultOrFullHex) {
    EXPECT_EQ(parse_partition("default"), Bytes32{});
    const std::string hex = "0xcccccccc0000000000000001" + std::string(40, 'a');
    EXPECT_EQ(parse_partition(hex).hex(), hex);
    EXPECT_EQ(format_partition(Bytes32{}), "default");
    EXPECT_THROW((void)parse_partition("0xcccccccc"), UsageError);
    EXPECT_THROW((void)parse_partition("collateral"), UsageError);
}

TEST(Integers, U64) {
    EXPECT_EQ(parse_u64("0", "N"), 0U);
    EXPECT_EQ(parse_u64("18446744073709551615", "N"), UINT64_MAX);
    EXPECT_THROW((void)parse_u64("18446744073709551616", "N"), UsageError);
    EXPECT_THROW((void)parse_u64("-1", "N"), UsageError);
    EXPECT_THROW((void)parse_u64("0x1", "N"), UsageError);
    EXPECT_THROW((void)parse_u64("", "N"), UsageError);
}

}  // namespace
}  // namespace ampd::cli
