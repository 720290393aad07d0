// The lesson view (--trace), the countersign, the transcript, and the peers lessons
// use: Python scripts, netcat, telnet-style CRLF.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include <fstream>
#include <sstream>

#include "harness.h"

using namespace harness;

namespace {

const std::string greeting = "天王盖地虎\n";

// True if every one of `calls` appears in `trace`, in that order.
::testing::AssertionResult in_order(const std::string& trace, const std::vector<std::string>& calls) {
    std::size_t at = 0;
    for (const std::string& call : calls) {
        std::size_t found = trace.find(call, at);
        if (found == std::string::npos)
            return ::testing::AssertionFailure() << "'" << call << "' missing or out of order in:\n" << trace;
        at = found + call.size();
    }
    return ::testing::AssertionSuccess();
}

int port_of(Child& process) {
    std::optional<std::string> line = process.line_containing("listening on");
    return line ? std::stoi(line->substr(line->rfind(':') + 1)) : 0;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
}

}  // namespace

TEST(Lesson, ServerTraceShowsEachSocketCallInOrder) {
    Server server({"--echo", "--trace"});
    {
        Peer peer(server.port);
        peer.read_line();
        peer.send("hello\n");
        peer.read_line();
        peer.send("bye\n");
        peer.read_until_closed();
    }
    server.child.line_containing("said bye");
    server.child.signal(SIGTERM);
    server.child.wait_exit();
    EXPECT_TRUE(in_order(server.child.stderr_text(),
                         {"trace: socket(AF_INET, SOCK_STREAM) = fd ", "trace: setsockopt(fd ", ", SO_REUSEADDR, 1) = 0",
                          "trace: bind(fd ", ", 127.0.0.1:0) = 0", "trace: listen(fd ", "trace: accept(fd ",
                          " from 127.0.0.1:", "trace: send(fd ", ", 16 bytes) = 16", "trace: recv(fd ",
                          ") = 6 bytes (1 message)", "trace: send(fd ", ", 6 bytes) = 6", ") = 4 bytes (1 message)",
                          "trace: close(fd "}));
}

TEST(Lesson, TraceShowsTwoMessagesInOneRecvAndOneMessageInPieces) {
    Server server({"--echo", "--trace"});
    Peer peer(server.port);
    peer.read_line();
    peer.send("one\ntwo\n");
    peer.read_line();
    peer.read_line();
    peer.send("thr");
    std::this_thread::sleep_for(50ms);  // well inside the quiet gap: one message, two pieces
    peer.send("ee\n");
    peer.read_line();
    server.child.signal(SIGTERM);
    server.child.wait_exit();
    std::string trace = server.child.stderr_text();
    EXPECT_TRUE(in_order(trace, {") = 8 bytes (2 messages in one recv)", ") = 3 bytes (partial message, waiting for the rest)",
                                 ") = 3 bytes (1 message)"}));
}

TEST(Lesson, ClientTraceShowsEachSocketCallInOrder) {
    Server server({"--echo"});
    Child you({program("intercom-client"), "--trace", "127.0.0.1", std::to_string(server.port)});
    you.write("hi\n");
    you.close_stdin();
    EXPECT_EQ(you.wait_exit(), 0);
    std::string port = std::to_string(server.port);
    EXPECT_TRUE(in_order(you.stderr_text(),
                         {"trace: socket(AF_INET, SOCK_STREAM) = fd ", "trace: connect(fd ", ", 127.0.0.1:" + port + ") = 0",
                          "trace: recv(fd ", ") = 16 bytes (1 message)", "trace: send(fd ", ", 3 bytes) = 3",
                          ") = 3 bytes (1 message)", ", 4 bytes) = 4", "trace: shutdown(fd ", ", SHUT_WR) = 0",
                          ") = 0 (end of stream)", "trace: close(fd "}));
}

TEST(Lesson, RightCountersignIsLetThroughAndTheClientGivesItByItself) {
    Server server({"--countersign", "宝塔镇河妖", "--reply", "好"});
    Child you({program("intercom-client"), "--countersign", "宝塔镇河妖", "127.0.0.1", std::to_string(server.port)});
    EXPECT_TRUE(server.child.line_containing("gave the countersign"));
    you.write("你好\n");
    EXPECT_TRUE(you.line_containing("] 好"));
    EXPECT_TRUE(server.child.line_containing("] 你好"));
}

TEST(Lesson, WrongCountersignIsOneLineAndAClose) {
    Server server({"--countersign", "宝塔镇河妖", "--echo"});
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(), greeting);
    peer.send("小鸡炖蘑菇\n");
    EXPECT_EQ(peer.read_until_closed(), "intercom: wrong countersign\n");
    EXPECT_TRUE(server.child.line_containing("wrong countersign"));
}

