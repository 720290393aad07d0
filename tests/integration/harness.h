// What the integration tests drive the built programs with: a child process with
// pipes on stdin/stdout/stderr, and a raw TCP peer on 127.0.0.1. Everything waits
// with a deadline, and every process a test starts is ended when the test ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace harness {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Where the built programs and the test scripts are (set by `make test`).
std::string program(const std::string& name);    // build/intercom-server …
std::string test_file(const std::string& name);  // tests/peers/…

// True if `name` is an executable file in a directory of PATH, as the shell would find
// it. A test whose peer program (python3, nc, script, …) is not installed is skipped,
// not failed:  if (!have_program("nc")) GTEST_SKIP() << "nc is not installed";
bool have_program(const std::string& name);

class Child {
public:
    // Starts argv[0] with the given arguments and LC_ALL=C.UTF-8 (plus `env`), with the
    // standard streams listed in `closed` (0, 1, 2) closed, as `2>&-` leaves them.
    explicit Child(std::vector<std::string> argv, std::vector<std::string> env = {}, std::vector<int> closed = {});
    ~Child();  // SIGKILL and reap, if still running
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    void write(const std::string& bytes);
    void close_stdin();
    void signal(int sig);

    // The next stdout line (without "\n"), or nothing by the deadline.
    std::optional<std::string> read_line(milliseconds timeout = 5000ms);
    // Reads stdout lines until one contains `text`; returns it, or nothing.
    std::optional<std::string> line_containing(const std::string& text, milliseconds timeout = 5000ms);
    // Reads stderr lines until one contains `text`; returns it, or nothing.
    std::optional<std::string> stderr_line_containing(const std::string& text, milliseconds timeout = 5000ms);
    // The exit status, or nothing if it is still running at the deadline.
    std::optional<int> wait_exit(milliseconds timeout = 5000ms);

    std::string stdout_text() const { return out_; }  // what is unread so far
    std::string stderr_text();

private:
    bool pump(milliseconds timeout);  // reads what the child wrote; false at the deadline
    pid_t pid_ = -1;
    int in_ = -1, out_fd_ = -1, err_fd_ = -1;
    std::string out_, err_;
    std::optional<int> status_;
};

// intercom-server on 127.0.0.1 with a port the system picked.
struct Server {
    explicit Server(std::vector<std::string> args);
    Child child;
    int port = 0;
};

// A raw TCP peer: what a lesson script or a hostile client would send.
class Peer {
public:
    // receive_buffer: SO_RCVBUF, set before connecting so the window stays that small.
    explicit Peer(int port, int receive_buffer = 0);
    // The server end of a connection a Listener accepted.
    static std::unique_ptr<Peer> adopt(int fd);
    ~Peer();
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;

    void send(const std::string& bytes);
    // Sends what it can within `timeout`; true if all of it went.
    bool send_for(const std::string& bytes, milliseconds timeout);
    // Closes with a reset (RST) instead of a clean end, as a crashed host would.
    void reset();
    int fd() const { return fd_; }
    // Bytes until "\n" (included) or the deadline; raw: whatever arrived.
    std::string read_line(milliseconds timeout = 5000ms);
    // Everything until the peer closes (or the deadline): "" if it closed at once.
    std::string read_until_closed(milliseconds timeout = 5000ms);
    // True once the server has closed its side; reset() tells whether it did so with a
    // reset (RST) rather than a clean end of stream.
    bool closed() const { return closed_; }
    bool was_reset() const { return was_reset_; }
    void shutdown_send();

private:
    Peer() = default;
    bool fill(milliseconds timeout);
    int fd_ = -1;
    std::string buffer_;
    bool closed_ = false;
    bool was_reset_ = false;
};

// Clients connect to `port` one after another, each reading its first line, until one
// is answered with something other than `greeting` (or `most` have connected): what a
// full server does. The clients are returned, still connected; `last` is that answer.
std::vector<std::unique_ptr<Peer>> connect_until_turned_away(int port, const std::string& greeting,
                                                             std::string& last, std::size_t most = 8);

// A server of the test's own on 127.0.0.1 (a port the system picks): what a lesson
// server, or a hostile one, would send to intercom-client.
class Listener {
public:
    Listener();
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    int port() const { return port_; }
    // The next client, or null by the deadline.
    std::unique_ptr<Peer> accept(milliseconds timeout = 5000ms);

private:
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace harness
