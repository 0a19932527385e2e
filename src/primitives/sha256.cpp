#include "ampd/primitives/sha256.hpp"

#include <cryptopp/sha.h>

namespace ampd {

Bytes32 sha256(ByteView data) {
    CryptoPP::SHA256 h;
    if (!data.empty()) h.Update(data.data(), data.size());
    Bytes32 out;
    h.Final(out.data());
    return out;
}

}  // namespace ampd
