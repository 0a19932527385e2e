#include "ampd/cli/withdrawal.hpp"

#include <gtest/gtest.h>

#include "ampd/cli/errors.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "support/literals.hpp"

namespace ampd::cli {
namespace {

using FCM = contracts::FlexaCollateralManager;
using test_support::A;
using test_support::B32;

const Address kManager = A("0x8464135c8f25da09e49bc8782676a84730c318bc");
const Address kSupplier = A("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const Bytes32 kH1 = B32("0x1111111111111111111111111111111111111111111111111111111111111111");
const Bytes32 kH2 = B32("0x2222222222222222222222222222222222222222222222222222222222222222");

WithdrawalClaim claim() {
    return {kSupplier, contracts::make_partition(0xccccccccU, 1, kManager), u256(400), u256(0)};
}

TEST(WithdrawalProof, ReadsTheRpcShapeAListOrPlainHashes) {
    const WithdrawalProof full = parse_proof_file(R"({
        "supplier": "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
        "amount": "0x190", "maxAuthorizedAccountNonce": "0x0",
        "proof": [")" + kH1.hex() + R"(", ")" + kH2.hex() +
                                                  R"("]})");
    EXPECT_EQ(full.proof, (std::vector<Bytes32>{kH1, kH2}));
    EXPECT_EQ(full.supplier, kSupplier);
    EXPECT_EQ(full.amount, u256(400));
    EXPECT_EQ(full.max_authorized_account_nonce, u256(0));
    EXPECT_FALSE(full.partition.has_value());

    EXPECT_EQ(parse_proof_file("[\"" + kH1.hex() + "\"]").proof, std::vector<Bytes32>{kH1});
    EXPECT_EQ(parse_proof_file(kH1.hex() + "\n" + kH2.hex() + "\n").proof,
              (std::vector<Bytes32>{kH1, kH2}));
    EXPECT_TRUE(parse_proof_file("  \n").proof.empty());
    EXPECT_EQ(parse_proof_list(kH1.hex() + "," + kH2.hex()), (std::vector<Bytes32>{kH1, kH2}));
    EXPECT_TRUE(parse_proof_list("").empty());
}

TEST(WithdrawalProof, MalformedInputIsAUsageError) {
    EXPECT_THROW((void)parse_proof_file("{\"proof\": [1]}"), UsageError);
    EXPECT_THROW((void)parse_proof_file("{\"nonce\": \"0x1\"}"), UsageError);
    EXPECT_THROW((void)parse_proof_file("{broken"), UsageError);
    EXPECT_THROW((void)parse_proof_file("{\"proof\": [], \"amount\": \"12\"}"), UsageError);
    EXPECT_THROW((void)parse_proof_list("0x12,0x34"), UsageError);
}

TEST(WithdrawalProof, AFileForAnotherWithdrawalIsCaught) {
    WithdrawalProof file;
    file.proof = {kH1};
    EXPECT_NO_THROW(check_proof_matches(file, claim()));
    file.amount = u256(401);
    try {
        check_proof_matches(file, claim());
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("amount"), std::string::npos);
    }
    file.amount.reset();
    file.root = kH2;  // not where the proof leads
    EXPECT_THROW(check_proof_matches(file, claim()), UsageError);
    file.root = withdrawal_root(claim(), file.proof);
    EXPECT_NO_THROW(check_proof_matches(file, claim()));
}

TEST(WithdrawalProof, RootAndOperatorDataFollowTheManagersRules) {
    const WithdrawalClaim c = claim();
    const Bytes32 leaf =
        FCM::withdrawal_leaf(c.supplier, c.partition, c.amount, c.max_authorized_account_nonce);
    EXPECT_EQ(withdrawal_root(c, {}), leaf);
    EXPECT_EQ(withdrawal_root(c, {kH1}), FCM::merkle_parent(leaf, kH1));

    const Bytes data = withdrawal_operator_data(c, {kH1});
    const abi::Decoder d(data);
    Bytes32 flag;
    flag.b.fill(0xaa);
    EXPECT_EQ(d.bytes32(0), flag);
    EXPECT_EQ(d.address(1), kSupplier);
    EXPECT_EQ(d.uint256(2), u256(0));
    EXPECT_EQ(d.bytes32_array(3), std::vector<Bytes32>{kH1});
}

}  // namespace
}  // namespace ampd::cli
