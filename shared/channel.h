// channel: one conversation's wire, both ways: UTF-8 text in and out over a socket,
// framed into lines and converted to the wire encoding.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "codec.h"
#include "framing.h"
#include "net.h"
#include "protocol.h"

namespace channel {

using std::chrono::milliseconds;

struct WireOptions {
    // An encoding codec::allowed_encoding() names, or "auto" (the server's): UTF-8
    // until a message's bytes read as GB18030 and not as UTF-8, then GB18030 both ways
    // for the rest of the conversation. One server then serves a Windows tool sending
    // GBK and a UTF-8 script at once.
    std::string encoding = "UTF-8";
    bool raw = false;                      // send messages without a trailing "\n"
    std::size_t max_line = framing::default_max_line;
    milliseconds quiet_gap{200};           // a partial message is delivered after this
    milliseconds partial_deadline{30000};  // ... and a trickle may not hold it longer
    milliseconds send_timeout{10000};      // a peer that stops reading is given up on
};

// "auto", in any letter case: see WireOptions::encoding.
bool is_auto_encoding(std::string_view name);

// The encodings a channel may speak: the wire encoding, or for "auto" UTF-8 (the
// first) and GB18030.
std::vector<std::string> possible_encodings(const WireOptions& options);

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
    // What a message showed of the peer's encoding, told once per channel at most:
    std::string fits_instead{};  // its bytes are not valid in encoding() but are in this one
    std::string switched_to{};   // "auto" switched to this encoding, which decoded it
    bool unended = false;  // a message with no line end, delivered after the quiet gap (or the close)
};

// The bytes of messages on one wire: its encoding, and its line end (none when raw).
// A channel member's relayed lines are written by whichever thread relays them, and a
// Converter belongs to one thread at a time, so the room holds one of these for each
// member, apart from the member's own Channel.
class MessageEncoder {
public:
    MessageEncoder(const std::string& encoding, bool raw);
    // Appends to `out` the bytes Channel::send() would send, not held to max_line. The
    // text must be valid UTF-8 (the room's lines are): a UTF-8 wire then takes it as
    // it is, with no conversion and no pass to check it.
    void append(std::string& out, std::string_view valid_utf8_text);
    // Appends the bytes Channel::send_notice() would send.
    void append_notice(std::string& out, std::string_view valid_utf8_text);

private:
    void append_text(std::string& out, std::string_view valid_utf8_text);

    bool utf8_;
    codec::Converter converter_;
    bool raw_;
};

class Channel {
public:
    // `shutdown` ends every wait of this channel's when it rings (nullptr: none).
    Channel(net::Socket socket, const WireOptions& options, const net::Waker* shutdown = nullptr);

    // The peer's next message, on its turn. `patience` bounds the wait (negative: no
    // limit). A message begun out of turn and read ahead gets its quiet gap and its
    // deadline from now, when its turn begins, not from when its bytes were read.
    Incoming receive(milliseconds patience);

    // A whole message, or nothing; never waits. Reads once, if the socket has
    // anything and little is buffered, then gives the next complete message: one with
    // a line end, or one that has been quiet for the quiet gap (or closed). When none,
    // `closed` or `failed` if the connection has ended, else nothing. For the checks
    // made while it is not the peer's turn: has it left, has it said something. On
    // the peer's turn (`its_turn`, after turn_begins()), a message still unfinished
    // past partial_deadline is a partial_timeout, as in receive().
    std::optional<Incoming> receive_now(bool its_turn = false);

    // The peer's turn begins (for receive_now(true)): what it began before starts its
    // clocks now.
    void turn_begins();

    // Whether it is worth watching the socket for receive_now(): the connection has
    // not ended, and not so much is buffered that reading more would cost memory (a
    // peer that sends on and on out of turn is then held back by TCP, not by us).
    bool wants_more() const;

    // How long until what has arrived of an unfinished message has been quiet for the
    // quiet gap, and receive_now() would deliver it, or (`its_turn`) its deadline
    // comes; negative when none is waiting.
    milliseconds until_partial_due(bool its_turn = false) const;

    // Encodes, frames and sends one message; std::errc::message_size when its encoded
    // form is longer than max_line, std::errc::invalid_argument when it holds a line
    // end (nothing is sent then).
    std::error_code send(std::string_view utf8_text);

    // Whether `utf8_text` would fit in one message on this wire (max_line, encoded).
    bool fits(std::string_view utf8_text);

    // Raw bytes, as they are: no encoding, no line end (a file's body, after its
    // header). Held to the send timeout and shutdown, as send() is.
    std::error_code send_bytes(std::string_view bytes);

    // Raw bytes in, up to `size`: what is buffered beyond the last message first, then
    // what the socket brings, waiting at most `timeout` (or until shutdown).
    net::Received receive_bytes(char* buffer, std::size_t size, milliseconds timeout);

    // The bytes that have come and are not yet delivered, after one read that does not
    // wait: a look at what follows a file's body, which stays to be received.
    std::string_view peek_now();

    // A line of our own about the connection ("busy", "too long; closing"): always
    // ends in "\n", and is not held to max_line, which is the peer's limit.
    std::error_code send_notice(std::string_view utf8_text);
    // The bytes send_notice() would send, for a socket handed elsewhere to be told.
    std::string notice_bytes(std::string_view utf8_text);
    // What writes messages as this wire takes them now, for another thread to use.
    class MessageEncoder message_encoder() const;

    // Sends "bye" as the last message within `limit` (not the send timeout: the
    // server is shutting down and will not wait long), after `reason`, a notice line,
    // if one is given and the wire is not raw (a raw peer compares what it receives
    // with "bye" exactly); then closes as below.
    void say_bye_and_close(milliseconds limit, milliseconds drain, std::string_view reason = {});

    // After a "bye": tell the peer we are done sending, read (and drop) what is still
    // on its way for up to `drain`, then close. Closing with unread data would send
    // the peer a reset instead of a clean end.
    void close_after_bye(milliseconds drain = protocol::bye_drain_time);

    // The encoding the wire speaks now ("UTF-8", "GBK", …; never "auto").
    const std::string& encoding() const { return encoding_; }

    const net::Socket& socket() const { return socket_; }
    // Gives the socket up (to be closed elsewhere); the channel is done with it.
    net::Socket release_socket() { return std::move(socket_); }

private:
    Incoming delivered(const framing::Frame& frame);
    void take(const net::Received& got, const char* chunk);
    void take_what_has_come();
    std::optional<Incoming> ended() const;
    void learn_encoding(std::string_view bytes, Incoming& in);

    net::Socket socket_;
    WireOptions options_;
    const net::Waker* shutdown_;
    framing::LineFramer framer_;
    std::string encoding_;  // before the converters, which are made for it
    codec::Converter decoder_;
    codec::Converter encoder_;
    bool auto_encoding_;             // "auto": may switch to GB18030
    bool encoding_settled_ = false;  // switched, or the peer's encoding told: once is enough
    bool peer_closed_ = false;
    std::error_code failure_;  // the connection broke; reported after what came before
    std::chrono::steady_clock::time_point partial_since_;  // when the pending partial began
    std::chrono::steady_clock::time_point last_bytes_at_;  // when the last bytes came
};

}  // namespace channel
