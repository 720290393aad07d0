// One conversation: the greeting, then the client and the server take turns until
// one of them says bye or the connection ends.
#pragma once

#include <atomic>
#include <cstddef>

#include "../shared/channel.h"
#include "../shared/files.h"
#include "../shared/net.h"
#include "../shared/terminal.h"
#include "answerers.h"
#include "farewells.h"
#include "guesses.h"
#include "options.h"
#include "transcript.h"

// What every conversation shares; all of it outlives every conversation thread.
struct ConversationSetup {
    const ServerOptions& options;
    Answerer& answerer;
    terminal::Console& console;
    const net::Waker& shutdown;
    Transcript* transcript;  // null without --log
    Farewells& farewells;    // sockets we are done with, closed cleanly off this thread
    GuessLimiter& guesses;   // wrong countersigns, per address
    class Room* room = nullptr;  // --channel: everyone on one channel (room.h); else turns
    const files::SharedFolder* shared = nullptr;  // --files DIR; null without
};

// With --countersign, `first` (the client's first message) must be it: "" when it
// was; else how the conversation ended, the client's socket already handed to the
// farewells with its refusal. Wrong guesses are slowed per address (GuessLimiter).
std::string judge_countersign(const channel::Incoming& first, channel::Channel& channel, const std::string& tag,
                              const std::string& peer, const ConversationSetup& setup);

// Runs conversation #id to its end, on the calling thread. `live` counts the
// conversations going on: this one leaves it before the console says it has ended, so
// that its place is free by the time anyone reads that. Never throws: an exception
// escaping a std::thread would end the whole process.
void run_conversation(int id, net::Accepted client, const ConversationSetup& setup,
                      std::atomic<std::size_t>& live) noexcept;
