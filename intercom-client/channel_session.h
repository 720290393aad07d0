// The client on a channel: the server said so (protocol::channel_marker), so there are
// no turns. The user speaks whenever they like, and every line from the channel (each
// shows its speaker: "[小明] 你好", or the server's own "intercom: …") is shown as it
// comes.
#pragma once

#include <string>

#include "../shared/channel.h"
#include "../shared/net.h"
#include "../shared/terminal.h"

// Until the user says bye (or their input ends, or Ctrl-C) or the server ends it;
// returns the exit status, as Session::run does.
int run_channel_session(channel::Channel& channel, terminal::Console& console, terminal::LineReader& input,
                        const std::string& server, const net::Waker& interrupted);
