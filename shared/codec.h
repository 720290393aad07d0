// codec: text from one encoding to another, safely.
//
// Inside the programs all text is UTF-8. On the wire it is UTF-8, GBK, GB18030 or Big5
// (--encoding); on a console it is whatever the locale says. Conversion never fails
// and never drops a message: invalid or incomplete bytes become U+FFFD, or '?' where
// the target cannot hold U+FFFD (GBK). Pure code: no sockets.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace codec {

// The encodings we accept, by the name iconv knows them by ("gbk" -> "GBK"), or
// nothing for a name not on the list. Exotic iconv charsets are where converter bugs
// live (CVE-2024-2961 in glibc's ISO-2022-CN-EXT), so a peer's choice is not trusted.
std::optional<std::string> allowed_encoding(std::string_view name);

// "UTF-8, GBK (CP936), GB18030, Big5": for error messages and --help.
extern const char* const allowed_encodings_text;

// Thrown for an encoding name that is not on the list.
class UnknownEncoding : public std::invalid_argument {
public:
    explicit UnknownEncoding(std::string_view name);
};

// One direction of conversion, fed in pieces: a character split between two pieces
// comes out whole.
class Converter {
public:
    // Throws UnknownEncoding for a name that allowed_encoding() refuses.
    Converter(std::string_view from, std::string_view to);
    ~Converter();
    Converter(Converter&&) noexcept;
    Converter& operator=(Converter&&) noexcept;

    // Converts what it can; an incomplete character at the end waits for the next piece.
    std::string convert(std::string_view bytes);
    // The end of the text: an incomplete character left over becomes a replacement.
    std::string finish();
    // convert() then finish(): one whole message.
    std::string convert_all(std::string_view bytes);
    // The same, added to the end of `out`.
    void convert_all_into(std::string_view bytes, std::string& out);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Decoding UTF-8 one character at a time (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF).
struct Utf8Step {
    enum Kind { valid, invalid, incomplete } kind;
    std::size_t length;    // bytes this step covers (for invalid: bytes to skip)
    char32_t code_point;   // for valid
};
Utf8Step utf8_step(std::string_view bytes);

bool is_valid_utf8(std::string_view bytes);

// Valid UTF-8 for any bytes: each invalid sequence becomes U+FFFD.
std::string valid_utf8(std::string_view bytes);

void append_utf8(std::string& out, char32_t code_point);

// Whether `bytes` are whole, valid text in `encoding` (an allowed one; false where
// this system cannot convert from it). Pure ASCII is valid in every one of them.
bool is_valid_in(std::string_view bytes, const std::string& encoding);

// For bytes that are not valid in `wire_encoding`: the allowed encoding they are
// valid in, tried in the order UTF-8, GBK, GB18030, so that a peer on the wrong
// setting can be told which one it speaks. Nothing when they fit the wire encoding,
// or none. UTF-8 comes first because its structure is strict: Chinese in UTF-8 is
// often valid GB18030 too, but GBK text is almost never valid UTF-8.
std::optional<std::string> better_encoding(std::string_view bytes, const std::string& wire_encoding);

}  // namespace codec
