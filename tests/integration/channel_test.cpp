// The channel (--channel): many members on one frequency. Joins and leaves are
// announced, names are kept unique, every message reaches every other member with its
// speaker's name, the floor goes round (a burst does not hold back someone's one line),
// each member has its own encoding, and a member that stops reading is dropped while
// the others go on. The console person is a member too.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "harness.h"

using namespace harness;

namespace {

const std::string greeting = "天王盖地虎\n";

// A member that has joined: the greeting and the line that says who is on.
std::unique_ptr<Peer> join(int port, int receive_buffer = 0) {
    auto peer = std::make_unique<Peer>(port, receive_buffer);
    EXPECT_EQ(peer->read_line(), greeting);
    EXPECT_EQ(peer->read_line().rfind("intercom channel: ", 0), 0u);
    return peer;
}

// Lines until one contains `text` (returned), or "" by the deadline.
std::string line_containing(Peer& peer, const std::string& text, milliseconds timeout = 5000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::string line = peer.read_line(std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now()));
        if (line.empty()) return "";
        if (line.find(text) != std::string::npos) return line;
    }
    return "";
}

}  // namespace

TEST(Channel, TheNewcomerIsToldWhoIsOnAndTheOthersWhoJoined) {
    Server server({"--channel"});
    Peer first(server.port);
    EXPECT_EQ(first.read_line(), greeting);
    EXPECT_EQ(first.read_line(),
              "intercom channel: 2 on the frequency: server, #1; type to talk, /who, /name NAME, bye to leave\n");
    Peer second(server.port);
    EXPECT_EQ(second.read_line(), greeting);
    EXPECT_EQ(second.read_line().rfind("intercom channel: 3 on the frequency: server, #1, #2;", 0), 0u);
    std::string joined = first.read_line();
    EXPECT_EQ(joined.rfind("intercom: #2 joined from 127.0.0.1:", 0), 0u) << joined;
    EXPECT_NE(joined.find("; 3 on the frequency"), std::string::npos) << joined;
    EXPECT_TRUE(server.child.line_containing("#2 joined from"));
}

TEST(Channel, LeavesAreAnnouncedWithWhy) {
    Server server({"--channel"});
    auto stays = join(server.port);
    {
        auto polite = join(server.port);
        EXPECT_NE(line_containing(*stays, "#2 joined"), "");
        polite->send("bye\n");
        EXPECT_EQ(polite->read_until_closed(), "");
        EXPECT_FALSE(polite->was_reset());
        EXPECT_EQ(stays->read_line(), "intercom: #2 left (said bye); 2 on the frequency\n");
    }
    {
        auto crashes = join(server.port);
        EXPECT_NE(line_containing(*stays, "#3 joined"), "");
        crashes->reset();
        EXPECT_NE(line_containing(*stays, "intercom: #3 left (connection lost:"), "");
    }
    {
        auto vanishes = join(server.port);
        EXPECT_NE(line_containing(*stays, "#4 joined"), "");
        vanishes->shutdown_send();
        EXPECT_EQ(stays->read_line(),
                  "intercom: #4 left (closed the connection without saying bye); 2 on the frequency\n");
    }
}

TEST(Channel, EveryMessageReachesEveryOtherMemberWithItsSpeakersName) {
    Server server({"--channel"});
    auto a = join(server.port);
    auto b = join(server.port);
    auto c = join(server.port);
    EXPECT_NE(line_containing(*a, "#3 joined"), "");
    EXPECT_NE(line_containing(*b, "#3 joined"), "");
    a->send("hello, everyone\n");
    EXPECT_EQ(b->read_line(), "[#1] hello, everyone\n");
    EXPECT_EQ(c->read_line(), "[#1] hello, everyone\n");
    EXPECT_TRUE(server.child.line_containing("[#1] hello, everyone"));
    c->send("and back\n");
    EXPECT_EQ(a->read_line(), "[#3] and back\n");  // not its own line first: a speaker is not echoed
    EXPECT_EQ(b->read_line(), "[#3] and back\n");
}

// Members' messages are relayed by the room's transmitter, a round at a time, while a
// rename or a leaving is the member's own thread's doing: what was said before either
// must still come first, under the name it was said with.
TEST(Channel, WhatIsSaidBeforeARenameOrALeavingComesFirst) {
    Server server({"--channel"});
    auto stays = join(server.port);
    auto goes = join(server.port);
    EXPECT_NE(line_containing(*stays, "#2 joined"), "");
    goes->send("first words\n/name 小明\nlast words\nbye\n");
    EXPECT_EQ(stays->read_line(), "[#2] first words\n");
    EXPECT_EQ(stays->read_line(), "intercom: #2 is now 小明\n");
    EXPECT_EQ(stays->read_line(), "[小明] last words\n");
    EXPECT_EQ(stays->read_line(), "intercom: 小明 left (said bye); 2 on the frequency\n");
}

