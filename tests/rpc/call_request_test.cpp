#include "ampd/rpc/call_request.hpp"

#include <gtest/gtest.h>

#include "ampd/rpc/error.hpp"
#include "support/literals.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;
using test_support::A;
using test_support::B32;

const std::string kFrom = "0x52908400098527886e0f7030069857d2e4169ee7";
const std::string kTo = "0x8617e340b3d01fa5f11f306f4090fd50e238070d";
const std::string kKey = "0x" + std::string(63, '0') + "7";

std::string error_of(const json& v) {
    try {
        (void)call_request(v, "argument 0");
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, errc::kInvalidParams);
        return e.message;
    }
    ADD_FAILURE() << "accepted " << v;
    return {};
}

TEST(CallRequest, ReadsEveryField) {
    const json v = {{"from", kFrom},
                    {"to", kTo},
                    {"gas", "0x5208"},
                    {"gasPrice", "0x3b9aca00"},
                    {"maxFeePerGas", "0x77359400"},
                    {"maxPriorityFeePerGas", "0x1"},
                    {"value", "0x0"},
                    {"input", "0xa9059cbb"},
                    {"nonce", "0x7"},
                    {"chainId", "0x539"},
                    {"type", "0x2"},
                    {"accessList", json::array({{{"address", kTo}, {"storageKeys", {kKey}}}})},
                    {"someFutureField", {1, 2, 3}}};
    const CallRequest r = call_request(v);
    EXPECT_EQ(r.from, A(kFrom));
    EXPECT_EQ(r.to, A(kTo));
    EXPECT_EQ(r.gas, 21000U);
    EXPECT_EQ(r.gas_price, u256(1000000000));
    EXPECT_EQ(r.max_fee_per_gas, u256(2000000000));
    EXPECT_EQ(r.max_priority_fee_per_gas, u256(1));
    EXPECT_EQ(r.value, u256(0));
    EXPECT_EQ(r.data, (Bytes{0xa9, 0x05, 0x9c, 0xbb}));
    EXPECT_EQ(r.nonce, 7U);
    EXPECT_EQ(r.chain_id, 1337U);
    EXPECT_EQ(r.type, 2U);
    ASSERT_TRUE(r.access_list.has_value());
    EXPECT_EQ(*r.access_list, (AccessList{{A(kTo), {B32(kKey)}}}));
}

TEST(CallRequest, EverythingIsOptionalAndNullIsAbsent) {
    const CallRequest empty = call_request(json::object());
    EXPECT_FALSE(empty.from || empty.to || empty.gas || empty.gas_price || empty.value ||
                 empty.data || empty.nonce || empty.chain_id || empty.type || empty.access_list);
    const CallRequest nulls =
        call_request(json{{"to", nullptr}, {"data", nullptr}, {"gas", nullptr}});
    EXPECT_FALSE(nulls.to || nulls.data || nulls.gas);
}

TEST(CallRequest, DataAndInput) {
    EXPECT_EQ(call_request(json{{"data", "0x01"}}).data, Bytes{0x01});
    EXPECT_EQ(call_request(json{{"input", "0x02"}}).data, Bytes{0x02});
    EXPECT_EQ(call_request(json{{"input", "0x0a0b"}, {"data", "0x0A0B"}}).data,
              (Bytes{0x0a, 0x0b}));
    EXPECT_EQ(call_request(json{{"input", "0x03"}, {"data", nullptr}}).data, Bytes{0x03});
    EXPECT_EQ(error_of(json{{"input", "0x01"}, {"data", "0x02"}}),
              "invalid params: argument 0: both \"data\" and \"input\" are set and not equal; use "
              "\"input\"");
}

TEST(CallRequest, ErrorsNameTheField) {
    EXPECT_EQ(error_of(json{{"gas", "0x05208"}}),
              "invalid params: argument 0.gas: hex number with leading zero digits");
    EXPECT_EQ(error_of(json{{"gas", 21000}}),
              "invalid params: argument 0.gas: expected a hex quantity string, got number");
    EXPECT_EQ(error_of(json{{"gas", "0x10000000000000000"}}),
              "invalid params: argument 0.gas: value too large (over 64 bits)");
    EXPECT_EQ(error_of(json{{"value", "0x1" + std::string(64, '0')}}),
              "invalid params: argument 0.value: value too large (over 256 bits)");
    EXPECT_EQ(error_of(json{{"to", "0x1234"}}),
              "invalid params: argument 0.to: expected 20 bytes of hex (40 digits), got 4 digits");
    EXPECT_EQ(error_of(json{{"from", kFrom.substr(2)}}),
              "invalid params: argument 0.from: hex string without 0x prefix");
    EXPECT_EQ(error_of(json{{"input", "0x123"}}),
              "invalid params: argument 0.input: hex string of odd length");
    EXPECT_EQ(error_of(json{{"nonce", "7"}}),
              "invalid params: argument 0.nonce: hex string without 0x prefix");
    EXPECT_EQ(error_of(json::array()),
              "invalid params: argument 0: expected a transaction call object, got array");
    EXPECT_EQ(error_of("0x"),
              "invalid params: argument 0: expected a transaction call object, got string");
}

TEST(CallRequest, AccessListErrors) {
    EXPECT_EQ(error_of(json{{"accessList", "x"}}),
              "invalid params: argument 0.accessList: expected an array, got string");
    EXPECT_EQ(error_of(json{{"accessList", {1}}}),
              "invalid params: argument 0.accessList[0]: expected an object, got number");
    EXPECT_EQ(error_of(json{{"accessList", json::array({{{"storageKeys", json::array()}}})}}),
              "invalid params: argument 0.accessList[0]: missing address");
    EXPECT_EQ(error_of(json{{"accessList", json::array({{{"address", kTo}}})}}),
              "invalid params: argument 0.accessList[0]: missing storageKeys");
    EXPECT_EQ(
        error_of(json{
            {"accessList", json::array({{{"address", kTo}, {"storageKeys", {kKey, "0x1"}}}})}}),
        "invalid params: argument 0.accessList[0].storageKeys[1]: expected 32 bytes of hex (64 "
        "digits), got 1 digits");
    const CallRequest empty_keys = call_request(
        json{{"accessList", json::array({{{"address", kTo}, {"storageKeys", json::array()}}})}});
    ASSERT_TRUE(empty_keys.access_list.has_value());
    EXPECT_TRUE(empty_keys.access_list->at(0).storage_keys.empty());
}

}  // namespace
}  // namespace ampd::rpc
