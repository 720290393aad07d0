// Fuzz target: any text, made valid UTF-8, goes to GB18030 and back unchanged, whatever
// the pieces the bytes arrive in. GB18030 encodes every Unicode code point, with one
// exception in practice: glibc's converter follows GB18030-2022, which no longer maps
// a few private-use code points (U+E854 and kin) that GB18030-2005 did. Those, and only
// those, may come back as U+FFFD: each character is checked alone to know which.
//
// Input: [split seed] [bytes...], made valid UTF-8 by codec::valid_utf8.
#include <string>

#include "../../shared/codec.h"
#include "fuzz_input.h"

namespace {

const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD

std::string convert_in_pieces(codec::Converter& converter, std::string_view text, std::uint8_t seed) {
    std::string out;
    for (fuzz::Chunks chunks(text, seed); !chunks.done();) out += converter.convert(chunks.next());
    return out + converter.finish();
}

// The text as it should come back: each character, or U+FFFD for one that the
// converter, given that character alone, cannot put into GB18030.
std::string expected_back(std::string_view text) {
    std::string expected;
    while (!text.empty()) {
        std::string_view character = text.substr(0, codec::utf8_step(text).length);
        text.remove_prefix(character.size());
        std::string alone = codec::Converter("GB18030", "UTF-8")
                                .convert_all(codec::Converter("UTF-8", "GB18030").convert_all(character));
        fuzz::require(alone == character || alone == replacement,
                      "a character alone comes back as itself, or as U+FFFD if GB18030 lacks it");
        expected += alone;
    }
    return expected;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    std::string text = codec::valid_utf8(fuzz::as_text(data + 1, size - 1));

    codec::Converter to_gb18030("UTF-8", "GB18030"), from_gb18030("GB18030", "UTF-8");
    std::string encoded = convert_in_pieces(to_gb18030, text, data[0]);
    std::string back = convert_in_pieces(from_gb18030, encoded, static_cast<std::uint8_t>(data[0] ^ 0x5A));
    fuzz::require(back == expected_back(text), "UTF-8 -> GB18030 -> UTF-8 gives back the same text");
    return 0;
}
