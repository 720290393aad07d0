// Encodings people get wrong: a GBK peer on a UTF-8 wire is told, once, which option
// reads it; --encoding auto serves GBK and UTF-8 peers at once, each in its own.
#include <gtest/gtest.h>

#include "harness.h"

using namespace harness;

namespace {

// 天王盖地虎, 你好 and 收到 in GBK (and GB18030, which agrees with GBK on them).
const std::string greeting_gbk = "\xCC\xEC\xCD\xF5\xB8\xC7\xB5\xD8\xBB\xA2";
const std::string nihao_gbk = "\xC4\xE3\xBA\xC3";
const std::string shoudao_gbk = "\xCA\xD5\xB5\xBD";
// U+1F600 in GB18030's four-byte form: GBK has no such character.
const std::string grinning_gb18030 = "\x94\x39\xFC\x36";

const std::string gbk_hint =
    ": these bytes are not UTF-8 but read as GBK; start the server with --encoding GBK, or --encoding auto)";

// The lines a program prints up to and including the first containing `last`.
std::vector<std::string> lines_until(Child& child, const std::string& last) {
    std::vector<std::string> lines;
    while (std::optional<std::string> line = child.read_line()) {
        lines.push_back(*line);
        if (line->find(last) != std::string::npos) break;
    }
    return lines;
}

int count_containing(const std::vector<std::string>& lines, const std::string& text) {
    int n = 0;
    for (const std::string& line : lines) n += line.find(text) != std::string::npos;
    return n;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    return text;
}

// A peer that says each message to an --echo server, hears it back, then says bye.
void talk(Peer& peer, const std::vector<std::string>& messages) {
    for (const std::string& m : messages) {
        peer.send(m + "\n");
        EXPECT_NE(peer.read_line(), "");  // the echo, whatever became of it
    }
    peer.send("bye\n");
    EXPECT_EQ(peer.read_until_closed(), "");
}

}  // namespace

TEST(Encodings, AGbkPeerOnAUtf8ServerIsToldOnTheConsoleOncePerConversation) {
    Server server({"--echo"});
    for (int id : {1, 2}) {
        Peer peer(server.port);
        EXPECT_EQ(peer.read_line(), "天王盖地虎\n");
        talk(peer, {nihao_gbk, shoudao_gbk, nihao_gbk + " ok"});
        std::vector<std::string> console = lines_until(server.child, "said bye");
        EXPECT_EQ(count_containing(console, gbk_hint), 1) << joined(console);
        EXPECT_EQ(count_containing(console, "(#" + std::to_string(id) + gbk_hint), 1) << joined(console);
    }
}

TEST(Encodings, AUtf8PeerOnAGbkServerIsToldItSpeaksUtf8) {
    Server server({"--encoding", "GBK", "--echo"});
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(), greeting_gbk + "\n");
    talk(peer, {"天王盖地虎", "中文测试"});  // UTF-8, and neither is valid GBK
    std::vector<std::string> console = lines_until(server.child, "said bye");
    EXPECT_EQ(count_containing(console,
                               "(#1: these bytes are not GBK but read as UTF-8; start the server with "
                               "--encoding UTF-8, or --encoding auto)"),
              1) << joined(console);
}

TEST(Encodings, AUtf8PeerOnAUtf8ServerHearsNoHint) {
    Server server({"--echo"});
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(), "天王盖地虎\n");
    talk(peer, {"你好", "中文测试", "\xEF\xBF\xBD"});  // U+FFFD itself is valid UTF-8
    std::vector<std::string> console = lines_until(server.child, "said bye");
    EXPECT_EQ(count_containing(console, "read as"), 0) << joined(console);
}

TEST(Encodings, AutoAnswersAGbkPeerAndAUtf8PeerAtOnceEachInItsOwn) {
    Server server({"--encoding", "auto", "--echo"});
    Peer gbk(server.port);
    EXPECT_EQ(gbk.read_line(), "天王盖地虎\n");  // every conversation starts in UTF-8
    Peer utf8(server.port);
    EXPECT_EQ(utf8.read_line(), "天王盖地虎\n");

    gbk.send("hello\n");  // ASCII decides nothing
    EXPECT_EQ(gbk.read_line(), "hello\n");
    gbk.send(nihao_gbk + "\n");
    EXPECT_EQ(gbk.read_line(), nihao_gbk + "\n");
    utf8.send("你好\n");
    EXPECT_EQ(utf8.read_line(), "你好\n");
    gbk.send(grinning_gb18030 + shoudao_gbk + "\n");  // answered in GB18030, not GBK
    EXPECT_EQ(gbk.read_line(), grinning_gb18030 + shoudao_gbk + "\n");
    utf8.send("中文测试\n");  // valid GB18030 too, but valid UTF-8 first
    EXPECT_EQ(utf8.read_line(), "中文测试\n");

    gbk.send("bye\n");
    EXPECT_EQ(gbk.read_until_closed(), "");
    std::vector<std::string> console = lines_until(server.child, "said bye");
    EXPECT_EQ(count_containing(console, "[to #1] 你好"), 1) << joined(console);  // both read right
    EXPECT_EQ(count_containing(console, "[to #2] 你好"), 1) << joined(console);
    EXPECT_EQ(count_containing(console, "(#1 speaks GB18030: switched)"), 1) << joined(console);
    EXPECT_EQ(count_containing(console, "switched"), 1) << joined(console);
    EXPECT_EQ(count_containing(console, "read as"), 0) << joined(console);
}

TEST(Encodings, AutoReadsACountersignSentInGbk) {
    Server server({"--encoding", "auto", "--countersign", "宝塔镇河妖", "--echo"});
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(), "天王盖地虎\n");
    peer.send("\xB1\xA6\xCB\xFE\xD5\xF2\xBA\xD3\xD1\xFD\n");  // 宝塔镇河妖 in GBK
    EXPECT_TRUE(server.child.line_containing("(#1 speaks GB18030: switched)"));
    EXPECT_TRUE(server.child.line_containing("gave the countersign"));
    peer.send(nihao_gbk + "\n");
    EXPECT_EQ(peer.read_line(), nihao_gbk + "\n");
}

TEST(Encodings, TheClientSaysOnceWhenTheServersBytesReadAsGbk) {
    Child script({"/usr/bin/env", "python3", test_file("peers/lesson_server.py"), "gbk", "收到了"});
    std::optional<std::string> listening = script.line_containing("listening on");
    ASSERT_TRUE(listening);
    std::string port = listening->substr(listening->rfind(':') + 1);
    Child you({program("intercom-client"), "127.0.0.1", port});
    EXPECT_TRUE(you.line_containing("(the server's bytes are not UTF-8 but read as GBK; try --encoding GBK)"));
    you.write("你好\n");
    EXPECT_TRUE(script.line_containing("got: "));
    you.write("bye\n");
    EXPECT_EQ(script.wait_exit(), 0);
    EXPECT_EQ(you.wait_exit(), 0);
    std::string rest;
    while (std::optional<std::string> line = you.read_line()) rest += *line + "\n";
    EXPECT_EQ(rest.find("read as"), std::string::npos) << rest;  // the reply in GBK: no second hint
}

TEST(Encodings, TheClientRefusesEncodingAuto) {
    Child you({program("intercom-client"), "--encoding", "auto"});
    EXPECT_EQ(you.wait_exit(), 2);
    EXPECT_NE(you.stderr_text().find("--encoding auto is the server's"), std::string::npos) << you.stderr_text();
}
