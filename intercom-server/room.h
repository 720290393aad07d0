// The channel (--channel): everyone connected on one frequency, the chat room. The
// room knows who is on it and what each is called, and holds for each member a
// bounded queue of the lines that are to be sent to it.
//
// How one thread per member still makes a broadcast: a member's thread reads what its
// own client says and hands each message to the room, which appends it to every other
// member's queue and rings that member's bell. Each member's thread sends its own queue
// to its own socket (member.cpp). So a talker's thread never touches another member's
// socket and never waits on one: a member that stops reading only lets its own queue
// fill, and once that overflows it is sent off ("too slow"), never waited for.
//
// Why the queue is bounded: a reader that has stopped would otherwise grow the server
// without end, a line at a time, for as long as the others talk. The bound turns "this
// member cannot keep up" into a decision, taken once, with a notice to it and a line to
// the others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../shared/net.h"
#include "../shared/terminal.h"
#include "transcript.h"

// Whether `name` may name a member: 1 to 32 bytes, no white space, no control or
// invisible characters, none of , : [ ] (they separate names in the lines the room
// sends), and not beginning with # (member numbers), / (commands) or @.
bool valid_member_name(std::string_view name);

// What is to be sent to one member: a fair queue across speakers. Lines are taken
// round-robin, one per speaker with something waiting, in the order the speakers first
// asked: a burst of 50 lines takes 50 turns, and someone else's one line joins the
// ring behind the speakers already in it, so it waits behind at most one line of the
// burst, not 50. The fairness sits at the reader's queue because that is where lines
// wait: a reader that keeps up has nothing queued.
//
// Each speaker's lines wait in a chain of their own, in the order it said them; the
// speakers with lines waiting stand in a ring. take() serves the speaker at the front
// one line and sends it to the back if it has more. Every step is O(1), and the chains'
// links live in one pool, so a queue holds what its lines need and no more. A link
// holds the lines a speaker said together (one read's worth), shared by every queue:
// a message costs each queue one link, however many lines it brings.
class Outbox {
public:
    // One copy, shared by every queue; valid UTF-8 (the room makes sure), so that a
    // member whose wire is UTF-8 sends it as it is.
    using Text = std::shared_ptr<const std::string>;
    struct Line {
        int speaker;
        Text text;
    };
    // Lines one speaker said together, in order, and their bytes.
    struct SaidTogether {
        std::vector<Text> lines;
        std::size_t bytes = 0;
    };
    using Batch = std::shared_ptr<const SaidTogether>;
    static Batch batch_of(std::vector<Text> lines);

    void put(int speaker, Batch batch);  // not empty
    Line take();  // the next line in fair order; the outbox must not be empty
    std::vector<Line> take_all();
    // Lines in fair order, each handed to `use` where it lies, while fewer than `budget`
    // bytes have been: no copy of a line's shared pointer, whose count every queue
    // would otherwise change, from both cores, twice a line. Returns the bytes taken.
    using Use = std::function<void(int speaker, const std::string& text)>;
    std::size_t take(std::size_t budget, const Use& use);
    bool empty() const { return lines_ == 0; }
    std::size_t lines() const { return lines_; }
    std::size_t bytes() const { return bytes_; }

private:
    using Link = std::uint32_t;  // a place in pool_
    static constexpr Link none = ~Link(0);
    struct Node {
        Batch batch;
        std::uint32_t taken;  // its lines already taken
        Link next;            // the speaker's next batch, or the next free place
    };
    struct Chain {
        Link first, last;
    };

    Link place(Batch batch);
    Node& front();  // the next line's node: the first of the first speaker's chain
    void advance();  // past the next line

    std::vector<Node> pool_;
    Link free_ = none;                          // free places in pool_, linked
    std::unordered_map<int, Chain> chains_;     // the speakers with lines waiting
    std::deque<int> ring_;                      // … whose turn comes first, first
    std::size_t lines_ = 0;
    std::size_t bytes_ = 0;
};

class Room {
public:
    static constexpr int console_id = 0;  // the person at the server console; clients are #1, #2, …