// The confirmation of a rename goes to its member alone, like a reply, so that it
// comes before the answer to whatever the member asks next.
TEST(Channel, ARenameIsConfirmedBeforeTheNextCommandIsAnswered) {
    Server server({"--channel"});
    auto a = join(server.port);
    auto b = join(server.port);
    EXPECT_NE(line_containing(*a, "#2 joined"), "");
    a->send("/name 小明\n/who\n");
    EXPECT_EQ(a->read_line(), "intercom: #1 is now 小明\n");
    EXPECT_EQ(a->read_line(), "intercom: 3 on the frequency: server, 小明, #2\n");
    EXPECT_EQ(b->read_line(), "intercom: #1 is now 小明\n");
}

TEST(Channel, NamesAreUniqueAndCommandsAnswerTheirMemberAlone) {
    Server server({"--channel"});
    auto a = join(server.port);
    auto b = join(server.port);
    EXPECT_NE(line_containing(*a, "#2 joined"), "");
    a->send("/name 小明\n");
    EXPECT_EQ(a->read_line(), "intercom: #1 is now 小明\n");
    EXPECT_EQ(b->read_line(), "intercom: #1 is now 小明\n");
    b->send("/name 小明\n");
    EXPECT_EQ(b->read_line(), "intercom: the name 小明 is taken; you are still #2\n");
    b->send("/NAME Server\n");  // the console's name, in other letters
    EXPECT_EQ(b->read_line(), "intercom: the name Server is taken; you are still #2\n");
    b->send("/name #1\n");
    EXPECT_NE(b->read_line().find("'#1' cannot be a name"), std::string::npos);
    b->send("/who\n");
    EXPECT_EQ(b->read_line(), "intercom: 3 on the frequency: server, 小明, #2\n");
    b->send("/dance\n");
    EXPECT_EQ(b->read_line().rfind("intercom: unknown command /dance; not sent", 0), 0u);
    b->send("//slash is literal\n");
    EXPECT_EQ(a->read_line(), "[#2] /slash is literal\n");  // nothing of b's commands reached a
    a->send("hi\n");
    EXPECT_EQ(b->read_line(), "[小明] hi\n");
}

// Message boundaries come from the framing, whatever the reads: two messages and a
// half in one segment, the rest in the next, and one with no line end at all.
TEST(Channel, MessageBoundariesSurviveSplitAndMergedReads) {
    Server server({"--channel"});
    auto a = join(server.port);
    auto b = join(server.port);
    EXPECT_NE(line_containing(*a, "#2 joined"), "");
    a->send("one\r\ntwo\nthr");
    a->send("ee\nfour");  // "four": delivered after the quiet gap
    EXPECT_EQ(b->read_line(), "[#1] one\n");
    EXPECT_EQ(b->read_line(), "[#1] two\n");
    EXPECT_EQ(b->read_line(), "[#1] three\n");
    EXPECT_EQ(b->read_line(), "[#1] four\n");
}

// The floor goes round: a burst of 50 long lines from one member, queued for a member
// that is not reading yet, does not hold back another member's one line, which
// arrives after at most one more line of the burst than was already on its way. The
// burst (100 KB) is more than the server can hand the slow reader while it reads
// nothing (56 to 88 KB: its socket's SO_SNDBUF, less the system's overhead, the
// reader's small window, and what its thread holds for the socket), so some of it
// waits in the server's queue. And what waits there stays under the 64 KiB a paced
// speaker must be down to before it is heard again: the whole burst reaches the others
// while the slow reader still reads nothing. (2,500-byte lines, 125 KB, could leave
// more than that waiting, and the burst's last line with it.)
TEST(Channel, ABurstDoesNotHoldBackSomeoneElsesOneLine) {
    Server server({"--channel"});
    auto burst = join(server.port);
    auto slow = join(server.port, 4096);  // small window: the lines wait in the server
    auto one = join(server.port);
    auto watcher = join(server.port);
    EXPECT_NE(line_containing(*burst, "#4 joined"), "");
    std::string lines;
    for (int i = 1; i <= 50; ++i) lines += "burst " + std::to_string(i) + " " + std::string(2000, 'x') + "\n";
    burst->send(lines);
    EXPECT_NE(line_containing(*watcher, "[#1] burst 50 "), "");  // all 50 relayed
    one->send("my one line\n");
    EXPECT_NE(line_containing(*watcher, "[#3] my one line"), "");
    int bursts_before = 0;
    for (;;) {
        std::string line = slow->read_line();
        ASSERT_FALSE(line.empty()) << "after " << bursts_before << " lines of the burst";
        if (line == "[#3] my one line\n") break;
        if (line.rfind("[#1] burst ", 0) == 0) ++bursts_before;
    }
    EXPECT_LT(bursts_before, 50);
    EXPECT_NE(line_containing(*slow, "[#1] burst 50 "), "");  // and the burst goes on
}

