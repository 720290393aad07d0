// codec backend: the one thing the Converter needs from a conversion library.
//
// codec.cpp keeps the allowlist, UTF-8 checking and replacement characters; a backend
// only converts. One body per library: codec_iconv.cpp (libiconv, glibc) wherever
// <iconv.h> exists, codec_win32.cpp (MultiByteToWideChar/WideCharToMultiByte) on
// Windows without it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace codec {

class Backend {
public:
    enum Stop {
        done,        // all the input was converted
        invalid,     // the next character is malformed, or the target cannot hold it
        incomplete   // the next character is cut short by the end of the input
    };
    struct Result {
        std::size_t consumed;  // input bytes converted (and appended to the output)
        Stop stop;
    };

    // Encodings by the names allowed_encoding() gives ("UTF-8", "GBK", "GB18030",
    // "BIG5"). nullptr when the library cannot convert between the two.
    static std::unique_ptr<Backend> open(const std::string& from, const std::string& to);
    ~Backend();

    // Converts from the start of `input` as far as it can, appending to `out`.
    Result convert(std::string_view input, std::string& out);
    // Back to the initial shift state, for a new text.
    void reset();

    struct State;
    explicit Backend(std::unique_ptr<State> state);

private:
    std::unique_ptr<State> state_;
};

}  // namespace codec
