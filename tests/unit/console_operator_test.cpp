// The console operator: where each typed line goes.
#include <gtest/gtest.h>

#include "../../intercom-server/answerers.h"

namespace {

struct Operator {
    net::NetInit net;  // (Winsock, for the bells under Wine)
    terminal::Console console{"UTF-8"};
    ConsoleOperator op{console};
    net::Waker bell1, bell2;
    Operator() {
        op.opened(1, "127.0.0.1:1001", &bell1);
        op.opened(2, "127.0.0.1:1002", &bell2);
    }
    void waits(int id) {
        op.heard(id, [] {});
    }
    // A line typed from start to end with nobody arriving meanwhile.
    ConsoleOperator::Typed type(const std::string& line) { return op.typed(line, op.newest()); }
};

}  // namespace

TEST(ConsoleOperator, APlainLineNobodyWaitsForIsRefusedNotHeld) {
    Operator o;
    o.type("too early");
    o.waits(1);
    EXPECT_FALSE(o.op.answer(1, ""));
    EXPECT_FALSE(o.bell1.woken());
}

TEST(ConsoleOperator, PlainLinesGoToTheLongestWaitingWithNoAnswerYet) {
    Operator o;
    o.waits(2);
    o.waits(1);
    EXPECT_EQ(o.op.target(), "#2");
    o.type("first");
    EXPECT_TRUE(o.bell2.woken());
    EXPECT_EQ(o.op.target(), "#1");  // #2 has its answer coming
    o.type("second");
    EXPECT_EQ(o.op.answer(2, ""), "first");
    EXPECT_EQ(o.op.answer(1, ""), "second");
    o.op.answered(2);
    o.op.answered(1);
    EXPECT_EQ(o.op.target(), "");
    EXPECT_FALSE(o.op.turn_without_answer());
}

TEST(ConsoleOperator, AnAnswerNotSentLeavesTheConversationFirstInLine) {
    Operator o;
    o.waits(1);
    o.waits(2);
    o.type("far too long");
    EXPECT_EQ(o.op.answer(1, ""), "far too long");
    o.op.not_sent(1);
    EXPECT_EQ(o.op.target(), "#1");
    o.type("short");
    EXPECT_EQ(o.op.answer(1, ""), "short");
}

TEST(ConsoleOperator, AtNIsHeldForThatConversationAloneUntilItsTurn) {
    Operator o;
    o.waits(1);
    o.type("@2 for two");
    EXPECT_FALSE(o.op.answer(1, ""));
    EXPECT_EQ(o.op.target(), "#1");
    o.waits(2);
    EXPECT_EQ(o.op.answer(2, ""), "for two");
}

TEST(ConsoleOperator, CommandsAreNeverSentAndDoubleSlashSendsASlash) {
    Operator o;
    o.waits(1);
    for (const char* command : {"/list", " /LIST ", "/help", "/nonsense", "   ", "@1", "@1   ", "@", "@x",
                                "@99999999999 overflow", "@1x no space"})
        EXPECT_EQ(o.type(command), ConsoleOperator::Typed::handled) << command;
    EXPECT_FALSE(o.op.answer(1, ""));
    EXPECT_EQ(o.type(" /Quit "), ConsoleOperator::Typed::quit);
    o.type("//etc/hosts");
    EXPECT_EQ(o.op.answer(1, ""), "/etc/hosts");
}

TEST(ConsoleOperator, AConversationThatEndsTakesNoMoreLines) {
    Operator o;
    o.waits(1);
    o.op.closed(1);
    o.type("after it left");
    EXPECT_FALSE(o.op.answer(1, ""));
    o.type("@1 after it left");
    EXPECT_FALSE(o.op.answer(1, ""));
}

TEST(ConsoleOperator, ALineNeverGoesToAConversationThatCameWhileItWasTyped) {
    Operator o;
    o.waits(1);
    int newest = o.op.newest();  // the person begins to type, for #1
    o.op.closed(1);              // #1 leaves; #3 comes, and waits
    net::Waker bell3;
    o.op.opened(3, "127.0.0.1:1003", &bell3);
    o.waits(3);
    o.op.typed("your account number is 1234", newest);
    EXPECT_FALSE(o.op.answer(3, ""));
    EXPECT_FALSE(bell3.woken());
    o.op.typed("@3 not for you either", newest);
    EXPECT_FALSE(o.op.answer(3, ""));
    o.type("hello, #3");  // begun once #3 was there
    EXPECT_EQ(o.op.answer(3, ""), "hello, #3");
}

TEST(ConsoleOperator, AnswersInFlightUntilSentOrTheirConversationEnds) {
    Operator o;
    o.waits(1);
    o.waits(2);
    EXPECT_FALSE(o.op.answers_in_flight());
    o.type("one");
    o.type("two");
    EXPECT_TRUE(o.op.answers_in_flight());
    o.op.answered(1);
    EXPECT_TRUE(o.op.answers_in_flight());
    o.op.closed(2);
    EXPECT_FALSE(o.op.answers_in_flight());
}
