// Addresses and deadlines: dual-stack listening, trying every address, idle clients.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "harness.h"

using namespace harness;

namespace {

// Port 0 on every address, as a user would start it; the tests still talk only to
// loopback addresses.
int start_on_every_address(Child& server) {
    std::optional<std::string> line = server.line_containing("listening on");
    if (!line) return 0;
    return std::stoi(line->substr(line->rfind(':') + 1));
}

bool connects_over_ipv6_loopback(int port) {
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(static_cast<std::uint16_t>(port));
    address.sin6_addr = in6addr_loopback;
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return ok;
}

}  // namespace

TEST(Network, ListensOnIpv6AndIpv4ByDefault) {
    Child server({program("intercom-server"), "--port", "0", "--echo"});
    int port = start_on_every_address(server);
    ASSERT_NE(port, 0);
    Peer over_ipv4(port);
    EXPECT_EQ(over_ipv4.read_line(), "天王盖地虎\n");
    EXPECT_TRUE(connects_over_ipv6_loopback(port));
}

TEST(Network, ClientTriesEveryAddressOfTheName) {
    // "localhost" is ::1 and 127.0.0.1; the server listens on 127.0.0.1 only, so a
    // client that gave up after the first address would fail.
    Server server({"--echo"});
    Child you({program("intercom-client"), "localhost", std::to_string(server.port)});
    EXPECT_TRUE(you.line_containing("天王盖地虎"));
    you.close_stdin();
    EXPECT_EQ(you.wait_exit(), 0);
}

TEST(Network, ClientSilentOnItsTurnIsClosedAfterTheIdleTimeout) {
    Server server({"--echo", "--idle-timeout", "1"});
    Peer peer(server.port);
    peer.read_line();
    std::string rest = peer.read_until_closed(4000ms);
    EXPECT_TRUE(peer.closed());
    EXPECT_NE(rest.find("1 s"), std::string::npos) << rest;
    EXPECT_TRUE(server.child.line_containing("timed out"));
}

TEST(Network, PortInUseIsOneLineAndExitOne) {
    Server first({"--echo"});
    Child second({program("intercom-server"), "--host", "127.0.0.1", "--port", std::to_string(first.port)});
    EXPECT_EQ(second.wait_exit(), 1);
    EXPECT_EQ(second.stderr_text(), "intercom-server: listen on 127.0.0.1:" + std::to_string(first.port) +
                                        ": address already in use\n");
}

TEST(Network, PermissionDeniedIsOneLineAndExitOne) {
    if (!have_program("setpriv")) GTEST_SKIP() << "setpriv is not installed";
    // As an ordinary user (nobody), ports below 1024 are refused.
    Child server({"/usr/bin/env", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                  program("intercom-server"), "--host", "127.0.0.1", "--port", "80"});
    EXPECT_EQ(server.wait_exit(), 1);
    EXPECT_EQ(server.stderr_text(), "intercom-server: listen on 127.0.0.1:80: permission denied\n");
}

TEST(Network, UnreachableIsOneLineAndExitOne) {
    if (!have_program("unshare")) GTEST_SKIP() << "unshare is not installed";
    // A network namespace of its own has no network at all, not even loopback up.
    Child you({"/usr/bin/env", "unshare", "-n", "--", program("intercom-client"), "127.0.0.1", "8888"});
    EXPECT_EQ(you.wait_exit(), 1);
    EXPECT_EQ(you.stderr_text(), "intercom-client: connect to 127.0.0.1:8888: network is unreachable\n");
}

