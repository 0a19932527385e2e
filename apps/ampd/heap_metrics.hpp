// Gauges of the process heap: which allocator serves it, and how much of it
// is in use. The allocator is named because ampd's throughput depends on it
// (docs/PERFORMANCE.md, "Allocator").
#pragma once

#include <string_view>

#include "ampd/rpc/metrics.hpp"

namespace ampd_app {

// "tcmalloc" when ampd is linked with gperftools' tcmalloc, "asan" in an
// AddressSanitizer build (whose allocator replaces any other), else "glibc".
std::string_view heap_allocator();
// ampd_heap_allocator_info{allocator=...} 1, ampd_heap_allocated_bytes and
// ampd_heap_reserved_bytes, read at scrape time; with tcmalloc also
// ampd_heap_release_rate (see heap_release.hpp).
void register_heap_metrics(ampd::rpc::MetricsRegistry& metrics);

}  // namespace ampd_app