    // A member with more than this waiting for it is too slow. A speaker whose own
    // lines waiting in all the queues together come to an eighth of it is not heard
    // from (Room::may_speak) until they are down to a sixteenth: however many speak at
    // once, the queues then hold an eighth of their bound on average, and only a member
    // eight times as far behind as the average overflows (a 2-core machine serving 100
    // members can leave some twice as far behind as others). A flood holds back the
    // flooder, not its readers; and what all queues hold together is bounded by the
    // speakers' allowances, whatever the number of members.
    struct Limits {
        std::size_t queue_lines = 4096;
        std::size_t queue_bytes = 1024 * 1024;
    };

    // `console` shows the console member what the others say; `transcript` (may be
    // null) records every relayed message once. A member's line may be `max_line`
    // bytes long (UTF-8) with its speaker's name.
    Room(std::string console_name, terminal::Console& console, Transcript* transcript, std::size_t max_line,
         Limits limits);

    // #id joins; its bell rings when lines wait for it or it is sent off. Returns the
    // line that tells it who is on the channel (protocol::channel_marker); the others
    // are told it joined.
    std::string join(int id, const std::string& peer, const net::Waker* bell);
    // #id leaves, for the reason given; the others are told when `announce`. What
    // waited for it is dropped.
    void leave(int id, const std::string& why, bool announce);

    // Whether #id's next message may be taken: false while its lines wait in the
    // others' queues past the pace (see Limits); its bell rings once enough are taken.
    bool may_speak(int id);

    // What say() did with the messages it was given.
    struct Said {
        std::size_t too_long = 0;  // not sent: with the name, longer than max_line
        bool may_speak = true;     // what may_speak() would answer now
    };
    // #id (or console_id) says each of `texts` to everyone else, in order. A message
    // that, with its name, is longer than max_line is not sent (longest_message() says
    // how long it may be). All that one read brought goes in one call: each listener's
    // queue is then locked, and its bell rung, once for all of them.
    Said say(int id, const std::vector<std::string>& texts);
    std::size_t longest_message(int id) const;

    // /name: "" when #id is now called `name` (everyone is told), else the reason it
    // is not, for #id alone.
    std::string rename(int id, const std::string& name);
    // /who: the line that says who is on the channel.
    std::string who() const;
    // /kick: sends #id off; false if there is no such member.
    bool kick(int id, const std::string& by);

    struct Taken {
        bool more = false;      // lines still wait in the queue
        std::string dismissed;  // why #id has been sent off by another thread (too slow, kicked), or ""
    };
    // Hands up to about `budget` bytes of #id's queue, in fair order, to `send`, a line
    // at a time, unless it has been sent off; one lock for both. `send` runs under the
    // room's lock: it should only copy (or convert) the line.
    Taken take(int id, std::size_t budget, const std::function<void(const std::string&)>& send);

    const std::string& console_name() const { return console_name_; }
    std::string name_of(int id) const;

private:
    struct Seat {
        std::string name;  // "" until /name: then it is called "#N"
        std::string peer;
        const net::Waker* bell;
        Outbox queue;
        std::size_t in_flight = 0;        // its own lines still waiting in the others' queues
        std::size_t in_flight_bytes = 0;  // … and their bytes
        bool paused = false;        // may_speak() said no; rung when in_flight falls
        std::string dismissed;      // why it was sent off, or ""
    };

    std::string called(int id) const;  // the lock held
    std::string members_text() const;
    bool name_taken(std::string_view name) const;
    bool pace(Seat& seat);
    Outbox::Text relay(int id, const std::string& text);
    void deliver(int speaker, const Outbox::Batch& batch);
    void announce(const std::string& text, int except);
    void taken_from(int speaker, std::size_t bytes);
    void dismiss(Seat& seat, const std::string& why);

    std::string console_name_;
    terminal::Console& console_;
    Transcript* transcript_;
    std::size_t max_line_;
    Limits limits_;
    mutable std::mutex mutex_;
    std::map<int, Seat> seats_;
};
