// A member of the channel: what its client says goes to the room; what the room could
// not send it at once goes to its socket when there is room; its thread waits on both
// at once, and on its bell.
#include "member.h"

#include <atomic>
#include <cctype>
#include <chrono>
#include <optional>
#include <vector>

#include "../shared/messages.h"
#include "../shared/protocol.h"

using channel::Channel;
using channel::Incoming;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

// The system may hold this much (doubled, on Linux) of what is sent to a member and
// not yet read: enough to keep a reader busy, and small enough that the room's fair
// queue, not the system's first-come-first-served buffer, decides what a slow reader
// gets next.
constexpr int member_send_buffer = 32 * 1024;
// Bytes taken from the queue at a time; and the most that may wait for the socket
// (replies to /who too) before the member's own client is no longer read.
constexpr std::size_t taken_at_a_time = 16 * 1024;
constexpr std::size_t most_pending = 64 * 1024;
// Bytes of messages read before they go to the room, at most: a client that sends on
// and on is relayed as it goes, not only when it pauses.
constexpr std::size_t relayed_at_a_time = 16 * 1024;
// Saying goodbye while the server shuts down, as a conversation does.
constexpr milliseconds goodbye_send_limit = 500ms;
constexpr milliseconds goodbye_drain = 1000ms;

std::string trimmed(const std::string& text) {
    std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// "/name 小明" -> {"/name", "小明"}; the command in lower case.
std::pair<std::string, std::string> command_and_argument(const std::string& line) {
    std::size_t space = line.find_first_of(" \t");
    std::string command = line.substr(0, space);
    for (char& c : command) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return {command, space == std::string::npos ? "" : trimmed(line.substr(space))};
}

struct Member {
    int id;
    Channel& channel;
    Room& room;
    const ConversationSetup& setup;
    net::Waker bell{};
    std::size_t unsent = 0;           // bytes for the socket that it has not taken yet
    bool queued = false;              // lines wait in its queue besides
    Clock::time_point stuck_since{};  // since when the socket has taken nothing of them
    std::atomic<bool> held_back{false};  // the room's pacing: it may not speak now
    std::vector<std::string> said{};  // messages read and not yet handed to the room
    std::size_t said_bytes = 0;

    std::string take_part();
    std::optional<std::string> send_waiting();
    std::optional<std::string> hear();
    std::optional<std::string> heard(const Incoming& in);
    void relay();
    void command(const std::string& line);
    void tell(const std::string& text) { unsent = room.tell(id, text); }
    std::optional<std::string> wait();
    std::string sent_off(const std::string& notice, const std::string& why);
    std::string ended_without_message(const Incoming& in);
};

// Until the member leaves; returns why it left. Each round: what waits for the
// socket goes out (as much as it takes), what the client said goes to the room (while
// the room lets it speak), then one wait for whichever of those can go on.
std::string Member::take_part() {
    for (;;) {
        bool rung = bell.reset();  // before looking: whatever comes after this rings again
        if (setup.shutdown.woken()) {
            room.stop_sending(id);
            channel.say_bye_and_close(goodbye_send_limit, goodbye_drain);
            return msg::text(msg::told_goodbye);
        }
        // Only when there is something to send: the room is not asked (and waited
        // for, while the transmitter holds it) each time the client says something.
        if (rung || unsent > 0 || queued)
            if (std::optional<std::string> end = send_waiting()) return *end;
        if (std::optional<std::string> end = hear()) return *end;
        if (queued && unsent == 0) continue;  // the socket took it all, and more waits
        if (std::optional<std::string> end = wait()) return *end;
    }
}

// What waits for the socket, and lines from the queue while few bytes do, in this
// member's own wire encoding, as much as the socket takes now, never waiting for it. A
// member whose socket takes nothing for --send-timeout has stopped reading, and is
// sent off; so is one the room has sent off (too slow, kicked).
std::optional<std::string> Member::send_waiting() {
    Room::Sending sending = room.send_waiting(id, taken_at_a_time);
    if (!sending.dismissed.empty())
        return sent_off(msg::text(msg::notice_channel_dismissed, {sending.dismissed}), sending.dismissed);
    if (sending.error) return msg::text(msg::connection_lost, {net::error_text(sending.error)});
    unsent = sending.waiting;
    queued = sending.more;
    if (unsent == 0 || sending.sent) {
        stuck_since = {};
        return std::nullopt;
    }
    if (stuck_since == Clock::time_point{}) stuck_since = Clock::now();
    if (Clock::now() - stuck_since < setup.options.wire.send_timeout) return std::nullopt;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(setup.options.wire.send_timeout);
    std::string why = msg::text(msg::channel_send_timed_out, {std::to_string(seconds.count())});
    return sent_off(msg::text(msg::notice_channel_dismissed, {why}), why);
}

// What the client has said, while the room lets it speak (it is not held_back) and
// what waits for its socket is not piling up; its socket is read only then, so TCP
// holds back a client that says more than the others can hear. Its messages go to the
// room a batch at a time (relay()).
std::optional<std::string> Member::hear() {
    while (unsent < most_pending && !held_back) {
        std::optional<Incoming> in = channel.receive_now();
        if (!in) break;
        if (std::optional<std::string> end = heard(*in)) return end;
        if (said_bytes >= relayed_at_a_time) relay();
    }
    relay();
    return std::nullopt;
}

// One message: bye, a command, or a line for everyone, kept for relay(). What was said
// before a command or bye goes to the room first, so that everything stays in order.
std::optional<std::string> Member::heard(const Incoming& in) {
    if (in.kind != Incoming::message) return relay(), ended_without_message(in);
    if (!in.switched_to.empty()) {
        room.set_encoder(id, channel.message_encoder());
        setup.console.out(msg::text(msg::encoding_switched, {std::to_string(id), in.switched_to}));
    }
    if (protocol::is_bye(in.text)) {
        relay();
        std::string why = msg::text(msg::said_bye);
        room.leave(id, why, true);  // told now, not after the drain below
        channel.close_after_bye();
        return why;
    }
    std::string text = trimmed(in.text);
    if (text.empty()) return std::nullopt;
    if (text[0] == '/' && text.compare(0, 2, "//") != 0) return relay(), command(text), std::nullopt;
    if (text[0] == '/') text.erase(0, 1);  // "//text" says "/text"
    said_bytes += text.size();
    said.push_back(std::move(text));
    return std::nullopt;
}

// The messages kept so far, to the room in one call, which does not wait for them to
// be relayed. Whether the client may go on saying more, the room tells through
// held_back.
void Member::relay() {
    if (said.empty()) return;
    room.say(id, std::move(said));
    said = {};
    said_bytes = 0;
}

void Member::command(const std::string& line) {
    auto [command, argument] = command_and_argument(line);
    if (command == "/who") return tell(room.who());
    if (command == "/name") {
        std::string refused = room.rename(id, argument);
        if (!refused.empty()) tell(refused);
        return;
    }
    tell(msg::text(msg::channel_unknown_command, {line}));
}

// One wait for whatever can go on: the client's next bytes (while it may speak),
// room for what waits to be sent, the bell (lines queued, sent off), shutdown; or the
// time when a message with no line end is due, or when the send timeout runs out.
std::optional<std::string> Member::wait() {
    bool listen = !held_back && unsent < most_pending && channel.wants_more();
    bool send = unsent > 0;
    net::WaitFor what{listen || send ? &channel.socket() : nullptr, send && !listen, net::Socket::invalid,
                      {&setup.shutdown, &bell}, nullptr, listen && send};
    milliseconds limit = listen ? channel.until_partial_due() : milliseconds(-1);
    if (send) {
        auto left = std::chrono::duration_cast<milliseconds>(stuck_since + setup.options.wire.send_timeout - Clock::now());
        left = std::max(left, milliseconds(0));
        if (limit.count() < 0 || left < limit) limit = left;
    }
    std::error_code error;
    if (net::wait(what, limit, &error) == net::Ready::failed)
        return msg::text(msg::connection_lost, {net::error_text(error)});
    return std::nullopt;
}

// The member is off the channel: its socket goes to the farewells with `notice`, so
// that this thread never waits on a client that may not be reading.
std::string Member::sent_off(const std::string& notice, const std::string& why) {
    room.stop_sending(id);
    setup.farewells.add(channel.release_socket(), channel.notice_bytes(notice), 0ms);
    return why;
}

std::string Member::ended_without_message(const Incoming& in) {
    switch (in.kind) {
    case Incoming::failed: return msg::text(msg::connection_lost, {net::error_text(in.error)});
    case Incoming::too_long: {
        std::string limit = std::to_string(setup.options.wire.max_line);
        return sent_off(msg::text(msg::notice_too_long, {limit}), msg::text(msg::too_long_closed, {limit}));
    }
    default: return msg::text(msg::closed_without_bye);
    }
}

// Until the client's first message, which must be the countersign (if one is set);
// "" when it may join, else how it ended.
std::string admit(const std::string& tag, const std::string& peer, Channel& channel, const ConversationSetup& setup) {
    if (!setup.options.greeting.empty())  // --greeting '': none
        if (std::error_code e = channel.send(setup.options.greeting))
            return msg::text(msg::could_not_send_greeting, {net::error_text(e)});
    if (setup.options.countersign.empty()) return "";
    milliseconds patience = setup.options.idle_timeout.count() == 0 ? milliseconds(-1) : setup.options.idle_timeout;
    Incoming first = channel.receive(patience);
    if (first.kind == Incoming::woken) return channel.say_bye_and_close(goodbye_send_limit, goodbye_drain), msg::text(msg::told_goodbye);
    if (first.kind == Incoming::failed) return msg::text(msg::connection_lost, {net::error_text(first.error)});
    if (first.kind != Incoming::message) return msg::text(msg::closed_without_bye);
    return judge_countersign(first, channel, tag, peer, setup);
}

// On the channel until it leaves: the room is told however that happens (a failure
// too), before the bell it holds is gone.
struct Seat {
    Room& room;
    int id;
    std::string why;
    bool announce = true;
    ~Seat() {
        try {
            room.leave(id, why, announce);
        } catch (const std::exception&) {
            // Out of memory for the announcement: the others are not told.
        }
    }
};

}  // namespace

