// Peers that misbehave, and a system that runs short: the server keeps serving, memory
// stays bounded, nothing reaches a console raw.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "harness.h"

using namespace harness;

namespace {

const std::string greeting = "天王盖地虎\n";

long resident_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

long thread_count(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("Threads:", 0) == 0) return std::stol(line.substr(8));
    return -1;
}

bool has_raw_control(const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\t') || c == 0x7F) return true;
        if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(text[i + 1]) <= 0x9F)
            return true;  // a C1 control, U+0080..U+009F
        if (text.compare(i, 3, "\xE2\x80\xAE") == 0) return true;  // U+202E
    }
    return false;
}

}  // namespace

TEST(Hostile, OneByteAtATimeSplittingCharacters) {
    Server server({"--echo"});
    Peer peer(server.port);
    peer.read_line();
    for (char byte : std::string("你好世界\n")) {
        peer.send(std::string(1, byte));
        std::this_thread::sleep_for(2ms);
    }
    EXPECT_EQ(peer.read_line(), "你好世界\n");
    EXPECT_TRUE(server.child.line_containing("] 你好世界"));
}

TEST(Hostile, ManyLinesInOneSegmentAreAnsweredOneATurn) {
    Server server({"--echo"});
    Peer peer(server.port);
    peer.read_line();
    peer.send("one\ntwo\r\nthree\rfour\n");
    EXPECT_EQ(peer.read_line(), "one\n");
    EXPECT_EQ(peer.read_line(), "two\n");
    EXPECT_EQ(peer.read_line(), "three\n");
    EXPECT_EQ(peer.read_line(), "four\n");
}

TEST(Hostile, LineAtMaxLinePassesAndOneByteOverIsNoticedAndClosed) {
    Server server({"--echo", "--max-line", "16"});
    Peer peer(server.port);
    peer.read_line();
    peer.send(std::string(16, 'a') + "\n");
    EXPECT_EQ(peer.read_line(), std::string(16, 'a') + "\n");
    peer.send(std::string(17, 'b') + "\n");
    std::string rest = peer.read_until_closed();
    EXPECT_NE(rest.find("longer than 16 bytes"), std::string::npos) << rest;
    EXPECT_TRUE(peer.closed());
    Peer next(server.port);  // and the server serves on
    EXPECT_EQ(next.read_line(), greeting);
}

TEST(Hostile, TooLongTypedLineIsNotSentAndMayBeTypedAgain) {
    Server server({});
    Child you({program("intercom-client"), "127.0.0.1", std::to_string(server.port)});
    you.write(std::string(9000, 'x') + "\nshort\n");
    EXPECT_TRUE(server.child.line_containing("] short"));
    EXPECT_NE(you.stderr_text().find("too long, not sent"), std::string::npos);
}

TEST(Hostile, EndlessLineIsClosedAndServerMemoryStaysBounded) {
    Server server({"--echo"});
    Peer warm_up(server.port);  // let the server reach its working size first
    warm_up.read_line();
    long before = resident_kib(server.child.pid());
    Peer flood(server.port);
    flood.read_line();
    std::string megabyte(1 << 20, 'z');
    for (int i = 0; i < 10 && !flood.closed(); ++i) flood.send(megabyte);
    long after = resident_kib(server.child.pid());
    EXPECT_LT(after - before, 4 * 1024) << "KiB grown: " << after - before;
    EXPECT_NE(flood.read_until_closed().find("longer than 8192 bytes"), std::string::npos);
}

TEST(Hostile, TricklingClientIsClosedByThePartialMessageDeadline) {
    // A quiet gap the trickle never leaves (and shorter than the deadline, as it must be).
    Server server({"--echo", "--quiet-gap", "1500", "--partial-timeout", "2"});
    Peer peer(server.port);
    peer.read_line();
    for (int i = 0; i < 12 && !peer.closed(); ++i) {  // one byte every 0.5 s, never a line end
        peer.send("x");
        peer.read_line(500ms);
    }
    EXPECT_TRUE(peer.closed());
    EXPECT_TRUE(server.child.line_containing("unfinished"));
}

TEST(Hostile, PeerThatStopsReadingIsGivenUpWhileOthersAreServed) {
    Server server({"--echo", "--send-timeout", "1"});
    Peer stuck(server.port, 4096);  // a small window fills sooner
    stuck.read_line();
    // Lines the server echoes into a peer that never reads, until the server's send
    // gives up (megabytes: the kernel buffers a lot first); the console is kept read.
    std::string lines;
    for (int i = 0; i < 100; ++i) lines += std::string(100, 'q') + "\n";
    bool given_up = false;
    for (auto until = std::chrono::steady_clock::now() + 20s; !given_up && std::chrono::steady_clock::now() < until;) {
        stuck.send_for(lines, 10ms);
        given_up = server.child.line_containing("could not send: connection timed out", 10ms).has_value();
    }
    EXPECT_TRUE(given_up);
    Peer other(server.port);
    EXPECT_EQ(other.read_line(), greeting);
    other.send("still here\n");
    EXPECT_EQ(other.read_line(), "still here\n");
}

