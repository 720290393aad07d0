// The peers people really have: lesson scripts with no newline, GBK tools, exact-bytes
// comparisons (--raw), and what happens when the other end is not there.
#include <gtest/gtest.h>

#include "harness.h"

using namespace harness;

namespace {

// 天王盖地虎 and 你好 in GBK.
const std::string greeting_gbk = "\xCC\xEC\xCD\xF5\xB8\xC7\xB5\xD8\xBB\xA2";
const std::string nihao_gbk = "\xC4\xE3\xBA\xC3";

std::vector<std::string> python(const std::string& script, int port, std::vector<std::string> args = {}) {
    std::vector<std::string> argv = {"/usr/bin/env", "python3", test_file("peers/" + script), "127.0.0.1",
                                     std::to_string(port)};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

}  // namespace

TEST(Peers, LessonScriptSendingBareUtf8WithNoNewlineIsAnswered) {
    if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
    Server server({});
    Child script(python("lesson_client.py", server.port, {"utf-8", "你好", "bye"}));
    EXPECT_TRUE(server.child.line_containing("] 你好", 3000ms));
    server.child.write("收到\n");
    EXPECT_TRUE(script.line_containing("reply: 收到"));
    EXPECT_EQ(script.wait_exit(), 0);
    EXPECT_TRUE(server.child.line_containing("said bye"));
}

TEST(Peers, GbkPeerTalksWithEncodingGbk) {
    Server server({"--encoding", "gbk"});
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(), greeting_gbk + "\n");
    peer.send(nihao_gbk + "\n");
    EXPECT_TRUE(server.child.line_containing("] 你好"));  // shown in UTF-8 on the console
    server.child.write("你好\n");
    EXPECT_EQ(peer.read_line(), nihao_gbk + "\n");  // and sent back in GBK
}

TEST(Peers, GbkLessonScriptWithNoNewline) {
    if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
    Server server({"--encoding", "GBK", "--reply", "收到"});
    Child script(python("lesson_client.py", server.port, {"gbk", "你好", "bye"}));
    EXPECT_TRUE(script.line_containing("greeting: 天王盖地虎"));
    EXPECT_TRUE(script.line_containing("reply: 收到"));
    EXPECT_EQ(script.wait_exit(), 0);
    EXPECT_TRUE(server.child.line_containing("] 你好"));
}

TEST(Peers, RawSendsNoTrailingNewline) {
    Server server({"--raw", "--reply", "ok"});
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(1000ms), "天王盖地虎");  // exactly the text, nothing after it
    peer.send("hello");
    EXPECT_EQ(peer.read_line(1000ms), "ok");
}

TEST(Peers, ClientWithRawSendsBareText) {
    Server server({"--echo"});
    Child you({program("intercom-client"), "--raw", "127.0.0.1", std::to_string(server.port)});
    you.write("你好\n");
    EXPECT_TRUE(you.line_containing("] 你好"));  // arrived whole after the quiet gap
}

TEST(Peers, ClientTalksToAnEchoServerInGbk) {
    Server server({"--encoding", "gbk", "--echo"});
    Child you({program("intercom-client"), "--encoding", "gbk", "127.0.0.1", std::to_string(server.port)});
    EXPECT_TRUE(you.line_containing("天王盖地虎"));
    you.write("中文测试\n");
    EXPECT_TRUE(you.line_containing("] 中文测试"));
    EXPECT_TRUE(server.child.line_containing("] 中文测试"));
}

TEST(Peers, ClientRefusedConnectionIsOneLineAndExitOne) {
    int port;
    {
        Server server({"--echo"});
        port = server.port;
    }  // nothing listens there now
    Child you({program("intercom-client"), "127.0.0.1", std::to_string(port)});
    EXPECT_EQ(you.wait_exit(), 1);
    EXPECT_EQ(you.stderr_text(),
              "intercom-client: connect to 127.0.0.1:" + std::to_string(port) + ": connection refused\n");
}

TEST(Peers, BadUsageIsExitTwoAndEchoesTheValue) {
    Child server({program("intercom-server"), "--port", "70000"});
    EXPECT_EQ(server.wait_exit(), 2);
    EXPECT_NE(server.stderr_text().find("'70000'"), std::string::npos);
    Child you({program("intercom-client"), "--encoding", "EBCDIC"});
    EXPECT_EQ(you.wait_exit(), 2);
    EXPECT_NE(you.stderr_text().find("'EBCDIC'"), std::string::npos);
    Child help({program("intercom-client"), "--help"});
    EXPECT_EQ(help.wait_exit(), 0);
    EXPECT_TRUE(help.line_containing("usage: intercom-client"));
}
