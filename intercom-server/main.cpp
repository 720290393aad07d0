// intercom-server: a turn-based TCP walkie-talkie. Greets each client, then the
// client and the server take turns until one says bye; one thread per conversation.
#include <memory>
#include <system_error>
#include <thread>

#include "../shared/cli.h"
#include "../shared/files.h"
#include "../shared/messages.h"
#include "../shared/net.h"
#include "../shared/process.h"
#include "../shared/terminal.h"
#include "../shared/version.h"
#include "answerers.h"
#include "member.h"
#include "options.h"
#include "room.h"
#include "server.h"
#include "transcript.h"

namespace {

std::unique_ptr<Answerer> make_answerer(const ServerOptions& o, terminal::Console& console) {
    switch (o.answers) {
    case ServerOptions::Answers::echo: return std::make_unique<EchoAnswerer>();
    case ServerOptions::Answers::reply: return std::make_unique<FixedAnswerer>(o.reply_text);
    default: return std::make_unique<ConsoleOperator>(console);
    }
}

// Where a plain line goes now, as the prompt at a terminal says it: "#2> ".
std::string target_prompt(const ConsoleOperator& op) {
    std::string target = op.target();
    return target.empty() ? msg::text(msg::prompt_nobody) : msg::text(msg::prompt_target, {target});
}

// The person at the console answers until they type /quit, their input ends, or a
// signal arrives. Answers piped in (not typed at a terminal) are taken one per turn
// that waits for one, so a script of answers answers one message each. At a terminal
// the prompt names where a plain line goes; the turn bell rings when that may change.
void take_console_answers(ConsoleOperator& op, terminal::Console& console, const ServerOptions& o,
                          const net::Waker& shutdown) {
    terminal::LineReader reader(o.wire.max_line * 4, console);
    bool one_per_turn = !console.interactive();
    std::string prompt;  // the one shown
    int newest = 0;      // the newest conversation when the line being typed was begun
    for (;;) {
        op.turn_bell().reset();
        if (!reader.typing()) newest = op.newest();
        if (!one_per_turn || op.turn_without_answer()) {
            if (std::optional<terminal::LineReader::Result> r = reader.next_line()) {
                prompt.clear();  // the line's end took it off the screen
                if (r->kind == terminal::LineReader::Result::too_long) console.err(msg::text(msg::too_long_not_sent));
                else if (op.typed(r->text, newest) == ConsoleOperator::Typed::quit) return;
                continue;
            }
        }
        // Input ended: the answers already given out go before the goodbyes.
        if (reader.at_end() && !op.answers_in_flight()) return;
        if (std::string now = target_prompt(op); now != prompt) console.prompt(prompt = now);
        net::native_socket input = reader.wants_more() ? reader.handle() : net::Socket::invalid;
        net::Ready ready = net::wait({nullptr, false, input, {&shutdown, &op.turn_bell()}, reader.screen()},
                                     std::chrono::milliseconds(-1));
        if (ready == net::Ready::shutdown || ready == net::Ready::failed) return;
        if (ready == net::Ready::input) reader.read_available();
    }
}

// --channel: the person at the console is a member. Typed lines go to everyone until
// /quit, the end of input or a signal; what the others say reaches the console through
// the room, whenever it comes, so this waits on the keyboard and shutdown alone.
void take_part_at_console(Room& room, terminal::Console& console, const ServerOptions& o, const net::Waker& shutdown) {
    terminal::LineReader reader(o.wire.max_line * 4, console);
    std::string prompt = o.name + "> ";  // at a terminal: who speaks when a line is typed
    console.prompt(prompt);
    for (;;) {
        if (std::optional<terminal::LineReader::Result> r = reader.next_line()) {
            if (r->kind == terminal::LineReader::Result::too_long) console.err(msg::text(msg::too_long_not_sent));
            else if (!console_member_typed(room, console, r->text)) return;
            console.prompt(prompt);  // the line's end took it off the screen
            continue;
        }
        if (reader.at_end()) return;
        net::native_socket input = reader.wants_more() ? reader.handle() : net::Socket::invalid;
        net::Ready ready = net::wait({nullptr, false, input, {&shutdown, nullptr}, reader.screen()},
                                     std::chrono::milliseconds(-1));
        if (ready == net::Ready::shutdown || ready == net::Ready::failed) return;
        if (ready == net::Ready::input) reader.read_available();
    }
}

// --trace: socket calls on stderr, in step with the messages on stdout.
void trace_on(terminal::Console& console) {
    net::set_trace_hook([&console](const std::string& line) { console.err("trace: " + line); });
}

// Listens, serves until told to stop, then says goodbye to every client.
int serve(const ServerOptions& options, terminal::Console& console) {
    net::NetInit net;
    net::Waker shutdown;
    process::ShutdownRequests shutdown_requests(shutdown,
                                                "intercom-server: " + msg::text(msg::cut_off_at_shutdown));
    if (options.trace) trace_on(console);
    std::unique_ptr<Transcript> transcript;
    if (!options.log_path.empty())
        transcript = std::make_unique<Transcript>(options.log_path,
                                                  [&console](const std::string& line) { console.err(line); });

    std::unique_ptr<files::SharedFolder> shared;  // opened once: every name is looked up inside it
    if (!options.files.empty()) shared = std::make_unique<files::SharedFolder>(options.files);
    net::Socket listener = net::listen_tcp(options.host, options.port);
    console.out(msg::text(msg::listening_on, {net::local_endpoint(listener)}));

    std::unique_ptr<Answerer> answerer = make_answerer(options, console);
    std::unique_ptr<Room> room;
    if (options.channel)
        room = std::make_unique<Room>(options.name, console, transcript.get(), options.wire.max_line, Room::Limits{});
    Farewells farewells;
    GuessLimiter guesses;
    Server server(std::move(listener),
                  {options, *answerer, console, shutdown, transcript.get(), farewells, guesses, room.get(), shared.get()});
    std::thread listener_thread = process::start_thread([&server] { server.run(); });
    struct StopServing {  // however this function ends, and so before the server goes
        const net::Waker& shutdown;
        std::thread& listener;
        ~StopServing() {
            shutdown.wake();  // every conversation says goodbye to its client
            listener.join();
        }
    } stop{shutdown, listener_thread};

    if (room) {
        take_part_at_console(*room, console, options, shutdown);
    } else if (auto* op = dynamic_cast<ConsoleOperator*>(answerer.get())) {
        take_console_answers(*op, console, options, shutdown);
        op->shut_down();  // lines still held for conversations are reported, not sent
    } else {
        shutdown.wait();  // --echo / --reply: until SIGINT or SIGTERM
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Before anything opens a descriptor: with stderr closed, a socket would get its
    // number and our error text would go to a peer.
    process::ensure_standard_streams();
    // The locale first, while this is the only thread (setlocale beside others is a race).
    process::settle_locale();
    // A client that vanishes mid-send must cost us an error from send(), not the
    // whole server to SIGPIPE's default action.
    process::ignore_broken_pipe();
    // Each conversation is a thread and a socket: keep the threads' stacks small (they
    // use a few KiB) and let the process hold as many sockets as the system allows.
    process::set_default_thread_stack(256 * 1024);
    process::raise_open_file_limit();
    // ... each woken for a few microseconds at a time: see process.h.
    process::prefer_throughput_to_wakeups();
    terminal::Console console;
    process::Arguments args(argc, argv);

    ServerOptions options;
    try {
        options = parse_server_options(args.count(), args.values());
    } catch (const cli::UsageError& e) {
        console.err(std::string("intercom-server: ") + e.what());
        console.err(msg::text(msg::try_help, {"intercom-server"}));  // the whole usage would bury the error
        return 2;
    }
    if (options.show_help) return console.out(msg::text(msg::server_usage)), 0;
    if (options.show_version) return console.out(std::string("intercom-server ") + intercom_version), 0;

    try {
        return serve(options, console);
    } catch (const std::exception& e) {
        console.err(std::string("intercom-server: ") + e.what());
        return 1;
    }
}
