// One conversation: the greeting, then the client and the server take turns until
// one of them says bye or the connection ends.
#pragma once

#include "../shared/net.h"
#include "../shared/terminal.h"
#include "answerers.h"
#include "options.h"
#include "transcript.h"

// What every conversation shares; all of it outlives every conversation thread.
struct ConversationSetup {
    const ServerOptions& options;
    Answerer& answerer;
    terminal::Console& console;
    const net::Waker& shutdown;
    Transcript* transcript;  // null without --log
};

// Runs conversation #id to its end, on the calling thread. Never throws: an
// exception escaping a std::thread would end the whole process.
void run_conversation(int id, net::Accepted client, const ConversationSetup& setup) noexcept;

// Tells a client we cannot take it ("busy") and closes, without a thread.
void turn_away(net::Socket client, const std::string& notice, const channel::WireOptions& wire) noexcept;
