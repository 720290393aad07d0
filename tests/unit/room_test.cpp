// The channel's fair queue and its name rule.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../../intercom-server/room.h"

namespace {

Outbox::Line line(int speaker, const std::string& text) {
    return {speaker, std::make_shared<const std::string>(text)};
}

std::string take_all_texts(Outbox& box) {
    std::string order;
    while (!box.empty()) order += *box.take().text + " ";
    return order;
}

}  // namespace

TEST(Outbox, TakesOneLinePerSpeakerInTurnInTheOrderTheyAsked) {
    Outbox box;
    for (const char* text : {"a1", "a2", "a3"}) box.put(line(1, text));
    box.put(line(2, "b1"));
    box.put(line(3, "c1"));
    box.put(line(2, "b2"));
    EXPECT_EQ(take_all_texts(box), "a1 b1 c1 a2 b2 a3 ");
}

TEST(Outbox, ALateSpeakerGoesInTheNextRoundNotBehindTheWholeBurst) {
    Outbox box;
    for (int i = 1; i <= 50; ++i) box.put(line(1, "a" + std::to_string(i)));
    EXPECT_EQ(*box.take().text, "a1");
    EXPECT_EQ(*box.take().text, "a2");
    box.put(line(2, "b1"));
    EXPECT_EQ(*box.take().text, "a3");  // the round being served was a2's; b1 goes in the next
    EXPECT_EQ(*box.take().text, "b1");
    EXPECT_EQ(box.lines(), 47u);
}

TEST(Outbox, CountsItsBytesAndGivesEverythingBack) {
    Outbox box;
    box.put(line(1, "hello"));
    box.put(line(2, "hi"));
    EXPECT_EQ(box.bytes(), 7u);
    EXPECT_EQ(box.take_all().size(), 2u);
    EXPECT_TRUE(box.empty());
    EXPECT_EQ(box.bytes(), 0u);
}

TEST(MemberName, TheRule) {
    EXPECT_TRUE(valid_member_name("小明"));
    EXPECT_TRUE(valid_member_name("server"));
    EXPECT_FALSE(valid_member_name(""));
    EXPECT_FALSE(valid_member_name(std::string(33, 'x')));
    for (const char* bad : {"#2", "/who", "@1", "two words", "a,b", "a:b", "[x]", "b\xE2\x80\x8Bye", "\x1b[2J", "a\xE3\x80\x80"})
        EXPECT_FALSE(valid_member_name(bad)) << bad;
}
