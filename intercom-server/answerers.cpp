// The console operator: typed lines routed to the conversations waiting for them.
#include "answerers.h"

#include <algorithm>
#include <chrono>

#include "../shared/messages.h"

void ConsoleOperator::opened(int id, const std::string& peer) {
    std::lock_guard<std::mutex> lock(mutex_);
    conversations_[id].peer = peer;
}

bool ConsoleOperator::is_waiting(int id) const {
    return std::find(waiting_.begin(), waiting_.end(), id) != waiting_.end();
}

bool ConsoleOperator::is_first_waiting(int id) const {
    return !waiting_.empty() && waiting_.front() == id;
}

void ConsoleOperator::stop_waiting(int id) {
    auto it = std::find(waiting_.begin(), waiting_.end(), id);
    if (it != waiting_.end()) waiting_.erase(it);
    answered_.notify_all();  // the next in line may take a held line now
}

void ConsoleOperator::heard(int id, const std::function<void()>& show) {
    std::lock_guard<std::mutex> lock(mutex_);
    waiting_.push_back(id);
    show();
}

std::optional<std::string> ConsoleOperator::answer(int id, const std::string&,
                                                   const std::function<bool()>& peer_gone) {
    using namespace std::chrono_literals;
    std::unique_lock<std::mutex> lock(mutex_);
    Conversation& me = conversations_[id];
    auto answered = [&] {
        return shutting_down_ || !me.held.empty() || (!held_.empty() && is_first_waiting(id));
    };
    // Look at the client now and then: a line typed for one that has left would be lost.
    while (!answered_.wait_for(lock, 100ms, answered)) {
        lock.unlock();
        bool gone = peer_gone();
        lock.lock();
        if (gone) break;
    }
    if (!answered() || shutting_down_) {
        stop_waiting(id);
        return std::nullopt;
    }
    std::deque<std::string>& source = me.held.empty() ? held_ : me.held;
    std::string reply = std::move(source.front());
    source.pop_front();
    return reply;  // #id stays first in line until answered(): the reply may not fit
}

void ConsoleOperator::answered(int id) {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_waiting(id);
}

void ConsoleOperator::closed(int id) {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_waiting(id);
    auto it = conversations_.find(id);
    if (it == conversations_.end()) return;
    for (const std::string& line : it->second.held)  // say what was not sent
        console_.err(msg::text(msg::not_sent_ended, {std::to_string(id), line}));
    conversations_.erase(it);
}

void ConsoleOperator::shut_down() {
    std::lock_guard<std::mutex> lock(mutex_);
    shutting_down_ = true;
    for (const std::string& line : held_) console_.err(msg::text(msg::not_sent_shutting_down, {line}));
    held_.clear();
    answered_.notify_all();
}

void ConsoleOperator::typed(const std::string& line) {
    if (line.empty()) return;
    if (line == "/list") return list_conversations();
    std::lock_guard<std::mutex> lock(mutex_);
    if (line[0] != '@') {
        held_.push_back(line);
        if (waiting_.empty()) console_.out(msg::text(msg::held_for_next));
        answered_.notify_all();
        return;
    }
    std::size_t digits = line.find_first_not_of("0123456789", 1);
    if (digits == 1 || digits > 9 || digits == std::string::npos || line[digits] != ' ') {
        console_.err(msg::text(msg::at_usage));
        return;
    }
    int id = std::stoi(line.substr(1, digits - 1));
    auto it = conversations_.find(id);
    if (it == conversations_.end()) {
        console_.err(msg::text(msg::no_such_conversation, {std::to_string(id), line}));
        return;
    }
    it->second.held.push_back(line.substr(digits + 1));
    if (!is_waiting(id)) console_.out(msg::text(msg::held_for, {std::to_string(id)}));
    answered_.notify_all();
}

void ConsoleOperator::list_conversations() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (conversations_.empty()) console_.out(msg::text(msg::no_conversations));
    for (const auto& [id, c] : conversations_) {
        console_.out(msg::text(is_waiting(id) ? msg::list_waiting : msg::list_their_turn, {std::to_string(id), c.peer}));
    }
}
