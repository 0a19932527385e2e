#include "ampd/contracts/partitions.hpp"

#include <algorithm>

namespace ampd::contracts {

Bytes32 make_partition(uint32_t prefix, uint64_t sub, const Address& owner) {
    Bytes32 p;
    for (int i = 0; i < 4; ++i) p.b[i] = static_cast<uint8_t>(prefix >> (24 - 8 * i));
    for (int i = 0; i < 8; ++i) p.b[4 + i] = static_cast<uint8_t>(sub >> (56 - 8 * i));
    std::copy(owner.b.begin(), owner.b.end(), p.b.begin() + 12);
    return p;
}

Bytes change_partition_data(const Bytes32& to) {
    Bytes d(64, 0xff);
    std::copy(to.b.begin(), to.b.end(), d.begin() + 32);
    return d;
}

Bytes32 destination_partition(ByteView data, const Bytes32& from) {
    if (data.size() < 64) return from;
    for (size_t i = 0; i < 32; ++i) {
        if (data[i] != 0xff) return from;
    }
    return Bytes32::from(data.subspan(32, 32));
}

}  // namespace ampd::contracts
