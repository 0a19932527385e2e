#include "ampd/primitives/sha256.hpp"

#include <cryptopp/sha.h>

#include "primitives/digest32.hpp"

namespace ampd {

Bytes32 sha256(ByteView data) {
    return primitives_internal::digest32<CryptoPP::SHA256>(data);
}

}  // namespace ampd
