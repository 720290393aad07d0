// The test program's operator new, counting. In a file of its own so that no compiler
// sees it next to a `new` and warns falsely that free() does not match new.
#include "allocations.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> bytes_allocated{0};
}  // namespace

std::size_t bytes_allocated_so_far() { return bytes_allocated; }

void* operator new(std::size_t size) {
    bytes_allocated += size;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
