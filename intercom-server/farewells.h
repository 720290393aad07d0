// Farewells: clients we are done with, each told its last line and closed cleanly,
// all on one thread of their own, so that neither the listener nor a conversation
// thread waits on them.
//
// "Cleanly": after the notice we half-close, read what the client still sends, and
// close once it has closed (or after two seconds). Closing with its bytes unread
// would send it a reset, and a reset can destroy the notice before it is read.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../shared/net.h"
#include "../shared/protocol.h"

class Farewells {
public:
    using Clock = std::chrono::steady_clock;

    Farewells();
    ~Farewells();  // what is left gets its notice now and is closed at once
    Farewells(const Farewells&) = delete;
    Farewells& operator=(const Farewells&) = delete;

    // `notice`: the bytes to send (on the wire already), `after` from now; then what
    // the client still sends is read for up to `drain`. Never blocks; past a bound of
    // sockets held, the newcomer is closed at once instead.
    void add(net::Socket client, std::string notice, std::chrono::milliseconds after,
             std::chrono::milliseconds drain = protocol::bye_drain_time) noexcept;

private:
    struct Leaving {
        net::Socket socket;
        std::string notice;
        Clock::time_point notice_at;
        std::chrono::milliseconds drain;
        Clock::time_point close_by{};  // set once the notice has gone
    };

    void run();
    Clock::time_point step(std::vector<Leaving>& leaving, bool ending);

    std::mutex mutex_;
    std::vector<Leaving> arriving_;
    bool ending_ = false;
    net::Waker bell_;  // rung for a newcomer, and at the end
    std::thread thread_;
};
