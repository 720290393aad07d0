// terminal::escape_for_display: a peer's text can never drive the terminal.
#include "../../shared/terminal.h"

#include <gtest/gtest.h>

#include <clocale>
#include <cstdio>
#include <string>
#include <vector>

#include "../../shared/codec.h"

namespace {

using terminal::escape_for_display;

// Invisible characters: format (Cf) and filler characters, which draw nothing, so that
// b<U+200B>ye looks exactly like bye. Each listed on its own, as the issue named them.
const std::vector<char32_t> invisible = {
    0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E, 0x180F,
    0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
    0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0x206A, 0x206B, 0x206C,
    0x206D, 0x206E, 0x206F, 0x3164, 0xFEFF, 0xFFA0, 0xFFF9, 0xFFFA, 0xFFFB, 0x1BCA0, 0x1BCA3,
    0x1D173, 0x1D174, 0x1D175, 0x1D176, 0x1D177, 0x1D178, 0x1D179, 0x1D17A,
    0xE0000, 0xE0001, 0xE0020, 0xE0041, 0xE007E, 0xE007F,
};

bool is_invisible(char32_t cp) {
    for (char32_t c : invisible)
        if (c == cp) return true;
    return false;
}

// The first character a terminal could act on or would draw as nothing, as text for
// a failure message, or "".
std::string first_unsafe_character(std::string_view s) {
    while (!s.empty()) {
        codec::Utf8Step step = codec::utf8_step(s);
        if (step.kind != codec::Utf8Step::valid) return "invalid UTF-8";
        char32_t cp = step.code_point;
        bool control = (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F);
        if (control || is_invisible(cp)) return "code point " + std::to_string(cp);
        s.remove_prefix(step.length);
    }
    return "";
}

std::string utf8(char32_t cp) {
    std::string out;
    codec::append_utf8(out, cp);
    return out;
}

struct Hostile {
    const char* what;
    std::string text;
    std::string shown;
};

const std::vector<Hostile> hostile = {
    {"window title (OSC 0 ... BEL)", "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"},
    {"clear screen (ESC [2J)", "\x1b[2J", "\\x1b[2J"},
    {"C1 CSI U+009B", "\xC2\x9B" "31m", "\\u009b31m"},
    {"DEL", "a\x7F" "b", "a\\x7fb"},
    {"bare CR overwriting the line", "ok\rEVIL", "ok\\x0dEVIL"},
    {"LF", "one\ntwo", "one\\x0atwo"},
    {"NUL", std::string("a\0b", 3), "a\\x00b"},
    {"bidi override U+202E", "abc\xE2\x80\xAE" "def", "abc\\u202edef"},
    {"bidi isolate U+2066", "\xE2\x81\xA6x", "\\u2066x"},
    {"line separator U+2028", "a\xE2\x80\xA8" "b", "a\\u2028b"},
};

TEST(Terminal, ControlCharactersAreShownEscaped) {
    for (const Hostile& h : hostile) {
        std::string out = escape_for_display(h.text);
        EXPECT_EQ(out, h.shown) << h.what;
        EXPECT_EQ(first_unsafe_character(out), "") << h.what;
    }
}

TEST(Terminal, InvisibleCharactersAreShownEscaped) {
    for (char32_t cp : invisible) {
        char expected[16];
        std::snprintf(expected, sizeof expected, cp <= 0xFFFF ? "a\\u%04xb" : "a\\U%08xb", static_cast<unsigned>(cp));
        std::string out = escape_for_display("a" + utf8(cp) + "b");
        EXPECT_EQ(out, expected) << "U+" << std::hex << static_cast<unsigned>(cp);
        EXPECT_EQ(first_unsafe_character(out), "");
    }
}

TEST(Terminal, AByeWithAZeroWidthSpaceDoesNotLookLikeBye) {
    EXPECT_EQ(escape_for_display("b\u200Bye"), "b\\u200bye");
    EXPECT_EQ(escape_for_display("\uFEFFbye\u2060"), "\\ufeffbye\\u2060");
}

TEST(Terminal, CodePointsBeyondTheBmpAreShownWithEightHexDigits) {
    // Tag characters spell hidden ASCII ("A" is U+E0041) that no terminal draws.
    EXPECT_EQ(escape_for_display(utf8(0xE0041) + utf8(0xE0042)), "\\U000e0041\\U000e0042");
    EXPECT_EQ(escape_for_display(utf8(0x1D173)), "\\U0001d173");
}

TEST(Terminal, VisibleNeighboursAndVariationSelectorsAreKept) {
    // Variation selectors choose emoji or CJK glyph variants; they stay (see terminal.cpp).
    for (char32_t cp : {0x00AC, 0x00AE, 0x200A, 0x2010, 0x2027, 0x202F, 0x205F, 0x2070, 0x3163, 0x3165, 0xFE00,
                        0xFE0F, 0xFEFE, 0xFF9F, 0xFFA1, 0xFFF8, 0xFFFC, 0xFFFD, 0x1D172, 0x1D17B, 0xE0080, 0xE0100}) {
        std::string text = "a" + utf8(cp) + "b";
        EXPECT_EQ(escape_for_display(text), text) << "U+" << std::hex << static_cast<unsigned>(cp);
    }
    EXPECT_EQ(escape_for_display("\u2764\uFE0F \u845B\U000E0100"), "\u2764\uFE0F \u845B\U000E0100");
}

TEST(Terminal, EveryControlCharacterIsEscaped) {
    std::string all;
    for (char32_t cp = 0; cp < 0xA0; ++cp) codec::append_utf8(all, cp);
    std::string out = escape_for_display(all);
    EXPECT_EQ(first_unsafe_character(out), "");
    EXPECT_NE(out.find("\t"), std::string::npos);
}

TEST(Terminal, NoListedCharacterComesThroughAnywhereInUnicode) {
    std::string all;
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp)
        if (cp < 0xD800 || cp > 0xDFFF) codec::append_utf8(all, cp);
    EXPECT_EQ(first_unsafe_character(escape_for_display(all)), "");
}

