// Whether freed heap memory goes back to the operating system.
#pragma once

#include <string>

namespace ampd_app {

// With tcmalloc, keeps freed memory for reuse instead of handing it back to
// the system little by little (gperftools' default), unless the operator set
// TCMALLOC_RELEASE_RATE. Memory handed back comes back on reuse as fresh
// zero-filled pages, one page fault each, and the node frees and reuses the
// same memory all the time (request bodies, blocks' receipts, memtables after
// each flush). Returns what was decided, for the start-up log.
std::string configure_heap_release();

}  // namespace ampd_app
