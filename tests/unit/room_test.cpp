// The channel's fair queue and its name rule.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../../intercom-server/room.h"

namespace {

// One line said alone.
void put(Outbox& box, int speaker, const std::string& text) {
    box.put(speaker, Outbox::batch_of({std::make_shared<const std::string>(text)}));
}

std::string take_all_texts(Outbox& box) {
    std::string order;
    while (!box.empty()) order += *box.take().text + " ";
    return order;
}

}  // namespace

TEST(Outbox, TakesOneLinePerSpeakerInTurnInTheOrderTheyAsked) {
    Outbox box;
    for (const char* text : {"a1", "a2", "a3"}) put(box, 1, text);
    put(box, 2, "b1");
    put(box, 3, "c1");
    put(box, 2, "b2");
    EXPECT_EQ(take_all_texts(box), "a1 b1 c1 a2 b2 a3 ");
}

TEST(Outbox, ALateSpeakerGoesInTheNextRoundNotBehindTheWholeBurst) {
    Outbox box;
    for (int i = 1; i <= 50; ++i) put(box, 1, "a" + std::to_string(i));
    EXPECT_EQ(*box.take().text, "a1");
    EXPECT_EQ(*box.take().text, "a2");
    put(box, 2, "b1");
    EXPECT_EQ(*box.take().text, "a3");  // the round being served was a2's; b1 goes in the next
    EXPECT_EQ(*box.take().text, "b1");
    EXPECT_EQ(box.lines(), 47u);
}

// What one read brought goes in as one batch, and is still served a line per round.
TEST(Outbox, LinesSaidTogetherStillTakeOneTurnEach) {
    Outbox box;
    auto text = [](const char* t) { return std::make_shared<const std::string>(t); };
    box.put(1, Outbox::batch_of({text("a1"), text("a2"), text("a3")}));
    put(box, 2, "b1");
    box.put(1, Outbox::batch_of({text("a4"), text("a5")}));
    box.put(2, Outbox::batch_of({text("b2"), text("b3")}));
    EXPECT_EQ(box.lines(), 8u);
    EXPECT_EQ(box.bytes(), 16u);
    EXPECT_EQ(take_all_texts(box), "a1 b1 a2 b2 a3 b3 a4 a5 ");
    EXPECT_EQ(box.bytes(), 0u);
}

TEST(Outbox, CountsItsBytesAndGivesEverythingBack) {
    Outbox box;
    put(box, 1, "hello");
    put(box, 2, "hi");
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
