// codec: text between UTF-8 and the wire encodings, never broken, never unsafe.
#include "../../shared/codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using codec::Converter;

const std::string fffd = "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
const std::string chinese = "天王盖地虎 宝塔镇河妖";
const std::string chinese_gbk = "\xCC\xEC\xCD\xF5\xB8\xC7\xB5\xD8\xBB\xA2 \xB1\xA6\xCB\xFE\xD5\xF2\xBA\xD3\xD1\xFD";
const std::string traditional = "天王蓋地虎 寶塔鎮河妖";  // Big5 holds traditional characters
const std::string traditional_big5 =
    "\xA4\xD1\xA4\xFD\xBB\x5C\xA6\x61\xAA\xEA \xC4\x5F\xB6\xF0\xC2\xED\xAA\x65\xA7\xAF";
const std::string grinning = "\xF0\x9F\x98\x80";  // U+1F600, outside the BMP

std::string convert(std::string_view from, std::string_view to, std::string_view bytes) {
    return Converter(from, to).convert_all(bytes);
}

bool is_valid_utf8(std::string_view s) {
    while (!s.empty()) {
        codec::Utf8Step step = codec::utf8_step(s);
        if (step.kind != codec::Utf8Step::valid) return false;
        s.remove_prefix(step.length);
    }
    return true;
}

TEST(Codec, GbkBytesOfNiHaoAreTheKnownOnes) {
    EXPECT_EQ(convert("UTF-8", "GBK", "你好"), "\xC4\xE3\xBA\xC3");
    EXPECT_EQ(convert("GBK", "UTF-8", "\xC4\xE3\xBA\xC3"), "你好");
}

TEST(Codec, ChineseRoundTripsThroughGbk) {
    EXPECT_EQ(convert("UTF-8", "GBK", chinese), chinese_gbk);
    EXPECT_EQ(convert("GBK", "UTF-8", chinese_gbk), chinese);
}

TEST(Codec, ChineseRoundTripsThroughGb18030) {
    std::string wire = convert("UTF-8", "GB18030", chinese);
    EXPECT_EQ(wire, chinese_gbk);  // GB18030 extends GBK: the same bytes for these
    EXPECT_EQ(convert("GB18030", "UTF-8", wire), chinese);
}

TEST(Codec, ChineseRoundTripsThroughBig5) {
    EXPECT_EQ(convert("UTF-8", "BIG5", "你好"), "\xA7\x41\xA6\x6E");
    EXPECT_EQ(convert("UTF-8", "Big5", traditional), traditional_big5);
    EXPECT_EQ(convert("Big5", "UTF-8", traditional_big5), traditional);
}

TEST(Codec, LongTextConvertsWhole) {
    // Far more than one internal buffer of output: every piece must come through.
    std::string text, gbk;
    for (int i = 0; i < 5000; ++i) text += chinese, gbk += chinese_gbk;
    EXPECT_EQ(convert("UTF-8", "GBK", text), gbk);
    EXPECT_EQ(convert("GBK", "UTF-8", gbk), text);
}

struct Direction {
    const char* from;
    const char* to;
    std::string input;
    std::string expected;
};

const std::vector<Direction> directions = {
    {"GBK", "UTF-8", chinese_gbk, chinese},
    {"UTF-8", "GBK", chinese, chinese_gbk},
    {"BIG5", "UTF-8", traditional_big5, traditional},
    {"UTF-8", "UTF-8", grinning + chinese, grinning + chinese},
};

// GB18030 apart: Wine, where the Windows build's tests run, lacks it.
const std::vector<Direction> gb18030_directions = {
    {"GB18030", "UTF-8", "\x94\x39\xFC\x36" + chinese_gbk, grinning + chinese},
    {"UTF-8", "GB18030", grinning + chinese, "\x94\x39\xFC\x36" + chinese_gbk},
};

