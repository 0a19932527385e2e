#include "ampd/primitives/keccak.hpp"

#include <gtest/gtest.h>

#include "ampd/primitives/bytes.hpp"

namespace ampd {
namespace {

TEST(Keccak, KnownVectors) {
    EXPECT_EQ(keccak256(std::string_view{}).hex(),
              "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    EXPECT_EQ(keccak256(ByteView{}).hex(),
              "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    EXPECT_EQ(keccak256(std::string_view{"abc"}).hex(),
              "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    EXPECT_EQ(keccak256(std::string_view{"hello world"}).hex(),
              "0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad");
    // Event topic of Transfer(address,address,uint256).
    EXPECT_EQ(keccak256(std::string_view{"Transfer(address,address,uint256)"}).hex(),
              "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

TEST(Keccak, BytesAndTextAgree) {
    const std::string text(300, 'q');  // spans several 136-byte blocks
    const Bytes raw(text.begin(), text.end());
    EXPECT_EQ(keccak256(text), keccak256(ByteView(raw)));
    EXPECT_NE(keccak256(text), keccak256(std::string_view(text).substr(1)));
}

TEST(Keccak, Selectors) {
    EXPECT_EQ(selector_of("transfer(address,uint256)").hex(), "0xa9059cbb");
    EXPECT_EQ(selector_of("balanceOf(address)").hex(), "0x70a08231");
    EXPECT_EQ(selector_of("approve(address,uint256)").hex(), "0x095ea7b3");
    EXPECT_EQ(selector_of("transferFrom(address,address,uint256)").hex(), "0x23b872dd");
    EXPECT_EQ(selector_of("totalSupply()").hex(), "0x18160ddd");
    EXPECT_EQ(selector_of("Error(string)").hex(), "0x08c379a0");
}

}  // namespace
}  // namespace ampd
