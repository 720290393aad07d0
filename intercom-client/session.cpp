// The client's turn loop.
#include "session.h"

#include "../shared/messages.h"
#include "../shared/protocol.h"

using channel::Incoming;
using terminal::LineReader;

void Session::report_send_failure(const std::error_code& e) {
    console_.err("intercom-client: " + msg::text(msg::send_to, {server_, net::error_text(e)}));
}

int Session::run() {
    std::optional<int> status = hear_them();  // the greeting
    if (!status) status = give_countersign();
    while (!status) {
        status = speak();
        if (!status) status = hear_them();
    }
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
    return std::nullopt;
}

// Their turn: one message from the server.
std::optional<int> Session::hear_them() {
    return heard(channel_.receive(std::chrono::milliseconds(-1)));
}

// What the server sent, shown; an exit status once the conversation is over.
std::optional<int> Session::heard(const Incoming& in) {
    switch (in.kind) {
    case Incoming::message:
        console_.out("[" + server_ + "] " + terminal::escape_for_display(in.text));
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

// Our turn: the next line typed goes out. Lines typed during their turn waited in
// the input, in order, and come out here one per turn.
std::optional<int> Session::speak() {
    for (;;) {
        console_.prompt(msg::text(msg::prompt_you));
        LineReader::Result r = input_.read_line(&channel_.socket(), &interrupted_);
        if (r.kind == LineReader::Result::woken) return say_bye();
        if (r.kind == LineReader::Result::end) return say_bye_unless_ended();
        if (r.kind == LineReader::Result::socket) {  // the server spoke out of turn
            console_.prompt("\n");                   // (not on the prompt's line)
            std::optional<int> status = heard(channel_.receive(std::chrono::milliseconds(-1)));
            if (status) return status;
            continue;
        }
        if (r.kind == LineReader::Result::line && r.text.empty()) continue;
        if (r.typed_ahead) console_.prompt(r.text + "\n");  // typed early: show what goes now
        std::error_code e = r.kind == LineReader::Result::too_long
                                ? std::make_error_code(std::errc::message_size)
                                : channel_.send(r.text);
        if (e == std::errc::message_size) {
            console_.err(msg::text(msg::too_long_not_sent));
            continue;
        }
        if (e) {
            report_send_failure(e);
            return 1;
        }
        if (protocol::is_bye(r.text)) {
            channel_.close_after_bye();
            return 0;
        }
        console_.prompt(msg::text(msg::waiting_for, {server_}) + "\n");
        return std::nullopt;
    }
}

// End of input. The server may have ended the conversation already (a refused
// countersign, a timeout): then that is how it ended, and not our bye. Its close may
// be a moment behind its last line, hence a short wait.
int Session::say_bye_unless_ended() {
    Incoming late = channel_.receive(std::chrono::milliseconds(200));
    if (late.kind != Incoming::idle_timeout)
        if (std::optional<int> status = heard(late)) return *status;
    return say_bye();
}

// Say goodbye properly rather than just vanish.
int Session::say_bye() {
    if (std::error_code e = channel_.send(protocol::bye)) {
        report_send_failure(e);
        return 1;
    }
    channel_.close_after_bye();
    return 0;
}
