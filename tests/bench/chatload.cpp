// chatload: many members of one chat channel at once, from one thread (epoll), for
// `make bench`: intercom-server --channel against ncat --chat on the same load.
// Linux only (epoll, /proc).
//
//   chatload --port P -m M -k K --joined TEXT [--stalled] [--hold-only]
//            [--window W] [--deadline S] [--server-pid PID]
//
// M members connect; each has joined once a line containing TEXT has come (intercom:
// "intercom channel: ", ncat: "already connected"). Then each sends K lines
// "L <member> <seq> <send time ns>", one line per send(), keeping at most W of its own
// lines on their way (not yet received by the next member): a closed loop, so that
// neither server is handed more than a chat room holds, and ncat, which prefixes what
// one read brings, never reads half a line. Every line must reach every other member,
// in order per speaker. --stalled adds one member that never reads (and says nothing):
// a server that waits on it stalls everyone. --hold-only: join all M, report, close.
// Prints one line of key=value results; exit 0 when every line was delivered.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "measure.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    long port = 0, members = 100, lines = 20, window = 8, deadline_seconds = 120, server_pid = 0;
    std::string joined_text;
    bool stalled = false, hold_only = false;
};

struct Member {
    int fd = -1;
    bool joined = false;
    std::string in, out;       // bytes received and not yet a line; bytes not yet sent
    long sent = 0;             // its own lines handed to the socket
    std::vector<long> heard;   // the last seq heard from each speaker (-1: none)
    long received = 0;         // lines of the load received
};

std::uint64_t now_ns() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
        Clock::now().time_since_epoch()).count());
}

// "<speaker> <seq> <send time ns>", as sent.
bool parse_numbers(std::string_view text, long& speaker, long& seq, std::uint64_t& sent_ns) {
    const char* at = text.data();
    const char* end = text.data() + text.size();
    auto field = [&](auto& value) {
        std::from_chars_result r = std::from_chars(at, end, value);
        if (r.ec != std::errc()) return false;
        at = r.ptr < end && *r.ptr == ' ' ? r.ptr + 1 : r.ptr;
        return true;
    };
    return field(speaker) && field(seq) && field(sent_ns);
}

