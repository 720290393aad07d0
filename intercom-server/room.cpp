// The room: who is on the channel, and each member's fair, bounded queue.
#include "room.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "../shared/codec.h"
#include "../shared/messages.h"

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

Room::Room(std::string console_name, terminal::Console& console, Transcript* transcript, std::size_t max_line,
           Limits limits)
    : console_name_(std::move(console_name)),
      console_(console),
      transcript_(transcript),
      max_line_(max_line),
      limits_(limits) {}

std::string Room::called(int id) const {
    if (id == console_id) return console_name_;
    auto seat = seats_.find(id);
    if (seat == seats_.end() || seat->second.name.empty()) return "#" + std::to_string(id);
    return seat->second.name;
}

std::string Room::name_of(int id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return called(id);
}

// "server, 小明, #2": the console first, then the members in the order they came.
std::string Room::members_text() const {
    std::string text = console_name_;
    for (const auto& [id, seat] : seats_) text += ", " + called(id);
    return text;
}

std::string Room::join(int id, const std::string& peer, const net::Waker* bell) {
    std::lock_guard<std::mutex> lock(mutex_);
    seats_[id] = Seat{"", peer, bell, {}, 0, 0, false, ""};
    std::string count = std::to_string(seats_.size() + 1);
    announce(msg::text(msg::channel_joined, {called(id), peer, count}), id);
    return msg::text(msg::channel_welcome, {count, members_text()});
}

void Room::leave(int id, const std::string& why, bool announce_it) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto seat = seats_.find(id);
    if (seat == seats_.end()) return;
    std::string name = called(id);
    for (const Outbox::Line& line : seat->second.queue.take_all()) taken_from(line.speaker, line.text->size());
    seats_.erase(seat);
    if (announce_it) announce(msg::text(msg::channel_left, {name, why, std::to_string(seats_.size() + 1)}), id);
}

bool Room::may_speak(int id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return pace(seats_.at(id));
}

// Whether the seat's next message may be taken (the lock held); see Limits.
bool Room::pace(Seat& seat) {
    seat.paused = seat.in_flight >= limits_.queue_lines / 8 || seat.in_flight_bytes >= limits_.queue_bytes / 8;
    return !seat.paused;
}

std::size_t Room::longest_message(int id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t prefix = called(id).size() + 3;  // "[name] "
    return max_line_ > prefix ? max_line_ - prefix : 0;
}

Room::Said Room::say(int id, const std::vector<std::string>& texts) {
    Said said;
    std::vector<Outbox::Text> relayed;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const std::string& text : texts) {
            Outbox::Text line = relay(id, text);
            if (line) relayed.push_back(std::move(line));
            else said.too_long++;
        }
        // All that one read brought goes to each queue at once, as one batch.
        if (!relayed.empty()) deliver(id, Outbox::batch_of(relayed));
        if (id != console_id) said.may_speak = pace(seats_.at(id));  // asked in the same lock
    }
    // On the console after the lock is let go: the others need not wait for it.
    if (id != console_id)
        for (const Outbox::Text& line : relayed) console_.out(terminal::escape_for_display(*line));
    return said;
}

// One message for everyone else (the lock held): its line, traced and recorded, to be
// delivered; none if it is too long to send.
Outbox::Text Room::relay(int id, const std::string& text) {
    std::string speaker = called(id);
    auto line = make_line("[" + speaker + "] " + text);
    if (line->size() > max_line_) return nullptr;
    if (net::tracing()) {
        // The one receive (traced by the speaker's channel) and its fan-out: each
        // member's own thread then makes its send, traced as it happens.
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

// Into every other member's queue (the lock held). A queue that would overflow sends
// its member off instead: it is too slow, and nobody waits for it.
void Room::deliver(int speaker, const Outbox::Batch& batch) {
    Seat* talker = speaker == console_id ? nullptr : &seats_.at(speaker);
    std::size_t lines = batch->lines.size();
    for (auto& [id, seat] : seats_) {
        if (id == speaker || !seat.dismissed.empty()) continue;
        if (seat.queue.lines() + lines > limits_.queue_lines || seat.queue.bytes() + batch->bytes > limits_.queue_bytes) {
            dismiss(seat, msg::text(msg::channel_too_slow, {std::to_string(seat.queue.lines())}));
            continue;
        }
        bool was_empty = seat.queue.empty();
        seat.queue.put(speaker, batch);
        if (talker) talker->in_flight += lines, talker->in_flight_bytes += batch->bytes;
        // Rung only when the queue was empty: its owner resets the bell before it takes,
        // and takes until the queue is empty or its socket is full (then it waits on that).
        if (was_empty) seat.bell->wake();
    }
}

// A line of the room's own ("joined", "left"): to everyone but `except`, and the
// console; never paced (speaker -1), but bounded like any other.
void Room::announce(const std::string& text, int except) {
    Outbox::Batch line = Outbox::batch_of({make_line(text)});
    for (auto& [id, seat] : seats_) {
        if (id == except || !seat.dismissed.empty()) continue;
        if (seat.queue.lines() >= limits_.queue_lines) {
            dismiss(seat, msg::text(msg::channel_too_slow, {std::to_string(seat.queue.lines())}));
            continue;
        }
        bool was_empty = seat.queue.empty();
        seat.queue.put(-1, line);
        if (was_empty) seat.bell->wake();
    }
    console_.out(terminal::escape_for_display(text));
}

void Room::dismiss(Seat& seat, const std::string& why) {
    seat.dismissed = why;
    seat.bell->wake();
}

// One of `speaker`'s lines has left a queue: if it waits to speak and is now under
// its limit, it may go on.
void Room::taken_from(int speaker, std::size_t bytes) {
    auto found = seats_.find(speaker);
    if (found == seats_.end()) return;
    Seat& seat = found->second;
    seat.in_flight -= std::min(seat.in_flight, std::size_t(1));
    seat.in_flight_bytes -= std::min(seat.in_flight_bytes, bytes);
    // Down to a sixteenth, not just under an eighth: a speaker rung for every line
    // taken would wake as often as it is heard.
    if (seat.paused && seat.in_flight <= limits_.queue_lines / 16 && seat.in_flight_bytes <= limits_.queue_bytes / 16) {
        seat.paused = false;
        seat.bell->wake();
    }
}

Room::Taken Room::take(int id, std::size_t budget, const std::function<void(const std::string&)>& send) {
    std::lock_guard<std::mutex> lock(mutex_);
    Seat& seat = seats_.at(id);
    if (!seat.dismissed.empty()) return {false, seat.dismissed};
    seat.queue.take(budget, [&](int speaker, const std::string& text) {
        taken_from(speaker, text.size());
        send(text);
    });
    return {!seat.queue.empty(), ""};
}

bool Room::name_taken(std::string_view name) const {
    std::string lower = lowercase(name);
    if (lowercase(console_name_) == lower) return true;
    for (const auto& [id, seat] : seats_)
        if (lowercase(seat.name) == lower) return true;
    return false;
}

std::string Room::rename(int id, const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!valid_member_name(name)) return "intercom: " + msg::text(msg::channel_name_rule, {name});
    std::string before = called(id);
    if (before == name) return "";
    if (name_taken(name)) return msg::text(msg::channel_name_taken, {name, before});
    seats_.at(id).name = name;
    announce(msg::text(msg::channel_renamed, {before, name}), -1);  // the renamed member too: its confirmation
    return "";
}

std::string Room::who() const {
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
