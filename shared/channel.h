// channel: one conversation's wire, both ways: UTF-8 text in and out over a socket,
// framed into lines and converted to the wire encoding.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <system_error>

#include "codec.h"
#include "framing.h"
#include "net.h"

namespace channel {

using std::chrono::milliseconds;

struct WireOptions {
    std::string encoding = "UTF-8";
    bool raw = false;                      // send messages without a trailing "\n"
    std::size_t max_line = framing::default_max_line;
    milliseconds quiet_gap{200};           // a partial message is delivered after this
    milliseconds partial_deadline{30000};  // ... and a trickle may not hold it longer
    milliseconds send_timeout{10000};      // a peer that stops reading is given up on
};

// What the peer did on its turn.
struct Incoming {
    enum Kind {
        message,           // text holds it, decoded to UTF-8
        closed,            // end of stream with no message pending
        idle_timeout,      // nothing arrived in the time allowed for the turn
        partial_timeout,   // a message kept trickling in past partial_deadline
        too_long,          // a message longer than max_line
        failed,            // the connection broke (reset, …); error says why
        woken              // the waker fired: we are shutting down
    } kind;
    std::string text{};
    std::error_code error{};
};

class Channel {
public:
    Channel(net::Socket socket, const WireOptions& options, const net::Waker* waker = nullptr);

    // The peer's next message. `patience` bounds the wait (negative: no limit).
    Incoming receive(milliseconds patience);

    // Encodes, frames and sends one message; std::errc::message_size when its encoded
    // form is longer than max_line, std::errc::invalid_argument when it holds a line
    // end (nothing is sent then).
    std::error_code send(std::string_view utf8_text);

    // Whether the peer has closed or broken the connection, looking without waiting;
    // anything it sent meanwhile is kept for receive(). For a turn that is ours, while
    // a person types the answer.
    bool peer_gone();

    // A line of our own about the connection ("busy", "too long; closing"): always
    // ends in "\n", and is not held to max_line, which is the peer's limit.
    std::error_code send_notice(std::string_view utf8_text);

    // After a "bye": tell the peer we are done sending, read (and drop) what is still
    // on its way for up to protocol::bye_drain_time, then close. Closing with unread
    // data would send the peer a reset instead of a clean end.
    void close_after_bye();

    const net::Socket& socket() const { return socket_; }

private:
    Incoming delivered(const framing::Frame& frame);
    void take(const net::Received& got, const char* chunk);

    net::Socket socket_;
    WireOptions options_;
    const net::Waker* waker_;
    framing::LineFramer framer_;
    codec::Converter decoder_;
    codec::Converter encoder_;
    bool peer_closed_ = false;
    std::error_code failure_;  // the connection broke; reported after what came before
    std::chrono::steady_clock::time_point partial_since_;  // when the pending partial began
};

}  // namespace channel
