// Fuzz target: any text, made valid UTF-8, goes to GB18030 and back unchanged. GB18030
// encodes every Unicode code point, so nothing may be lost or replaced on the way,
// whatever the pieces the bytes arrive in.
//
// Input: [split seed] [bytes...], made valid UTF-8 by codec::valid_utf8.
#include <string>

#include "../../shared/codec.h"
#include "fuzz_input.h"

namespace {

std::string convert_in_pieces(codec::Converter& converter, std::string_view text, std::uint8_t seed) {
    std::string out;
    for (fuzz::Chunks chunks(text, seed); !chunks.done();) out += converter.convert(chunks.next());
    return out + converter.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    std::string text = codec::valid_utf8(fuzz::as_text(data + 1, size - 1));

    codec::Converter to_gb18030("UTF-8", "GB18030"), from_gb18030("GB18030", "UTF-8");
    std::string encoded = convert_in_pieces(to_gb18030, text, data[0]);
    std::string back = convert_in_pieces(from_gb18030, encoded, static_cast<std::uint8_t>(data[0] ^ 0x5A));
    fuzz::require(back == text, "UTF-8 -> GB18030 -> UTF-8 gives back the same text");
    return 0;
}
