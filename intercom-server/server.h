// The listener: accepts clients and gives each conversation a thread of its own.
#pragma once

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
    void join_finished();

    net::Socket listener_;
    ConversationSetup setup_;
    std::list<Slot> slots_;  // touched by the listener thread only
    int last_id_ = 0;
    // Each conversation thread, as it ends, puts its slot here to be joined: the
    // listener then joins just those, not a walk over every conversation.
    std::mutex finished_mutex_;
    std::vector<SlotRef> finished_;
};
