#include "heap_release.hpp"

#include <cstdlib>

#if defined(AMPD_WITH_TCMALLOC)
#include <gperftools/malloc_extension.h>
#endif

namespace ampd_app {

std::string configure_heap_release() {
#if defined(AMPD_WITH_TCMALLOC)
    if (const char* set = std::getenv("TCMALLOC_RELEASE_RATE"); set != nullptr) {
        return std::string("tcmalloc returns freed memory at TCMALLOC_RELEASE_RATE=") + set;
    }
    // The heap then stays at its high-water mark, which the node bounds: its
    // memtables, the history block cache and the requests in flight.
    MallocExtension::instance()->SetMemoryReleaseRate(0);
    return "tcmalloc keeps freed memory for reuse (TCMALLOC_RELEASE_RATE overrides)";
#else
    return "the heap allocator's default release policy";
#endif
}

}  // namespace ampd_app
