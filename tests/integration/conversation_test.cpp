// The two programs, end to end over 127.0.0.1: greeting, turns, bye, several clients.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness.h"

using namespace harness;

namespace {

const std::string greeting = "天王盖地虎";

Child client(int port, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {program("intercom-client")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("127.0.0.1");
    argv.push_back(std::to_string(port));
    return Child(argv);
}

}  // namespace

TEST(Conversation, GreetsEveryClientWithTheGreetingLine) {
    Server server({"--echo"});
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(), greeting + "\n");
}

TEST(Conversation, TwoPeopleTakeTurnsInChinese) {
    Server server({});
    Child you = client(server.port);
    EXPECT_TRUE(you.line_containing(greeting));

    you.write("你好，我是客户端\n");
    EXPECT_TRUE(server.child.line_containing("] 你好，我是客户端"));
    server.child.write("你好，我是服务器\n");
    EXPECT_TRUE(you.line_containing("] 你好，我是服务器"));

    you.write("第二句\n");
    EXPECT_TRUE(server.child.line_containing("] 第二句"));
    server.child.write("第二个回答\n");
    EXPECT_TRUE(you.line_containing("] 第二个回答"));

    you.write("bye\n");
    EXPECT_EQ(you.wait_exit(), 0);
    EXPECT_TRUE(server.child.line_containing("said bye"));
}

TEST(Conversation, ByeFromTheServerEndsTheClientCleanlyAndTheServerLivesOn) {
    Server server({});
    {
        Child you = client(server.port);
        you.write("hello\n");
        EXPECT_TRUE(server.child.line_containing("] hello"));
        server.child.write("bye\n");
        EXPECT_TRUE(you.line_containing("said bye"));
        EXPECT_EQ(you.wait_exit(), 0);
        EXPECT_TRUE(server.child.line_containing("we said bye"));
    }
    Peer next(server.port);  // the next client is served as the first was
    EXPECT_EQ(next.read_line(), greeting + "\n");
}

TEST(Conversation, ByeInAnyCaseWithSpacesEndsIt) {
    Server server({"--echo"});
    Peer peer(server.port);
    peer.read_line();
    peer.send("  BYE \r\n");
    EXPECT_EQ(peer.read_until_closed(), "");  // a clean end of stream, no answer
    EXPECT_TRUE(server.child.line_containing("said bye"));
}

TEST(Conversation, EndOfClientInputSaysByeAndExitsZero) {
    Server server({"--echo"});
    Child you = client(server.port);
    you.write("one line\n");
    you.close_stdin();
    EXPECT_TRUE(you.line_containing("] one line"));
    EXPECT_EQ(you.wait_exit(), 0);
    EXPECT_TRUE(server.child.line_containing("] bye"));
    EXPECT_TRUE(server.child.line_containing("said bye"));
}

TEST(Conversation, LinesPipedAheadAreSentOneATurnInOrder) {
    Server server({});
    Child you = client(server.port);
    you.write("first\nsecond\n");  // typed before the server has answered anything
    EXPECT_TRUE(server.child.line_containing("] first"));
    // "second" waits for the client's next turn: it must not arrive before an answer.
    EXPECT_FALSE(server.child.line_containing("] second", 500ms));
    server.child.write("answer one\n");
    EXPECT_TRUE(server.child.line_containing("] second"));
    server.child.write("answer two\n");
    EXPECT_TRUE(you.line_containing("] answer one"));
    EXPECT_TRUE(you.line_containing("] answer two"));
}

TEST(Conversation, ConsoleAnswersTheLongestWaitingFirstAndAtNAnswersThatOne) {
    Server server({});
    Peer first(server.port);
    EXPECT_TRUE(server.child.line_containing("#1 127.0.0.1"));
    Peer second(server.port);
    EXPECT_TRUE(server.child.line_containing("#2 127.0.0.1"));
    // Both are connected at once, each greeted by its own thread.
    EXPECT_EQ(first.read_line(), greeting + "\n");
    EXPECT_EQ(second.read_line(), greeting + "\n");

    first.send("from one\n");
    EXPECT_TRUE(server.child.line_containing("[#1 127.0.0.1"));
    second.send("from two\n");
    EXPECT_TRUE(server.child.line_containing("[#2 127.0.0.1"));

    server.child.write("to whoever waited longest\n");
    EXPECT_EQ(first.read_line(), "to whoever waited longest\n");

    first.send("again from one\n");
    EXPECT_TRUE(server.child.line_containing("] again from one"));
    server.child.write("@1 straight to one\n");  // #2 has waited longer, but @1 says who
    EXPECT_EQ(first.read_line(), "straight to one\n");
    server.child.write("now two\n");
    EXPECT_EQ(second.read_line(), "now two\n");
}

