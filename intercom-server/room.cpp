// The room: who is on the channel, and each member's fair, bounded queue.
#include "room.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "../shared/codec.h"
#include "../shared/messages.h"
#include "../shared/process.h"

namespace {

std::string lowercase(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
}

// A line for the queues: valid UTF-8 whatever it was made of (see Outbox::Text),
// checked once here rather than once for every member it is sent to.
Outbox::Text make_line(std::string text) {
    if (!codec::is_valid_utf8(text)) text = codec::valid_utf8(text);
    return std::make_shared<const std::string>(std::move(text));
}

}  // namespace

bool valid_member_name(std::string_view name) {
    if (name.empty() || name.size() > 32) return false;
    if (name.front() == '#' || name.front() == '/' || name.front() == '@') return false;
    if (name.find_first_of(" \t,:[]") != std::string_view::npos) return false;
    // Anything a terminal would act on or draw as nothing comes back escaped, and with
    // it the ideographic space and other look-alikes of nothing: not a name.
    if (terminal::escape_for_display(name) != name) return false;
    return name.find("\xE3\x80\x80") == std::string_view::npos;  // U+3000
}

// --- Outbox ---

Outbox::Batch Outbox::batch_of(std::vector<Text> lines) {
    SaidTogether together{std::move(lines), 0};
    for (const Text& line : together.lines) together.bytes += line->size();
    return std::make_shared<const SaidTogether>(std::move(together));
}

// A place in the pool for `batch`: a free one, or a new one at the end.
Outbox::Link Outbox::place(Batch batch) {
    if (free_ == none) {
        pool_.push_back({std::move(batch), 0, none});
        return static_cast<Link>(pool_.size() - 1);
    }
    Link at = free_;
    free_ = pool_[at].next;
    pool_[at] = {std::move(batch), 0, none};
    return at;
}

void Outbox::put(int speaker, Batch batch) {
    bytes_ += batch->bytes;
    lines_ += batch->lines.size();
    Link at = place(std::move(batch));
    auto [chain, is_new] = chains_.try_emplace(speaker, Chain{at, at});
    if (is_new) {
        ring_.push_back(speaker);  // it asks for the floor: behind those who asked before
    } else {
        pool_[chain->second.last].next = at;
        chain->second.last = at;
    }
}

Outbox::Node& Outbox::front() { return pool_[chains_.find(ring_.front())->second.first]; }

Outbox::Line Outbox::take() {
    Node& node = front();
    Line line{ring_.front(), node.batch->lines[node.taken]};
    advance();
    return line;
}

std::size_t Outbox::take(std::size_t budget, const Use& use) {
    std::size_t bytes = 0;
    while (!empty() && bytes < budget) {
        Node& node = front();
        const std::string& text = *node.batch->lines[node.taken];
        bytes += text.size();
        use(ring_.front(), text);
        advance();
    }
    return bytes;
}

void Outbox::advance() {
    int speaker = ring_.front();
    ring_.pop_front();
    auto chain = chains_.find(speaker);
    Link at = chain->second.first;
    Node& node = pool_[at];
    bytes_ -= node.batch->lines[node.taken]->size();
    if (++node.taken == node.batch->lines.size()) {  // its last line: the place is free
        chain->second.first = node.next;
        node.batch.reset();
        node.next = free_;
        free_ = at;
    }
    if (chain->second.first == none) chains_.erase(chain);
    else ring_.push_back(speaker);  // its next line waits for the next turn
    // After a burst, give the room back: 1,000 quiet members must stay small. A queue
    // that empties as it is read keeps its few places, rather than make them anew.
    if (--lines_ == 0 && pool_.capacity() > 1024) *this = Outbox();
}

std::vector<Outbox::Line> Outbox::take_all() {
    std::vector<Line> all;
    while (!empty()) all.push_back(take());
    return all;
}

// --- Room ---

