// The client's turn loop. Whoever's turn it is, the client waits on the same three
// things at once, in one net::wait: what is typed, what the server sends, and Ctrl-C.
// Lines typed on the server's turn wait in the input, in order, one per turn of ours;
// lines the server sends on our turn are shown as they come.
#include "session.h"

#include "../shared/messages.h"
#include "../shared/protocol.h"
#include "channel_session.h"

using channel::Incoming;
using terminal::LineReader;
using namespace std::chrono_literals;

namespace {

// Once its input has ended, the client gives the server this long for each of its
// turns, then says bye: a server that never speaks must not hold a script.
constexpr std::chrono::milliseconds after_input_ends = 3s;
// How long a close may lag behind the server's notice (or its verdict on a
// countersign): refusals are a line, then a close.
constexpr std::chrono::milliseconds notice_then_close = 1s;
constexpr std::chrono::milliseconds countersign_verdict = 500ms;
// What the server sends out of turn is shown this many messages at a time before the
// keyboard is looked at again, so a flood never holds back a typed line.
constexpr int shown_at_a_time = 64;

}  // namespace

void Session::report_send_failure(const std::error_code& e) {
    console_.err("intercom-client: " + msg::text(msg::send_to, {server_, net::error_text(e)}));
}

int Session::run() {
    // At once: a peer that never greets must not look like a program that hangs.
    console_.prompt(msg::text(msg::connected_waiting, {server_}) + "\n");
    std::optional<int> status = hear_them(protocol::greeting_patience);  // the greeting (none: see greeting_patience)
    if (!status) status = give_countersign();
    while (!status) {
        status = speak();
        if (!status) status = hear_them();
    }
    // The server said this is a channel: no more turns (channel_session.cpp).
    if (*status == on_a_channel) return run_channel_session(channel_, console_, input_, server_, interrupted_);
    return *status;
}

// With --countersign, the answer to the greeting goes out at once; then it is our
// turn again, as if the greeting had never needed answering.
std::optional<int> Session::give_countersign() {
    if (countersign_.empty()) return std::nullopt;
    if (std::error_code e = channel_.send(countersign_)) {
        report_send_failure(e);
        return 1;
    }
    console_.out(msg::text(msg::countersign_given));
    return closed_after_notice(countersign_verdict);  // a refusal comes at once
}

// The server said something of its own ("intercom: …"), or heard our countersign: if
// it is closing the conversation, its close follows at once. Wait that moment for it,
// so that no prompt is offered for a turn that will never come.
std::optional<int> Session::closed_after_notice(std::chrono::milliseconds moment) {
    auto until = std::chrono::steady_clock::now() + moment;
    for (;;) {
        if (std::optional<Incoming> in = channel_.receive_now())
            if (std::optional<int> status = heard(*in)) return status;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        if (wait_for_something(left) == Event::interrupted) return say_bye();
    }
}

// Waits for typing, the server, or Ctrl-C, whichever comes first, or `limit`.
// Typing comes first when both are ready (net::wait's order).
Session::Event Session::wait_for_something(std::chrono::milliseconds limit, bool their_turn) {
    // A message half in is shown once it has been quiet for the quiet gap (or, on
    // their turn, given up on at its deadline).
    std::chrono::milliseconds due = channel_.until_partial_due(their_turn);
    if (due.count() >= 0 && (limit.count() < 0 || due < limit)) limit = due;
    net::WaitFor what{channel_.wants_more() ? &channel_.socket() : nullptr, false,
                      input_.wants_more() ? input_.handle() : net::Socket::invalid, {&interrupted_, nullptr},
                      input_.screen()};
    switch (net::wait(what, limit)) {
    case net::Ready::shutdown: return Event::interrupted;
    case net::Ready::input: input_.read_available(); return Event::input;
    case net::Ready::socket: return Event::server;
    default: return Event::quiet;
    }
}

// Their turn: one message from the server. Typing meanwhile is read ahead. With
// `silence_gives_the_floor`, a server that has sent nothing at all by then has had its
// turn (it has no greeting).
std::optional<int> Session::hear_them(std::chrono::milliseconds silence_gives_the_floor) {
    channel_.turn_begins();
    std::chrono::steady_clock::time_point give_up{};
    auto floor_ours = std::chrono::steady_clock::now() + silence_gives_the_floor;
    for (;;) {
        if (std::optional<Incoming> in = channel_.receive_now(true)) {
            if (asked_for_file_) return answer_to_get(*in);
            std::optional<int> status = heard(*in);
            bool notice = in->kind == Incoming::message && protocol::is_notice(in->text);
            return status || !notice ? status : closed_after_notice(notice_then_close);
        }
        std::chrono::milliseconds limit(-1);
        // Input ended (lines may be left to send): the server must speak soon, or the
        // script it came from would wait on it for ever.
        if (input_.input_ended()) {
            if (give_up == std::chrono::steady_clock::time_point{})
                give_up = std::chrono::steady_clock::now() + after_input_ends;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
            if (left.count() <= 0) return say_bye();
            limit = left;
        }
        // Not a byte yet (no message begun either): by then, the floor is ours.
        if (silence_gives_the_floor.count() >= 0 && channel_.until_partial_due(true).count() < 0) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(floor_ours - std::chrono::steady_clock::now());
            if (left.count() <= 0) return console_.prompt(msg::text(msg::no_greeting, {server_}) + "\n"), std::nullopt;
            if (limit.count() < 0 || left < limit) limit = left;
        }
        if (wait_for_something(limit, true) == Event::interrupted) return say_bye();
    }
}