TEST(Conversation, ListShowsWhoseTurnItIs) {
    Server server({});
    Peer waiting(server.port);
    waiting.read_line();
    waiting.send("hi\n");
    EXPECT_TRUE(server.child.line_containing("[#1 127.0.0.1"));
    Peer speaking(server.port);  // greeted, and it is its turn to speak
    speaking.read_line();
    EXPECT_TRUE(server.child.line_containing("(#2 127.0.0.1"));
    server.child.write("/list\n");
    std::optional<std::string> first = server.child.line_containing("#1 127.0.0.1");
    std::optional<std::string> second = server.child.line_containing("#2 127.0.0.1");
    ASSERT_TRUE(first && second);
    EXPECT_NE(first->find("waiting for your answer"), std::string::npos) << *first;
    EXPECT_NE(second->find("their turn"), std::string::npos) << *second;
}

TEST(Conversation, APipedScriptOfAnswersAnswersOneMessageEachThenTheServerEnds) {
    Server server({});
    server.child.write("hi\nthanks\n");  // printf 'hi\nthanks\n' | intercom-server
    server.child.close_stdin();
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(), greeting + "\n");
    peer.send("one\n");
    EXPECT_EQ(peer.read_line(), "hi\n");
    peer.send("two\n");
    EXPECT_EQ(peer.read_until_closed(), "thanks\nintercom: the server is shutting down\nbye\n");
    EXPECT_EQ(server.child.wait_exit(), 0);  // its answers used up, the server ends
    EXPECT_TRUE(server.child.line_containing("[to #1] thanks"));
    EXPECT_EQ(server.child.stderr_text().find("not sent"), std::string::npos) << server.child.stderr_text();
}

TEST(Conversation, ALineTypedWhileNobodyWaitsIsRefusedNotHeldForWhoeverComesNext) {
    if (!have_program("script")) GTEST_SKIP() << "script is not installed";
    // At a terminal (script(1) gives the server a pty), lines are taken as typed.
    Child console({"/usr/bin/env", "script", "-qfec", program("intercom-server") + " --host 127.0.0.1 --port 0", "/dev/null"});
    std::optional<std::string> listening = console.line_containing("listening on");
    ASSERT_TRUE(listening);
    int port = std::stoi(listening->substr(listening->rfind(':') + 1));
    console.write("bye\n");  // meant for nobody: must never reach a newcomer
    EXPECT_TRUE(console.line_containing("nobody is waiting for an answer; not sent: bye"));
    Peer newcomer(port);
    EXPECT_EQ(newcomer.read_line(), greeting + "\n");
    newcomer.send("hello\n");
    EXPECT_TRUE(console.line_containing("] hello"));
    console.write("welcome\n");
    EXPECT_EQ(newcomer.read_line(), "welcome\n");
    EXPECT_TRUE(console.line_containing("[to #1] welcome"));
}

TEST(Conversation, EndOfConsoleInputSaysGoodbyeToEveryoneAndExitsZero) {
    Server server({});
    Peer a(server.port), b(server.port);
    a.read_line();
    b.read_line();
    a.send("waiting for an answer\n");
    EXPECT_TRUE(server.child.line_containing("] waiting for an answer"));
    server.child.close_stdin();
    EXPECT_EQ(a.read_until_closed(), "intercom: the server is shutting down\nbye\n");
    EXPECT_EQ(b.read_until_closed(), "intercom: the server is shutting down\nbye\n");
    EXPECT_EQ(server.child.wait_exit(), 0);
}

TEST(Conversation, SigtermSaysGoodbyeAndExitsZero) {
    Server server({"--echo"});
    Child you = client(server.port);
    EXPECT_TRUE(you.line_containing(greeting));
    server.child.signal(SIGTERM);
    EXPECT_TRUE(you.line_containing("said bye"));
    EXPECT_EQ(you.wait_exit(), 0);
    EXPECT_EQ(server.child.wait_exit(), 0);
}

TEST(Conversation, ClientReportsAServerThatClosesWithoutBye) {
    Server server({});
    Child you = client(server.port);
    EXPECT_TRUE(you.line_containing(greeting));
    server.child.signal(SIGKILL);
    EXPECT_EQ(you.wait_exit(), 1);
    EXPECT_NE(you.stderr_text().find("without saying bye"), std::string::npos);
}

TEST(Conversation, ServerReportsAClientThatClosesWithoutBye) {
    Server server({"--echo"});
    {
        Peer peer(server.port);
        peer.read_line();
    }
    EXPECT_TRUE(server.child.line_containing("closed the connection without saying bye"));
}