TEST(Hostile, ResetMidTurnIsReportedAndTheNextClientServed) {
    Server server({});
    {
        Peer peer(server.port);
        peer.read_line();
        peer.send("about to vanish\n");
        EXPECT_TRUE(server.child.line_containing("] about to vanish"));
        server.child.write("answer\n");
        peer.read_line();
        peer.reset();  // SO_LINGER 0: close with RST
    }
    EXPECT_TRUE(server.child.line_containing("connection lost: connection reset by peer"));
    Peer next(server.port);
    EXPECT_EQ(next.read_line(), greeting);
}

TEST(Hostile, KilledClientIsReportedAndTheNextClientServed) {
    Server server({"--echo"});
    Child you({program("intercom-client"), "127.0.0.1", std::to_string(server.port)});
    EXPECT_TRUE(you.line_containing("天王盖地虎"));
    you.signal(SIGKILL);
    EXPECT_TRUE(server.child.line_containing("without saying bye"));
    Peer next(server.port);
    EXPECT_EQ(next.read_line(), greeting);
}

TEST(Hostile, HalfCloseWithoutByeDeliversWhatCameThenEnds) {
    Server server({"--echo"});
    Peer peer(server.port);
    peer.read_line();
    peer.send("last words with no line end");
    peer.shutdown_send();
    EXPECT_EQ(peer.read_line(), "last words with no line end\n");
    EXPECT_TRUE(server.child.line_containing("without saying bye"));
}

TEST(Hostile, InvalidBytesBecomeReplacementCharactersNeverACrash) {
    Server server({"--echo"});
    Peer peer(server.port);
    peer.read_line();
    peer.send(std::string("a") + '\0' + "b \xFF\xFE \xED\xA0\x80 \xF4\x90\x80\x80 \xC0\xAF end\n");
    std::string echoed = peer.read_line();
    EXPECT_EQ(echoed.find('\xFF'), std::string::npos);
    EXPECT_EQ(echoed.find("\xF4\x90"), std::string::npos);  // nothing above U+10FFFF
    EXPECT_NE(echoed.find("\xEF\xBF\xBD"), std::string::npos);
    std::optional<std::string> shown = server.child.line_containing("end");
    ASSERT_TRUE(shown);
    EXPECT_NE(shown->find("a\\x00b"), std::string::npos) << *shown;
}

TEST(Hostile, InvalidGbkBecomesReplacementAndTrailBytesAreNotBackslashes) {
    Server server({"--encoding", "gbk", "--echo"});
    Peer peer(server.port);
    peer.read_line();
    peer.send("\x81\x5C \x81\x20 ok\n");  // 乗 (its second byte is '\'), then a broken pair
    std::optional<std::string> shown = server.child.line_containing("ok");
    ASSERT_TRUE(shown);
    EXPECT_NE(shown->find("乗 "), std::string::npos) << *shown;
    EXPECT_NE(shown->find("\xEF\xBF\xBD"), std::string::npos) << *shown;
    EXPECT_EQ(shown->find('\\'), std::string::npos) << *shown;
}

TEST(Hostile, ControlSequencesFromAClientAreShownEscapedOnTheServerConsole) {
    Server server({"--echo"});
    Peer peer(server.port);
    peer.read_line();
    // (A bare CR would end the message on the wire: framing splits there.)
    peer.send("\x1B]0;title\x07 \x1B[2J \xC2\x9B \x7F \xE2\x80\xAE end\n");
    std::optional<std::string> shown = server.child.line_containing("end");
    ASSERT_TRUE(shown);
    EXPECT_FALSE(has_raw_control(*shown)) << *shown;
    EXPECT_NE(shown->find("\\x1b]0;title\\x07"), std::string::npos) << *shown;
}

TEST(Hostile, ControlSequencesFromTheServerAreShownEscapedOnTheClientConsole) {
    Server server({});
    Child you({program("intercom-client"), "127.0.0.1", std::to_string(server.port)});
    you.write("hi\n");
    EXPECT_TRUE(server.child.line_containing("] hi"));
    server.child.write("\x1B[2J\x1B]0;pwned\x07 \xC2\x9B\xE2\x80\xAE tail\n");
    std::optional<std::string> shown = you.line_containing("tail");
    ASSERT_TRUE(shown);
    EXPECT_FALSE(has_raw_control(*shown)) << *shown;
    EXPECT_NE(shown->find("\\x1b[2J"), std::string::npos) << *shown;
}