// What the server said while it was our turn, shown above the prompt; an exit
// status if that ended the conversation.
std::optional<int> Session::show_what_came() {
    for (int shown = 0; shown < shown_at_a_time; ++shown) {
        std::optional<Incoming> in = channel_.receive_now();
        if (!in) return std::nullopt;
        if (!console_.edits_lines()) console_.prompt("\n");  // not on the prompt's line
        if (std::optional<int> status = heard(*in)) return status;
        console_.prompt(msg::text(msg::prompt_you));
    }
    return std::nullopt;
}

// Our turn: the next line typed goes out. One typed during their turn goes at once,
// and is shown after the prompt, as if typed now.
std::optional<int> Session::speak() {
    if (std::optional<int> status = show_what_came()) return status;  // came with the last
    console_.prompt(msg::text(msg::prompt_you));
    bool typed_ahead = true;
    for (;;) {
        if (std::optional<LineReader::Result> typed = input_.next_line()) {
            if (typed->kind == LineReader::Result::line && typed->text.empty()) {
                if (!typed_ahead) console_.prompt(msg::text(msg::prompt_you));  // Enter took it away
                continue;
            }
            if (typed_ahead) console_.prompt(typed->text + "\n");
            if (typed->kind == LineReader::Result::line && channel_.fits(typed->text)) return send_typed(typed->text);
            console_.err(msg::text(msg::too_long_not_sent));
            console_.prompt(msg::text(msg::prompt_you));  // type it again, shorter
            continue;
        }
        if (input_.at_end()) return say_bye_unless_ended();
        typed_ahead = false;
        Event event = wait_for_something(std::chrono::milliseconds(-1));
        if (event == Event::interrupted) return console_.prompt("\n"), say_bye();  // off "you> "
        if (event != Event::input)
            if (std::optional<int> status = show_what_came()) return status;
    }
}

// One typed line, sent: nothing while the conversation goes on, else the exit status.
std::optional<int> Session::send_typed(const std::string& text) {
    if (std::error_code e = channel_.send(text)) {
        report_send_failure(e);
        return 1;
    }
    if (protocol::is_bye(text)) {
        channel_.close_after_bye();
        return 0;
    }
    if (files::Request asked = files::parse_request(text); asked.kind == files::Request::get) asked_for_file_ = asked.name;
    console_.prompt(msg::text(msg::waiting_for, {server_}) + "\n");
    return std::nullopt;
}

// What the server sent, shown; an exit status once the conversation is over.
std::optional<int> Session::heard(const Incoming& in) {
    switch (in.kind) {
    case Incoming::message:
        console_.out("[" + server_ + "] " + terminal::escape_for_display(in.text));
        if (!in.fits_instead.empty())
            console_.out(msg::text(msg::server_encoding_misread, {channel_.encoding(), in.fits_instead}));
        if (protocol::is_channel_marker(in.text)) return on_a_channel;
        if (!protocol::is_bye(in.text)) return std::nullopt;
        console_.out(msg::text(msg::peer_said_bye, {server_}));
        return 0;
    case Incoming::woken: return say_bye();
    case Incoming::failed:
        console_.err("intercom-client: " + msg::text(msg::connection_to_lost, {server_, net::error_text(in.error)}));
        return 1;
    case Incoming::too_long:
        console_.err("intercom-client: " + msg::text(msg::peer_too_long, {server_}));
        return 1;
    case Incoming::partial_timeout:
        console_.err("intercom-client: " + msg::text(msg::peer_unfinished, {server_}));
        return 1;
    default:
        console_.err("intercom-client: " + msg::text(msg::peer_closed_without_bye, {server_}));
        return 1;
    }
}

// The answer to our /get: the file, received here; or what heard() makes of any other
// answer (a refusal, from a server that goes on).
std::optional<int> Session::answer_to_get(const Incoming& in) {
    std::string asked = std::move(*asked_for_file_);
    asked_for_file_.reset();
    std::optional<files::Header> header = in.kind == Incoming::message ? files::parse_header(in.text) : std::nullopt;
    if (!header) return heard(in);
    if (std::optional<std::string> failed = receive_file(channel_, *header, asked, limits_, console_)) {
        console_.err("intercom-client: " + *failed);
        return 1;
    }
    return std::nullopt;
}

// End of input. The server may have ended the conversation already (a refused
// countersign, a timeout): then that is how it ended, and not our bye. Its close may
// be a moment behind its last line, hence a short wait.
int Session::say_bye_unless_ended() {
    Incoming late = channel_.receive(200ms);
    if (late.kind != Incoming::idle_timeout)
        if (std::optional<int> status = heard(late)) return *status;
    return say_bye();
}

// Say goodbye properly rather than just vanish (Ctrl-C, end of input), and say so.
int Session::say_bye() {
    if (std::error_code e = channel_.send(protocol::bye)) {
        report_send_failure(e);
        return 1;
    }
    console_.prompt(msg::text(msg::you_said_bye) + "\n");
    channel_.close_after_bye();
    return 0;
}
