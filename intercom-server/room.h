// The channel (--channel): everyone connected on one frequency, the chat room. The
// room knows who is on it and what each is called, and holds for each member a
// bounded queue of the lines that are to be sent to it.
//
// How one thread per member still makes a broadcast: a member's thread only reads. It
// hands what its client says to the room (say()) and goes straight back to its socket.
// The room's transmitter, one thread for the channel, relays what was said in rounds:
// each round goes into every listener's fair queue, and from there straight to the
// listener's socket, as much as it takes now, never waiting for it. A listener whose
// socket is full has its own thread rung to send the rest when there is room. So no
// thread ever waits on another member's socket: a member that stops reading only lets
// its own queue fill, and once that overflows it is sent off ("too slow"), never
// waited for.
//
// Why rounds: a send is a system call, and wakes the reader. On a busy channel a round
// comes every 2 ms at most, and each listener is sent all of it at once: one send for
// what many members said, not one for each line. A quiet channel's round goes at once.
//
// Why the queue is bounded: a reader that has stopped would otherwise grow the server
// without end, a line at a time, for as long as the others talk. The bound turns "this
// member cannot keep up" into a decision, taken once, with a notice to it and a line to
// the others.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "../shared/channel.h"
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
    // lines waiting in all the queues together come to an eighth of it is held back
    // (Wiring::held_back) until they are down to a sixteenth: however many speak at
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
    ~Room();
    Room(const Room&) = delete;
    Room& operator=(const Room&) = delete;

    // What the room is given of a member's own thread, for as long as it is on the channel.
    struct Wiring {
        const net::Waker* bell;            // rung when bytes wait for that thread to send, when
                                           // it may speak again, and when it is sent off
        const net::Socket* socket;         // where what is said to it goes …
        channel::MessageEncoder encoder;   // … in its wire's encoding
        std::atomic<bool>* held_back;      // set while it may not speak (see Limits)
    };
    // #id joins. Returns the line that tells it who is on the channel
    // (protocol::channel_marker); the others are told it joined.
    std::string join(int id, const std::string& peer, Wiring wiring);
    // #id's wire now speaks another encoding: what is sent to it from now on is in it.
    void set_encoder(int id, channel::MessageEncoder encoder);
    // #id's socket is about to leave its thread (sent off, or told goodbye): nothing
    // more is sent to it.
    void stop_sending(int id);
    // #id leaves, for the reason given, after all it said has been relayed; the others
    // are told when `announce`. What waited for it is dropped.
    void leave(int id, const std::string& why, bool announce);

    // #id (or console_id) says each of `texts` to everyone else, in order: all that one
    // read brought, in one call. A message that, with its name, is longer than max_line
    // is not sent; the speaker is told (on the console, for console_id).
    //
    // It does not wait: the room's transmitter relays them (see transmit()), and the
    // speaker goes back to its own socket at once.
    void say(int id, std::vector<std::string> texts);

    // /name: "" when #id is now called `name` (everyone is told), else the reason it
    // is not, for #id alone.
    std::string rename(int id, const std::string& name);
    // /who: the line that says who is on the channel.
    std::string who();
    // /kick: sends #id off; false if there is no such member.
    bool kick(int id, const std::string& by);

    // A notice for #id alone (a reply to /who), ahead of what is queued for it, in its
    // wire's encoding. Returns the bytes that now wait for its own thread to send.
    std::size_t tell(int id, const std::string& text);

    struct Sending {
        std::string dismissed;      // why #id has been sent off by another thread (too slow, kicked), or ""
        std::error_code error;      // its socket failed
        std::size_t waiting = 0;    // bytes its socket has not taken yet: wait for room
        bool sent = false;          // its socket took some
        bool more = false;          // lines still wait in its queue
    };
    // #id's own thread sends what waits for it: what its socket did not take when it
    // was said, then up to about `budget` bytes of its queue, in fair order, as much as
    // its socket takes now (never waiting for it); unless it has been sent off.
    Sending send_waiting(int id, std::size_t budget);

    const std::string& console_name() const { return console_name_; }

private:
    using Clock = std::chrono::steady_clock;

    struct Seat {
        Seat(std::string peer, Wiring wiring) : peer(std::move(peer)), wiring(std::move(wiring)) {}
        std::string name;  // "" until /name: then it is called "#N"
        std::string peer;
        Wiring wiring;
        Outbox queue;
        std::string unsent;  // bytes for its socket, ahead of the queue, that it has not taken
        std::size_t in_flight = 0;        // its own lines still waiting in the others' queues
        std::size_t in_flight_bytes = 0;  // … and their bytes
        bool paused = false;              // held back (see Limits); rung when in_flight falls
        std::string dismissed;            // why it was sent off, or ""
    };
    static constexpr int room_id = -1;  // the speaker of the room's own lines ("joined", "left")
    struct Spoken {  // what say() was given, not yet relayed
        int id;
        std::vector<std::string> texts;
    };
    // What is relayed in one go, to every listener.
    struct Round {
        struct Part {
            int speaker;
            int except;           // the member it is not sent to: the speaker, or one a room's line is not for
            Outbox::Batch batch;  // what it said, in one read (or the room's line)
        };
        std::vector<Part> parts;
        std::vector<std::pair<int, const std::string*>> in_turn;  // its lines in the floor's order, and whom each is not for
        std::size_t bytes = 0;
        std::vector<std::string> shown;    // for the console, after the room is let go …
        std::vector<std::string> refused;  // … and the console's own messages too long to send
    };

    std::string called(int id) const;  // the room held
    std::string members_text() const;
    bool name_taken(std::string_view name) const;
    void pace(Seat& seat);
    void hold_back(Seat& seat, bool held);
    void transmit();
    void relay_now();
    void relay(std::vector<Spoken> spoken, Round& round);
    Outbox::Text line_for_all(int id, const std::string& text);
    void tell_too_long(int id, std::size_t messages, Round& round);
    void take_turns(Round& round);
    void deliver(const Round& round);
    void send_round(Seat& seat, int id, const Round& round);
    void queue_round(Seat& seat, int id, const Round& round);
    void send_now(Seat& seat, std::size_t budget);
    void unqueue(Seat& seat, std::size_t budget);
    net::Sent send_unsent(Seat& seat);
    void send_or_ring(Seat& seat);
    void tell(Seat& seat, const std::string& text);
    void announce(const std::string& text, int except);
    void taken_from(int speaker, std::size_t bytes);
    void dismiss(Seat& seat, const std::string& why);

    std::string console_name_;
    terminal::Console& console_;
    Transcript* transcript_;
    std::size_t max_line_;
    Limits limits_;
    std::mutex mutex_;  // the room: who is on it, and everything in seats_
    std::map<int, Seat> seats_;

    std::mutex spoken_mutex_;  // taken alone, or inside mutex_; it holds:
    std::vector<Spoken> spoken_;
    std::size_t spoken_bytes_ = 0;
    std::unordered_map<int, std::size_t> spoken_by_;  // … of them, each speaker's
    Clock::time_point last_round_{};
    bool closing_ = false;
    std::condition_variable spoken_said_;  // the first of a round said, or closing_
    std::thread transmitter_;              // last: it starts once the rest is made
};
