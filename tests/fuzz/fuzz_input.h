// What the fuzz targets share: a failed check that stops the run with a message, and
// a fuzz input cut into chunks at points the input itself chooses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace fuzz {

// A broken guarantee: libFuzzer saves the input that caused it and the run fails.
inline void require(bool holds, const char* guarantee) {
    if (holds) return;
    std::fprintf(stderr, "broken guarantee: %s\n", guarantee);
    std::abort();
}

// The bytes as they might arrive from recv(): pieces of 1 to 32 bytes, each length
// taken from a seed byte mixed with the piece's first byte.
class Chunks {
public:
    Chunks(std::string_view bytes, std::uint8_t seed) : rest_(bytes), seed_(seed) {}

    bool done() const { return rest_.empty(); }

    std::string_view next() {
        std::size_t length = 1 + (static_cast<std::uint8_t>(rest_.front()) ^ seed_) % 32;
        seed_ = static_cast<std::uint8_t>(seed_ * 33 + 7);
        std::string_view piece = rest_.substr(0, length);
        rest_.remove_prefix(piece.size());
        return piece;
    }

private:
    std::string_view rest_;
    std::uint8_t seed_;
};

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace fuzz