namespace {

// Bytes said and not yet relayed, by one speaker or by all, past which a speaker relays
// them itself, at once, instead of leaving them to the transmitter: memory stays
// bounded however fast members speak, and a flooder's own thread waits for the room,
// where the pace (see Limits) can hold it back.
constexpr std::size_t spoken_by_one_at_most = 64 * 1024;
constexpr std::size_t spoken_at_most = 1024 * 1024;
// Bytes a listener's queue is emptied by at a time into its socket, when the room
// sends to it directly: what the member's own thread takes at a time.
constexpr std::size_t sent_at_a_time = 16 * 1024;
// A busy channel's rounds come no closer than this (see Room::transmit).
constexpr std::chrono::microseconds round_gap{2000};

}  // namespace

Room::Room(std::string console_name, terminal::Console& console, Transcript* transcript, std::size_t max_line,
           Limits limits)
    : console_name_(std::move(console_name)),
      console_(console),
      transcript_(transcript),
      max_line_(max_line),
      limits_(limits),
      transmitter_(process::start_thread([this] { transmit(); })) {}

Room::~Room() {
    {
        std::lock_guard<std::mutex> lock(spoken_mutex_);
        closing_ = true;
    }
    spoken_said_.notify_one();
    transmitter_.join();
}

std::string Room::called(int id) const {
    if (id == console_id) return console_name_;
    auto seat = seats_.find(id);
    if (seat == seats_.end() || seat->second.name.empty()) return "#" + std::to_string(id);
    return seat->second.name;
}

// "server, 小明, #2": the console first, then the members in the order they came.
std::string Room::members_text() const {
    std::string text = console_name_;
    for (const auto& [id, seat] : seats_) text += ", " + called(id);
    return text;
}

std::string Room::join(int id, const std::string& peer, Wiring wiring) {
    std::lock_guard<std::mutex> lock(mutex_);
    seats_.erase(id);
    seats_.try_emplace(id, peer, std::move(wiring));
    std::string count = std::to_string(seats_.size() + 1);
    announce(msg::text(msg::channel_joined, {called(id), peer, count}), id);
    return msg::text(msg::channel_welcome, {count, members_text()});
}

void Room::leave(int id, const std::string& why, bool announce_it) {
    relay_now();  // what it said before it left goes first, under its name
    std::lock_guard<std::mutex> lock(mutex_);
    auto seat = seats_.find(id);
    if (seat == seats_.end()) return;
    std::string name = called(id);
    for (const Outbox::Line& line : seat->second.queue.take_all()) taken_from(line.speaker, line.text->size());
    seats_.erase(seat);
    if (announce_it) announce(msg::text(msg::channel_left, {name, why, std::to_string(seats_.size() + 1)}), id);
}

void Room::set_encoder(int id, channel::MessageEncoder encoder) {
    std::lock_guard<std::mutex> lock(mutex_);
    seats_.at(id).wiring.encoder = std::move(encoder);
}

void Room::stop_sending(int id) {
    relay_now();  // what was said before still reaches it, as far as its socket takes it
    std::lock_guard<std::mutex> lock(mutex_);
    seats_.at(id).wiring.socket = nullptr;
}

// Whether the seat may speak on, told to its thread (the room held); see Limits. Held
// back at an eighth of a queue's bound, let go at a sixteenth: a speaker let go for
// every line taken would wake as often as it is heard.
void Room::pace(Seat& seat) {
    if (seat.paused)
        hold_back(seat, seat.in_flight > limits_.queue_lines / 16 || seat.in_flight_bytes > limits_.queue_bytes / 16);
    else
        hold_back(seat, seat.in_flight >= limits_.queue_lines / 8 || seat.in_flight_bytes >= limits_.queue_bytes / 8);
}

void Room::hold_back(Seat& seat, bool held) {
    bool let_go = seat.paused && !held;
    seat.paused = held;
    seat.wiring.held_back->store(held);
    // Its thread may be waiting without its socket, for this.
    if (let_go) seat.wiring.bell->wake();
}

void Room::say(int id, std::vector<std::string> texts) {
    // The person at the console types a line at a time: each goes at once, and so
    // before a /quit that follows it.
    bool at_once = id == console_id;
    {
        std::lock_guard<std::mutex> lock(spoken_mutex_);
        std::size_t& by_this_one = spoken_by_[id];
        for (const std::string& text : texts) spoken_bytes_ += text.size(), by_this_one += text.size();
        spoken_.push_back({id, std::move(texts)});
        if (!at_once && by_this_one < spoken_by_one_at_most && spoken_bytes_ < spoken_at_most) {
            if (spoken_.size() == 1) spoken_said_.notify_one();
            return;
        }
    }
    relay_now();  // … or so much is said so fast that the speaker waits for it to be relayed
}

