// A file from the server (/get NAME, or intercom-client --get NAME): its header said
// how many bytes follow; exactly that many are saved, or nothing is.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "../shared/channel.h"
#include "../shared/files.h"
#include "../shared/terminal.h"

struct DownloadLimits {
    std::uint64_t max_file;              // a larger announcement is refused at once
    std::chrono::milliseconds stall;     // the longest the body may pause
};

// Receives the body `header` announced, in answer to /get `asked`, into the current
// folder, under the header's name or the first free numbered one (files::Download),
// showing progress at a terminal; says where it was saved. A header the client does
// not trust (a name with a path, or not the one asked for; a size over the limit), a
// body shorter or longer than announced, a stall, Ctrl-C or a file that cannot be
// written leave nothing behind; the reason is returned, one line, and the stream is
// then out of step, so the conversation cannot go on. What follows the body may only
// be the server's goodbye (it may be shutting down), which stays to be received.
std::optional<std::string> receive_file(channel::Channel& channel, const files::Header& header, const std::string& asked,
                                        const DownloadLimits& limits, terminal::Console& console);

// intercom-client --get NAME: hears the greeting (a second of silence: none), gives
// the countersign if any, asks, saves the file once the server has closed after our
// bye with nothing more than its goodbye; the exit status (0 saved, 1 anything else,
// said in one line).
int fetch_file(channel::Channel& channel, const std::string& name, const std::string& countersign,
               const DownloadLimits& limits, terminal::Console& console, const std::string& server);
