// The client on a channel. One net::wait over the keyboard, the socket and Ctrl-C, as
// in a conversation; but a typed line goes out at once, whoever spoke last.
#include "channel_session.h"

#include <optional>

#include "../shared/messages.h"
#include "../shared/protocol.h"

using channel::Incoming;
using terminal::LineReader;

namespace {

// Lines from the channel shown at a time before the keyboard is looked at again, so
// that a busy channel never holds back what the user types.
constexpr int shown_at_a_time = 64;

struct OnChannel {
    channel::Channel& channel;
    terminal::Console& console;
    LineReader& input;
    const std::string& server;
    const net::Waker& interrupted;

    int run();
    std::optional<int> show_what_came();
    std::optional<int> heard(const Incoming& in);
    std::optional<int> send_what_was_typed();
    int say_bye();
    int failed(const std::string& why);
};

int OnChannel::run() {
    for (;;) {
        if (std::optional<int> status = show_what_came()) return *status;
        if (std::optional<int> status = send_what_was_typed()) return *status;
        if (input.at_end()) return say_bye();
        // A message half in is shown once it has been quiet for the quiet gap.
        net::WaitFor what{channel.wants_more() ? &channel.socket() : nullptr, false,
                          input.wants_more() ? input.handle() : net::Socket::invalid, {&interrupted, nullptr},
                          input.screen()};
        net::Ready ready = net::wait(what, channel.until_partial_due());
        if (ready == net::Ready::shutdown) return say_bye();
        if (ready == net::Ready::input) input.read_available();
    }
}

std::optional<int> OnChannel::show_what_came() {
    for (int shown = 0; shown < shown_at_a_time; ++shown) {
        std::optional<Incoming> in = channel.receive_now();
        if (!in) return std::nullopt;
        if (std::optional<int> status = heard(*in)) return status;
    }
    return std::nullopt;
}

// A line from the channel, shown as it is (it names its speaker); the server's own
// "bye" (it is shutting down) ends the session.
std::optional<int> OnChannel::heard(const Incoming& in) {
    switch (in.kind) {
    case Incoming::message:
        console.out(terminal::escape_for_display(in.text));
        if (!protocol::is_bye(in.text)) return std::nullopt;
        console.out(msg::text(msg::peer_said_bye, {server}));
        return 0;
    case Incoming::failed: return failed(msg::text(msg::connection_to_lost, {server, net::error_text(in.error)}));
    case Incoming::too_long: return failed(msg::text(msg::peer_too_long, {server}));
    default: return failed(msg::text(msg::peer_closed_without_bye, {server}));
    }
}

// Every whole line typed so far goes out, in order; bye ends the session.
std::optional<int> OnChannel::send_what_was_typed() {
    while (std::optional<LineReader::Result> typed = input.next_line()) {
        if (typed->kind == LineReader::Result::line && typed->text.empty()) continue;
        if (typed->kind != LineReader::Result::line || !channel.fits(typed->text)) {
            console.err(msg::text(msg::too_long_not_sent));
            continue;
        }
        if (std::error_code e = channel.send(typed->text))
            return failed(msg::text(msg::send_to, {server, net::error_text(e)}));
        if (protocol::is_bye(typed->text)) {
            channel.close_after_bye();
            return 0;
        }
    }
    return std::nullopt;
}

int OnChannel::say_bye() {
    if (std::error_code e = channel.send(protocol::bye)) return failed(msg::text(msg::send_to, {server, net::error_text(e)}));
    channel.close_after_bye();
    return 0;
}

int OnChannel::failed(const std::string& why) {
    console.err("intercom-client: " + why);
    return 1;
}

}  // namespace

int run_channel_session(channel::Channel& channel, terminal::Console& console, LineReader& input,
                        const std::string& server, const net::Waker& interrupted) {
    return OnChannel{channel, console, input, server, interrupted}.run();
}
