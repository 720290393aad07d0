// channel: receiving with a quiet gap and deadlines; sending whole messages.
#include "channel.h"

#include <algorithm>

#include "protocol.h"

namespace channel {

namespace {

using Clock = std::chrono::steady_clock;

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
        char chunk[4096];
        net::Received got = net::recv_some(socket_, chunk, sizeof chunk, wait, waker_);
        switch (got.kind) {
        case net::Received::data:
            if (!partial) partial_since_ = Clock::now();
            framer_.feed({chunk, got.bytes});
            break;
        case net::Received::closed: peer_closed_ = true; break;
        case net::Received::woken: return {Incoming::woken};
        case net::Received::failed: return {Incoming::failed, {}, got.error};
        case net::Received::timeout:
            // The peer went quiet in the middle of a message: lesson scripts and GUI
            // tools send text with no line end, so what came is the message.
            if (on_timeout == Incoming::message) return delivered(*framer_.flush_partial());
            return {on_timeout};
        }
    }
}

Incoming Channel::delivered(const framing::Frame& frame) {
    if (frame.kind == framing::Frame::too_long) return {Incoming::too_long};
    // Whatever follows this message in the buffer started arriving no later than now.
    partial_since_ = Clock::now();
    return {Incoming::message, decoder_.convert_all(frame.bytes)};
}

std::error_code Channel::send(std::string_view utf8_text) {
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
    while (net::recv_some(socket_, chunk, sizeof chunk, until(deadline)).kind == net::Received::data) {
    }
    socket_.close();
}

}  // namespace channel
