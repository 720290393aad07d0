// Fuzz target: peer bytes in any allowed wire encoding, decoded in pieces to UTF-8,
// then made safe for a terminal, as the client and the server console do.
//
// Input: [encoding] [split seed] [wire bytes...]. Guarantees checked:
// - decoding gives valid UTF-8, and the same text whatever the pieces (a character
//   split between two recv() calls comes out whole);
// - escape_for_display gives valid UTF-8 with no C0 control but TAB, no DEL, no C1
//   control, no bidirectional override or line separator, and no zero-width, format
//   or filler character: nothing a terminal would act on or draw as nothing. The
//   same holds for raw bytes handed to it directly.
#include <string>

#include "../../shared/codec.h"
#include "../../shared/terminal.h"
#include "fuzz_input.h"

namespace {

const char* const wire_encodings[] = {"UTF-8", "GBK", "GB18030", "BIG5"};

bool acted_on_by_terminals(char32_t cp) {
    if (cp < 0x20) return cp != '\t';
    if (cp >= 0x7F && cp <= 0x9F) return true;  // DEL, C1 (U+009B is CSI)
    if (cp >= 0x202A && cp <= 0x202E) return true;
    if (cp >= 0x2066 && cp <= 0x2069) return true;
    return cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}

// Drawn as nothing: zero-width, format and filler characters, tags.
bool invisible(char32_t cp) {
    return cp == 0x00AD || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5 ||
           (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200D) || (cp >= 0x2060 && cp <= 0x206F) ||
           cp == 0x3164 || cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
           (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE007F);
}

// Every character of `text`, which must be valid UTF-8; false at the first invalid one.
template <typename Check>
bool each_character(std::string_view text, Check check) {
    while (!text.empty()) {
        codec::Utf8Step step = codec::utf8_step(text);
        if (step.kind != codec::Utf8Step::valid) return false;
        check(step.code_point);
        text.remove_prefix(step.length);
    }
    return true;
}

void check_safe_to_print(std::string_view shown) {
    bool valid = each_character(shown, [](char32_t cp) {
        fuzz::require(!acted_on_by_terminals(cp), "no control character reaches the terminal");
        fuzz::require(!invisible(cp), "no invisible character reaches the terminal");
    });
    fuzz::require(valid, "escape_for_display gives valid UTF-8");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const char* encoding = wire_encodings[data[0] % 4];
    std::string_view wire = fuzz::as_text(data + 2, size - 2);

    codec::Converter whole(encoding, "UTF-8"), in_pieces(encoding, "UTF-8");
    std::string expected = whole.convert_all(wire);
    std::string decoded;
    for (fuzz::Chunks chunks(wire, data[1]); !chunks.done();) decoded += in_pieces.convert(chunks.next());
    decoded += in_pieces.finish();

    fuzz::require(each_character(decoded, [](char32_t) {}), "decoding gives valid UTF-8");
    fuzz::require(decoded == expected, "the pieces decode as the whole does");
    check_safe_to_print(terminal::escape_for_display(decoded));
    check_safe_to_print(terminal::escape_for_display(wire));
    return 0;
}
