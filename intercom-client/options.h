// The client's command line.
#pragma once

#include <cstdint>
#include <string>

#include "../shared/channel.h"
#include "../shared/protocol.h"

struct ClientOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = protocol::default_port;
    channel::WireOptions wire;
    std::string countersign;  // sent at once after the greeting, when given
    std::string get;          // --get NAME: download NAME, then say bye
    std::uint64_t max_file = std::uint64_t{16} << 30;  // a larger file is refused
    bool trace = false;
    bool show_help = false;
    bool show_version = false;
};

// Parses argv strictly; throws cli::UsageError naming the bad value.
ClientOptions parse_client_options(int argc, char** argv);
