// The turn loop of one conversation.
#include "conversation.h"

#include <chrono>

#include "../shared/messages.h"
#include "../shared/protocol.h"

using channel::Channel;
using channel::Incoming;

namespace {

struct Turns {
    int id;
    std::string tag;  // "#3 127.0.0.1:50412", how the console names this conversation
    Channel& channel;
    const ConversationSetup& setup;

    std::string run();
    std::string check_countersign();
    std::error_code send(const std::string& text);
    void show(const std::string& text);
    std::string ended_without_message(const Incoming& in);
    std::string notice_and_close(const std::string& notice, const std::string& outcome);
    std::string say_goodbye();
    std::string answer_and_send(const std::string& message);
};

std::chrono::milliseconds turn_patience(const ServerOptions& o) {
    if (o.idle_timeout.count() == 0) return std::chrono::milliseconds(-1);
    return o.idle_timeout;
}

// Returns how the conversation ended, for the console.
std::string Turns::run() {
    if (std::error_code e = send(setup.options.greeting))
        return msg::text(msg::could_not_send_greeting, {net::error_text(e)});
    if (std::string refused = check_countersign(); !refused.empty()) return refused;
    for (;;) {
        Incoming in = channel.receive(turn_patience(setup.options));
        if (in.kind != Incoming::message) return ended_without_message(in);
        if (protocol::is_bye(in.text)) {
            show(in.text);
            return msg::text(msg::said_bye);  // they half-closed: we just close
        }
        setup.answerer.heard(id, [&] { show(in.text); });
        std::string outcome = answer_and_send(in.text);
        if (!outcome.empty()) return outcome;
    }
}

// With --countersign, the client's first message must be it; "" when it was.
std::string Turns::check_countersign() {
    if (setup.options.countersign.empty()) return "";
    Incoming in = channel.receive(turn_patience(setup.options));
    if (in.kind != Incoming::message) return ended_without_message(in);
    if (in.text != setup.options.countersign)
        return notice_and_close(msg::text(msg::notice_wrong_countersign), msg::text(msg::wrong_countersign_closed));
    setup.console.out(msg::text(msg::gave_countersign, {tag}));
    return "";
}

// A message from the client: on the console and in the transcript, escaped.
void Turns::show(const std::string& text) {
    setup.console.out("[" + tag + "] " + terminal::escape_for_display(text));
    if (setup.transcript) setup.transcript->record(tag, Transcript::Direction::in, text);
}

// A message to the client: on the wire and in the transcript.
std::error_code Turns::send(const std::string& text) {
    std::error_code e = channel.send(text);
    if (!e && setup.transcript) setup.transcript->record(tag, Transcript::Direction::out, text);
    return e;
}

// The answer to one message, sent; "" while the conversation goes on.
std::string Turns::answer_and_send(const std::string& message) {
    for (;;) {
        std::optional<std::string> answer = setup.answerer.answer(id, message, [this] { return channel.peer_gone(); });
        if (!answer && setup.shutdown.woken()) return say_goodbye();
        if (!answer) return "";  // the client left: receive() tells how
        std::error_code e = send(*answer);
        if (e == std::errc::message_size && setup.answerer.interactive()) {
            setup.console.err(msg::text(msg::answer_too_long, {std::to_string(id)}));
            continue;
        }
        setup.answerer.answered(id);
        if (e && setup.answerer.interactive()) setup.console.err(msg::text(msg::not_sent_ended, {std::to_string(id), *answer}));
        if (e) return msg::text(msg::could_not_send, {net::error_text(e)});
        if (!protocol::is_bye(*answer)) return "";
        channel.close_after_bye();
        return msg::text(msg::we_said_bye);
    }
}

std::string Turns::notice_and_close(const std::string& notice, const std::string& outcome) {
    channel.send_notice(notice);  // best effort: the peer may be gone already
    channel.close_after_bye();
    return outcome;
}

// The server is shutting down: a proper "bye", so the client ends normally.
std::string Turns::say_goodbye() {
    send(std::string(protocol::bye));
    channel.close_after_bye();
    return msg::text(msg::told_goodbye);
}

std::string Turns::ended_without_message(const Incoming& in) {
    const ServerOptions& o = setup.options;
    switch (in.kind) {
    case Incoming::closed: return msg::text(msg::closed_without_bye);
    case Incoming::failed: return msg::text(msg::connection_lost, {net::error_text(in.error)});
    case Incoming::woken:
        return say_goodbye();
    case Incoming::idle_timeout: {
        std::string limit = std::to_string(o.idle_timeout.count());
        return notice_and_close(msg::text(msg::notice_idle, {limit}), msg::text(msg::idle_timed_out, {limit}));
    }
    case Incoming::partial_timeout:
        return notice_and_close(msg::text(msg::notice_unfinished), msg::text(msg::partial_timed_out));
    case Incoming::too_long:
    default: {
        std::string limit = std::to_string(o.wire.max_line);
        return notice_and_close(msg::text(msg::notice_too_long, {limit}), msg::text(msg::too_long_closed, {limit}));
    }
    }
}

}  // namespace

void run_conversation(int id, net::Accepted client, const ConversationSetup& setup) noexcept {
    std::string tag;
    try {
        tag = "#" + std::to_string(id) + " " + client.peer;
        Channel channel(std::move(client.socket), setup.options.wire, &setup.shutdown);
        setup.console.out(msg::text(msg::connected, {tag}));
        setup.answerer.opened(id, client.peer);
        std::string outcome = Turns{id, tag, channel, setup}.run();
        setup.answerer.closed(id);
        setup.console.out(msg::text(msg::conversation_ended, {tag, outcome}));
    } catch (const std::exception& e) {  // out of memory, say: this conversation alone ends
        try {
            setup.answerer.closed(id);
            setup.console.err(msg::text(msg::conversation_failed, {tag, e.what()}));
        } catch (const std::exception&) {
            // Not even the report could be made; the socket closes all the same.
        }
    }
}

void turn_away(net::Socket client, const std::string& notice, const channel::WireOptions& wire) noexcept {
    try {
        channel::WireOptions quick = wire;
        quick.send_timeout = std::chrono::milliseconds(100);  // the listener must not wait on it
        Channel(std::move(client), quick).send_notice(notice);
    } catch (const std::exception&) {
        // Out of memory for the notice: the socket closes without it.
    }
}
