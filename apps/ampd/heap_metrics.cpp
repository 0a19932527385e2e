#include "heap_metrics.hpp"

#include <cstddef>

#if defined(AMPD_WITH_TCMALLOC)
#include <gperftools/malloc_extension.h>
#elif defined(__SANITIZE_ADDRESS__)
// Part of the AddressSanitizer runtime's public interface; GCC installs no
// header that declares them (clang's sanitizer/allocator_interface.h does).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
extern "C" size_t __sanitizer_get_heap_size();
#else
#include <malloc.h>
#endif

namespace ampd_app {
namespace {

struct HeapFigures {
    double allocated = 0;  // bytes handed out to the program and not freed
    double reserved = 0;   // bytes the allocator holds from the system
};

HeapFigures read_heap() {
    HeapFigures h;
#if defined(AMPD_WITH_TCMALLOC)
    size_t v = 0;
    if (MallocExtension::instance()->GetNumericProperty("generic.current_allocated_bytes", &v)) {
        h.allocated = static_cast<double>(v);
    }
    if (MallocExtension::instance()->GetNumericProperty("generic.heap_size", &v)) {
        h.reserved = static_cast<double>(v);
    }
#elif defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer replaces malloc, and its mallinfo reports zeros.
    h.allocated = static_cast<double>(__sanitizer_get_current_allocated_bytes());
    h.reserved = static_cast<double>(__sanitizer_get_heap_size());
#else
    const struct mallinfo2 m = mallinfo2();
    h.allocated = static_cast<double>(m.uordblks + m.hblkhd);
    h.reserved = static_cast<double>(m.arena + m.hblkhd);
#endif
    return h;
}

}  // namespace

std::string_view heap_allocator() {
#if defined(AMPD_WITH_TCMALLOC)
    return "tcmalloc";
#elif defined(__SANITIZE_ADDRESS__)
    return "asan";
#else
    return "glibc";
#endif
}

void register_heap_metrics(ampd::rpc::MetricsRegistry& metrics) {
    metrics
        .gauge_family("ampd_heap_allocator_info", "The memory allocator ampd was linked with",
                      {"allocator"})
        .with({heap_allocator()})
        .set(1);
    metrics.gauge_callback("ampd_heap_allocated_bytes",
                           "Heap bytes in use by ampd (allocated and not yet freed)",
                           [] { return read_heap().allocated; });
    metrics.gauge_callback("ampd_heap_reserved_bytes",
                           "Heap bytes the allocator holds from the operating system",
                           [] { return read_heap().reserved; });
#if defined(AMPD_WITH_TCMALLOC)
    metrics.gauge_callback(
        "ampd_heap_release_rate",
        "tcmalloc's rate of returning freed memory to the system (0: kept for reuse)",
        [] { return MallocExtension::instance()->GetMemoryReleaseRate(); });
#endif
}

}  // namespace ampd_app
