// Counting the test program's allocations, so a test can check that some code
// allocates nothing (its memory does not grow).
#pragma once

#include <cstddef>

// Bytes asked of operator new since the program started.
std::size_t bytes_allocated_so_far();