TEST(Network, HostThatCannotBeLookedUpIsOneLineAndExitOne) {
    if (!have_program("unshare")) GTEST_SKIP() << "unshare is not installed";
    // In a namespace with no network the lookup fails at once, and asks nobody.
    Child you({"/usr/bin/env", "unshare", "-n", "--", program("intercom-client"), "no-such-host.invalid"});
    EXPECT_EQ(you.wait_exit(), 1);
    std::string err = you.stderr_text();
    EXPECT_EQ(err.rfind("intercom-client: look up no-such-host.invalid: ", 0), 0u) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

TEST(Network, TheClientTakesHostColonPortAndDashP) {
    Server server({"--echo"});
    std::string port = std::to_string(server.port);
    for (std::vector<std::string> target : {std::vector<std::string>{"127.0.0.1:" + port},
                                            {"-p", port, "127.0.0.1"},
                                            {"--port", port}}) {
        target.insert(target.begin(), program("intercom-client"));
        Child you(target);
        EXPECT_TRUE(you.line_containing("[127.0.0.1:" + port + "] 天王盖地虎")) << target[1];
        you.write("bye\n");
        EXPECT_EQ(you.wait_exit(), 0) << target[1] << you.stderr_text();
    }
}

TEST(Network, TheServerTakesABarePort) {
    Child server({program("intercom-server"), "--host", "127.0.0.1", "--echo", "0"});
    std::optional<std::string> line = server.line_containing("listening on 127.0.0.1:");
    ASSERT_TRUE(line) << server.stderr_text();
    EXPECT_NE(line->substr(line->rfind(':') + 1), "0") << *line;
}

// One line saying what was wrong, one saying where the usage is: not the whole usage.
TEST(Network, BadOptionsPrintOneLineAndExitTwoEchoingTheValue) {
    struct Case {
        std::vector<std::string> args;
        std::string echoed;
    };
    std::vector<Case> cases = {
        {{program("intercom-server"), "--bogus"}, "'--bogus'"},
        {{program("intercom-server"), "--port", "http"}, "'http'"},
        {{program("intercom-server"), "--port", "65536"}, "'65536'"},
        {{program("intercom-server"), "--greeting", "two\nlines"}, "greeting"},
        {{program("intercom-server"), "--files", ".", "--channel"}, "--channel"},
        {{program("intercom-client"), "--max-file", "1.5G"}, "'1.5G'"},
        {{program("intercom-server"), "--encoding", "ISO-2022-CN-EXT"}, "'ISO-2022-CN-EXT'"},
        {{program("intercom-client"), "-x"}, "'-x'"},
        {{program("intercom-client"), "127.0.0.1", "0"}, "'0'"},
        {{program("intercom-client"), "[::1]x"}, "'[::1]x'"},
        {{program("intercom-server"), "--port", "{3}"}, "'{3}'"},
    };
    for (Case& c : cases) {
        Child program_run(c.args);
        EXPECT_EQ(program_run.wait_exit(), 2) << c.args[1];
        std::string err = program_run.stderr_text();
        std::string name = c.args[0].substr(c.args[0].rfind('/') + 1);
        std::size_t first_end = err.find('\n');
        ASSERT_NE(first_end, std::string::npos) << err;
        EXPECT_EQ(err.rfind(name + ": ", 0), 0u) << err;
        EXPECT_NE(err.substr(0, first_end).find(c.echoed), std::string::npos) << err;
        EXPECT_EQ(err.substr(first_end + 1), "try '" + name + " --help'\n");
        EXPECT_EQ(program_run.stdout_text(), "");
    }
}

TEST(Network, ConnectingToAnAddressThatNeverAnswersGivesUpAfterTenSeconds) {
    if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
    Child silent({"/usr/bin/env", "python3", test_file("peers/full_listener.py")});
    std::optional<std::string> line = silent.line_containing("listening on");
    ASSERT_TRUE(line);
    std::string port = line->substr(line->rfind(':') + 1);
    auto start = std::chrono::steady_clock::now();
    Child you({program("intercom-client"), "127.0.0.1", port});
    EXPECT_EQ(you.wait_exit(20000ms), 1);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, 15s);
    EXPECT_EQ(you.stderr_text(), "intercom-client: connect to 127.0.0.1:" + port + ": connection timed out\n");
}
