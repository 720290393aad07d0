// The turn loop of one conversation.
#include "conversation.h"

#include <chrono>
#include <deque>

#include "../shared/messages.h"
#include "../shared/protocol.h"
#include "file_requests.h"
#include "member.h"

using channel::Channel;
using channel::Incoming;
using namespace std::chrono_literals;

namespace {

// Saying goodbye while the server shuts down: a client that takes nothing gets no
// more than this, so that shutdown ends in about two seconds whatever clients do.
constexpr std::chrono::milliseconds goodbye_send_limit = 500ms;
constexpr std::chrono::milliseconds goodbye_drain = 1000ms;
// Messages a client may send ahead of its turn before we stop reading them: TCP
// holds the rest back.
constexpr std::size_t most_read_ahead = 16;

struct Turns {
    int id;
    std::string tag;  // "#3 127.0.0.1:50412", how the console names this conversation
    std::string peer;  // the client's address and port
    Channel& channel;
    const ConversationSetup& setup;
    const net::Waker* bell;  // rung when a typed line is there for us (console only)
    std::deque<Incoming> read_ahead{};  // what the client sent before its turn
    std::string said_by = "[" + tag + "] ";  // before each of its messages on the console

    std::string run();
    std::string greet();
    std::string check_countersign();
    std::optional<std::string> served_files(const Incoming& in, bool first);
    Incoming next_message();
    bool peer_gone() const;
    std::error_code send(const std::string& text);
    void show(const Incoming& in);
    void note_encoding(const Incoming& in);
    std::string ended_without_message(const Incoming& in);
    std::string notice_and_close(const std::string& notice, const std::string& outcome);
    std::string say_goodbye();
    std::string answer_and_send(const std::string& message);
    std::string answer_of_our_own(const std::string& message);
    std::optional<std::string> await_typed_line();
};

std::chrono::milliseconds turn_patience(const ServerOptions& o) {
    if (o.idle_timeout.count() == 0) return std::chrono::milliseconds(-1);
    return o.idle_timeout;
}

// Returns how the conversation ended, for the console.
std::string Turns::run() {
    if (std::string failed = greet(); !failed.empty()) return failed;
    if (std::string refused = check_countersign(); !refused.empty()) return refused;
    for (bool first = true;; first = false) {
        Incoming in = next_message();
        if (in.kind != Incoming::message) return ended_without_message(in);
        if (protocol::is_bye(in.text)) {
            show(in);
            return msg::text(msg::said_bye);  // they half-closed: we just close
        }
        if (std::optional<std::string> served = served_files(in, first)) {
            if (!served->empty()) return *served;
            continue;  // the server answered that turn itself
        }
        if (peer_gone()) {  // it spoke, then left: nobody to answer
            show(in);
            continue;
        }
        setup.answerer.heard(id, [&] { show(in); });
        std::string outcome = answer_and_send(in.text);
        if (!outcome.empty()) return outcome;
    }
}

// The greeting: "" once sent (or when there is none: --greeting '', and the client
// speaks first), else how the conversation ended.
std::string Turns::greet() {
    if (setup.options.greeting.empty()) return "";
    if (std::error_code e = send(setup.options.greeting))
        return msg::text(msg::could_not_send_greeting, {net::error_text(e)});
    return "";
}

// /get and /files are the server's to answer, whoever answers the rest; so is a lesson
// downloader's first message, a shared file's bare name, when there is no greeting.
// Nothing when `in` is none of these; else "" while the conversation goes on, or how
// it ended.
std::optional<std::string> Turns::served_files(const Incoming& in, bool first) {
    Asker asker{id, tag, channel, setup};
    if (first && setup.options.greeting.empty())
        if (std::optional<std::string> ended = answer_lesson_downloader(in, asker, [&] { show(in); })) return ended;
    files::Request request = files::parse_request(in.text);
    if (request.kind == files::Request::none) return std::nullopt;
    show(in);
    return answer_file_request(request, asker);
}

// The client's next message: one it sent ahead of its turn, or the next to come.
Incoming Turns::next_message() {
    if (read_ahead.empty()) return channel.receive(turn_patience(setup.options));
    Incoming in = std::move(read_ahead.front());
    read_ahead.pop_front();
    return in;
}

bool Turns::peer_gone() const {
    return !read_ahead.empty() && read_ahead.back().kind != Incoming::message;
}

// With --countersign, the client's first message must be it; "" when it was.
std::string Turns::check_countersign() {
    if (setup.options.countersign.empty()) return "";
    Incoming in = channel.receive(turn_patience(setup.options));
    if (in.kind != Incoming::message) return ended_without_message(in);
    note_encoding(in);  // a countersign in the wrong encoding is wrong: say why
    return judge_countersign(in, channel, tag, peer, setup);
}

// A message from the client: on the console and in the transcript, escaped.
void Turns::show(const Incoming& in) {
    setup.console.out(said_by + terminal::escape_for_display(in.text));
    if (setup.transcript) setup.transcript->record(tag, Transcript::Direction::in, in.text);
    note_encoding(in);
}

// What the channel learnt of the client's encoding from a message (once at most):
// --encoding auto's choice, or the encoding that would read bytes it could not.
void Turns::note_encoding(const Incoming& in) {
    std::string n = std::to_string(id);
    if (!in.switched_to.empty()) setup.console.out(msg::text(msg::encoding_switched, {n, in.switched_to}));
    if (!in.fits_instead.empty())
        setup.console.out(msg::text(msg::encoding_misread, {n, channel.encoding(), in.fits_instead}));
}

// A message to the client: on the wire and in the transcript.
std::error_code Turns::send(const std::string& text) {
    std::error_code e = channel.send(text);
    if (!e && setup.transcript) setup.transcript->record(tag, Transcript::Direction::out, text);
    return e;
}

// The answer to one message, sent; "" while the conversation goes on.
std::string Turns::answer_and_send(const std::string& message) {
    if (!setup.answerer.interactive()) return answer_of_our_own(message);
    for (;;) {
        std::optional<std::string> answer = await_typed_line();
        if (!answer && setup.shutdown.woken()) return say_goodbye();
        if (!answer) return "";  // the client left: next_message() tells how
        std::error_code e = send(*answer);
        if (e == std::errc::message_size) {
            setup.answerer.not_sent(id);
            setup.console.err(msg::text(msg::answer_too_long, {std::to_string(id)}));
            continue;  // still first in line: type it shorter
        }
        setup.answerer.answered(id);
        if (e == std::errc::operation_canceled) return say_goodbye();
        if (e) setup.console.err(msg::text(msg::not_sent_ended, {std::to_string(id), *answer}));
        if (e) return msg::text(msg::could_not_send, {net::error_text(e)});
        setup.console.out(msg::text(msg::sent_to, {std::to_string(id), terminal::escape_for_display(*answer)}));
        if (!protocol::is_bye(*answer)) return "";
        channel.close_after_bye();
        return msg::text(msg::we_said_bye);
    }
}

// --echo, --reply: the server answers at once. An answer that cannot go out whole
// (an echo of bytes that decode to something longer) is never dropped silently: the
// client is told why instead.
std::string Turns::answer_of_our_own(const std::string& message) {
    std::string answer = std::move(*setup.answerer.answer(id, message));
    std::error_code e = send(answer);
    if (e == std::errc::message_size) {
        std::string limit = std::to_string(setup.options.wire.max_line);
        e = channel.send_notice(msg::text(msg::notice_answer_too_long, {limit}));
        setup.console.err(msg::text(msg::echo_too_long, {tag, limit}));
        if (!e) return "";
    }
    if (e == std::errc::operation_canceled) return say_goodbye();
    if (e) return msg::text(msg::could_not_send, {net::error_text(e)});
    setup.console.out(msg::text(msg::sent_to, {std::to_string(id), terminal::escape_for_display(answer)}));
    if (!protocol::is_bye(answer)) return "";
    channel.close_after_bye();
    return msg::text(msg::we_said_bye);
}

// Waits for the person at the console to type our answer: on our bell, on shutdown,
// and on the client's socket, since a client that leaves meanwhile must not be
// answered (and what it sends ahead of its turn is kept for then). Nothing when the
// server shuts down or the client has gone.
std::optional<std::string> Turns::await_typed_line() {
    for (;;) {
        bell->reset();  // before looking, so that a line given meanwhile rings again
        if (std::optional<std::string> line = setup.answerer.answer(id, "")) return line;
        if (peer_gone() || setup.shutdown.woken()) return std::nullopt;
        bool watch_client = channel.wants_more() && read_ahead.size() < most_read_ahead;
        net::WaitFor what{watch_client ? &channel.socket() : nullptr, false, net::Socket::invalid,
                          {&setup.shutdown, bell}};
        // Until a message the client sends without a line end has been quiet for the
        // quiet gap, too: then it is one message, not the start of a longer one.
        net::Ready ready = net::wait(what, channel.until_partial_due());
        if (ready == net::Ready::socket || ready == net::Ready::timeout)
            if (std::optional<Incoming> in = channel.receive_now()) read_ahead.push_back(std::move(*in));
    }
}

std::string Turns::notice_and_close(const std::string& notice, const std::string& outcome) {
    channel.send_notice(notice);  // best effort: the peer may be gone already
    channel.close_after_bye();
    return outcome;
}

// The server is shutting down: a proper "bye", so the client ends normally.
std::string Turns::say_goodbye() {
    // Why, first: a client can tell its person the server is going, not just "bye".
    channel.say_bye_and_close(goodbye_send_limit, goodbye_drain, msg::text(msg::notice_shutting_down));
    if (setup.transcript) setup.transcript->record(tag, Transcript::Direction::out, std::string(protocol::bye));
    return msg::text(msg::told_goodbye);
}

std::string Turns::ended_without_message(const Incoming& in) {
    const ServerOptions& o = setup.options;
    switch (in.kind) {
    case Incoming::closed: return msg::text(msg::closed_without_bye);
    case Incoming::failed: return msg::text(msg::connection_lost, {net::error_text(in.error)});
    case Incoming::woken: return say_goodbye();
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

// "127.0.0.1" of "127.0.0.1:50412", "::1" of "[::1]:50412".
std::string address_of(const std::string& peer) {
    std::string host = peer.substr(0, peer.rfind(':'));
    if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    return host;
}

}  // namespace

// The refusal of a guess that comes too soon is left to the farewells, delayed, and
// this thread is free at once.
std::string judge_countersign(const Incoming& first, Channel& channel, const std::string& tag,
                              const std::string& peer, const ConversationSetup& setup) {
    std::string address = address_of(peer);
    GuessLimiter::Verdict verdict = setup.guesses.check(address);
    if (verdict.allowed && first.text == setup.options.countersign) {
        setup.guesses.right(address);
        setup.console.out(msg::text(msg::gave_countersign, {tag}));
        return "";
    }
    std::string notice = msg::text(verdict.allowed ? msg::notice_wrong_countersign : msg::notice_too_many_guesses);
    setup.farewells.add(channel.release_socket(), channel.notice_bytes(notice), verdict.refuse_after);
    return msg::text(verdict.allowed ? msg::wrong_countersign_closed : msg::too_many_guesses_closed);
}

// While it lives, #id is known to the answerer; its end tells the answerer so, before
// the bell it was given is gone (it is declared after the bell).
struct Registration {
    Answerer& answerer;
    int id;
    ~Registration() {
        try {
            answerer.closed(id);
        } catch (const std::exception&) {
            // Out of memory for the report of held lines: the lines are lost with it.
        }
    }
};

namespace {

// The two-person conversation: the console operator (or --echo, --reply) answers.
std::string take_turns(int id, const std::string& tag, const std::string& peer, Channel& channel,
                       const ConversationSetup& setup) {
    // A bell of its own only where someone hands it lines: with --echo nobody
    // does, and 19,900 conversations then fit in 20,000 descriptors.
    std::optional<net::Waker> bell;
    if (setup.answerer.interactive()) bell.emplace();
    setup.console.out(msg::text(msg::connected, {tag}));
    setup.answerer.opened(id, peer, bell ? &*bell : nullptr);
    Registration registered{setup.answerer, id};
    return Turns{id, tag, peer, channel, setup, bell ? &*bell : nullptr}.run();
}

}  // namespace

void run_conversation(int id, net::Accepted client, const ConversationSetup& setup,
                      std::atomic<std::size_t>& live) noexcept {
    struct Leave {
        std::atomic<std::size_t>& live;
        bool left = false;
        void now() {
            if (!left) live.fetch_sub(1);
            left = true;
        }
        ~Leave() { now(); }
    } leave{live};
    std::string tag;
    try {
        tag = "#" + std::to_string(id) + " " + client.peer;
        Channel channel(std::move(client.socket), setup.options.wire, &setup.shutdown);
        // On a channel the room tells everyone who joins and leaves, and why; the
        // console hears from here only of a client that never joined.
        std::string outcome = setup.room ? run_member(id, tag, client.peer, channel, setup)
                                         : take_turns(id, tag, client.peer, channel, setup);
        leave.now();
        if (!outcome.empty()) setup.console.out(msg::text(msg::conversation_ended, {tag, outcome}));
    } catch (const std::exception& e) {  // out of memory, say: this conversation alone ends
        try {
            setup.console.err(msg::text(msg::conversation_failed, {tag, e.what()}));
        } catch (const std::exception&) {
            // Not even the report could be made; the socket closes all the same.
        }
    }
}