void expect_whole_at_every_split(const Direction& d) {
    for (std::size_t i = 0; i <= d.input.size(); ++i) {
        Converter c(d.from, d.to);
        std::string out = c.convert(d.input.substr(0, i));
        out += c.convert(d.input.substr(i));
        out += c.finish();
        EXPECT_EQ(out, d.expected) << d.from << " -> " << d.to << ", split at " << i;
    }
}

void expect_whole_byte_by_byte(const Direction& d) {
    Converter c(d.from, d.to);
    std::string out;
    for (char b : d.input) out += c.convert(std::string(1, b));
    out += c.finish();
    EXPECT_EQ(out, d.expected) << d.from << " -> " << d.to;
}

TEST(Codec, ACharacterSplitBetweenTwoPiecesComesOutWhole) {
    for (const Direction& d : directions) expect_whole_at_every_split(d);
}

TEST(Codec, FedOneByteAtATimeComesOutWhole) {
    for (const Direction& d : directions) expect_whole_byte_by_byte(d);
}

TEST(Codec, Gb18030CharactersSplitBetweenPiecesComeOutWhole) {
    for (const Direction& d : gb18030_directions) {
        expect_whole_at_every_split(d);
        expect_whole_byte_by_byte(d);
    }
}

TEST(Codec, AConverterGoesOnAfterFinish) {
    Converter c("GBK", "UTF-8");
    EXPECT_EQ(c.convert_all("\xC4\xE3\xBA"), "你" + fffd);  // cut short at the end
    EXPECT_EQ(c.convert_all("\xC4\xE3\xBA\xC3"), "你好");   // nothing left over from before
}

TEST(Codec, InvalidGbkBytesBecomeReplacementCharacters) {
    EXPECT_EQ(convert("GBK", "UTF-8", "\xC4\xE3\xFF\xBA\xC3"), "你" + fffd + "好");
    // A lead byte followed by a byte that cannot follow it: the second byte survives.
    EXPECT_EQ(convert("GBK", "UTF-8", "\xC4 ok"), fffd + " ok");
    EXPECT_EQ(convert("BIG5", "UTF-8", "a\xFF" "b"), "a" + fffd + "b");
}

TEST(Codec, InvalidGb18030BytesBecomeReplacementCharacters) {
    EXPECT_EQ(convert("GB18030", "UTF-8", "a\x80" "b"), "a" + fffd + "b");  // a lone 0x80
    EXPECT_EQ(convert("GB18030", "UTF-8", "\xC4\xE3\xFF"), "你" + fffd);
}

TEST(Codec, ATruncatedLeadByteAtTheEndBecomesAReplacementAtFinish) {
    Converter c("GBK", "UTF-8");
    EXPECT_EQ(c.convert("\xC4\xE3\xBA"), "你");  // the lead byte waits for its partner
    EXPECT_EQ(c.finish(), fffd);
}

TEST(Codec, ATruncatedUtf8CharacterAtTheEndBecomesAReplacementAtFinish) {
    Converter c("UTF-8", "UTF-8");
    EXPECT_EQ(c.convert("好\xE5\xA5"), "好");
    EXPECT_EQ(c.finish(), fffd);
}

struct BadUtf8 {
    const char* what;
    std::string bytes;
    int replacements;  // one per maximal ill-formed subpart (Unicode 15, 3.9)
};

const std::vector<BadUtf8> bad_utf8 = {
    {"lone continuation byte 80", "\x80", 1},
    {"overlong '/' C0 AF", "\xC0\xAF", 2},
    {"overlong E0 80 AF", "\xE0\x80\xAF", 3},
    {"surrogate D800 as ED A0 80", "\xED\xA0\x80", 3},
    {"F5, never a lead byte", "\xF5\x80\x80\x80", 4},
    {"FF", "\xFF", 1},
    {"above U+10FFFF as F4 90 80 80", "\xF4\x90\x80\x80", 4},
    {"lead byte then ASCII", "\xE4" "a", 1},
};

