// Who answers a client's message: the person at the console, or the server itself
// (--echo, --reply).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "../shared/terminal.h"

class Answerer {
public:
    virtual ~Answerer() = default;
    // A person answers: an answer too long to send may be typed again.
    virtual bool interactive() const { return false; }
    virtual void opened(int /*conversation*/, const std::string& /*peer*/) {}
    // Conversation #id has a message to answer; `show` puts it on the console. The
    // console operator queues the conversation and shows the message in one step, so
    // the order on screen is the order in which typed lines are given out.
    virtual void heard(int /*id*/, const std::function<void()>& show) { show(); }
    // The answer to `message` from conversation #id, or nothing: the server is shutting
    // down, or `peer_gone` (asked now and then while a person types) said the client
    // has left. May block. Called again for the same message when the answer was too
    // long to send; #id keeps its place in line until answered() says it is done.
    virtual std::optional<std::string> answer(int id, const std::string& message,
                                              const std::function<bool()>& peer_gone) = 0;
    virtual void answered(int /*id*/) {}
    virtual void closed(int /*conversation*/) {}
    // Ends every wait in answer().
    virtual void shut_down() {}
};

class EchoAnswerer : public Answerer {
public:
    std::optional<std::string> answer(int, const std::string& message,
                                      const std::function<bool()>&) override {
        return message;
    }
};

class FixedAnswerer : public Answerer {
public:
    explicit FixedAnswerer(std::string text) : text_(std::move(text)) {}
    std::optional<std::string> answer(int, const std::string&, const std::function<bool()>&) override {
        return text_;
    }

private:
    std::string text_;
};

// The person at the server console. A typed line answers the conversation that has
// waited longest; "@N text" answers #N; "/list" lists the conversations. A line that
// nobody is waiting for is held, never dropped, and goes to the next that waits.
class ConsoleOperator : public Answerer {
public:
    explicit ConsoleOperator(terminal::Console& console) : console_(console) {}
    bool interactive() const override { return true; }

    void opened(int id, const std::string& peer) override;
    void heard(int id, const std::function<void()>& show) override;
    std::optional<std::string> answer(int id, const std::string& message,
                                      const std::function<bool()>& peer_gone) override;
    void answered(int id) override;
    void closed(int id) override;
    void shut_down() override;

    // One line typed at the console.
    void typed(const std::string& line);

private:
    struct Conversation {
        std::string peer;
        std::deque<std::string> held;  // typed for this one ("@N …") before its turn
    };

    void list_conversations();
    bool is_waiting(int id) const;
    bool is_first_waiting(int id) const;
    void stop_waiting(int id);

    terminal::Console& console_;
    std::mutex mutex_;
    std::condition_variable answered_;
    std::map<int, Conversation> conversations_;
    std::deque<int> waiting_;          // longest-waiting first
    std::deque<std::string> held_;     // typed while nobody waited
    bool shutting_down_ = false;
};
