// protocol: what ends a conversation.
#include "../../shared/protocol.h"

#include <gtest/gtest.h>

#include "../../shared/codec.h"

namespace {

using protocol::is_bye;

TEST(Protocol, ByeInAnyLetterCaseEndsTheConversation) {
    EXPECT_TRUE(is_bye("bye"));
    EXPECT_TRUE(is_bye("BYE"));
    EXPECT_TRUE(is_bye("Bye"));
    EXPECT_TRUE(is_bye("bYe"));
}

TEST(Protocol, WhiteSpaceAroundByeIsIgnored) {
    EXPECT_TRUE(is_bye(" bye"));
    EXPECT_TRUE(is_bye("bye "));
    EXPECT_TRUE(is_bye("\tbye\t"));
    EXPECT_TRUE(is_bye(" Bye\r\n"));  // a line end that reached it is white space too
    EXPECT_TRUE(is_bye("\xE3\x80\x80" "bye"));                      // U+3000 before
    EXPECT_TRUE(is_bye("bye\xE3\x80\x80"));                         // U+3000 after
    EXPECT_TRUE(is_bye(" \xE3\x80\x80\t\xE3\x80\x80 BYE \xE3\x80\x80 "));  // mixed
}

TEST(Protocol, OtherTextIsNotBye) {
    EXPECT_FALSE(is_bye(""));
    EXPECT_FALSE(is_bye("   "));
    EXPECT_FALSE(is_bye("\xE3\x80\x80"));
    EXPECT_FALSE(is_bye("byebye"));
    EXPECT_FALSE(is_bye("bye now"));
    EXPECT_FALSE(is_bye("good bye"));
    EXPECT_FALSE(is_bye("by"));
    EXPECT_FALSE(is_bye("b ye"));
    EXPECT_FALSE(is_bye("bye."));
    EXPECT_FALSE(is_bye("再见"));
    EXPECT_FALSE(is_bye("\xEF\xBD\x82\xEF\xBD\x99\xEF\xBD\x85"));  // fullwidth ｂｙｅ
    EXPECT_FALSE(is_bye(std::string("bye\0", 4)));
    EXPECT_FALSE(is_bye("\xE3\x80" "bye"));  // half an ideographic space is not space
}

TEST(Protocol, ByeFromAGbkPeerIsSeenAfterDecoding) {
    // A GBK peer's ideographic space is A1 A1, which only decoding turns into U+3000.
    codec::Converter from_gbk("GBK", "UTF-8");
    EXPECT_TRUE(is_bye(from_gbk.convert_all("\xA1\xA1" "BYE" "\xA1\xA1")));
    EXPECT_TRUE(is_bye(from_gbk.convert_all("bye")));
    EXPECT_FALSE(is_bye(from_gbk.convert_all("\xD4\xD9\xBC\xFB")));  // 再见
}

TEST(Protocol, ANoticeIsTheServersOwnLine) {
    EXPECT_TRUE(protocol::is_notice("intercom: busy, try again later"));
    EXPECT_FALSE(protocol::is_notice("intercom channel: 2 on the frequency"));
    EXPECT_FALSE(protocol::is_notice("Intercom: busy"));
    EXPECT_FALSE(protocol::is_notice("intercom:"));
    EXPECT_EQ(protocol::notice_text("intercom: not sent: a.txt: no such file"), "not sent: a.txt: no such file");
    EXPECT_EQ(protocol::notice_text("天王盖地虎"), "天王盖地虎");  // not a notice: as it is
}

TEST(Protocol, DefaultsAreTheLessonOnes) {
    EXPECT_EQ(protocol::default_port, 8888);
    EXPECT_EQ(protocol::default_greeting, "天王盖地虎");
}

}  // namespace