TEST(Conversation, ThePromptSaysWhoseTurnItIsAtATerminal) {
    if (!have_program("script")) GTEST_SKIP() << "script is not installed";
    Server server({"--reply", "ok"});
    // script(1) gives the client a terminal (a pty), as a person would have.
    Child you({"/usr/bin/env", "script", "-qfec",
               program("intercom-client") + " 127.0.0.1 " + std::to_string(server.port), "/dev/null"});
    EXPECT_TRUE(you.line_containing(greeting));
    you.write("hello\n");
    EXPECT_TRUE(you.line_containing("you> hello"));           // our turn
    EXPECT_TRUE(you.line_containing("(waiting for 127.0.0.1:"));  // theirs
    EXPECT_TRUE(you.line_containing("] ok"));
    you.write("bye\n");
    EXPECT_EQ(you.wait_exit(), 0);
}

TEST(Conversation, NoPromptsWhenInputIsAPipe) {
    Server server({"--reply", "ok"});
    Child you = client(server.port);
    you.write("hello\n");
    you.close_stdin();
    EXPECT_EQ(you.wait_exit(), 0);
    EXPECT_EQ(you.stdout_text().find("you>"), std::string::npos);
}

TEST(Conversation, ACarriageReturnInTypedInputEndsALineAsOnTheWire) {
    Server server({"--echo"});
    Child you = client(server.port);
    you.write("a\rb\nsecond\n");  // three lines, so three turns, each answered in order
    you.close_stdin();
    EXPECT_EQ(you.wait_exit(), 0);
    std::string shown = you.stdout_text();
    std::size_t a = shown.find("] a\n"), b = shown.find("] b\n"), second = shown.find("] second\n");
    ASSERT_NE(a, std::string::npos) << shown;
    ASSERT_NE(b, std::string::npos) << shown;
    ASSERT_NE(second, std::string::npos) << shown;
    EXPECT_LT(a, b);
    EXPECT_LT(b, second);
}

TEST(Conversation, AnAnswerTooLongToSendIsTypedAgainForTheSameConversation) {
    Server server({"--max-line", "20"});
    Peer first(server.port), second(server.port);
    first.read_line();
    second.read_line();
    first.send("one\n");
    EXPECT_TRUE(server.child.line_containing("] one"));
    second.send("two\n");
    EXPECT_TRUE(server.child.line_containing("] two"));
    server.child.write("this answer is far too long for twenty bytes\n");
    EXPECT_TRUE(server.child.stderr_line_containing("too long, not sent"));
    server.child.write("short\n");
    EXPECT_EQ(first.read_line(), "short\n");  // #1 was first in line, and still is
}

TEST(Conversation, AClientThatLeavesWhileTheConsoleTypesIsNoLongerAnswered) {
    Server server({});
    auto first = std::make_unique<Peer>(server.port);
    Peer second(server.port);
    first->read_line();
    second.read_line();
    first->send("one\n");
    EXPECT_TRUE(server.child.line_containing("] one"));
    second.send("two\n");
    EXPECT_TRUE(server.child.line_containing("] two"));
    first.reset();  // #1 hangs up while waiting for its answer
    EXPECT_TRUE(server.child.line_containing("closed the connection without saying bye"));
    server.child.write("for whoever is still here\n");
    EXPECT_EQ(second.read_line(), "for whoever is still here\n");
}

TEST(Conversation, LinesHeldWhenTheServerStopsAreReportedNotSent) {
    Server server({});
    Peer quiet(server.port), asking(server.port);
    quiet.read_line();
    asking.read_line();
    EXPECT_TRUE(server.child.line_containing("(#2 127.0.0.1"));
    asking.send("a question\n");  // a turn waits, so the console reads the next line
    EXPECT_TRUE(server.child.line_containing("] a question"));
    server.child.write("@1 nobody will hear this\n");  // #1 has not spoken: held for it
    EXPECT_TRUE(server.child.line_containing("held for #1"));
    server.child.signal(SIGTERM);
    EXPECT_EQ(server.child.wait_exit(), 0);
    EXPECT_NE(server.child.stderr_text().find("not sent: nobody will hear this"), std::string::npos)
        << server.child.stderr_text();
}

TEST(Conversation, EchoAndReplyServersShowTheirAnswersToo) {
    for (std::vector<std::string> answers : {std::vector<std::string>{"--echo"}, {"--reply", "好的"}}) {
        Server server(answers);
        Peer peer(server.port);
        peer.read_line();
        peer.send("你好\n");
        std::string answer = answers.size() == 1 ? "你好" : "好的";
        EXPECT_EQ(peer.read_line(), answer + "\n");
        EXPECT_TRUE(server.child.line_containing("[to #1] " + answer)) << answers[0];
    }
}