std::string run_member(int id, const std::string& tag, const std::string& peer, Channel& channel,
                       const ConversationSetup& setup) {
    if (std::string refused = admit(tag, peer, channel, setup); !refused.empty()) return refused;
    net::set_send_buffer(channel.socket(), member_send_buffer);
    Room& room = *setup.room;
    Member member{id, channel, room, setup};
    Seat seat{room, id, msg::text(msg::closed_without_bye)};
    member.tell(room.join(id, peer, {&member.bell, &channel.socket(), channel.message_encoder(), &member.held_back}));
    seat.why = member.take_part();
    seat.announce = !setup.shutdown.woken();  // at shutdown, everyone is told goodbye instead
    return "";
}

namespace {

// A command typed at the console (a line beginning with one /); false for /quit.
bool console_command(Room& room, terminal::Console& console, const std::string& line) {
    auto [command, argument] = command_and_argument(line);
    if (command == "/quit") return false;
    if (command == "/who") {
        console.out(room.who());
    } else if (command == "/help") {
        console.out(msg::text(msg::channel_console_help));
    } else if (command == "/kick") {
        std::string number = !argument.empty() && argument[0] == '#' ? argument.substr(1) : argument;
        bool digits = !number.empty() && number.size() <= 9 &&
                      number.find_first_not_of("0123456789") == std::string::npos;
        if (!digits) console.err(msg::text(msg::kick_usage));
        else if (!room.kick(std::stoi(number), room.console_name()))
            console.err(msg::text(msg::no_such_member, {number}));
    } else {
        console.err(msg::text(msg::unknown_command, {line}));
    }
    return true;
}

}  // namespace

bool console_member_typed(Room& room, terminal::Console& console, const std::string& line) {
    std::string text = trimmed(line);
    if (text.empty()) return true;  // nothing to say
    if (text[0] == '/' && text.compare(0, 2, "//") != 0) return console_command(room, console, text);
    if (text[0] == '/') text.erase(0, 1);  // "//text" says "/text"
    room.say(Room::console_id, {text});
    return true;
}
