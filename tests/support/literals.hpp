// Literal helpers shared by the test suites: fixed-size values from hex
// strings that are known to be well formed (a malformed literal is a bug in
// the test and aborts it).
#pragma once

#include <cstdlib>
#include <string_view>

#include "ampd/primitives/bytes.hpp"

namespace ampd::test_support {

template <class T>
T from_hex_literal(std::string_view hex) {
    auto v = T::from_hex(hex);
    if (!v) std::abort();
    return *v;
}

inline Address A(std::string_view hex) {
    return from_hex_literal<Address>(hex);
}
inline Bytes32 B32(std::string_view hex) {
    return from_hex_literal<Bytes32>(hex);
}
inline Bytes4 B4(std::string_view hex) {
    return from_hex_literal<Bytes4>(hex);
}

}  // namespace ampd::test_support