TEST(Hostile, FullServerTurnsNewcomersAwayAtOnceAndResumesWhenFree) {
    Server server({"--echo", "--max-clients", "2"});
    Peer a(server.port), b(server.port);
    EXPECT_EQ(a.read_line(), greeting);
    EXPECT_EQ(b.read_line(), greeting);
    {
        Peer c(server.port);
        EXPECT_EQ(c.read_until_closed(1000ms), "intercom: busy, try again later\n");
        EXPECT_TRUE(c.closed());
    }
    a.send("bye\n");
    a.read_until_closed();
    EXPECT_TRUE(server.child.line_containing("said bye"));
    Peer d(server.port);  // the place is free at once
    EXPECT_EQ(d.read_line(), greeting);
}

TEST(Hostile, OutOfFileDescriptorsTurnsNewcomersAwayWithoutSpinning) {
    if (!have_program("prlimit")) GTEST_SKIP() << "prlimit is not installed";
    // Room for the standard streams, the listener, the bells (two descriptors each where
    // they are pipes: make portable-check), the reserve, and a few conversations.
    Child server({"/usr/bin/env", "prlimit", "--nofile=16:16", "--", program("intercom-server"), "--host",
                  "127.0.0.1", "--port", "0", "--echo"});
    std::optional<std::string> line = server.line_containing("listening on");
    ASSERT_TRUE(line);
    int port = std::stoi(line->substr(line->rfind(':') + 1));
    std::string answer;
    std::vector<std::unique_ptr<Peer>> served = connect_until_turned_away(port, greeting, answer, 16);
    EXPECT_EQ(answer, "intercom: busy, try again later\n");
    EXPECT_GT(served.size(), 1u);
    std::size_t open = served.size() - 1;
    served.clear();  // the turned-away one and everyone served hang up
    for (std::size_t i = 0; i < open; ++i) EXPECT_TRUE(server.line_containing("without saying bye"));
    Peer next(port);
    EXPECT_EQ(next.read_line(), greeting);
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(), 0);
    std::string said = server.stderr_text();
    std::size_t first = said.find("too many open files");
    EXPECT_NE(first, std::string::npos);
    EXPECT_EQ(said.find("too many open files", first + 1), std::string::npos) << said;  // said once
}

// A pids cgroup (v1) caps the server's threads, so std::thread fails for real.
class ThreadCap {
public:
    ThreadCap(pid_t pid, int max_threads) : dir_("/sys/fs/cgroup/pids/intercom-test-" + std::to_string(pid)) {
        if (mkdir(dir_.c_str(), 0755) != 0) return;
        std::ofstream(dir_ + "/pids.max") << max_threads;
        std::ofstream(dir_ + "/cgroup.procs") << pid;
        ok_ = true;
    }
    ~ThreadCap() {
        if (ok_) rmdir(dir_.c_str());  // empty once the server has exited
    }
    bool ok() const { return ok_; }

private:
    std::string dir_;
    bool ok_ = false;
};

TEST(Hostile, ThreadCreationFailingTurnsTheNewcomerAwayAndTheServerCarriesOn) {
    auto server = std::make_unique<Server>(std::vector<std::string>{"--echo"});
    // The threads it runs with no one connected, and room for two conversations.
    ThreadCap cap(server->child.pid(), thread_count(server->child.pid()) + 2);
    if (!cap.ok()) GTEST_SKIP() << "no writable pids cgroup (/sys/fs/cgroup/pids) on this machine";
    Peer a(server->port), b(server->port);
    EXPECT_EQ(a.read_line(), greeting);
    EXPECT_EQ(b.read_line(), greeting);
    {
        Peer c(server->port);
        EXPECT_EQ(c.read_until_closed(2000ms), "intercom: busy, try again later\n");
    }
    a.send("bye\n");
    a.read_until_closed();
    EXPECT_TRUE(server->child.line_containing("said bye"));
    Peer d(server->port);  // the finished thread is joined at once
    EXPECT_EQ(d.read_line(), greeting);
    server->child.signal(SIGTERM);
    EXPECT_EQ(server->child.wait_exit(), 0);
    server.reset();  // gone before the cgroup is removed
}

TEST(Hostile, SigintWithConversationsOpenSaysGoodbyeAndExitsZero) {
    Server server({});
    std::vector<std::unique_ptr<Peer>> peers;
    for (int i = 0; i < 10; ++i) {
        peers.push_back(std::make_unique<Peer>(server.port));
        peers.back()->read_line();
        if (i % 2) peers.back()->send("waiting\n");  // half wait for the console's answer
    }
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(server.child.line_containing("] waiting"));
    server.child.signal(SIGINT);
    for (auto& peer : peers)
        EXPECT_EQ(peer->read_until_closed(3000ms), "intercom: the server is shutting down\nbye\n");
    EXPECT_EQ(server.child.wait_exit(3000ms), 0);
}
