// intercom-client: connects to an intercom-server (or any line-based peer), shows
// its greeting, then you and the server take turns until one says bye.

#include "../shared/channel.h"
#include "../shared/cli.h"
#include "../shared/messages.h"
#include "../shared/net.h"
#include "../shared/process.h"
#include "../shared/terminal.h"
#include "../shared/version.h"
#include "download.h"
#include "options.h"
#include "session.h"

namespace {

// Connects, then takes turns until the conversation ends; returns the exit status.
int converse(const ClientOptions& options, terminal::Console& console) {
    net::NetInit net;
    if (options.trace) net::set_trace_hook([&console](const std::string& line) { console.err("trace: " + line); });
    net::Socket socket = net::connect_tcp(options.host, options.port);
    std::string server = net::endpoint_text(options.host, options.port);
    // Connected: from now on Ctrl-C says bye rather than vanishing mid-conversation
    // (until now it simply stopped the connecting).
    net::Waker interrupted;
    process::ShutdownRequests ctrl_c(interrupted, "intercom-client: " + msg::text(msg::cut_off_without_bye));
    channel::Channel channel(std::move(socket), options.wire, &interrupted);
    // A body may pause no longer than a message may take to finish.
    DownloadLimits limits{options.max_file, options.wire.partial_deadline};
    // --get reads nothing typed: no line editor.
    if (!options.get.empty()) return fetch_file(channel, options.get, options.countersign, limits, console, server);
    // At a terminal the line editor starts here, once Ctrl-C is ours to handle: it puts
    // the terminal back as the conversation ends, however it ends.
    terminal::LineReader input(options.wire.max_line * 4, console);
    return Session(channel, console, input, server, options.countersign, interrupted, limits).run();
}

}  // namespace

int main(int argc, char** argv) {
    // Before anything opens a descriptor: with stderr closed, a socket would get its
    // number and our error text would go to a peer.
    process::ensure_standard_streams();
    // The locale first, while this is the only thread (setlocale beside others is a race).
    process::settle_locale();
    // A server that vanishes mid-send must cost us an error from send() that we can
    // report, not a silent death by SIGPIPE.
    process::ignore_broken_pipe();
    terminal::Console console;
    process::Arguments args(argc, argv);

    ClientOptions options;
    try {
        options = parse_client_options(args.count(), args.values());
    } catch (const cli::UsageError& e) {
        console.err(std::string("intercom-client: ") + e.what());
        console.err(msg::text(msg::try_help, {"intercom-client"}));  // the whole usage would bury the error
        return 2;
    }
    if (options.show_help) return console.out(msg::text(msg::client_usage)), 0;
    if (options.show_version) return console.out(std::string("intercom-client ") + intercom_version), 0;

    try {
        return converse(options, console);
    } catch (const std::exception& e) {
        console.err(std::string("intercom-client: ") + e.what());
        return 1;
    }
}
