#include "ampd/primitives/keccak.hpp"

#include <cryptopp/keccak.h>

namespace ampd {

Bytes32 keccak256(ByteView data) {
    CryptoPP::Keccak_256 h;
    if (!data.empty()) h.Update(data.data(), data.size());
    Bytes32 out;
    h.Final(out.data());
    return out;
}

Bytes32 keccak256(std::string_view text) {
    return keccak256(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Bytes4 selector_of(std::string_view signature) {
    return prefix_of(keccak256(signature));
}

}  // namespace ampd
