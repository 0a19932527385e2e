// Partition naming rules shared by Amp, the partition strategies, the
// collateral managers and their clients.
//
// A strategy partition is laid out as prefix (4 bytes) ‖ sub-partition
// (8 bytes) ‖ owner address (20 bytes). A transfer asks to change partition
// with data = the flag word 0xff..ff followed by the destination partition.
#pragma once

#include <cstdint>

#include "ampd/primitives/bytes.hpp"

namespace ampd::contracts {

// prefix ‖ sub ‖ owner, both integers big-endian.
[[nodiscard]] Bytes32 make_partition(uint32_t prefix, uint64_t sub, const Address& owner);

// Transfer data that moves the tokens into partition `to`.
[[nodiscard]] Bytes change_partition_data(const Bytes32& to);

// The destination named by a change-partition request in `data` (at least
// 64 bytes starting with the flag word), or `from` when there is none.
[[nodiscard]] Bytes32 destination_partition(ByteView data, const Bytes32& from);

}  // namespace ampd::contracts
