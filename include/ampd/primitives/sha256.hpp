// SHA-256, backed by Crypto++ (which uses the CPU's SHA extensions where
// present). For ampd's own commitments over bulk data, where no Ethereum
// rule asks for Keccak: on a CPU with SHA-NI it hashes about 3.5 times as
// many bytes per second (docs/PERFORMANCE.md, "Fourth round").
#pragma once

#include "ampd/primitives/bytes.hpp"

namespace ampd {

[[nodiscard]] Bytes32 sha256(ByteView data);

}  // namespace ampd
