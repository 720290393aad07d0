// --files DIR: the server answers /get and /files itself, whoever answers the rest.
#pragma once

#include <optional>
#include <string>

#include "../shared/channel.h"
#include "../shared/files.h"
#include "conversation.h"

// Who asked, for the console, the transcript and --trace.
struct Asker {
    int id;
    const std::string& tag;  // "#3 127.0.0.1:50412"
    channel::Channel& channel;
    const ConversationSetup& setup;
};

// Answers one request on the client's turn: the listing, a file (its header, then its
// raw bytes), or a one-line refusal. Returns "" while the conversation goes on, or how
// it ended: a file cut off midway (shutdown, a client that stopped taking data) leaves
// the stream out of step, so the connection is closed.
std::string answer_file_request(const files::Request& request, const Asker& asker);

// With no greeting: a first message that is exactly the name of a shared file is
// answered as a lesson's downloader expects, with the file's raw bytes and a close.
// Returns how the conversation ended, or nothing when the message names no such file.
std::optional<std::string> send_raw_if_shared(const std::string& name, const Asker& asker);
