// The listener: accepts clients and gives each conversation a thread of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include "conversation.h"

class Server {
public:
    Server(net::Socket listener, const ConversationSetup& setup)
        : listener_(std::move(listener)), setup_(setup) {}

    // Accepts clients until setup.shutdown is woken, then joins every conversation
    // thread (each says goodbye to its client) and returns.
    void run() noexcept;

private:
    struct Slot {
        net::Accepted client;  // handed to the thread, or turned away if none starts
        std::thread thread;
    };
    using SlotRef = std::list<Slot>::iterator;

    bool accept_next();
    void admit(net::Accepted client);
    void turn_away(net::Socket client, std::chrono::milliseconds drain = protocol::bye_drain_time);
    void join_finished();

    net::Socket listener_;
    ConversationSetup setup_;
    std::list<Slot> slots_;  // touched by the listener thread only
    std::atomic<std::size_t> live_{0};  // conversations not yet over (their threads may be)
    int last_id_ = 0;
    bool accept_failing_ = false;  // accept has failed, and said so
    // Each conversation thread, as it ends, puts its slot here and rings `finished_bell_`:
    // the listener wakes, joins just those, and their places are free at once.
    std::mutex finished_mutex_;
    std::vector<SlotRef> finished_;
    net::Waker finished_bell_;
};