TEST(Channel, AGbkMemberAndAUtf8MemberReadEachOther) {
    Server server({"--channel", "--encoding", "auto"});
    auto gbk = join(server.port);
    auto utf8 = join(server.port);
    EXPECT_NE(line_containing(*gbk, "#2 joined"), "");
    gbk->send("\xC4\xE3\xBA\xC3\n");  // 你好 in GBK
    EXPECT_EQ(utf8->read_line(), "[#1] 你好\n");
    utf8->send("世界\n");
    EXPECT_EQ(gbk->read_line(), "[#2] \xCA\xC0\xBD\xE7\n");  // 世界 in GBK
}

// A member that never reads fills its window, then its queue: it is dropped, and the
// others hear every line.
TEST(Channel, AMemberThatNeverReadsIsDroppedWhileTheOthersGoOn) {
    Server server({"--channel", "--send-timeout", "1"});
    auto talker = join(server.port);
    auto stalled = join(server.port, 4096);
    auto listener = join(server.port);
    EXPECT_NE(line_containing(*talker, "#3 joined"), "");
    std::string lines;
    for (int i = 1; i <= 2000; ++i) lines += "line " + std::to_string(i) + " " + std::string(200, 'x') + "\n";
    ASSERT_TRUE(talker->send_for(lines, 20000ms));
    std::string dropped = line_containing(*listener, "intercom: #2 left", 20000ms);
    EXPECT_TRUE(dropped.find("too slow") != std::string::npos || dropped.find("timed out") != std::string::npos)
        << dropped;
    EXPECT_NE(line_containing(*listener, "[#1] line 2000 ", 20000ms), "");
}

TEST(Channel, EchoAndReplyAreRefused) {
    Child echo({program("intercom-server"), "--channel", "--echo"});
    EXPECT_EQ(echo.wait_exit(), 2);
    EXPECT_NE(echo.stderr_text().find("--channel cannot be used with --echo"), std::string::npos);
    Child reply({program("intercom-server"), "--reply", "ok", "--channel"});
    EXPECT_EQ(reply.wait_exit(), 2);
}

TEST(Channel, ALessonChatClientTakesPart) {
    if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
    Server server({"--channel"});
    auto a = join(server.port);
    Child python({"/usr/bin/env", "python3", test_file("peers/chat_client.py"), "127.0.0.1",
                  std::to_string(server.port), "utf-8", "你好，我是 Python", "hi python"});
    EXPECT_NE(line_containing(*a, "#2 joined"), "");
    EXPECT_EQ(a->read_line(), "[#2] 你好，我是 Python\n");
    a->send("hi python\n");
    EXPECT_TRUE(python.line_containing("[#1] hi python"));
    EXPECT_EQ(python.wait_exit(), 0);
    EXPECT_EQ(a->read_line(), "intercom: #2 left (said bye); 2 on the frequency\n");
}

TEST(ChannelConsole, TheConsolePersonSpeaksHearsAndAsksWhoIsOn) {
    Server server({"--channel"});
    auto a = join(server.port);
    auto b = join(server.port);
    EXPECT_NE(line_containing(*a, "#2 joined"), "");
    server.child.write("hello from the console\n");
    EXPECT_EQ(a->read_line(), "[server] hello from the console\n");
    EXPECT_EQ(b->read_line(), "[server] hello from the console\n");
    a->send("hi server\n");
    EXPECT_TRUE(server.child.line_containing("[#1] hi server"));
    server.child.write("/who\n");
    EXPECT_TRUE(server.child.line_containing("intercom: 3 on the frequency: server, #1, #2"));
    server.child.write("//kick is a word\n");
    EXPECT_EQ(b->read_line(), "[#1] hi server\n");
    EXPECT_EQ(b->read_line(), "[server] /kick is a word\n");
}

