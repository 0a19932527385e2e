// A one-shot 32-byte digest through a Crypto++ hash class: what keccak256
// and sha256 share.
#pragma once

#include "ampd/primitives/bytes.hpp"

namespace ampd::primitives_internal {

template <class Hash>
Bytes32 digest32(ByteView data) {
    Hash h;
    if (!data.empty()) h.Update(data.data(), data.size());
    Bytes32 out;
    h.Final(out.data());
    return out;
}

}  // namespace ampd::primitives_internal
