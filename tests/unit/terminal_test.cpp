// terminal::escape_for_display: a peer's text can never drive the terminal.
#include "../../shared/terminal.h"

#include <gtest/gtest.h>

#include <clocale>
#include <string>

#include "../../shared/codec.h"

namespace {

using terminal::escape_for_display;

// The first character a terminal could act on, as text for a failure message, or "".
std::string first_unsafe_character(std::string_view s) {
    while (!s.empty()) {
        codec::Utf8Step step = codec::utf8_step(s);
        if (step.kind != codec::Utf8Step::valid) return "invalid UTF-8";
        char32_t cp = step.code_point;
        bool control = (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F);
        bool bidi = (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
                    cp == 0x200E || cp == 0x200F || cp == 0x061C;
        bool line_separator = cp == 0x2028 || cp == 0x2029;
        if (control || bidi || line_separator) return "code point " + std::to_string(cp);
        s.remove_prefix(step.length);
    }
    return "";
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

TEST(Terminal, EveryControlCharacterIsEscaped) {
    std::string all;
    for (char32_t cp = 0; cp < 0xA0; ++cp) codec::append_utf8(all, cp);
    std::string out = escape_for_display(all);
    EXPECT_EQ(first_unsafe_character(out), "");
    EXPECT_NE(out.find("\t"), std::string::npos);
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
