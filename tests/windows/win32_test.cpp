// Unit tests for what only the Windows build has: Winsock (start-up, the loopback
// waker, error text, SO_EXCLUSIVEADDRUSE, send timeouts), the Win32 codec backend's
// code pages, the console's encoding and the process decisions.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "../../shared/codec.h"
#include "../../shared/net.h"
#include "../../shared/process.h"
#include "../../shared/terminal.h"

using namespace std::chrono_literals;

namespace {

struct Pair {
    net::Socket listener, client, server;
};

Pair connected_pair() {
    Pair p;
    p.listener = net::listen_tcp("127.0.0.1", 0);
    p.client = net::connect_tcp("127.0.0.1", net::local_port(p.listener));
    net::Accepted a = net::accept_client(p.listener, {});
    p.server = std::move(a.socket);
    EXPECT_EQ(a.peer.rfind("127.0.0.1:", 0), 0u) << a.peer;
    return p;
}

}  // namespace

TEST(Winsock, StartsMoreThanOnce) {
    net::NetInit first;
    net::NetInit second;  // Winsock counts its starts: a test and main may both start it
    net::Socket s = net::listen_tcp("127.0.0.1", 0);
    EXPECT_TRUE(s.valid());
}

TEST(Winsock, TheWakerWakesFromAnotherThread) {
    net::NetInit net;
    net::Waker waker;
    EXPECT_FALSE(waker.woken());
    std::thread other([&waker] { waker.wake(); });
    waker.wait();
    other.join();
    EXPECT_TRUE(waker.woken());
    waker.wake();  // level-triggered: waking again changes nothing
    EXPECT_TRUE(waker.woken());
}

TEST(Winsock, TheWakerEndsAWaitForData) {
    net::NetInit net;
    Pair p = connected_pair();
    net::Waker waker;
    char buffer[16];
    EXPECT_EQ(net::recv_some(p.server, buffer, sizeof buffer, 50ms, &waker).kind,
              net::Received::timeout);
    waker.wake();
    EXPECT_EQ(net::recv_some(p.server, buffer, sizeof buffer, -1ms, &waker).kind,
              net::Received::woken);
}

TEST(Winsock, ChineseTextCrossesLoopbackWhole) {
    net::NetInit net;
    Pair p = connected_pair();
    EXPECT_FALSE(net::send_all(p.client, "你好\n", 1s));
    std::string got;
    char buffer[64];
    while (got.size() < 7) {
        net::Received r = net::recv_some(p.server, buffer, sizeof buffer, 5s);
        ASSERT_EQ(r.kind, net::Received::data);
        got.append(buffer, r.bytes);
    }
    EXPECT_EQ(got, "你好\n");
    net::shutdown_send(p.client);
    EXPECT_EQ(net::recv_some(p.server, buffer, sizeof buffer, 5s).kind, net::Received::closed);
}

TEST(Winsock, ARefusedConnectionReadsAsOneLowercaseLine) {
    net::NetInit net;
    std::uint16_t port;
    {
        net::Socket listener = net::listen_tcp("127.0.0.1", 0);
        port = net::local_port(listener);
    }  // closed: nobody listens there now
    try {
        net::connect_tcp("127.0.0.1", port);
        FAIL() << "connected to a closed port";
    } catch (const net::Error& e) {
        EXPECT_EQ(e.code(), std::errc::connection_refused);
        std::string text = net::error_text(e.code());
        ASSERT_FALSE(text.empty());
        EXPECT_TRUE(text[0] < 'A' || text[0] > 'Z') << text;
        EXPECT_EQ(text.find_first_of("\r\n"), std::string::npos) << text;
        EXPECT_NE(text.back(), '.') << text;
        EXPECT_EQ(std::string(e.what()).rfind("connect to 127.0.0.1:" + std::to_string(port) + ": ", 0), 0u)
            << e.what();
    }
}

TEST(Winsock, AnUnknownHostSaysSo) {
    net::NetInit net;
    try {
        net::connect_tcp("no-such-host.invalid", 8888);
        FAIL() << "resolved a .invalid name";
    } catch (const net::Error& e) {
        EXPECT_EQ(std::string(e.what()), "look up no-such-host.invalid: unknown host");
    }
}

