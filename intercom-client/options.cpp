// The client's command line, parsed with getopt_long.
#include "options.h"

#include <getopt.h>

#include "../shared/cli.h"
#include "../shared/codec.h"
#include "../shared/messages.h"
#include "../shared/protocol.h"

namespace {

enum LongOnly { encoding = 256, raw, countersign, trace };

const option long_options[] = {
    {"encoding", required_argument, nullptr, encoding},
    {"raw", no_argument, nullptr, raw},
    {"countersign", required_argument, nullptr, countersign},
    {"trace", no_argument, nullptr, trace},
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'V'},
    {nullptr, 0, nullptr, 0},
};

}  // namespace

ClientOptions parse_client_options(int argc, char** argv) {
    ClientOptions o;
    optind = 0;  // glibc: start afresh, so the parser can run more than once (tests)
    opterr = 0;  // we print our own message, naming the bad value
    for (int c; (c = getopt_long(argc, argv, ":hV", long_options, nullptr)) != -1;) {
        switch (c) {
        case encoding:
            if (auto name = codec::allowed_encoding(optarg)) o.wire.encoding = *name;
            else throw cli::UsageError(codec::UnknownEncoding(optarg).what());
            break;
        case raw: o.wire.raw = true; break;
        case countersign: o.countersign = cli::one_message("--countersign", optarg); break;
        case trace: o.trace = true; break;
        case 'h': o.show_help = true; break;
        case 'V': o.show_version = true; break;
        default: throw cli::UsageError(cli::bad_option_message(argv, optind, optopt, c == ':'));
        }
    }
    if (optind < argc) o.host = argv[optind++];
    if (optind < argc) o.port = cli::parse_port(argv[optind++], false);
    if (optind < argc) throw cli::UsageError(msg::text(msg::unexpected_argument, {argv[optind]}));
    if (o.host.empty()) throw cli::UsageError(msg::text(msg::cannot_be_empty, {"HOST"}));
    return o;
}
