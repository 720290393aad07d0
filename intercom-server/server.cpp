// The listener: one std::thread per conversation, joined when it ends.
#include "server.h"

#include <chrono>

#include "../shared/messages.h"


void Server::run() {
    using namespace std::chrono_literals;
    for (;;) {
        join_finished();
        // Wake every second even with no newcomers, to join finished conversations.
        net::Accepted client = net::accept_client(listener_, 1000ms, &setup_.shutdown);
        if (client.status == net::Wait::woken) break;
        if (client.status == net::Wait::ready) admit(std::move(client));
        if (client.status == net::Wait::failed) {
            setup_.console.err("intercom-server: " + msg::text(msg::accept_failed, {net::error_text(client.error)}));
            if (client.socket.valid())  // taken only to be told why we cannot talk
                turn_away(std::move(client.socket), msg::text(msg::notice_busy), setup_.options.wire);
            std::this_thread::sleep_for(100ms);  // whatever failed, never spin on it
        }
    }
    for (Slot& slot : slots_) slot.thread.join();
    slots_.clear();
    finished_.clear();
}

void Server::admit(net::Accepted client) {
    if (slots_.size() >= setup_.options.max_clients)
        return turn_away(std::move(client.socket), msg::text(msg::notice_busy), setup_.options.wire);
    try {
        Slot& slot = slots_.emplace_back();
        slot.client = std::move(client);
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
        finished.swap(finished_);
    }
    for (SlotRef slot : finished) {
        slot->thread.join();
        slots_.erase(slot);
    }
}
