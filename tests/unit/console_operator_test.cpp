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
};

}  // namespace

TEST(ConsoleOperator, APlainLineNobodyWaitsForIsRefusedNotHeld) {
    Operator o;
    o.op.typed("too early");
    o.waits(1);
    EXPECT_FALSE(o.op.answer(1, ""));
    EXPECT_FALSE(o.bell1.woken());
}

TEST(ConsoleOperator, PlainLinesGoToTheLongestWaitingWithNoAnswerYet) {
    Operator o;
    o.waits(2);
    o.waits(1);
    EXPECT_EQ(o.op.target(), "#2");
    o.op.typed("first");
    EXPECT_TRUE(o.bell2.woken());
    EXPECT_EQ(o.op.target(), "#1");  // #2 has its answer coming
    o.op.typed("second");
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
    o.op.typed("far too long");
    EXPECT_EQ(o.op.answer(1, ""), "far too long");
    o.op.not_sent(1);
    EXPECT_EQ(o.op.target(), "#1");
    o.op.typed("short");
    EXPECT_EQ(o.op.answer(1, ""), "short");
}

TEST(ConsoleOperator, AtNIsHeldForThatConversationAloneUntilItsTurn) {
    Operator o;
    o.waits(1);
    o.op.typed("@2 for two");
    EXPECT_FALSE(o.op.answer(1, ""));
    EXPECT_EQ(o.op.target(), "#1");
    o.waits(2);
    EXPECT_EQ(o.op.answer(2, ""), "for two");
}

TEST(ConsoleOperator, CommandsAreNeverSentAndDoubleSlashSendsASlash) {
    Operator o;
    o.waits(1);
    for (const char* command : {"/list", " /LIST ", "/help", "/nonsense", "   ", "@1", "@1   "})
        EXPECT_EQ(o.op.typed(command), ConsoleOperator::Typed::handled) << command;
    EXPECT_FALSE(o.op.answer(1, ""));
    EXPECT_EQ(o.op.typed(" /Quit "), ConsoleOperator::Typed::quit);
    o.op.typed("//etc/hosts");
    EXPECT_EQ(o.op.answer(1, ""), "/etc/hosts");
}

TEST(ConsoleOperator, AConversationThatEndsTakesNoMoreLines) {
    Operator o;
    o.waits(1);
    o.op.closed(1);
    o.op.typed("after it left");
    EXPECT_FALSE(o.op.answer(1, ""));
    o.op.typed("@1 after it left");
    EXPECT_FALSE(o.op.answer(1, ""));
}