// The channel's transmitter: relays what members say, a round at a time, at once
// when the channel is quiet, and when it is not, one round per round_gap with all that
// was said meanwhile. So a busy channel costs each listener one send per round, not
// one for each speaker's every read: what a listener's socket is given once, it is
// given for many lines.
void Room::transmit() {
    std::unique_lock<std::mutex> lock(spoken_mutex_);
    for (;;) {
        spoken_said_.wait(lock, [this] { return closing_ || !spoken_.empty(); });
        if (!closing_ && Clock::now() < last_round_ + round_gap)
            spoken_said_.wait_until(lock, last_round_ + round_gap, [this] { return closing_; });
        if (closing_) return;
        lock.unlock();
        relay_now();
        lock.lock();
    }
}

// One round now, of everything said and not yet relayed.
void Room::relay_now() {
    Round round;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<Spoken> spoken;
        {
            std::lock_guard<std::mutex> taking(spoken_mutex_);
            spoken.swap(spoken_);
            spoken_bytes_ = 0;
            spoken_by_.clear();
            last_round_ = Clock::now();
        }
        if (spoken.empty()) return;
        relay(std::move(spoken), round);
    }
    // On the console after the room is let go: the others need not wait for it.
    for (const std::string& line : round.shown) console_.out(line);
    for (const std::string& line : round.refused) console_.err(line);
}

// What several members said, relayed in one round (the room held): each listener gets
// it in one send, not one for each speaker.
void Room::relay(std::vector<Spoken> spoken, Round& round) {
    for (Spoken& one : spoken) {
        // Cannot be: leave() relays what its member said before it goes.
        if (one.id != console_id && seats_.find(one.id) == seats_.end()) continue;
        std::vector<Outbox::Text> lines;
        std::size_t too_long = 0;
        for (const std::string& text : one.texts) {
            if (Outbox::Text line = line_for_all(one.id, text)) lines.push_back(std::move(line));
            else too_long++;
        }
        if (too_long > 0) tell_too_long(one.id, too_long, round);
        if (lines.empty()) continue;
        if (one.id != console_id)
            for (const Outbox::Text& line : lines) round.shown.push_back(terminal::escape_for_display(*line));
        round.parts.push_back({one.id, one.id, Outbox::batch_of(std::move(lines))});
    }
    take_turns(round);
    deliver(round);
    for (const Round::Part& part : round.parts)
        if (part.speaker > console_id) pace(seats_.at(part.speaker));
}

// A message too long to relay: its speaker is told how long one may be.
void Room::tell_too_long(int id, std::size_t messages, Round& round) {
    std::size_t prefix = called(id).size() + 3;  // "[name] "
    std::string longest = std::to_string(max_line_ > prefix ? max_line_ - prefix : 0);
    if (id == console_id) {
        for (std::size_t i = 0; i < messages; ++i) round.refused.push_back(msg::text(msg::too_long_not_sent));
        return;
    }
    for (std::size_t i = 0; i < messages; ++i) tell(seats_.at(id), msg::text(msg::channel_too_long_to_relay, {longest}));
}

// One message for everyone else (the room held): its line, traced and recorded, to be
// delivered; none if it is too long to send.
Outbox::Text Room::line_for_all(int id, const std::string& text) {
    std::string speaker = called(id);
    auto line = make_line("[" + speaker + "] " + text);
    if (line->size() > max_line_) return nullptr;
    if (net::tracing()) {
        // The one receive (traced by the speaker's channel) and its fan-out of sends.
        std::string to;
        for (const auto& [other, seat] : seats_)
            if (other != id) to += " " + called(other);
        if (id != console_id) to += " " + console_name_;
        net::trace("relay(" + speaker + ") to " + std::to_string(seats_.size()) + " members:" + to);
    }
    if (transcript_) {
        std::string tag = id == console_id ? "console " + console_name_ : "#" + std::to_string(id) + " " + seats_.at(id).peer;
        transcript_->record(tag, Transcript::Direction::in, *line);
    }
    return line;
}

