#include "ampd/storage/crc32c.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace ampd::storage {
namespace {

ByteView text(std::string_view s) {
    return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(Crc32c, KnownVectors) {
    // The check value of the CRC-32C parameter set, and RFC 3720 (iSCSI) B.4.
    EXPECT_EQ(crc32c(text("123456789")), 0xE3069283u);
    Bytes zeros(32, 0x00);
    EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
    Bytes ones(32, 0xFF);
    EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
    Bytes inc(32);
    for (size_t i = 0; i < inc.size(); ++i) inc[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(crc32c(inc), 0x46DD794Eu);
    EXPECT_EQ(crc32c(Bytes{}), 0u);
}

TEST(Crc32c, IncrementalEqualsOneShot) {
    const ByteView all = text("hello, write-ahead log");
    Crc32c c;
    c.update(all.first(5));
    const uint32_t partial = c.value();  // reading does not end the computation
    EXPECT_EQ(partial, crc32c(all.first(5)));
    c.update(all.subspan(5));
    EXPECT_EQ(c.value(), crc32c(all));
}

}  // namespace
}  // namespace ampd::storage
