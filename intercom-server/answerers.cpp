// The console operator: typed lines routed to the conversations waiting for them.
#include "answerers.h"

#include <algorithm>
#include <cctype>

#include "../shared/messages.h"

namespace {

std::string trimmed(const std::string& text) {
    std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string lowercase(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

ConsoleOperator::ConsoleOperator(terminal::Console& console) : console_(console) {}

void ConsoleOperator::opened(int id, const std::string& peer, const net::Waker* bell) {
    std::lock_guard<std::mutex> lock(mutex_);
    conversations_[id] = {peer, bell, {}};
    newest_ = std::max(newest_, id);
}

int ConsoleOperator::newest() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return newest_;
}

bool ConsoleOperator::is_waiting(int id) const {
    return std::find(waiting_.begin(), waiting_.end(), id) != waiting_.end();
}

void ConsoleOperator::heard(int id, const std::function<void()>& show) {
    std::lock_guard<std::mutex> lock(mutex_);
    waiting_.push_back(id);
    show();
    turn_bell_.wake();
}

std::optional<std::string> ConsoleOperator::answer(int id, const std::string&) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = conversations_.find(id);
    if (it == conversations_.end() || it->second.held.empty()) return std::nullopt;
    // It stays held, and #id in line, until answered() or not_sent() says how it went.
    return it->second.held.front();
}

void ConsoleOperator::take_held(int id) {
    auto it = conversations_.find(id);
    if (it != conversations_.end() && !it->second.held.empty()) it->second.held.pop_front();
}

void ConsoleOperator::answered(int id) {
    std::lock_guard<std::mutex> lock(mutex_);
    take_held(id);
    auto it = std::find(waiting_.begin(), waiting_.end(), id);
    if (it != waiting_.end()) waiting_.erase(it);
    turn_bell_.wake();  // an answer in flight has gone
}

void ConsoleOperator::not_sent(int id) {
    std::lock_guard<std::mutex> lock(mutex_);
    take_held(id);
    turn_bell_.wake();  // it waits for an answer again
}

// The conversation that has waited longest with no answer typed for it yet, of those
// no newer than `newest`.
int ConsoleOperator::first_without_answer(int newest) const {
    for (int id : waiting_)
        if (id <= newest && conversations_.at(id).held.empty()) return id;
    return 0;
}

bool ConsoleOperator::answers_in_flight() const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int id : waiting_)
        if (!conversations_.at(id).held.empty()) return true;
    return false;
}

void ConsoleOperator::closed(int id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find(waiting_.begin(), waiting_.end(), id);
    if (it != waiting_.end()) {
        waiting_.erase(it);
        turn_bell_.wake();  // the prompt may have named it
    }
    auto c = conversations_.find(id);
    if (c == conversations_.end()) return;
    for (const std::string& line : c->second.held)  // say what was not sent
        console_.err(msg::text(msg::not_sent_ended, {std::to_string(id), line}));
    conversations_.erase(c);
}

void ConsoleOperator::shut_down() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [id, c] : conversations_) {
        for (const std::string& line : c.held) console_.err(msg::text(msg::not_sent_shutting_down, {line}));
        c.held.clear();
    }
}

bool ConsoleOperator::turn_without_answer() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return first_without_answer() != 0;
}

std::string ConsoleOperator::target() const {
    std::lock_guard<std::mutex> lock(mutex_);
    int id = first_without_answer();
    return id == 0 ? "" : "#" + std::to_string(id);
}

ConsoleOperator::Typed ConsoleOperator::typed(const std::string& line, int newest) {
    std::string text = trimmed(line);
    if (text.empty()) return Typed::handled;  // nothing to send
    if (text[0] == '/' && text.compare(0, 2, "//") != 0) return command(text);
    if (text[0] == '@') return address(text, newest), Typed::handled;
    if (text[0] == '/') text.erase(0, 1);  // "//text" sends "/text"
    std::lock_guard<std::mutex> lock(mutex_);
    if (int id = first_without_answer(newest)) give(id, text);
    else console_.err(msg::text(msg::nobody_waiting, {text}));
    return Typed::handled;
}

// Hands a line to #id (the lock held): taken at once if it waits, else on its turn.
void ConsoleOperator::give(int id, const std::string& text) {
    Conversation& c = conversations_.at(id);
    c.held.push_back(text);
    if (!is_waiting(id)) console_.out(msg::text(msg::held_for, {std::to_string(id)}));
    if (c.bell) c.bell->wake();
}

// "@N text": for #N alone.
void ConsoleOperator::address(const std::string& line, int newest) {
    std::size_t end = std::min(line.find_first_not_of("0123456789", 1), line.size());
    bool number_then_space = end > 1 && end <= 9 && (end == line.size() || line[end] == ' ' || line[end] == '\t');
    if (!number_then_space) return console_.err(msg::text(msg::at_usage));
    int id = std::stoi(line.substr(1, end - 1));  // 1 to 8 digits: always fits
    std::string text = trimmed(line.substr(end));
    if (text.empty()) return console_.err(msg::text(msg::nothing_to_send, {std::to_string(id)}));
    std::lock_guard<std::mutex> lock(mutex_);
    if (conversations_.count(id) == 0 || id > newest)
        return console_.err(msg::text(msg::no_such_conversation, {std::to_string(id), text}));
    give(id, text);
}

ConsoleOperator::Typed ConsoleOperator::command(const std::string& line) {
    std::string name = lowercase(trimmed(line));
    if (name == "/quit") return Typed::quit;
    if (name == "/help") console_.out(msg::text(msg::console_help));
    else if (name == "/list") list_conversations();
    else console_.err(msg::text(msg::unknown_command, {line}));
    return Typed::handled;
}

void ConsoleOperator::list_conversations() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (conversations_.empty()) console_.out(msg::text(msg::no_conversations));
    for (const auto& [id, c] : conversations_) {
        msg::Id state = is_waiting(id) ? msg::list_waiting : msg::list_their_turn;
        console_.out(msg::text(state, {std::to_string(id), c.peer}));
        for (const std::string& held : c.held)
            console_.out(msg::text(msg::list_held, {terminal::escape_for_display(held)}));
    }
    if (int id = first_without_answer()) console_.out(msg::text(msg::list_target, {std::to_string(id)}));
    else console_.out(msg::text(msg::list_target_none));
}