TEST(Codec, InvalidUtf8BecomesReplacementCharactersAndNeverPassesThrough) {
    for (const BadUtf8& bad : bad_utf8) {
        std::string expected = "<";
        for (int i = 0; i < bad.replacements; ++i) expected += fffd;
        expected += bad.bytes.back() == 'a' ? "a>" : ">";
        std::string input = "<" + bad.bytes + ">";
        EXPECT_EQ(codec::valid_utf8(input), expected) << bad.what;
        EXPECT_EQ(convert("UTF-8", "UTF-8", input), expected) << bad.what;
        std::string gbk = convert("UTF-8", "GBK", input);
        EXPECT_EQ(gbk, std::string("<") + std::string(bad.replacements, '?') +
                           (bad.bytes.back() == 'a' ? "a>" : ">")) << bad.what;
    }
}

TEST(Codec, InvalidUtf8BecomesAGb18030ReplacementCharacter) {
    for (const BadUtf8& bad : bad_utf8) {
        std::string input = "<" + bad.bytes + ">";
        EXPECT_EQ(convert("UTF-8", "GB18030", input),
                  convert("UTF-8", "GB18030", codec::valid_utf8(input))) << bad.what;
    }
    EXPECT_EQ(convert("UTF-8", "GB18030", "\xC0\xAF"), "\x84\x31\xA4\x37\x84\x31\xA4\x37");
}

TEST(Codec, IsValidUtf8SaysNoToEveryIllFormedSequence) {
    EXPECT_TRUE(codec::is_valid_utf8(chinese + grinning + std::string("a\0b", 3)));
    EXPECT_TRUE(codec::is_valid_utf8(""));
    EXPECT_FALSE(codec::is_valid_utf8("好\xE5\xA5"));  // cut short
    for (const BadUtf8& bad : bad_utf8) EXPECT_FALSE(codec::is_valid_utf8("ok " + bad.bytes)) << bad.what;
}

TEST(Codec, Utf8StepDecodesTheLongestValidCharacters) {
    codec::Utf8Step step = codec::utf8_step("\xF4\x8F\xBF\xBF");  // U+10FFFF, the last one
    EXPECT_EQ(step.kind, codec::Utf8Step::valid);
    EXPECT_EQ(step.length, 4u);
    EXPECT_EQ(step.code_point, U'\U0010FFFF');
    step = codec::utf8_step("\xE5\xA5");
    EXPECT_EQ(step.kind, codec::Utf8Step::incomplete);
}

TEST(Codec, AppendUtf8EncodesEveryLength) {
    std::string out;
    for (char32_t cp : {U'A', U'\u00E9', U'你', U'\U0001F600'}) codec::append_utf8(out, cp);
    EXPECT_EQ(out, "A\xC3\xA9你" + grinning);
}

TEST(Codec, CharactersGbkCannotHoldBecomeQuestionMarks) {
    EXPECT_EQ(convert("UTF-8", "GBK", "你" + grinning + "好"), "\xC4\xE3?\xBA\xC3");
    EXPECT_EQ(convert("UTF-8", "GBK", fffd), "?");
    EXPECT_EQ(convert("UTF-8", "BIG5", grinning), "?");
}

TEST(Codec, Gb18030HoldsEveryCharacter) {
    for (const std::string& text : {grinning, fffd, std::string("\xF4\x8F\xBF\xBF")}) {
        std::string wire = convert("UTF-8", "GB18030", text);
        EXPECT_NE(wire, "?");
        EXPECT_EQ(convert("GB18030", "UTF-8", wire), text);
    }
    EXPECT_EQ(convert("UTF-8", "GB18030", grinning), "\x94\x39\xFC\x36");
}

TEST(Codec, NulBytesSurvive) {
    const std::string utf8("你\0好", 7), gbk("\xC4\xE3\0\xBA\xC3", 5);
    EXPECT_EQ(convert("UTF-8", "GBK", utf8), gbk);
    EXPECT_EQ(convert("GBK", "UTF-8", gbk), utf8);
    EXPECT_EQ(convert("UTF-8", "UTF-8", utf8), utf8);
    EXPECT_EQ(codec::valid_utf8(utf8), utf8);
}

