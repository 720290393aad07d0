// Farewells: notices, half-closes and clean closes, on one thread.
#include "farewells.h"

#include <algorithm>

#include "../shared/process.h"

namespace {
constexpr std::size_t most_held = 1024;  // sockets; past this, a newcomer is closed at once
}

Farewells::Farewells() : thread_(process::start_thread([this] { run(); })) {}

Farewells::~Farewells() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ending_ = true;
    }
    bell_.wake();
    thread_.join();
}

void Farewells::add(net::Socket client, std::string notice, std::chrono::milliseconds after,
                    std::chrono::milliseconds drain) noexcept {
    try {
        std::lock_guard<std::mutex> lock(mutex_);
        if (arriving_.size() < most_held && !ending_)
            arriving_.push_back({std::move(client), std::move(notice), Clock::now() + after, drain});
    } catch (const std::exception&) {
        // No memory to hold it: it is closed here, without its notice.
    }
    bell_.wake();
}

void Farewells::run() {
    std::vector<Leaving> leaving;
    for (;;) {
        bool ending;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            bell_.reset();
            for (Leaving& l : arriving_)
                if (leaving.size() < most_held) leaving.push_back(std::move(l));
            arriving_.clear();
            ending = ending_;
        }
        Clock::time_point next = step(leaving, ending);
        if (ending) return;
        auto wait = leaving.empty() ? std::chrono::milliseconds(-1)
                                    : std::max(std::chrono::milliseconds(0),
                                               std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()));
        net::wait({nullptr, false, net::Socket::invalid, {nullptr, &bell_}}, wait);
    }
}

// Sends the notices that are due, closes the sockets that are done; returns when the
// next thing is due. At the end, everything is due now.
Farewells::Clock::time_point Farewells::step(std::vector<Leaving>& leaving, bool ending) {
    Clock::time_point now = Clock::now(), next = Clock::time_point::max();
    char chunk[4096];
    for (Leaving& l : leaving) {
        if (l.close_by == Clock::time_point{} && (ending || now >= l.notice_at)) {
            net::send_all(l.socket, l.notice, std::chrono::milliseconds(0));  // what fits now
            net::shutdown_send(l.socket);
            l.close_by = now + l.drain;
        }
        if (l.close_by == Clock::time_point{}) {
            next = std::min(next, l.notice_at);
            continue;
        }
        net::Received got{net::Received::data};
        for (int i = 0; i < 16 && got.kind == net::Received::data; ++i)  // read, so no reset
            got = net::recv_some(l.socket, chunk, sizeof chunk, std::chrono::milliseconds(0));
        if (got.kind != net::Received::timeout || ending || now >= l.close_by) l.socket.close();
        else next = std::min(next, l.close_by);
    }
    leaving.erase(std::remove_if(leaving.begin(), leaving.end(), [](const Leaving& l) { return !l.socket.valid(); }),
                  leaving.end());
    return next;
}
