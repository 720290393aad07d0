// The client's command line, parsed with getopt_long.
#include "options.h"

#include <getopt.h>

#include <optional>

#include "../shared/cli.h"
#include "../shared/codec.h"
#include "../shared/messages.h"
#include "../shared/protocol.h"

namespace {

enum LongOnly { encoding = 256, raw, countersign, partial_timeout, trace, get, max_file };

const option long_options[] = {
    {"port", required_argument, nullptr, 'p'},
    {"encoding", required_argument, nullptr, encoding},
    {"raw", no_argument, nullptr, raw},
    {"countersign", required_argument, nullptr, countersign},
    {"partial-timeout", required_argument, nullptr, partial_timeout},
    {"trace", no_argument, nullptr, trace},
    {"get", required_argument, nullptr, get},
    {"max-file", required_argument, nullptr, max_file},
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'V'},
    {nullptr, 0, nullptr, 0},
};

struct HostAndPort {
    std::string host;
    std::optional<std::string> port;  // when the argument carried one
};

// HOST, HOST:PORT, [IPv6] or [IPv6]:PORT, as ssh and curl write them. An address with
// more than one colon and no brackets (::1, fe80::1) is all host: its last group of
// digits could as well be part of the address.
HostAndPort split_host_port(const std::string& argument) {
    auto invalid = [&] { return cli::UsageError(msg::text(msg::invalid_host, {argument})); };
    if (argument.empty()) throw cli::UsageError(msg::text(msg::cannot_be_empty, {"HOST"}));
    if (argument[0] == '[') {
        std::size_t close = argument.find(']');
        if (close == std::string::npos || close == 1) throw invalid();
        std::string host = argument.substr(1, close - 1), rest = argument.substr(close + 1);
        if (rest.empty()) return {host, std::nullopt};
        if (rest[0] != ':') throw invalid();
        return {host, rest.substr(1)};
    }
    std::size_t colon = argument.find(':');
    bool one_colon = colon != std::string::npos && argument.find(':', colon + 1) == std::string::npos;
    if (!one_colon) return {argument, std::nullopt};
    if (colon == 0) throw invalid();
    return {argument.substr(0, colon), argument.substr(colon + 1)};
}

bool is_number(const std::string& text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

// The port comes from one place at most: -p, HOST:PORT or the PORT argument.
void set_port(ClientOptions& o, std::optional<std::string>& given, const std::string& text) {
    if (given) throw cli::UsageError(msg::text(msg::port_given_twice, {*given, text}));
    o.port = cli::parse_port(text, false);
    given = text;
}

void apply(ClientOptions& o, int option, const char* value) {
    switch (option) {
    case encoding:
        // Only a server, hearing many peers, has something to choose by.
        if (channel::is_auto_encoding(value))
            throw cli::UsageError(msg::text(msg::auto_encoding_server_only, {codec::allowed_encodings_text}));
        if (auto name = codec::allowed_encoding(value)) o.wire.encoding = *name;
        else throw cli::UsageError(codec::UnknownEncoding(value).what());
        break;
    case raw: o.wire.raw = true; break;
    case countersign: o.countersign = cli::one_message("--countersign", value); break;
    case partial_timeout:
        o.wire.partial_deadline = std::chrono::seconds(cli::parse_number("--partial-timeout", value, 1, 3600));
        break;
    case trace: o.trace = true; break;
    case get:
        if (!*value) throw cli::UsageError(msg::text(msg::cannot_be_empty, {"--get"}));
        o.get = cli::one_message("--get", value);
        break;
    case max_file: o.max_file = cli::parse_size("--max-file", value); break;
    case 'h': o.show_help = true; break;
    case 'V': o.show_version = true; break;
    }
}

}  // namespace

ClientOptions parse_client_options(int argc, char** argv) {
    ClientOptions o;
    std::optional<std::string> port_given;  // the last -p, as typed
    optind = 0;  // glibc: start afresh, so the parser can run more than once (tests)
    opterr = 0;  // we print our own message, naming the bad value
    for (int c; (c = getopt_long(argc, argv, ":p:hV", long_options, nullptr)) != -1;) {
        if (c == '?' || c == ':') throw cli::UsageError(cli::bad_option_message(argv, optind, optopt, c == ':'));
        if (c != 'p') {
            apply(o, c, optarg);
            continue;
        }
        o.port = cli::parse_port(optarg, false);  // a later -p wins, as with any option
        port_given = optarg;
    }
    // A lone number is the port on this machine, as `intercom-server 8888` takes it.
    bool lone = optind + 1 == argc, digits = optind < argc && is_number(argv[optind]);
    if (lone && digits) set_port(o, port_given, argv[optind++]);
    if (optind < argc) {
        HostAndPort target = split_host_port(argv[optind++]);
        o.host = target.host;
        if (target.port) set_port(o, port_given, *target.port);
    }
    if (optind < argc) set_port(o, port_given, argv[optind++]);
    if (optind < argc) throw cli::UsageError(msg::text(msg::unexpected_argument, {argv[optind]}));
    return o;
}