TEST(Terminal, TabAndChineseAreKept) {
    EXPECT_EQ(escape_for_display("天王盖地虎\t宝塔镇河妖"), "天王盖地虎\t宝塔镇河妖");
    EXPECT_EQ(escape_for_display("plain text, 100% ok \\ | ~"), "plain text, 100% ok \\ | ~");
    EXPECT_EQ(escape_for_display("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
}

TEST(Terminal, InvalidUtf8NeverReachesTheTerminalRaw) {
    // A raw 8-bit CSI byte is what some terminals act on; it is not UTF-8 at all.
    std::string out = escape_for_display("a\x9B" "2Jb\xFF\xC0\xAF");
    EXPECT_EQ(first_unsafe_character(out), "");
    EXPECT_EQ(out.find('\x9B'), std::string::npos);
    EXPECT_EQ(out, "a\xEF\xBF\xBD" "2Jb\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Terminal, OutputIsValidUtf8ForAnyInput) {
    std::string every_byte;
    for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
    std::string out = escape_for_display(every_byte + "你好" + every_byte);
    EXPECT_EQ(first_unsafe_character(out), "");
    EXPECT_EQ(codec::valid_utf8(out), out);
}

// The transcript's text, read back as the README says: \\ is a backslash, \xHH, \uHHHH
// and \UHHHHHHHH a code point, anything else itself. Written here from the documented
// format, not from the code that escapes.
std::string unescape_record(std::string_view record) {
    std::string text;
    for (std::size_t i = 0; i < record.size(); ++i) {
        if (record[i] != '\\') {
            text += record[i];
            continue;
        }
        char kind = i + 1 < record.size() ? record[i + 1] : '\0';
        if (kind == '\\') {
            text += '\\';
            ++i;
            continue;
        }
        std::size_t digits = kind == 'x' ? 2 : kind == 'u' ? 4 : kind == 'U' ? 8 : 0;
        if (digits == 0 || i + 2 + digits > record.size()) return "<bad escape at " + std::to_string(i) + ">";
        std::string hex(record.substr(i + 2, digits));
        codec::append_utf8(text, static_cast<char32_t>(std::stoul(hex, nullptr, 16)));
        i += 1 + digits;
    }
    return text;
}

TEST(Terminal, ARecordReadsBackExactly) {
    std::string every_code_point;
    for (char32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x3000 ? 1 : 97))
        if (cp < 0xD800 || cp > 0xDFFF) codec::append_utf8(every_code_point, cp);
    const std::vector<std::string> tricky = {
        "", "plain", "\x07", "\\x07", "\\", "\\\\", "ends in \\", "\\\\x07", "C:\\temp\\new",
        "\\u200b", "b\u200Bye", "\\" + utf8(0x200B), "\\U000e0041", utf8(0xE0041), "\\x", "\\u12",
        "tab\there", "two\nlines\r\n", std::string("nul\0in", 6), "\x1b[2J\\x1b[2J", "天王盖地虎\\宝塔镇河妖",
        "\xC2\x9B" "31m", "\u2764\uFE0F", " leading and trailing ", every_code_point,
    };
    for (const std::string& text : tricky) {
        std::string record = terminal::escape_for_record(text);
        EXPECT_EQ(unescape_record(record), text) << record;
        EXPECT_EQ(record.find_first_of("\r\n"), std::string::npos) << record;
        EXPECT_EQ(first_unsafe_character(record), "") << record;
    }
}

TEST(Terminal, ARealBelAndTheTypedTextDifferInARecord) {
    EXPECT_EQ(terminal::escape_for_record("\x07"), "\\x07");
    EXPECT_EQ(terminal::escape_for_record("\\x07"), "\\\\x07");
    EXPECT_EQ(terminal::escape_for_record("\\"), "\\\\");
    EXPECT_EQ(terminal::escape_for_record("b\u200Bye\\"), "b\\u200bye\\\\");
}

TEST(Terminal, TheConsoleKeepsABackslash) {
    EXPECT_EQ(escape_for_display("C:\\temp"), "C:\\temp");
}

}  // namespace

// main settles the locale once, before any thread starts; asking for the console's
// encoding afterwards must not set it again (setlocale beside other threads is a race).
TEST(Terminal, ConsoleEncodingOnlyReadsTheLocale) {
    std::string from_environment = std::setlocale(LC_ALL, "");
    const char* other = from_environment == "C" ? "C.UTF-8" : "C";
    if (!std::setlocale(LC_ALL, other)) GTEST_SKIP() << "no locale " << other << " here";
    terminal::console_encoding();
    EXPECT_STREQ(std::setlocale(LC_ALL, nullptr), other);
    std::setlocale(LC_ALL, "C");  // as every program starts
}
