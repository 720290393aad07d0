// The listener: one std::thread per conversation, joined when it ends.
#include "server.h"

#include <chrono>

#include "../shared/messages.h"

using namespace std::chrono_literals;

void Server::run() noexcept {
    for (bool listening = true; listening;) {
        try {
            listening = accept_next();
        } catch (const std::exception&) {
            // Out of memory, say, between two clients: the newcomer is lost, the
            // server is not; pause rather than fail again at once.
            std::this_thread::sleep_for(100ms);
        }
    }
    for (Slot& slot : slots_) slot.thread.join();
    slots_.clear();
}

// Takes the next client, if one comes within a second; false once shutting down.
bool Server::accept_next() {
    join_finished();  // (hence the second's limit: finished threads are joined soon)
    net::Accepted client = net::accept_client(listener_, 1000ms, &setup_.shutdown);
    if (client.status == net::Wait::woken) return false;
    if (client.status == net::Wait::ready) admit(std::move(client));
    if (client.status == net::Wait::failed) {
        setup_.console.err("intercom-server: " + msg::text(msg::accept_failed, {net::error_text(client.error)}));
        if (client.socket.valid())  // taken only to be told why we cannot talk
            turn_away(std::move(client.socket), msg::text(msg::notice_busy), setup_.options.wire);
        std::this_thread::sleep_for(100ms);  // whatever failed, never spin on it
    }
    return true;
}

void Server::admit(net::Accepted client) {
    if (slots_.size() >= setup_.options.max_clients)
        return turn_away(std::move(client.socket), msg::text(msg::notice_busy), setup_.options.wire);
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
        slot.thread = std::thread([this, id, where = std::prev(slots_.end())] {
            run_conversation(id, std::move(where->client), setup_);
            std::lock_guard<std::mutex> lock(finished_mutex_);
            finished_.push_back(where);
        });
        last_id_ = id;
    } catch (const std::exception&) {
        // No thread or no memory to be had (std::system_error, std::bad_alloc): this
        // newcomer is refused, and everyone else carries on.
        bool in_slot = !client.socket.valid();
        turn_away(std::move(in_slot ? slots_.back().client.socket : client.socket), msg::text(msg::notice_busy),
                  setup_.options.wire);
        if (in_slot) slots_.pop_back();
    }
}

void Server::join_finished() {
    std::vector<SlotRef> finished;
    {
        std::lock_guard<std::mutex> lock(finished_mutex_);
        finished = finished_;  // a copy: finished_ keeps the room admit() made
        finished_.clear();
    }
    for (SlotRef slot : finished) {
        slot->thread.join();
        slots_.erase(slot);
    }
}
