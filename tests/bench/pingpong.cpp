// pingpong: one conversation's turn latency, for `make bench`.
//
//   pingpong [-t TURNS]              raw: two sockets over loopback, the far one echoed
//                                    by a forked child; no server program at all
//   pingpong --port P [-t TURNS]     the same turns against a server at 127.0.0.1:P
//                                    (greeting first, "bye" at the end)
//
// The measuring side is the same code in both modes, so the difference between the two
// is what the server adds to a turn. Prints key=value results.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "measure.h"

namespace {

using bench::parse_long;
using bench::percentile_us;

using Clock = std::chrono::steady_clock;

sockaddr_in loopback(long port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

int connect_loopback(long port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        std::perror("pingpong: connect");
        close(fd);
        return -1;
    }
    return fd;
}

// Reads up to and including the next '\n'; false if the peer closed first.
bool read_line(int fd, std::string& pending) {
    char chunk[512];
    while (pending.find('\n') == std::string::npos) {
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        pending.append(chunk, static_cast<std::size_t>(n));
    }
    pending.erase(0, pending.find('\n') + 1);
    return true;
}

bool send_text(int fd, const std::string& text) {
    return send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

// The raw far end: whatever arrives goes straight back.
void echo_bytes(int fd) {
    char chunk[512];
    for (ssize_t n; (n = recv(fd, chunk, sizeof chunk, 0)) > 0;)
        if (send(fd, chunk, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) return;
}

// The measured turns; the first tenth warms up and is not counted.
bool take_turns(int fd, long turns, std::vector<std::uint64_t>& latency_ns) {
    std::string pending;
    long warmup = turns / 10;
    for (long i = 0; i < turns + warmup; ++i) {
        Clock::time_point sent = Clock::now();
        if (!send_text(fd, "hello " + std::to_string(i) + "\n") || !read_line(fd, pending)) return false;
        auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent);
        if (i >= warmup) latency_ns.push_back(static_cast<std::uint64_t>(took.count()));
    }
    return true;
}

bool raw_pingpong(long turns, std::vector<std::uint64_t>& latency_ns) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(listener, 1);
    getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    int near_end = connect_loopback(ntohs(address.sin_port));
    int far_end = accept(listener, nullptr, nullptr);
    close(listener);
    if (near_end < 0 || far_end < 0) return false;
    // The echo end is a process of its own, as a server is: a turn then costs the same
    // switches between address spaces in both measurements.
    pid_t echo = fork();
    if (echo == 0) {
        close(near_end);
        echo_bytes(far_end);
        _exit(0);
    }
    close(far_end);
    bool ok = echo > 0 && take_turns(near_end, turns, latency_ns);
    shutdown(near_end, SHUT_WR);  // the echo end sees the end and exits
    if (echo > 0) waitpid(echo, nullptr, 0);
    close(near_end);
    return ok;
}

bool server_pingpong(long port, long turns, std::vector<std::uint64_t>& latency_ns) {
    int fd = connect_loopback(port);
    if (fd < 0) return false;
    std::string pending;
    bool ok = read_line(fd, pending) && take_turns(fd, turns, latency_ns) && send_text(fd, "bye\n");
    char chunk[512];
    while (ok && recv(fd, chunk, sizeof chunk, 0) > 0) {  // until the server closes
    }
    close(fd);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    long port = 0, turns = 20000;
    for (int i = 1; i < argc; i += 2) {
        std::string name = argv[i];
        bool ok = i + 1 < argc;
        if (ok && name == "--port") ok = parse_long(argv[i + 1], 1, 65535, port);
        else if (ok && name == "-t") ok = parse_long(argv[i + 1], 1, 10000000, turns);
        else ok = false;
        if (!ok) return std::fprintf(stderr, "usage: pingpong [--port P] [-t TURNS]\n"), 2;
    }
    std::vector<std::uint64_t> latency_ns;
    latency_ns.reserve(static_cast<std::size_t>(turns));
    bool ok = port ? server_pingpong(port, turns, latency_ns) : raw_pingpong(turns, latency_ns);
    std::printf("turns=%zu p50_us=%.1f p99_us=%.1f ok=%d\n", latency_ns.size(), percentile_us(latency_ns, 0.50),
                percentile_us(latency_ns, 0.99), ok ? 1 : 0);
    return ok ? 0 : 1;
}
