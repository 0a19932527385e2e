// Facts shared by the built-in contracts.
#pragma once

#include "ampd/primitives/bytes.hpp"

namespace ampd::contracts {

// The ERC-1820 registry's canonical address (the same on every chain).
[[nodiscard]] const Address& erc1820_registry_address();

}  // namespace ampd::contracts