// The round's lines in the floor's order (the room held): one line of each speaker at
// a time, in the order they first spoke in it, as a listener's fair queue gives them.
void Room::take_turns(Round& round) {
    using Turn = std::pair<int, const std::string*>;  // who is not sent the line, and the line
    std::vector<std::vector<Turn>> speakers;          // each speaker's lines, in the order they spoke
    std::unordered_map<int, std::size_t> place;       // in speakers
    for (const Round::Part& part : round.parts) {
        auto [at, is_new] = place.try_emplace(part.speaker, speakers.size());
        if (is_new) speakers.emplace_back();
        for (const Outbox::Text& line : part.batch->lines) speakers[at->second].emplace_back(part.except, line.get());
        round.bytes += part.batch->bytes;
    }
    std::size_t turns = 0;
    for (const std::vector<Turn>& lines : speakers) turns = std::max(turns, lines.size());
    for (std::size_t turn = 0; turn < turns; ++turn)
        for (const std::vector<Turn>& lines : speakers)
            if (turn < lines.size()) round.in_turn.push_back(lines[turn]);
}

// The round to every member but each line's speaker (the room held). A member whose
// socket keeps up (nothing waits for it) is sent it at once, by this thread, and no
// other thread is woken for it; for one that is behind, it waits in its queue.
void Room::deliver(const Round& round) {
    for (auto& [id, seat] : seats_) {
        if (!seat.dismissed.empty() || !seat.wiring.socket) continue;
        if (seat.queue.empty() && seat.unsent.empty() && round.bytes <= sent_at_a_time) send_round(seat, id, round);
        else queue_round(seat, id, round);
    }
}

void Room::send_round(Seat& seat, int id, const Round& round) {
    for (const auto& [except, text] : round.in_turn)
        if (except != id) seat.wiring.encoder.append(seat.unsent, *text);
    if (!seat.unsent.empty()) send_or_ring(seat);
}

// Into the seat's fair queue (the room held). A queue that would overflow sends its
// member off instead: it is too slow, and nobody waits for it.
void Room::queue_round(Seat& seat, int id, const Round& round) {
    bool queue_was_empty = seat.queue.empty();
    bool was_idle = queue_was_empty && seat.unsent.empty();
    for (const Round::Part& part : round.parts) {
        if (part.except == id) continue;
        std::size_t lines = part.batch->lines.size();
        if (seat.queue.lines() + lines > limits_.queue_lines ||
            seat.queue.bytes() + part.batch->bytes > limits_.queue_bytes) {
            dismiss(seat, msg::text(msg::channel_too_slow, {std::to_string(seat.queue.lines())}));
            return;
        }
        seat.queue.put(part.speaker, part.batch);
        if (part.speaker <= console_id) continue;  // the room's lines, and the console's, are not paced
        Seat& talker = seats_.at(part.speaker);
        talker.in_flight += lines;
        talker.in_flight_bytes += part.batch->bytes;
    }
    if (seat.queue.empty()) return;
    // More than a send's worth, for a member that keeps up: as much as a send takes
    // now. One that is behind has its own thread waiting for room on its socket
    // already, rung when its queue began.
    if (was_idle) send_now(seat, sent_at_a_time);
    else if (queue_was_empty) seat.wiring.bell->wake();
}

// Up to `budget` bytes of the seat's queue, in fair order, to its socket now, never
// waiting (the room held). What is left in the queue is for the member's own thread:
// it is rung for it.
void Room::send_now(Seat& seat, std::size_t budget) {
    unqueue(seat, budget);
    send_or_ring(seat);
    if (!seat.queue.empty()) seat.wiring.bell->wake();
}

// Up to `budget` bytes of the seat's queue, in fair order, onto its unsent bytes, in
// its wire's encoding (the room held).
void Room::unqueue(Seat& seat, std::size_t budget) {
    seat.queue.take(budget, [&](int speaker, const std::string& text) {
        taken_from(speaker, text.size());
        seat.wiring.encoder.append(seat.unsent, text);
    });
}

