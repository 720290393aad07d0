// channel: receiving with a quiet gap and deadlines; sending whole messages.
#include "channel.h"

#include <algorithm>

#include "messages.h"
#include "protocol.h"

namespace channel {

namespace {

using Clock = std::chrono::steady_clock;

// What one recv() brought, in messages: TCP is a byte stream, and this is where a
// learner watching --trace sees two messages arrive as one, or one in pieces.
std::string messages_text(std::size_t ended, bool part_of_next) {
    if (ended == 0) return msg::text(msg::recv_partial);
    std::string count = ended == 1 ? msg::text(msg::recv_one) : msg::text(msg::recv_many, {std::to_string(ended)});
    return part_of_next ? msg::text(msg::recv_and_part, {count}) : count;
}

void trace_recv(const net::Socket& s, const net::Received& got, const std::string& note) {
    std::string call = "recv(" + net::fd_text(s) + ") = ";
    if (got.kind == net::Received::data) net::trace(call + std::to_string(got.bytes) + " bytes (" + note + ")");
    if (got.kind == net::Received::closed) net::trace(call + "0 (end of stream)");
    if (got.kind == net::Received::failed) net::trace(call + "-1 (" + net::error_text(got.error) + ")");
}

constexpr std::size_t receive_chunk = 4096;  // bytes one recv() may bring

milliseconds until(Clock::time_point when) {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(when - Clock::now()));
}

}  // namespace

Channel::Channel(net::Socket socket, const WireOptions& options, const net::Waker* waker)
    : socket_(std::move(socket)),
      options_(options),
      waker_(waker),
      framer_(options.max_line),
      decoder_(options.encoding, "UTF-8"),
      encoder_("UTF-8", options.encoding) {}

Incoming Channel::receive(milliseconds patience) {
    bool forever = patience.count() < 0;
    Clock::time_point turn_deadline = Clock::now() + patience;
    for (;;) {
        std::optional<framing::Frame> frame = framer_.next();
        if (!frame && peer_closed_) frame = framer_.flush_partial();
        if (frame) return delivered(*frame);
        if (failure_) return {Incoming::failed, {}, failure_};
        if (peer_closed_) return {Incoming::closed};

        // While a message is half in, wait for its quiet gap or its deadline, whichever
        // comes first; otherwise for the turn's deadline. Timing out means that one.
        bool partial = framer_.has_partial();
        Clock::time_point partial_deadline = partial_since_ + options_.partial_deadline;
        if (partial && Clock::now() >= partial_deadline) return {Incoming::partial_timeout};
        milliseconds wait = forever ? milliseconds(-1) : until(turn_deadline);
        Incoming::Kind on_timeout = Incoming::idle_timeout;
        if (partial) {
            wait = std::min(options_.quiet_gap, until(partial_deadline));
            on_timeout = wait == options_.quiet_gap ? Incoming::message : Incoming::partial_timeout;
        }
        char chunk[receive_chunk];
        net::Received got = net::recv_some(socket_, chunk, sizeof chunk, wait, waker_);
        switch (got.kind) {
        case net::Received::data:
        case net::Received::closed:
        case net::Received::failed: take(got, chunk); break;
        case net::Received::woken: return {Incoming::woken};
        case net::Received::timeout:
            // The peer went quiet in the middle of a message: lesson scripts and GUI
            // tools send text with no line end, so what came is the message.
            if (on_timeout == Incoming::message) return delivered(*framer_.flush_partial());
            return {on_timeout};
        }
    }
}

// What one recv() brought: bytes for the framer, the end of the stream, or a failure
// that receive() reports once the messages before it are delivered.
void Channel::take(const net::Received& got, const char* chunk) {
    if (got.kind == net::Received::data) {
        if (!framer_.has_partial()) partial_since_ = Clock::now();
        std::size_t ended = framer_.feed({chunk, got.bytes});
        if (net::tracing()) {
            char last = chunk[got.bytes - 1];
            trace_recv(socket_, got, messages_text(ended, last != '\n' && last != '\r'));
        }
        return;
    }
    if (net::tracing()) trace_recv(socket_, got, "");
    if (got.kind == net::Received::closed) peer_closed_ = true;
    if (got.kind == net::Received::failed) failure_ = got.error;
}

bool Channel::peer_gone() {
    // Read ahead only while little is buffered: a peer that sends on and on out of
    // turn is held back by TCP, not by our memory.
    if (!peer_closed_ && !failure_ && framer_.buffered() < options_.max_line + receive_chunk) {
        char chunk[receive_chunk];
        net::Received got = net::recv_some(socket_, chunk, sizeof chunk, milliseconds(0));
        if (got.kind != net::Received::timeout) take(got, chunk);
    }
    return peer_closed_ || failure_;
}

Incoming Channel::delivered(const framing::Frame& frame) {
    if (frame.kind == framing::Frame::too_long) return {Incoming::too_long};
    // Whatever follows this message in the buffer started arriving no later than now.
    partial_since_ = Clock::now();
    return {Incoming::message, decoder_.convert_all(frame.bytes)};
}

std::error_code Channel::send(std::string_view utf8_text) {
    // A line end inside would make it two messages on the wire, and two turns.
    if (utf8_text.find_first_of("\r\n") != std::string_view::npos)
        return std::make_error_code(std::errc::invalid_argument);
    std::string bytes = encoder_.convert_all(utf8_text);
    if (bytes.size() > options_.max_line) return std::make_error_code(std::errc::message_size);
    return net::send_all(socket_, framing::frame_message(bytes, options_.raw), options_.send_timeout);
}

std::error_code Channel::send_notice(std::string_view utf8_text) {
    std::string bytes = framing::frame_message(encoder_.convert_all(utf8_text), false);
    return net::send_all(socket_, bytes, options_.send_timeout);
}

void Channel::close_after_bye() {
    net::shutdown_send(socket_);
    Clock::time_point deadline = Clock::now() + protocol::bye_drain_time;
    char chunk[4096];
    for (;;) {
        net::Received got = net::recv_some(socket_, chunk, sizeof chunk, until(deadline));
        if (net::tracing()) trace_recv(socket_, got, msg::text(msg::recv_after_bye));
        if (got.kind != net::Received::data) break;
    }
    socket_.close();
}

}  // namespace channel
