// What the bench tools share: strict number arguments and latency percentiles.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace bench {

// A whole number in [low, high], or false (no atoi: "80x" is not 80).
inline bool parse_long(const char* text, long low, long high, long& out) {
    char* end = nullptr;
    errno = 0;
    long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < low || value > high) return false;
    out = value;
    return true;
}

// The p-th percentile (0..1) of latencies in nanoseconds, in microseconds. Reorders
// `values`.
inline double percentile_us(std::vector<std::uint64_t>& values, double p) {
    if (values.empty()) return 0;
    std::size_t k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<long>(k), values.end());
    return static_cast<double>(values[k]) / 1000.0;
}

}  // namespace bench
