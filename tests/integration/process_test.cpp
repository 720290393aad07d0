// The process as a whole: how it starts with too little (closed standard streams, no
// room for a thread) and how signals end it.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "harness.h"

using namespace harness;

namespace {

const std::string greeting = "天王盖地虎\n";
const std::string busy = "intercom: busy, try again later\n";

// argv run as under `ulimit -u 1`: the process may not start a single thread. Root
// is exempt from that limit, so as root it runs as nobody.
std::vector<std::string> with_no_room_for_a_thread(std::vector<std::string> argv) {
    std::vector<std::string> prefix = {"/usr/bin/prlimit", "--nproc=1", "--"};
    if (geteuid() == 0)
        prefix.insert(prefix.begin(), {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"});
    argv.insert(argv.begin(), prefix.begin(), prefix.end());
    return argv;
}

std::string all_of_stdout(Child& child) {
    std::string text;
    while (std::optional<std::string> line = child.read_line()) text += *line + "\n";
    return text;
}

}  // namespace

TEST(Process, ClosedStderrNeverSendsOurErrorTextToAClient) {
    // stderr closed (2>&-) and descriptors running out: had a socket taken descriptor
    // 2, the "accept: too many open files" meant for stderr would reach the newcomer.
    Child server({"/usr/bin/prlimit", "--nofile=16:16", "--", program("intercom-server"), "--host", "127.0.0.1",
                  "--port", "0", "--echo"},
                 {}, {2});
    std::optional<std::string> line = server.line_containing("listening on");
    ASSERT_TRUE(line);
    int port = std::stoi(line->substr(line->rfind(':') + 1));
    std::string answer;
    std::vector<std::unique_ptr<Peer>> served = connect_until_turned_away(port, greeting, answer, 16);
    EXPECT_EQ(answer, busy);
    EXPECT_EQ(served.back()->read_until_closed(), "");
    EXPECT_GT(served.size(), 1u);
    served.clear();
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(), 0);
}

TEST(Process, HelpAndVersionNeedNoThread) {
    for (const char* name : {"intercom-server", "intercom-client"}) {
        for (const char* option : {"--help", "--version"}) {
            Child child(with_no_room_for_a_thread({program(name), option}));
            std::string shown = all_of_stdout(child);
            EXPECT_EQ(child.wait_exit(), 0) << name << " " << option << ": " << child.stderr_text();
            EXPECT_NE(shown.find(name), std::string::npos) << shown;
            EXPECT_EQ(child.stderr_text(), "") << name << " " << option;
        }
    }
}

TEST(Process, ServerThatCannotStartAThreadSaysSoInOneLine) {
    Child server(with_no_room_for_a_thread(
        {program("intercom-server"), "--host", "127.0.0.1", "--port", "0", "--echo"}));
    EXPECT_EQ(server.wait_exit(), 1);
    std::string said = server.stderr_text();
    EXPECT_EQ(said.rfind("intercom-server: start a thread: ", 0), 0u) << said;
    EXPECT_EQ(std::count(said.begin(), said.end(), '\n'), 1) << said;
}

TEST(Process, ClientConversesWithoutAThread) {
    Server server({"--echo"});
    Child you(with_no_room_for_a_thread({program("intercom-client"), "127.0.0.1", std::to_string(server.port)}));
    EXPECT_TRUE(you.line_containing("天王盖地虎"));
    you.write("hi\n");
    EXPECT_TRUE(you.line_containing("] hi"));
    you.close_stdin();
    EXPECT_EQ(you.wait_exit(), 0) << you.stderr_text();
}

TEST(Process, SighupShutsTheServerDownLikeSigterm) {
    // The terminal the server runs in is closed.
    Server server({"--echo"});
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(), greeting);
    server.child.signal(SIGHUP);
    EXPECT_EQ(peer.read_until_closed(3000ms), "intercom: the server is shutting down\nbye\n");
    EXPECT_FALSE(peer.was_reset());
    EXPECT_EQ(server.child.wait_exit(3000ms), 0);
}

TEST(Process, SighupEndsTheClientWithBye) {
    Server server({"--echo"});
    Child you({program("intercom-client"), "127.0.0.1", std::to_string(server.port)});
    EXPECT_TRUE(you.line_containing("天王盖地虎"));
    you.signal(SIGHUP);
    EXPECT_EQ(you.wait_exit(3000ms), 0);
    EXPECT_TRUE(server.child.line_containing("said bye"));
}

TEST(Process, SecondSigintWhileShuttingDownEndsAtOnce) {
    Server server({"--echo", "--send-timeout", "20"});
    Peer stuck(server.port, 4096);  // a small window fills sooner
    stuck.read_line();
    Peer waiting(server.port);
    waiting.read_line();
    // Lines echoed into a peer that never reads, until the server stops taking more:
    // its send waits for room (for up to 20 s). The console is kept read.
    std::string lines;
    for (int i = 0; i < 100; ++i) lines += std::string(100, 'q') + "\n";
    for (auto until = std::chrono::steady_clock::now() + 20s;
         stuck.send_for(lines, 200ms) && std::chrono::steady_clock::now() < until;)
        while (server.child.read_line(1ms)) {
        }
    server.child.signal(SIGINT);
    EXPECT_EQ(waiting.read_line(3000ms), "intercom: the server is shutting down\n");  // the first is acted on
    server.child.signal(SIGINT);
    EXPECT_EQ(server.child.wait_exit(1000ms), 1);
    EXPECT_NE(server.child.stderr_text().find("intercom-server: interrupted again; open conversations cut off\n"),
              std::string::npos)
        << server.child.stderr_text();
}
