// The process as a whole: how it starts with too little (closed standard streams, no
// room for a thread) and how signals end it.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>

#include "harness.h"

using namespace harness;

namespace {

const std::string greeting = "天王盖地虎\n";
const std::string busy = "intercom: busy, try again later\n";

}  // namespace

TEST(Process, ClosedStderrNeverSendsOurErrorTextToAClient) {
    // stderr closed (2>&-) and descriptors running out: had a socket taken descriptor
    // 2, the "accept: too many open files" meant for stderr would reach the newcomer.
    Child server({"/usr/bin/prlimit", "--nofile=9:9", "--", program("intercom-server"), "--host", "127.0.0.1",
                  "--port", "0", "--echo"},
                 {}, {2});
    std::optional<std::string> line = server.line_containing("listening on");
    ASSERT_TRUE(line);
    int port = std::stoi(line->substr(line->rfind(':') + 1));
    std::vector<std::unique_ptr<Peer>> served;
    std::string answer;
    while (served.size() < 8) {
        served.push_back(std::make_unique<Peer>(port));
        answer = served.back()->read_line();
        if (answer != greeting) break;
    }
    EXPECT_EQ(answer, busy);
    EXPECT_EQ(served.back()->read_until_closed(), "");
    EXPECT_GT(served.size(), 1u);
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(), 0);
}
