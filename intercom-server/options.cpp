// The server's command line, parsed with getopt_long.
#include "options.h"

#include <getopt.h>

#include "../shared/cli.h"
#include "../shared/codec.h"
#include "../shared/messages.h"
#include "../shared/protocol.h"
#include "room.h"

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

enum LongOnly {
    host = 256, greeting, echo, reply, encoding, raw, max_clients, idle_timeout, max_line,
    quiet_gap, partial_timeout, send_timeout, countersign, log, trace, channel, name, files
};

const option long_options[] = {
    {"port", required_argument, nullptr, 'p'},
    {"host", required_argument, nullptr, host},
    {"greeting", required_argument, nullptr, greeting},
    {"echo", no_argument, nullptr, echo},
    {"reply", required_argument, nullptr, reply},
    {"encoding", required_argument, nullptr, encoding},
    {"raw", no_argument, nullptr, raw},
    {"max-clients", required_argument, nullptr, max_clients},
    {"idle-timeout", required_argument, nullptr, idle_timeout},
    {"max-line", required_argument, nullptr, max_line},
    {"quiet-gap", required_argument, nullptr, quiet_gap},
    {"partial-timeout", required_argument, nullptr, partial_timeout},
    {"send-timeout", required_argument, nullptr, send_timeout},
    {"countersign", required_argument, nullptr, countersign},
    {"log", required_argument, nullptr, log},
    {"trace", no_argument, nullptr, trace},
    {"channel", no_argument, nullptr, channel},
    {"name", required_argument, nullptr, name},
    {"files", required_argument, nullptr, files},
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'V'},
    {nullptr, 0, nullptr, 0},
};

void apply(ServerOptions& o, int option, const std::string& value) {
    switch (option) {
    case 'p': o.port = cli::parse_port(value, true); break;
    case host: o.host = value; break;
    case greeting:  // '' for none: the client speaks first, as some lesson peers do
        o.greeting = value.empty() ? value : cli::one_message("--greeting", value);
        break;
    case echo: o.answers = ServerOptions::Answers::echo; break;
    case reply:
        o.answers = ServerOptions::Answers::reply;
        o.reply_text = cli::one_message("--reply", value);
        break;
    case encoding:
        if (channel::is_auto_encoding(value)) o.wire.encoding = "auto";
        else if (auto name = codec::allowed_encoding(value)) o.wire.encoding = *name;
        else throw cli::UsageError(codec::UnknownEncoding(value).what());
        break;
    case raw: o.wire.raw = true; break;
    case max_clients: o.max_clients = cli::parse_number("--max-clients", value, 1, 1000000); break;
    case idle_timeout:
        o.idle_timeout = seconds(cli::parse_number("--idle-timeout", value, 0, 86400 * 365));
        break;
    case max_line: o.wire.max_line = cli::parse_number("--max-line", value, 1, 1 << 24); break;
    case quiet_gap: o.wire.quiet_gap = milliseconds(cli::parse_number("--quiet-gap", value, 1, 60000)); break;
    case partial_timeout: o.wire.partial_deadline = seconds(cli::parse_number("--partial-timeout", value, 1, 3600)); break;
    case send_timeout: o.wire.send_timeout = seconds(cli::parse_number("--send-timeout", value, 1, 3600)); break;
    case countersign: o.countersign = cli::one_message("--countersign", value); break;
    case log:
        if (value.empty()) throw cli::UsageError(msg::text(msg::cannot_be_empty, {"--log"}));
        o.log_path = value;
        break;
    case trace: o.trace = true; break;
    case channel: o.channel = true; break;
    case name:
        if (!valid_member_name(value)) throw cli::UsageError("--name: " + msg::text(msg::channel_name_rule, {value}));
        o.name = value;
        break;
    case files:
        if (value.empty()) throw cli::UsageError(msg::text(msg::cannot_be_empty, {"--files"}));
        o.files = value;
        break;
    case 'h': o.show_help = true; break;
    case 'V': o.show_version = true; break;
    }
}

// Texts the server sends or expects must fit in a message on the wire, in every
// encoding a conversation may speak (--encoding auto: UTF-8 and GB18030), and each
// must be one this system can convert to, or every conversation would fail the same
// way; better said once, at the start.
void require_fits_max_line(const ServerOptions& o) try {
    for (const std::string& encoding : channel::possible_encodings(o.wire)) {
        codec::Converter to_wire("UTF-8", encoding);
        auto check = [&](const char* option, const std::string& text) {
            if (to_wire.convert_all(text).size() > o.wire.max_line)
                throw cli::UsageError(msg::text(msg::longer_than_max_line, {option, std::to_string(o.wire.max_line)}));
        };
        check("--greeting", o.greeting);
        if (o.answers == ServerOptions::Answers::reply) check("--reply", o.reply_text);
        check("--countersign", o.countersign);
    }
} catch (const codec::UnknownEncoding& e) {
    throw cli::UsageError(e.what());
}

// A message with no line end is delivered after the quiet gap, but given up on at the
// partial timeout: a gap as long as the timeout would give every such message up.
void require_quiet_gap_below_partial_timeout(const ServerOptions& o) {
    if (o.wire.quiet_gap < o.wire.partial_deadline) return;
    std::string gap = std::to_string(o.wire.quiet_gap.count());
    std::string timeout = std::to_string(std::chrono::duration_cast<seconds>(o.wire.partial_deadline).count());
    throw cli::UsageError(msg::text(msg::quiet_gap_too_long, {gap, timeout}));
}

}  // namespace

ServerOptions parse_server_options(int argc, char** argv) {
    ServerOptions o;
    optind = 0;  // glibc: start afresh, so the parser can run more than once (tests)
    opterr = 0;  // we print our own message, naming the bad value
    const char* port_option = nullptr;  // the last -p, as typed
    for (int c; (c = getopt_long(argc, argv, ":p:hV", long_options, nullptr)) != -1;) {
        if (c == '?' || c == ':') throw cli::UsageError(cli::bad_option_message(argv, optind, optopt, c == ':'));
        if (c == 'p') port_option = optarg;
        apply(o, c, optarg ? optarg : "");
    }
    if (optind < argc) {  // a bare PORT, as nc -l and python -m http.server take it
        if (port_option) throw cli::UsageError(msg::text(msg::port_given_twice, {port_option, argv[optind]}));
        o.port = cli::parse_port(argv[optind++], true);
    }
    if (optind < argc) throw cli::UsageError(msg::text(msg::unexpected_argument, {argv[optind]}));
    if (o.channel && o.answers != ServerOptions::Answers::console)
        throw cli::UsageError(msg::text(msg::channel_excludes, {o.answers == ServerOptions::Answers::echo ? "--echo" : "--reply"}));
    if (o.channel && !o.files.empty()) throw cli::UsageError(msg::text(msg::files_excludes_channel));
    require_fits_max_line(o);
    require_quiet_gap_below_partial_timeout(o);
    return o;
}
