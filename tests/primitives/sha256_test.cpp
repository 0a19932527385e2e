#include "ampd/primitives/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

#include "ampd/primitives/bytes.hpp"

namespace ampd {
namespace {

ByteView view_of(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Sha256, KnownVectors) {
    // FIPS 180-2 examples and the empty message.
    EXPECT_EQ(sha256(ByteView{}).hex(),
              "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256(view_of("abc")).hex(),
              "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256(view_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).hex(),
              "0x248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256(view_of(std::string(1000000, 'a'))).hex(),
              "0xcdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace ampd
