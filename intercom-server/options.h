// The server's command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "../shared/channel.h"
#include "../shared/protocol.h"

struct ServerOptions {
    enum class Answers { console, echo, reply };

    std::string host;  // empty: every address, IPv6 and IPv4
    std::uint16_t port = protocol::default_port;
    std::string greeting{protocol::default_greeting};  // empty: none, the client speaks first
    Answers answers = Answers::console;
    std::string reply_text;
    std::size_t max_clients = 1024;
    std::chrono::seconds idle_timeout{600};  // 0: never
    channel::WireOptions wire;
    std::string countersign;  // empty: none asked for
    std::string log_path;     // empty: no transcript
    bool channel = false;     // --channel: everyone on one channel (room.h)
    std::string name = "server";  // the console's name on the channel
    std::string files;            // --files DIR: the folder shared; empty: none
    bool trace = false;
    bool show_help = false;
    bool show_version = false;
};

// Parses argv strictly; throws cli::UsageError naming the bad value.
ServerOptions parse_server_options(int argc, char** argv);
