#include "ampd/primitives/keccak.hpp"

#include <cryptopp/keccak.h>

#include "primitives/digest32.hpp"

namespace ampd {

Bytes32 keccak256(ByteView data) {
    return primitives_internal::digest32<CryptoPP::Keccak_256>(data);
}

Bytes32 keccak256(std::string_view text) {
    return keccak256(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Bytes4 selector_of(std::string_view signature) {
    return prefix_of(keccak256(signature));
}

}  // namespace ampd
