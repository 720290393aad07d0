// Channel::receive and receive_now, the wire's state machine, over a real loopback
// connection: what a peer sends, in what pieces and with what pauses, and what the
// turn loop is told.
#include <gtest/gtest.h>

#include <thread>

#include "../../shared/channel.h"

using namespace std::chrono_literals;
using channel::Channel;
using channel::Incoming;

namespace {

// A connected pair over 127.0.0.1: `peer` is what a client sends with, and `channel`
// the server's side of the wire.
struct Wire {
    explicit Wire(channel::WireOptions options = quick()) {
        net::Socket listener = net::listen_tcp("127.0.0.1", 0);
        peer = net::connect_tcp("127.0.0.1", net::local_port(listener));
        net::Accepted accepted = net::accept_client(listener, {});
        channel = std::make_unique<Channel>(std::move(accepted.socket), options, &shutdown);
    }
    static channel::WireOptions quick() {
        channel::WireOptions o;
        o.quiet_gap = 100ms;
        o.partial_deadline = 400ms;
        o.max_line = 16;
        return o;
    }
    void send(const std::string& bytes) { ASSERT_FALSE(net::send_all(peer, bytes, 1s)); }

    net::NetInit net;  // (Winsock, for the tests under Wine)
    net::Waker shutdown;
    net::Socket peer;
    std::unique_ptr<Channel> channel;
};

Incoming receive(Wire& w, std::chrono::milliseconds patience = 2s) { return w.channel->receive(patience); }

}  // namespace

TEST(ChannelReceive, AWholeLineIsOneMessage) {
    Wire w;
    w.send("hello\n");
    Incoming in = receive(w);
    EXPECT_EQ(in.kind, Incoming::message);
    EXPECT_EQ(in.text, "hello");
}

TEST(ChannelReceive, TwoLinesInOneSegmentAreTwoMessages) {
    Wire w;
    w.send("one\r\ntwo\n");
    EXPECT_EQ(receive(w).text, "one");
    EXPECT_EQ(receive(w).text, "two");
}

TEST(ChannelReceive, AMessageWithNoLineEndIsDeliveredAfterTheQuietGap) {
    Wire w;
    w.send("no line end");
    Incoming in = receive(w);
    EXPECT_EQ(in.kind, Incoming::message);
    EXPECT_EQ(in.text, "no line end");
}

TEST(ChannelReceive, ALateLineEndEndsTheMessageAlreadyDeliveredNotANewOne) {
    Wire w;
    w.send("hi");
    EXPECT_EQ(receive(w).text, "hi");
    w.send("\nnext\n");
    EXPECT_EQ(receive(w).text, "next");
}

TEST(ChannelReceive, SilenceOnTheTurnIsAnIdleTimeout) {
    Wire w;
    EXPECT_EQ(receive(w, 50ms).kind, Incoming::idle_timeout);
}

TEST(ChannelReceive, ATrickleIsCutOffByThePartialDeadline) {
    channel::WireOptions o = Wire::quick();
    o.quiet_gap = 300ms;
    o.partial_deadline = 350ms;
    Wire w(o);
    std::thread trickle([&] {
        for (int i = 0; i < 8; ++i) {
            w.send("x");
            std::this_thread::sleep_for(100ms);  // never quiet for the whole gap
        }
    });
    EXPECT_EQ(receive(w).kind, Incoming::partial_timeout);
    trickle.join();
}

TEST(ChannelReceive, LongerThanMaxLineIsTooLong) {
    Wire w;
    w.send(std::string(17, 'z') + "\n");
    EXPECT_EQ(receive(w).kind, Incoming::too_long);
}

TEST(ChannelReceive, EndOfStreamDeliversWhatCameThenClosed) {
    Wire w;
    w.send("last");
    net::shutdown_send(w.peer);
    EXPECT_EQ(receive(w).text, "last");
    EXPECT_EQ(receive(w).kind, Incoming::closed);
}