TEST(Lesson, TranscriptHasOneEscapedLinePerMessage) {
    std::string path = "/tmp/intercom-transcript-" + std::to_string(getpid()) + ".log";
    unlink(path.c_str());
    {
        Server server({"--echo", "--log", path});
        Peer peer(server.port);
        peer.read_line();
        peer.send("你好 \x1B[2J\x07\n");
        peer.read_line();
        peer.send("bye\n");
        peer.read_until_closed();
        server.child.line_containing("said bye");
    }
    std::string log = read_file(path);
    unlink(path.c_str());
    std::istringstream lines(log);
    std::vector<std::string> all;
    for (std::string line; std::getline(lines, line);) all.push_back(line);
    ASSERT_EQ(all.size(), 4u) << log;
    // 2026-11-25T08:30:37.123Z #1 127.0.0.1:50412 out 天王盖地虎
    EXPECT_EQ(all[0].size() > 24 && all[0][10] == 'T' && all[0][23] == 'Z', true) << all[0];
    EXPECT_NE(all[0].find(" #1 127.0.0.1:"), std::string::npos) << all[0];
    EXPECT_NE(all[0].find(" out 天王盖地虎"), std::string::npos) << all[0];
    EXPECT_NE(all[1].find(" in 你好 \\x1b[2J\\x07"), std::string::npos) << all[1];
    EXPECT_NE(all[2].find(" out 你好 \\x1b[2J\\x07"), std::string::npos) << all[2];
    EXPECT_NE(all[3].find(" in bye"), std::string::npos) << all[3];
    EXPECT_EQ(log.find('\x1B'), std::string::npos);
}

// The text field of each transcript record: everything after the fourth space.
std::vector<std::string> record_texts(const std::string& log) {
    std::istringstream lines(log);
    std::vector<std::string> texts;
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string time, conversation, peer, direction, text;
        fields >> time >> conversation >> peer >> direction;
        fields.get();  // the one space before the text, which may begin with spaces of its own
        std::getline(fields, text);
        texts.push_back(text);
    }
    return texts;
}

TEST(Lesson, TranscriptTellsARealBelFromTheTypedText) {
    std::string path = "/tmp/intercom-transcript-bel-" + std::to_string(getpid()) + ".log";
    unlink(path.c_str());
    {
        Server server({"--echo", "--log", path});
        Peer peer(server.port);
        peer.read_line();
        for (const std::string message : {"a\x07" "b", "a\\x07b", "C:\\temp\\new b\u200Bye"}) {
            peer.send(message + "\n");
            EXPECT_EQ(peer.read_line(), message + "\n");
        }
        peer.send("bye\n");
        peer.read_until_closed();
        EXPECT_TRUE(server.child.line_containing("said bye"));
    }
    std::string log = read_file(path);
    unlink(path.c_str());
    // One record each way for each message, after the greeting: the README's format.
    std::vector<std::string> expected = {"天王盖地虎",
                                         "a\\x07b", "a\\x07b",
                                         "a\\\\x07b", "a\\\\x07b",
                                         "C:\\\\temp\\\\new b\\u200bye", "C:\\\\temp\\\\new b\\u200bye",
                                         "bye"};
    EXPECT_EQ(record_texts(log), expected) << log;
}

TEST(Lesson, ALogThatCannotBeWrittenIsReportedOnceAndServingGoesOn) {
    if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full here";
    Server server({"--echo", "--log", "/dev/full"});
    for (int client = 0; client < 2; ++client) {
        Peer peer(server.port);
        EXPECT_EQ(peer.read_line(), greeting);
        for (std::string message : {"one", "two"}) {
            peer.send(message + "\n");
            EXPECT_EQ(peer.read_line(), message + "\n");
        }
        peer.send("bye\n");
        EXPECT_EQ(peer.read_until_closed(), "");
        EXPECT_TRUE(server.child.line_containing("said bye"));
    }
    server.child.signal(SIGTERM);
    EXPECT_EQ(server.child.wait_exit(), 0);
    EXPECT_EQ(server.child.stderr_text(),
              "intercom-server: write log /dev/full: no space left on device; the transcript is incomplete\n");
}

TEST(Lesson, ClientTalksToAPythonLessonServerThatSendsNoNewlines) {
    if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
    for (std::string encoding : {"utf-8", "gbk"}) {
        Child script({"/usr/bin/env", "python3", test_file("peers/lesson_server.py"), encoding, "收到了"});
        int port = port_of(script);
        ASSERT_NE(port, 0);
        std::vector<std::string> argv = {program("intercom-client"), "127.0.0.1", std::to_string(port)};
        if (encoding == "gbk") argv.insert(argv.begin() + 1, {"--encoding", "gbk", "--raw"});
        Child you(argv);
        EXPECT_TRUE(you.line_containing("] 天王盖地虎")) << encoding;
        you.write("你好\n");
        EXPECT_TRUE(script.line_containing("got: 你好")) << encoding;
        EXPECT_TRUE(you.line_containing("] 收到了")) << encoding;
        you.write("bye\n");
        EXPECT_EQ(script.wait_exit(), 0) << encoding;
        EXPECT_EQ(you.wait_exit(), 0) << encoding;
    }
}

