// Who answers a client's message: the person at the console, or the server itself
// (--echo, --reply).
#pragma once

#include <climits>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "../shared/net.h"
#include "../shared/terminal.h"

class Answerer {
public:
    virtual ~Answerer() = default;
    // A person answers: an answer may take its time, and one too long to send may be
    // typed again. The conversation then waits for it on a bell of its own.
    virtual bool interactive() const { return false; }
    // Conversation #id has begun; `bell` is rung when a line is there for it
    // (interactive answerers only; null otherwise).
    virtual void opened(int /*id*/, const std::string& /*peer*/, const net::Waker* /*bell*/) {}
    // Conversation #id has a message to answer; `show` puts it on the console. The
    // console operator queues the conversation and shows the message in one step, so
    // the order on screen is the order in which typed lines are given out.
    virtual void heard(int /*id*/, const std::function<void()>& show) { show(); }
    // The answer to `message` from #id, if there is one yet: the server's own at once;
    // a person's once typed (never waits: the conversation waits on its bell).
    virtual std::optional<std::string> answer(int id, const std::string& message) = 0;
    // The answer went out; #id no longer waits.
    virtual void answered(int /*id*/) {}
    // The answer could not go out (too long): #id waits on, for another.
    virtual void not_sent(int /*id*/) {}
    virtual void closed(int /*id*/) {}
};

class EchoAnswerer : public Answerer {
public:
    std::optional<std::string> answer(int, const std::string& message) override { return message; }
};

class FixedAnswerer : public Answerer {
public:
    explicit FixedAnswerer(std::string text) : text_(std::move(text)) {}
    std::optional<std::string> answer(int, const std::string&) override { return text_; }

private:
    std::string text_;
};

// The person at the server console. A plain line answers the conversation that has
// waited longest for an answer nobody has typed yet (the prompt names it); "@N text" answers #N, or is held for #N until
// its turn; lines starting with "/" are commands. A line is only ever given to a
// conversation that exists when it is typed: a plain line that nobody waits for is
// refused, never held for whoever comes next.
class ConsoleOperator : public Answerer {
public:
    explicit ConsoleOperator(terminal::Console& console);
    bool interactive() const override { return true; }

    void opened(int id, const std::string& peer, const net::Waker* bell) override;
    void heard(int id, const std::function<void()>& show) override;
    std::optional<std::string> answer(int id, const std::string& message) override;
    void answered(int id) override;
    void not_sent(int id) override;
    void closed(int id) override;

    // What a typed line asks for, once the operator has dealt with it. `newest` is the
    // newest conversation there was when the person began to type it (newest()): the
    // line goes to none that came after.
    enum class Typed { handled, quit };
    Typed typed(const std::string& line, int newest);
    int newest() const;

    // Whether lines have been given to conversations that wait for them and are not
    // sent yet: the end of the console's input waits for them to go.
    bool answers_in_flight() const;

    // Whether a conversation waits for an answer that nobody has typed yet: piped
    // answers are read one per such turn. `bell` is rung whenever that, or target(),
    // may have changed (a conversation began to wait, or ended).
    bool turn_without_answer() const;
    const net::Waker& turn_bell() const { return turn_bell_; }

    // Where a plain line goes now ("#2"), or "" when nobody waits: the prompt.
    std::string target() const;

    // The console is closing: lines held for conversations are reported, not sent.
    void shut_down();

private:
    struct Conversation {
        std::string peer;
        const net::Waker* bell = nullptr;
        std::deque<std::string> held;  // typed for this one, not yet sent
    };

    Typed command(const std::string& line);
    void give(int id, const std::string& text);
    void address(const std::string& line, int newest);
    void list_conversations();
    bool is_waiting(int id) const;
    int first_without_answer(int newest = INT_MAX) const;  // 0: none
    void take_held(int id);

    terminal::Console& console_;
    mutable std::mutex mutex_;
    std::map<int, Conversation> conversations_;
    std::deque<int> waiting_;  // longest-waiting first
    int newest_ = 0;
    net::Waker turn_bell_;
};
