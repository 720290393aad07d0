// --files DIR: the server answers /get and /files itself, whoever answers the rest.
#pragma once

#include <functional>
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
// So is one sent as that downloader sends it, with no line end, that names no file
// that can be sent: with the refusal and a close, for a script that reads until the
// close. `show` shows the message first. Returns how the conversation ended, or
// nothing when the message is an ordinary one.
std::optional<std::string> answer_lesson_downloader(const channel::Incoming& first, const Asker& asker,
                                                    const std::function<void()>& show);