// As much of the seat's unsent bytes as its socket takes now (the room held).
net::Sent Room::send_unsent(Seat& seat) {
    net::Sent sent = net::send_some(*seat.wiring.socket, seat.unsent);
    seat.unsent.erase(0, sent.bytes);
    return sent;
}

// The same, from a thread other than the member's: what the socket does not take, or
// a failure, is for the member's own thread, which is rung for it.
void Room::send_or_ring(Seat& seat) {
    net::Sent sent = send_unsent(seat);
    if (sent.error || !seat.unsent.empty()) seat.wiring.bell->wake();
}

// A notice for the seat's member alone, ahead of what is queued for it (the room held).
void Room::tell(Seat& seat, const std::string& text) {
    seat.wiring.encoder.append_notice(seat.unsent, text);
    seat.wiring.bell->wake();
}

// A line of the room's own ("joined", "left"): a round of its own, now, to everyone
// on the channel now but `except` (the room held), and the console.
void Room::announce(const std::string& text, int except) {
    Round round;
    round.parts.push_back({room_id, except, Outbox::batch_of({make_line(text)})});
    take_turns(round);
    deliver(round);
    console_.out(terminal::escape_for_display(text));
}

void Room::dismiss(Seat& seat, const std::string& why) {
    seat.dismissed = why;
    seat.wiring.bell->wake();
}

// One of `speaker`'s lines has left a queue: if it is held back and is now under its
// limit, it may go on.
void Room::taken_from(int speaker, std::size_t bytes) {
    auto found = seats_.find(speaker);
    if (found == seats_.end()) return;
    Seat& seat = found->second;
    seat.in_flight -= std::min(seat.in_flight, std::size_t(1));
    seat.in_flight_bytes -= std::min(seat.in_flight_bytes, bytes);
    if (seat.paused) pace(seat);
}

std::size_t Room::tell(int id, const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    Seat& seat = seats_.at(id);
    tell(seat, text);
    return seat.unsent.size();
}

Room::Sending Room::send_waiting(int id, std::size_t budget) {
    std::lock_guard<std::mutex> lock(mutex_);
    Seat& seat = seats_.at(id);
    Sending sending;
    sending.dismissed = seat.dismissed;
    if (!sending.dismissed.empty()) return sending;
    if (seat.unsent.size() < budget) unqueue(seat, budget - seat.unsent.size());
    if (!seat.unsent.empty() && seat.wiring.socket) {
        net::Sent sent = send_unsent(seat);
        sending.error = sent.error;
        sending.sent = sent.bytes > 0;
    }
    sending.waiting = seat.unsent.size();
    sending.more = !seat.queue.empty();
    return sending;
}

bool Room::name_taken(std::string_view name) const {
    std::string lower = lowercase(name);
    if (lowercase(console_name_) == lower) return true;
    for (const auto& [id, seat] : seats_)
        if (lowercase(seat.name) == lower) return true;
    return false;
}

std::string Room::rename(int id, const std::string& name) {
    relay_now();  // what it said before goes out under the name it had
    std::lock_guard<std::mutex> lock(mutex_);
    if (!valid_member_name(name)) return "intercom: " + msg::text(msg::channel_name_rule, {name});
    std::string before = called(id);
    if (before == name) return "";
    if (name_taken(name)) return msg::text(msg::channel_name_taken, {name, before});
    Seat& seat = seats_.at(id);
    seat.name = name;
    std::string renamed = msg::text(msg::channel_renamed, {before, name});
    announce(renamed, id);
    tell(seat, renamed);  // its own confirmation, before whatever it asks next
    return "";
}

std::string Room::who() {
    std::lock_guard<std::mutex> lock(mutex_);
    return msg::text(msg::channel_who, {std::to_string(seats_.size() + 1), members_text()});
}

bool Room::kick(int id, const std::string& by) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto seat = seats_.find(id);
    if (seat == seats_.end()) return false;
    if (seat->second.dismissed.empty()) dismiss(seat->second, msg::text(msg::channel_kicked, {by}));
    return true;
}