TEST(Winsock, ASecondServerCannotTakeAPortInUse) {
    net::NetInit net;
    net::Socket first = net::listen_tcp("", 0);
    std::uint16_t port = net::local_port(first);
    EXPECT_EQ(net::local_endpoint(first), "[::]:" + std::to_string(port));
    try {
        net::listen_tcp("127.0.0.1", port);
        FAIL() << "two servers listen on port " << port;
    } catch (const net::Error& e) {
        // Windows answers a bind to a port held with SO_EXCLUSIVEADDRUSE with
        // WSAEADDRINUSE or WSAEACCES, depending on how the first socket was bound.
        EXPECT_TRUE(e.code() == std::errc::address_in_use ||
                    e.code() == std::errc::permission_denied) << e.what();
    }
}

TEST(Winsock, TheDualStackListenerTakesIpv4Clients) {
    net::NetInit net;
    net::Socket listener = net::listen_tcp("", 0);
    net::Socket client = net::connect_tcp("127.0.0.1", net::local_port(listener));
    net::Accepted a = net::accept_client(listener, {});
    ASSERT_TRUE(a.socket.valid());
    EXPECT_EQ(a.peer.rfind("127.0.0.1:", 0), 0u) << a.peer;  // not "[::ffff:127.0.0.1]"
}

TEST(Winsock, SendingToAGonePeerFailsInsteadOfKillingTheProcess) {
    net::NetInit net;
    process::ignore_broken_pipe();
    Pair p = connected_pair();
    p.server.close();
    std::error_code error;
    std::string block(64 * 1024, 'x');
    for (int i = 0; i < 100 && !error; ++i) {
        error = net::send_all(p.client, block, 2s);
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(error);
}

TEST(Winsock, ASendToAPeerThatNeverReadsTimesOut) {
    net::NetInit net;
    Pair p = connected_pair();
    std::string block(1 << 20, 'x');
    std::error_code error;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 256 && !error; ++i) error = net::send_all(p.client, block, 300ms);
    EXPECT_EQ(error, std::errc::timed_out);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

TEST(Win32Codec, GbkAndBig5UseTheirWindowsCodePages) {
    EXPECT_EQ(codec::Converter("UTF-8", "GBK").convert_all("你好"), "\xC4\xE3\xBA\xC3");
    EXPECT_EQ(codec::Converter("GBK", "UTF-8").convert_all("\xC4\xE3\xBA\xC3"), "你好");
    EXPECT_EQ(codec::Converter("UTF-8", "BIG5").convert_all("你好"), "\xA7\x41\xA6\x6E");
    EXPECT_EQ(codec::Converter("BIG5", "UTF-8").convert_all("\xA7\x41\xA6\x6E"), "你好");
}

TEST(Win32Codec, AWellFormedPairWithNoCharacterIsReplaced) {
    // Big5 0xA3 0xC0 has the shape of a character but none is assigned to it. As with
    // iconv, one byte is replaced and the next is read afresh: here a lead byte cut
    // short at the end.
    EXPECT_EQ(codec::Converter("BIG5", "UTF-8").convert_all("\xA7\x41\xA3\xC0"),
              "你\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Win32Codec, Gb18030IsThereOrRefusedByName) {
    // Windows has code page 54936; Wine 8 has not, and there GB18030 must be refused
    // with a clear error rather than converted wrongly.
    try {
        codec::Converter to("UTF-8", "GB18030");
        EXPECT_EQ(to.convert_all("你好\xF0\x9F\x98\x80"), "\xC4\xE3\xBA\xC3\x94\x39\xFC\x36");
        EXPECT_EQ(codec::Converter("GB18030", "UTF-8").convert_all("\x94\x39\xFC\x36"),
                  "\xF0\x9F\x98\x80");
    } catch (const codec::UnknownEncoding& e) {
        EXPECT_NE(std::string(e.what()).find("GB18030"), std::string::npos) << e.what();
    }
}

TEST(Win32Console, TheConsoleEncodingIsOneTheCodecAllows) {
    std::string encoding = terminal::console_encoding();
    EXPECT_EQ(codec::allowed_encoding(encoding), encoding);
    EXPECT_EQ(terminal::console_encoding(), encoding);  // decided once
}

TEST(Win32Process, NoFileLimitStandsInTheWayOfTenThousandConversations) {
    EXPECT_GE(process::raise_open_file_limit(), 10000u);
}
