// The client's command line, parsed with getopt_long.
#include "options.h"

#include <getopt.h>

#include "../shared/cli.h"
#include "../shared/codec.h"
#include "../shared/protocol.h"

const char* const client_usage =
    "usage: intercom-client [options] [HOST [PORT]]   (default 127.0.0.1 8888)\n"
    "      --encoding NAME    wire encoding: UTF-8 (default), GBK, GB18030, Big5\n"
    "      --raw              send messages without a trailing newline\n"
    "      --countersign TEXT answer the greeting with TEXT at once (e.g. 宝塔镇河妖)\n"
    "      --trace            print every socket call and its result on stderr\n"
    "  -h, --help             show this help\n"
    "  -V, --version          show the version\n"
    "Type a line and press Enter on your turn; 'bye' or end of input ends it.\n";

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
        case countersign:
            if (!*optarg) throw cli::UsageError("the countersign cannot be empty");
            o.countersign = optarg;
            break;
        case trace: o.trace = true; break;
        case 'h': o.show_help = true; break;
        case 'V': o.show_version = true; break;
        default: throw cli::UsageError(cli::bad_option_message(argv, optind, optopt, c == ':'));
        }
    }
    if (optind < argc) o.host = argv[optind++];
    if (optind < argc) o.port = cli::parse_port(argv[optind++], false);
    if (optind < argc) throw cli::UsageError("unexpected argument: '" + std::string(argv[optind]) + "'");
    if (o.host.empty()) throw cli::UsageError("the host cannot be empty");
    return o;
}