TEST(Codec, DecodedOutputIsAlwaysValidUtf8) {
    std::string every_byte;
    for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
    for (const char* from : {"UTF-8", "GBK", "BIG5"})
        EXPECT_TRUE(is_valid_utf8(convert(from, "UTF-8", every_byte + every_byte))) << from;
}

TEST(Codec, DecodedGb18030IsAlwaysValidUtf8) {
    std::string every_byte;
    for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
    EXPECT_TRUE(is_valid_utf8(convert("GB18030", "UTF-8", every_byte + every_byte)));
}

TEST(Codec, RefusedCharsetNamesThrowAndAreNotAllowed) {
    for (const char* name : {"ISO-2022-CN-EXT", "UTF-7", "", "latin1", "ISO-8859-1", "UTF-16",
                             "UTF-8//TRANSLIT", "GBK//IGNORE", " GBK"}) {
        EXPECT_FALSE(codec::allowed_encoding(name)) << name;
        EXPECT_THROW(Converter(name, "UTF-8"), codec::UnknownEncoding) << name;
        EXPECT_THROW(Converter("UTF-8", name), codec::UnknownEncoding) << name;
    }
}

TEST(Codec, TheRefusalNamesTheEncodingAndTheChoices) {
    try {
        Converter c("ISO-2022-CN-EXT", "UTF-8");
        FAIL() << "accepted ISO-2022-CN-EXT";
    } catch (const codec::UnknownEncoding& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("ISO-2022-CN-EXT"), std::string::npos) << message;
        EXPECT_NE(message.find("GB18030"), std::string::npos) << message;
    }
}

TEST(Codec, AliasesInAnyLetterCaseAreAccepted) {
    EXPECT_EQ(codec::allowed_encoding("utf8"), "UTF-8");
    EXPECT_EQ(codec::allowed_encoding("Utf-8"), "UTF-8");
    EXPECT_EQ(codec::allowed_encoding("cp936"), "GBK");
    EXPECT_EQ(codec::allowed_encoding("CP936"), "GBK");
    EXPECT_EQ(codec::allowed_encoding("gbk"), "GBK");
    EXPECT_EQ(codec::allowed_encoding("GbK"), "GBK");
    EXPECT_EQ(codec::allowed_encoding("gb18030"), "GB18030");
    EXPECT_EQ(codec::allowed_encoding("big5"), "BIG5");
    EXPECT_EQ(convert("cp936", "utf8", "\xC4\xE3\xBA\xC3"), "你好");
}

// Telling a peer that speaks another encoding which one (codec::better_encoding).

const std::string grinning_gb18030 = "\x94\x39\xFC\x36";  // GB18030's four-byte form: not GBK

TEST(Codec, AsciiIsValidInEveryEncodingAndNeedsNoBetterOne) {
    for (const char* encoding : {"UTF-8", "GBK", "BIG5"}) {
        EXPECT_TRUE(codec::is_valid_in("hello, bye\r\n", encoding)) << encoding;
        EXPECT_TRUE(codec::is_valid_in("", encoding)) << encoding;
        EXPECT_EQ(codec::better_encoding("hello", encoding), std::nullopt) << encoding;
    }
}

TEST(Codec, IsValidInSaysNoToBrokenAndCutShortText) {
    EXPECT_TRUE(codec::is_valid_in(chinese_gbk, "GBK"));
    EXPECT_TRUE(codec::is_valid_in(chinese_gbk, "cp936"));  // any allowed name
    EXPECT_FALSE(codec::is_valid_in("\xC4\xE3\xBA", "GBK"));  // a lead byte with no partner
    EXPECT_FALSE(codec::is_valid_in("\xC4\xE3\xFF", "GBK"));
    EXPECT_FALSE(codec::is_valid_in(chinese_gbk, "UTF-8"));
    EXPECT_TRUE(codec::is_valid_in(traditional_big5, "BIG5"));
    EXPECT_THROW(codec::is_valid_in("a", "ISO-2022-CN-EXT"), codec::UnknownEncoding);
}

