#include "ampd/tx/random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace ampd::tx {

void os_random(std::span<uint8_t> out) {
    size_t done = 0;
    while (done < out.size()) {
        // getrandom may return fewer bytes than asked (above 256) or be
        // interrupted by a signal before the pool is ready.
        const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        done += static_cast<size_t>(n);
    }
}

}  // namespace ampd::tx