TEST(ChannelReceive, ShutdownEndsTheWait) {
    Wire w;
    w.shutdown.wake();
    EXPECT_EQ(receive(w, -1ms).kind, Incoming::woken);
}

TEST(ChannelReceive, AMessageReadAheadGetsItsDeadlineWhenItsTurnComes) {
    Wire w;
    w.send("early");
    while (w.channel->wants_more() && !w.channel->receive_now() && w.channel->until_partial_due() < 0ms) {
    }
    // Longer than the partial deadline passes before its turn (a slow answer).
    std::this_thread::sleep_for(500ms);
    Incoming in = receive(w);
    EXPECT_EQ(in.kind, Incoming::message);
}

TEST(ChannelReceiveNow, NothingUntilAWholeMessageIsThere) {
    Wire w;
    EXPECT_FALSE(w.channel->receive_now());
    w.send("part");
    std::optional<Incoming> in;
    for (auto until = std::chrono::steady_clock::now() + 2s; !in && std::chrono::steady_clock::now() < until;) {
        net::wait({&w.channel->socket()}, w.channel->until_partial_due());
        in = w.channel->receive_now();  // the part, once quiet for the quiet gap
    }
    ASSERT_TRUE(in);
    EXPECT_EQ(in->text, "part");
}

TEST(ChannelReceiveNow, TellsWhenThePeerHasGone) {
    Wire w;
    w.send("bye now\n");
    w.peer.close();
    std::optional<Incoming> in;
    std::vector<Incoming::Kind> kinds;
    while (kinds.empty() || kinds.back() == Incoming::message) {
        net::wait({&w.channel->socket()}, 2s);
        if ((in = w.channel->receive_now())) kinds.push_back(in->kind);
    }
    EXPECT_EQ(kinds, (std::vector<Incoming::Kind>{Incoming::message, Incoming::closed}));
}

// A bell rung twice is one wake-up; once reset, it is quiet until rung again, and a
// ring after the reset is never lost.
TEST(Waker, RungTwiceWakesOnceAndResetQuietsItUntilTheNextRing) {
    net::NetInit net;  // (Winsock, for the tests under Wine)
    net::Waker bell;
    auto ready_now = [&bell] {
        return net::wait({nullptr, false, static_cast<net::native_socket>(-1), {nullptr, &bell}}, 0ms) ==
               net::Ready::mail;
    };
    EXPECT_FALSE(ready_now());
    bell.wake();
    bell.wake();
    EXPECT_TRUE(bell.woken());
    EXPECT_TRUE(ready_now());
    EXPECT_TRUE(bell.reset());  // it says it had been rung: the waiter knows to look
    EXPECT_FALSE(bell.woken());
    EXPECT_FALSE(ready_now());
    EXPECT_FALSE(bell.reset());  // … and that it had not
    bell.wake();
    EXPECT_TRUE(ready_now());
    bell.reset();
    EXPECT_FALSE(ready_now());
}

// What the room's transmitter writes for a member: pure code, no socket.
TEST(MessageEncoder, WritesEachMessageInItsWiresEncodingWithItsLineEnd) {
    std::string out;
    channel::MessageEncoder utf8("UTF-8", false);
    utf8.append(out, "[#1] 你好");
    EXPECT_EQ(out, "[#1] 你好\n");

    out.clear();
    channel::MessageEncoder gbk("GBK", false);
    gbk.append(out, "[#1] 你好");
    gbk.append(out, "[#2] ok");
    EXPECT_EQ(out, "[#1] \xC4\xE3\xBA\xC3\n[#2] ok\n");

    out.clear();
    channel::MessageEncoder raw("UTF-8", true);
    raw.append(out, "[#1] hi");
    EXPECT_EQ(out, "[#1] hi");  // a raw wire's messages have no line end …
    raw.append_notice(out, "intercom: too long");
    EXPECT_EQ(out, "[#1] hiintercom: too long\n");  // … but a notice ends its line
}