TEST(Codec, GbkBytesOnAUtf8WireAreSaidToBeGbk) {
    EXPECT_EQ(codec::better_encoding(chinese_gbk, "UTF-8"), "GBK");
    EXPECT_EQ(codec::better_encoding("\xC4\xE3\xBA\xC3 ok", "utf8"), "GBK");
}

TEST(Codec, Utf8BytesOnAGbkWireAreSaidToBeUtf8) {
    // 天王盖地虎 in UTF-8 is 15 bytes: an odd one out in GBK's pairs.
    ASSERT_FALSE(codec::is_valid_in(chinese, "GBK"));
    EXPECT_EQ(codec::better_encoding(chinese, "GBK"), "UTF-8");
    EXPECT_EQ(codec::better_encoding(chinese, "BIG5"), "UTF-8");
}

TEST(Codec, TextThatFitsTheWireEncodingNeedsNoBetterOne) {
    EXPECT_EQ(codec::better_encoding(chinese, "UTF-8"), std::nullopt);
    EXPECT_EQ(codec::better_encoding(chinese_gbk, "GBK"), std::nullopt);
    // 你好 in UTF-8 happens to be two valid GBK characters too: nothing tells them apart.
    EXPECT_EQ(codec::better_encoding("你好", "GBK"), std::nullopt);
}

TEST(Codec, BytesValidNowhereNeedNoBetterEncoding) {
    EXPECT_EQ(codec::better_encoding("\xFF\xFF", "UTF-8"), std::nullopt);
    EXPECT_EQ(codec::better_encoding("\xC4\xE3\xBA", "UTF-8"), std::nullopt);  // GBK cut short
    EXPECT_EQ(codec::better_encoding("\x80\x80 \xFF", "GBK"), std::nullopt);
}

TEST(Codec, Gb18030OnlyBytesOnAUtf8WireAreSaidToBeGb18030) {
    ASSERT_FALSE(codec::is_valid_in(grinning_gb18030, "GBK"));
    EXPECT_TRUE(codec::is_valid_in(grinning_gb18030, "GB18030"));
    EXPECT_EQ(codec::better_encoding(grinning_gb18030 + chinese_gbk, "UTF-8"), "GB18030");
    EXPECT_EQ(codec::better_encoding(grinning_gb18030, "GBK"), "GB18030");
}

TEST(Codec, Utf8ChineseIsNeverSaidToBeGb18030) {
    // 中文测试 in UTF-8 reads as GB18030 too (and not as GBK): UTF-8 is named first.
    ASSERT_TRUE(codec::is_valid_in("中文测试", "GB18030"));
    EXPECT_EQ(codec::better_encoding("中文测试", "UTF-8"), std::nullopt);
    EXPECT_EQ(codec::better_encoding("中文测试", "GBK"), "UTF-8");
    EXPECT_EQ(codec::better_encoding("中文测试", "GB18030"), std::nullopt);  // fits: nothing to say
}

TEST(Codec, Utf8BytesOnAGb18030WireThatDoNotFitAreSaidToBeUtf8) {
    ASSERT_FALSE(codec::is_valid_in(chinese, "GB18030"));
    EXPECT_EQ(codec::better_encoding(chinese, "GB18030"), "UTF-8");
}

TEST(Codec, AMovedConverterStillWorks) {
    Converter first("GBK", "UTF-8");
    EXPECT_EQ(first.convert("\xC4"), "");
    Converter second(std::move(first));
    EXPECT_EQ(second.convert_all("\xE3"), "你");  // the pending lead byte moved with it
}

}  // namespace
