// codec backend: iconv (glibc's, or libiconv on macOS, the BSDs and MSYS2).
#include "codec_backend.h"

#if __has_include(<iconv.h>)  // else codec_win32.cpp is the backend

#include <iconv.h>

#include <cerrno>

namespace codec {

struct Backend::State {
    explicit State(iconv_t descriptor) : cd(descriptor) {}
    ~State() { iconv_close(cd); }
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    iconv_t cd;
};

std::unique_ptr<Backend> Backend::open(const std::string& from, const std::string& to) {
    iconv_t cd = iconv_open(to.c_str(), from.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return nullptr;
    return std::make_unique<Backend>(std::make_unique<State>(cd));
}

Backend::Backend(std::unique_ptr<State> state) : state_(std::move(state)) {}
Backend::~Backend() = default;

Backend::Result Backend::convert(std::string_view input, std::string& out) {
    char* in_ptr = const_cast<char*>(input.data());  // iconv's prototype; it only reads
    std::size_t in_left = input.size();
    char buffer[1024];
    Stop stop = done;
    while (in_left > 0) {
        char* out_ptr = buffer;
        std::size_t out_left = sizeof buffer;
        std::size_t rc = iconv(state_->cd, &in_ptr, &in_left, &out_ptr, &out_left);
        out.append(buffer, static_cast<std::size_t>(out_ptr - buffer));
        if (rc != static_cast<std::size_t>(-1)) break;
        if (errno == E2BIG) continue;  // the buffer filled up: flush it and go on
        stop = errno == EILSEQ ? invalid : incomplete;  // EINVAL: cut short at the end
        break;
    }
    return {input.size() - in_left, stop};
}

void Backend::reset() { iconv(state_->cd, nullptr, nullptr, nullptr, nullptr); }

}  // namespace codec

#endif