long rss_kib(long pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

int connect_to(long port, int receive_buffer) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (receive_buffer > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

class Load {
public:
    explicit Load(const Options& o) : o_(o), members_(static_cast<std::size_t>(o.members)) {
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        for (Member& m : members_) m.heard.assign(members_.size(), -1);
    }

    bool join_all();
    bool run_lines();
    void report(bool complete);

private:
    bool pump(int timeout_ms);
    void take(std::size_t who, std::string_view line, std::uint64_t now);
    void send_what_may_go(std::size_t who);
    bool flush(Member& m);

    Options o_;
    std::vector<Member> members_;
    int epoll_;
    int stalled_fd_ = -1;
    long joined_ = 0, deliveries_ = 0, out_of_order_ = 0, rss_before_ = -1, rss_held_ = -1;
    bool sending_ = false;
    std::vector<std::uint64_t> latencies_;
    Clock::time_point deadline_, started_, finished_;
};

bool Load::join_all() {
    deadline_ = Clock::now() + std::chrono::seconds(o_.deadline_seconds);
    if (o_.server_pid) rss_before_ = rss_kib(o_.server_pid);
    std::size_t next = 0;
    while (joined_ < o_.members) {
        // A few connects at a time that have not joined yet: ncat listens with a small
        // backlog, and gives up entirely on a connection that is reset before it accepts.
        while (next < members_.size() && static_cast<long>(next) - joined_ < 8) {
            Member& m = members_[next];
            m.fd = connect_to(o_.port, 0);
            if (m.fd < 0) return false;
            epoll_event event{EPOLLIN | EPOLLOUT | EPOLLET, {}};
            event.data.u64 = next++;
            epoll_ctl(epoll_, EPOLL_CTL_ADD, m.fd, &event);
        }
        if (!pump(100) && Clock::now() > deadline_) return false;
    }
    if (o_.stalled) stalled_fd_ = connect_to(o_.port, 4096);
    if (o_.server_pid) rss_held_ = rss_kib(o_.server_pid);
    return true;
}

// Reads what came for every ready member; sends what may go. False at the deadline.
bool Load::pump(int timeout_ms) {
    epoll_event events[256];
    int n = epoll_wait(epoll_, events, 256, timeout_ms);
    for (int i = 0; i < n; ++i) {
        std::size_t who = events[i].data.u64;
        Member& m = members_[who];
        char chunk[65536];
        for (;;) {
            ssize_t got = recv(m.fd, chunk, sizeof chunk, 0);
            if (got <= 0) break;
            m.in.append(chunk, static_cast<std::size_t>(got));
        }
        // One clock reading for all that one event brought: the load generator must
        // cost as little as it can per line, or it, not the server, is what is measured.
        std::uint64_t now = now_ns();
        long before = deliveries_;
        std::string_view in = m.in;
        std::size_t start = 0;
        for (std::size_t end; (end = in.find('\n', start)) != std::string_view::npos; start = end + 1)
            take(who, in.substr(start, end - start), now);
        m.in.erase(0, start);
        if (deliveries_ > before) finished_ = Clock::now();
        if (sending_) send_what_may_go(who);
        flush(m);
    }
    return n > 0;
}

// One line that reached member `who`: its joining, or a line of the load.
void Load::take(std::size_t who, std::string_view line, std::uint64_t now) {
    Member& m = members_[who];
    if (!m.joined) {
        if (line.find(o_.joined_text) != std::string_view::npos) m.joined = true, ++joined_;
        return;
    }
    std::size_t at = line.find("L ");
    if (at == std::string_view::npos || (at > 0 && line[at - 1] != ' ')) return;  // "[#5] L …", "<user5> L …"
    long speaker = 0, seq = 0;
    std::uint64_t sent_ns = 0;
    if (!parse_numbers(line.substr(at + 2), speaker, seq, sent_ns)) return;
    if (speaker < 0 || speaker >= o_.members) return;
    long& last = m.heard[static_cast<std::size_t>(speaker)];
    if (seq != last + 1) ++out_of_order_;
    last = seq;
    ++m.received;
    ++deliveries_;
    latencies_.push_back(now - sent_ns);
    // The next member hearing this speaker's line frees a place in its window.
    std::size_t speaker_index = static_cast<std::size_t>(speaker);
    if ((speaker_index + 1) % members_.size() == who) send_what_may_go(speaker_index);
}

void Load::send_what_may_go(std::size_t who) {
    Member& m = members_[who];
    std::size_t next = (who + 1) % members_.size();
    long heard_by_next = members_[next].heard[who] + 1;
    while (m.sent < o_.lines && m.sent - heard_by_next < o_.window) {
        m.out += "L " + std::to_string(who) + " " + std::to_string(m.sent++) + " " + std::to_string(now_ns()) + "\n";
        if (!flush(m)) break;
    }
}

bool Load::flush(Member& m) {
    while (!m.out.empty()) {
        ssize_t n = send(m.fd, m.out.data(), m.out.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        m.out.erase(0, static_cast<std::size_t>(n));
    }
    return true;
}

bool Load::run_lines() {
    sending_ = true;
    started_ = finished_ = Clock::now();
    for (std::size_t who = 0; who < members_.size(); ++who) send_what_may_go(who);
    long expected = o_.members * (o_.members - 1) * o_.lines;
    latencies_.reserve(static_cast<std::size_t>(expected));
    while (deliveries_ < expected) {
        if (Clock::now() > deadline_) return false;
        pump(100);
    }
    return true;
}

void Load::report(bool complete) {
    double seconds = std::chrono::duration<double>(finished_ - started_).count();
    long expected = o_.hold_only ? 0 : o_.members * (o_.members - 1) * o_.lines;
    std::printf("members=%ld lines=%ld joined=%ld stalled=%d deliveries=%ld expected=%ld out_of_order=%ld "
                "seconds=%.3f deliveries_per_s=%.0f p50_us=%.0f p99_us=%.0f rss_before_kib=%ld rss_held_kib=%ld "
                "complete=%d\n",
                o_.members, o_.lines, joined_, o_.stalled ? 1 : 0, deliveries_, expected, out_of_order_, seconds,
                seconds > 0 ? static_cast<double>(deliveries_) / seconds : 0.0, bench::percentile_us(latencies_, 0.5),
                bench::percentile_us(latencies_, 0.99), rss_before_, rss_held_, complete ? 1 : 0);
}

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : "";
        bool ok = true;
        if (a == "--stalled") o.stalled = true;
        else if (a == "--hold-only") o.hold_only = true;
        else if (a == "--joined") o.joined_text = v, ++i;
        else if (a == "--port") ok = bench::parse_long(v, 1, 65535, o.port), ++i;
        else if (a == "-m") ok = bench::parse_long(v, 2, 100000, o.members), ++i;
        else if (a == "-k") ok = bench::parse_long(v, 1, 1000000, o.lines), ++i;
        else if (a == "--window") ok = bench::parse_long(v, 1, 100000, o.window), ++i;
        else if (a == "--deadline") ok = bench::parse_long(v, 1, 3600, o.deadline_seconds), ++i;
        else if (a == "--server-pid") ok = bench::parse_long(v, 1, 1L << 30, o.server_pid), ++i;
        else ok = false;
        if (!ok) return std::fprintf(stderr, "chatload: bad argument '%s'\n", argv[i]), false;
    }
    return o.port != 0 && !o.joined_text.empty();
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(stderr, "usage: chatload --port P -m M -k K --joined TEXT [--stalled] [--hold-only] "
                             "[--window W] [--deadline S] [--server-pid PID]\n");
        return 2;
    }
    Load load(o);
    if (!load.join_all()) {
        std::fprintf(stderr, "chatload: not every member joined by the deadline\n");
        load.report(false);
        return 1;
    }
    bool complete = o.hold_only || load.run_lines();
    load.report(complete);
    return complete ? 0 : 1;
}
