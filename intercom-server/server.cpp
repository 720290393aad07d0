// The listener: one std::thread per conversation, joined as soon as it ends.
#include "server.h"

#include <chrono>
#include <utility>

#include "../shared/channel.h"
#include "../shared/codec.h"
#include "../shared/messages.h"

using namespace std::chrono_literals;

void Server::run() noexcept {
    for (bool listening = true; listening;) {
        try {
            listening = accept_next();
        } catch (const std::exception&) {
            // Out of memory, say, between two clients: the newcomer is lost, the
            // server is not; pause (unless told to stop) rather than fail again at once.
            net::wait({nullptr, false, net::Socket::invalid, {&setup_.shutdown, nullptr}}, 100ms);
        }
    }
    // No more newcomers: closed now, one who connects while we say goodbye is refused
    // at once rather than left waiting in the queue for a reset.
    listener_.close();
    for (Slot& slot : slots_) slot.thread.join();
    slots_.clear();
}

// Waits for the next client, or for a conversation to finish; false once shutting down.
bool Server::accept_next() {
    net::Accepted client = net::accept_client(listener_, {&setup_.shutdown, &finished_bell_});
    switch (client.status) {
    case net::Wait::woken: return false;
    case net::Wait::mail: join_finished(); break;
    case net::Wait::ready:
        accept_failing_ = false;
        admit(std::move(client));
        break;
    default:
        // Said once, until accepting works again: out of descriptors, it fails for
        // every newcomer.
        if (!std::exchange(accept_failing_, true))
            setup_.console.err("intercom-server: " + msg::text(msg::accept_failed, {net::error_text(client.error)}));
        if (client.socket.valid()) {  // taken only to be told why we cannot talk
            turn_away(std::move(client.socket), 0ms);  // its descriptor is the spare: back soon
            break;
        }
        // Whatever failed, never spin on it: a pause, unless told to stop.
        net::wait({nullptr, false, net::Socket::invalid, {&setup_.shutdown, nullptr}}, 100ms);
    }
    return true;
}

void Server::admit(net::Accepted client) {
    join_finished();  // a conversation that has just ended leaves its place to this one
    if (live_ >= setup_.options.max_clients) return turn_away(std::move(client.socket));
    bool counted = false;
    try {
        Slot& slot = slots_.emplace_back();
        slot.client = std::move(client);
        {
            // Room for every conversation to report itself finished, made here, so
            // that a thread's last step cannot fail for want of memory.
            std::lock_guard<std::mutex> lock(finished_mutex_);
            if (finished_.capacity() < slots_.size()) finished_.reserve(2 * slots_.size());
        }
        int id = last_id_ + 1;
        ++live_, counted = true;
        slot.thread = std::thread([this, id, where = std::prev(slots_.end())] {
            run_conversation(id, std::move(where->client), setup_, live_);
            std::lock_guard<std::mutex> lock(finished_mutex_);
            finished_.push_back(where);
            finished_bell_.wake();
        });
        last_id_ = id;
    } catch (const std::exception&) {
        // No thread or no memory to be had (std::system_error, std::bad_alloc): this
        // newcomer is refused, and everyone else carries on.
        bool in_slot = !client.socket.valid();
        if (counted) --live_;  // it never started
        turn_away(std::move(in_slot ? slots_.back().client.socket : client.socket));
        if (in_slot) slots_.pop_back();
    }
}

// "Busy", then a clean close, handed to the farewells: the listener never waits on it.
void Server::turn_away(net::Socket client, std::chrono::milliseconds drain) {
    try {
        // In the encoding a conversation would have started with (UTF-8 for "auto").
        codec::Converter to_wire("UTF-8", channel::possible_encodings(setup_.options.wire).front());
        std::string notice = to_wire.convert_all(msg::text(msg::notice_busy)) + "\n";
        setup_.farewells.add(std::move(client), std::move(notice), 0ms, drain);
    } catch (const std::exception&) {
        // Out of memory for the notice: the socket closes without it.
    }
}

void Server::join_finished() {
    std::vector<SlotRef> finished;
    {
        std::lock_guard<std::mutex> lock(finished_mutex_);
        finished_bell_.reset();
        finished = finished_;  // a copy: finished_ keeps the room admit() made
        finished_.clear();
    }
    for (SlotRef slot : finished) {
        slot->thread.join();
        slots_.erase(slot);
    }
}