TEST(ChannelConsole, KickSendsAMemberOffWithANotice) {
    Server server({"--channel"});
    auto a = join(server.port);
    auto b = join(server.port);
    EXPECT_NE(line_containing(*a, "#2 joined"), "");
    server.child.write("/kick #2\n");
    EXPECT_EQ(b->read_line(), "intercom: you are off the channel: removed by server\n");
    EXPECT_EQ(b->read_until_closed(), "");
    EXPECT_EQ(a->read_line(), "intercom: #2 left (removed by server); 2 on the frequency\n");
    server.child.write("/kick 9\n");
    EXPECT_TRUE(server.child.stderr_line_containing("no member #9 on the channel"));
    server.child.write("/kick someone\n");
    EXPECT_TRUE(server.child.stderr_line_containing("/kick N"));
}

TEST(ChannelConsole, QuitSaysGoodbyeToEveryMemberAndExitsZero) {
    Server server({"--channel", "--name", "老师"});
    Peer a(server.port);
    EXPECT_EQ(a.read_line(), greeting);
    EXPECT_EQ(a.read_line().rfind("intercom channel: 2 on the frequency: 老师, #1;", 0), 0u);
    auto b = join(server.port);
    EXPECT_NE(line_containing(a, "#2 joined"), "");
    server.child.write("/quit\n");
    EXPECT_EQ(a.read_line(), "bye\n");
    EXPECT_EQ(b->read_line(), "bye\n");
    EXPECT_EQ(a.read_until_closed(), "");
    EXPECT_EQ(server.child.wait_exit(), 0);
}

TEST(Channel, TheLogRecordsEachRelayedMessageOnceAndTheTraceShowsItsFanOut) {
    std::string log = "/tmp/intercom-channel-test-" + std::to_string(getpid()) + ".log";
    std::remove(log.c_str());
    Server server({"--channel", "--log", log, "--trace"});
    auto a = join(server.port);
    auto b = join(server.port);
    auto c = join(server.port);
    EXPECT_NE(line_containing(*b, "#3 joined"), "");
    a->send("once only\n");
    EXPECT_EQ(b->read_line(), "[#1] once only\n");
    EXPECT_EQ(c->read_line(), "[#1] once only\n");
    EXPECT_TRUE(server.child.stderr_line_containing("relay(#1) to 3 members: #2 #3 server"));
    server.child.write("/quit\n");
    EXPECT_EQ(server.child.wait_exit(), 0);
    std::FILE* file = std::fopen(log.c_str(), "r");
    ASSERT_TRUE(file);
    char buffer[4096];
    std::string records(buffer, std::fread(buffer, 1, sizeof buffer, file));
    std::fclose(file);
    std::remove(log.c_str());
    std::size_t first = records.find(" in [#1] once only\n");
    ASSERT_NE(first, std::string::npos) << records;
    EXPECT_EQ(records.find("once only", first + 10), std::string::npos) << records;
    EXPECT_NE(records.find(" #1 127.0.0.1:"), std::string::npos) << records;
}

// intercom-client with no options: it learns from the server that this is a channel,
// sends what is typed at once, shows what the others say, and says bye at the end.
TEST(ChannelClient, IntercomClientTakesPartWithoutOptions) {
    Server server({"--channel"});
    auto a = join(server.port);
    Child client({program("intercom-client"), "127.0.0.1", std::to_string(server.port)});
    EXPECT_TRUE(client.line_containing("intercom channel: 3 on the frequency: server, #1, #2"));
    EXPECT_NE(line_containing(*a, "#2 joined"), "");
    client.write("first\nsecond, before anyone answers\n");
    EXPECT_EQ(a->read_line(), "[#2] first\n");
    EXPECT_EQ(a->read_line(), "[#2] second, before anyone answers\n");
    a->send("/name 小明\n");
    a->send("你好\n");
    EXPECT_TRUE(client.line_containing("intercom: #1 is now 小明"));
    EXPECT_TRUE(client.line_containing("[小明] 你好"));
    server.child.write("from the console\n");
    EXPECT_TRUE(client.line_containing("[server] from the console"));
    client.close_stdin();  // the end of input: bye
    EXPECT_EQ(client.wait_exit(), 0);
    EXPECT_EQ(line_containing(*a, "#2 left"), "intercom: #2 left (said bye); 2 on the frequency\n");
}

TEST(ChannelClient, TheServersGoodbyeEndsTheClientNormally) {
    Server server({"--channel"});
    Child client({program("intercom-client"), "127.0.0.1", std::to_string(server.port)});
    EXPECT_TRUE(client.line_containing("intercom channel: "));
    server.child.write("/quit\n");
    EXPECT_EQ(client.wait_exit(), 0);
    EXPECT_EQ(server.child.wait_exit(), 0);
}