TEST(Lesson, NetcatIsALineClientWithLfAndWithCrlf) {
    if (!have_program("nc")) GTEST_SKIP() << "nc is not installed";
    for (bool crlf : {false, true}) {
        Server server({"--echo"});
        std::vector<std::string> argv = {"/usr/bin/env", "nc", "-N"};
        if (crlf) argv.push_back("-C");
        argv.insert(argv.end(), {"127.0.0.1", std::to_string(server.port)});
        Child nc(argv);
        nc.write("你好\nbye\n");
        nc.close_stdin();
        EXPECT_EQ(nc.read_line(), "天王盖地虎");
        EXPECT_EQ(nc.read_line(), "你好");
        EXPECT_EQ(nc.wait_exit(), 0);
        EXPECT_TRUE(server.child.line_containing("said bye")) << (crlf ? "CRLF" : "LF");
    }
}

TEST(Lesson, TelnetStyleCrlfPeer) {
    Server server({});
    Peer telnet(server.port);
    EXPECT_EQ(telnet.read_line(), greeting);
    telnet.send("hello from telnet\r\n");
    EXPECT_TRUE(server.child.line_containing("] hello from telnet"));
    server.child.write("hi\n");
    EXPECT_EQ(telnet.read_line(), "hi\n");
    telnet.send("bye\r\n");
    EXPECT_EQ(telnet.read_until_closed(), "");
    EXPECT_TRUE(server.child.line_containing("said bye"));
}

TEST(Lesson, MessagesFollowTheLocaleChineseUnderZh) {
    Child server({program("intercom-server"), "--host", "127.0.0.1", "--port", "0", "--echo"}, {"LC_ALL=zh_CN.UTF-8"});
    std::optional<std::string> line = server.line_containing("正在监听 127.0.0.1:");
    ASSERT_TRUE(line);
    int port = std::stoi(line->substr(line->rfind(':') + 1));
    Child you({program("intercom-client"), "127.0.0.1", std::to_string(port)}, {"LANG=zh_CN.UTF-8", "LC_ALL="});
    you.write("bye\n");
    EXPECT_EQ(you.wait_exit(), 0);
    EXPECT_TRUE(server.line_containing("说了再见 (bye)"));
    Child bad({program("intercom-client"), "--bogus"}, {"LC_ALL=zh_TW.UTF-8"});
    EXPECT_EQ(bad.wait_exit(), 2);
    EXPECT_EQ(bad.stderr_text(), "intercom-client: 未知选项：'--bogus'\n输入 'intercom-client --help' 查看用法\n");
}

TEST(Lesson, MessagesAreEnglishOtherwise) {
    Child bad({program("intercom-client"), "--bogus"}, {"LC_ALL=de_DE.UTF-8"});
    EXPECT_EQ(bad.wait_exit(), 2);
    EXPECT_EQ(bad.stderr_text(), "intercom-client: unknown option: '--bogus'\ntry 'intercom-client --help'\n");
}

TEST(Lesson, ClientRefusedForAWrongCountersignExitsOneEvenWithPipedInput) {
    Server server({"--countersign", "宝塔镇河妖", "--echo"});
    Child you({program("intercom-client"), "127.0.0.1", std::to_string(server.port)});
    you.write("小鸡炖蘑菇\n");
    you.close_stdin();
    EXPECT_TRUE(you.line_containing("intercom: wrong countersign"));
    EXPECT_EQ(you.wait_exit(), 1);
    EXPECT_NE(you.stderr_text().find("without saying bye"), std::string::npos);
}

TEST(Lesson, TraceAndMessagesKeepTheirOrderInOneStream) {
    // As a learner would capture it: `intercom-server --trace 2>&1 | tee lesson.log`.
    Child server({"/bin/sh", "-c", "exec " + program("intercom-server") + " --host 127.0.0.1 --port 0 --echo --trace 2>&1"});
    std::optional<std::string> line = server.line_containing("listening on");
    ASSERT_TRUE(line);
    Peer peer(std::stoi(line->substr(line->rfind(':') + 1)));
    peer.read_line();
    peer.send("hello\n");
    peer.read_line();
    std::vector<std::string> lines;
    while (std::optional<std::string> next = server.read_line(1000ms)) lines.push_back(*next);
    auto at = [&](const std::string& text) {
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (lines[i].find(text) != std::string::npos) return static_cast<long>(i);
        return -1L;
    };
    long received = at(") = 6 bytes (1 message)"), shown = at("] hello"), echoed = at(", 6 bytes) = 6");
    ASSERT_GE(received, 0);
    ASSERT_GE(shown, 0);
    ASSERT_GE(echoed, 0);
    EXPECT_LT(received, shown);  // recv, then the message on the console, then send
    EXPECT_LT(shown, echoed);
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(), 0);
}
