// The members of a channel (--channel): a client's own thread, and the person at the
// server console.
#pragma once

#include <string>

#include "../shared/channel.h"
#include "../shared/net.h"
#include "../shared/terminal.h"
#include "conversation.h"
#include "room.h"

// Client #id on the channel, on the calling thread, until it leaves: the greeting and
// the countersign, then the room. The thread waits in one net::wait on its socket
// (what its client says, while the room lets it speak, and room for what the room
// could not send it at once), its bell (bytes wait for it to send, it may speak again,
// or it has been sent off) and shutdown. Returns ""
// once it has been on the channel (the room told everyone how it left), else how it
// ended, for the console.
std::string run_member(int id, const std::string& tag, const std::string& peer, channel::Channel& channel,
                       const ConversationSetup& setup);

// The person at the console, a member of the channel: a typed line goes to everyone;
// /who, /kick N, /help; false for /quit. What the others say reaches the console
// through the room.
bool console_member_typed(Room& room, terminal::Console& console, const std::string& line);
