#include "ampd/contracts/constants.hpp"

namespace ampd::contracts {

const Address& erc1820_registry_address() {
    static const Address kAddr = *Address::from_hex("0x1820a4b7618bde71dce8cdc73aab6c95905fad24");
    return kAddr;
}

}  // namespace ampd::contracts
