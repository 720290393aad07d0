// Addresses and deadlines: dual-stack listening, trying every address, idle clients.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
