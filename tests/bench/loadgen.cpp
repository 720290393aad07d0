// loadgen: many conversations at once from one thread (epoll), for `make bench`.
// Linux only (epoll, /proc): the benchmark measures the server on its target system.
//
//   loadgen --port P [--host 127.0.0.1] [-n N] [-t T] [--deadline S]
//           [--server-pid PID] [--pending K] [--hold-only]
//
// Each conversation: connect, read the greeting line, then T turns of "hello N\n" out
// and one whole reply line in, then "bye\n" and read until the server closes. All N are
// connected and holding before the first turn, so the server holds N at once.
// --hold-only: connect all N, report, then wait for the server to close them (used to
// time the server's shutdown with every conversation open).
// Prints one line of key=value results; exit 0 when every conversation finished.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "measure.h"

namespace {

using bench::parse_long;
using bench::percentile_us;

using Clock = std::chrono::steady_clock;

struct Options {
    std::string host = "127.0.0.1";
    long port = 0;
    long conversations = 1;
    long turns = 20;
    long deadline_seconds = 120;
    long server_pid = 0;
    long max_pending = 200;  // connects not yet greeted: stays well under the listen backlog
    bool hold_only = false;
};

enum class State { waiting, connecting, greeting, held, replying, saying_bye, done, failed };

struct Conversation {
    int fd = -1;
    State state = State::waiting;
    int attempts = 0;
    long turn = 0;
    Clock::time_point sent_at;
    std::string inbox;
};

struct Results {
    long held_now = 0, held_max = 0, finished = 0, failures = 0, retries = 0, turns = 0;
    std::vector<std::uint64_t> latency_ns;
    Clock::time_point began, turns_started, turns_ended;
    long rss_before_kib = -1, rss_held_kib = -1, threads_held = -1, maps_held = -1;
    double server_cpu_at_turns = -1, server_cpu_after_turns = -1;
};

bool parse_options(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        std::string name = argv[i];
        if (name == "--hold-only") {
            o.hold_only = true;
            continue;
        }
        if (i + 1 == argc) return false;
        const char* value = argv[++i];
        bool ok = true;
        if (name == "--host") o.host = value;
        else if (name == "--port") ok = parse_long(value, 1, 65535, o.port);
        else if (name == "-n") ok = parse_long(value, 1, 1000000, o.conversations);
        else if (name == "-t") ok = parse_long(value, 0, 1000000, o.turns);
        else if (name == "--deadline") ok = parse_long(value, 1, 86400, o.deadline_seconds);
        else if (name == "--server-pid") ok = parse_long(value, 1, 1 << 30, o.server_pid);
        else if (name == "--pending") ok = parse_long(value, 1, 100000, o.max_pending);
        else ok = false;
        if (!ok) return std::fprintf(stderr, "loadgen: bad option %s %s\n", name.c_str(), value), false;
    }
    return o.port != 0;
}

// A line of /proc/PID/status ("VmRSS:", "Threads:") as a number; -1 if not there.
long proc_status_field(long pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.compare(0, field.size(), field) != 0) continue;
        long value = -1;
        std::string digits = line.substr(field.size());
        digits.erase(0, digits.find_first_not_of(" \t"));
        std::size_t end = digits.find_first_not_of("0123456789");
        if (end != std::string::npos) digits.erase(end);
        parse_long(digits.c_str(), 0, 1L << 50, value);
        return value;
    }
    return -1;
}

// How many memory maps the process has (each thread's stack and guard page count):
// vm.max_map_count bounds it.
long proc_map_count(long pid) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    long lines = 0;
    for (std::string line; std::getline(maps, line);) ++lines;
    return lines;
}

// CPU time the process has used so far (user + system, every thread, living or ended),
// in seconds; -1 if unknown. Unlike turns per second, this hardly moves when other
// programs share the cores.
double proc_cpu_seconds(long pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::size_t name_end = text.rfind(')');  // the command name may hold spaces
    if (name_end == std::string::npos) return -1;
    std::istringstream fields(text.substr(name_end + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i)  // utime is field 14, stime 15
        if (i >= 14) ticks += std::strtod(field.c_str(), nullptr);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The soft limit on open files, raised as far as the hard limit lets us.
long raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    return static_cast<long>(limit.rlim_cur);
}

class LoadGenerator {
public:
    explicit LoadGenerator(const Options& o) : o_(o), conversations_(o.conversations) {
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        address_.sin_family = AF_INET;
        address_.sin_port = htons(static_cast<std::uint16_t>(o.port));
        inet_pton(AF_INET, o.host.c_str(), &address_.sin_addr);
        r_.latency_ns.reserve(static_cast<std::size_t>(o.conversations * o.turns));
    }
    ~LoadGenerator() {
        for (Conversation& c : conversations_)
            if (c.fd >= 0) close(c.fd);
        close(epoll_);
    }
    Results run();

private:
    void open_more();
    void start(std::size_t i);
    void retry_or_fail(std::size_t i);
    void fail(std::size_t i);
    void finish(std::size_t i, State end);
    void on_event(std::size_t i, std::uint32_t events);
    void on_connected(std::size_t i);
    void on_readable(std::size_t i);
    void on_line(std::size_t i, Clock::time_point now);
    void send_text(std::size_t i, const std::string& text);
    void begin_turns();
    bool all_settled() const { return settled_ == o_.conversations; }

    const Options& o_;
    std::vector<Conversation> conversations_;
    int epoll_ = -1;
    sockaddr_in address_{};
    Results r_;
    std::size_t next_to_open_ = 0;
    long pending_ = 0;   // connecting or waiting for the greeting
    long settled_ = 0;   // held, done or failed: no longer in the connect phase
    bool turns_begun_ = false;
};

void LoadGenerator::open_more() {
    while (pending_ < o_.max_pending && next_to_open_ < conversations_.size()) {
        start(next_to_open_++);
        ++pending_;
    }
}

void LoadGenerator::start(std::size_t i) {
    Conversation& c = conversations_[i];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return fail(i);
    c.state = State::connecting;
    c.inbox.clear();
    int rc = connect(c.fd, reinterpret_cast<sockaddr*>(&address_), sizeof address_);
    if (rc != 0 && errno != EINPROGRESS) return retry_or_fail(i);
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
}

// Before the greeting a refused or reset connect is the listen queue's doing: try again.
void LoadGenerator::retry_or_fail(std::size_t i) {
    Conversation& c = conversations_[i];
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    if (++c.attempts >= 5) return fail(i);
    ++r_.retries;
    start(i);
}

void LoadGenerator::fail(std::size_t i) {
    Conversation& c = conversations_[i];
    if (c.state == State::connecting || c.state == State::greeting || c.state == State::waiting) {
        --pending_;
        ++settled_;
    }
    if (c.state == State::held) --r_.held_now;
    finish(i, State::failed);
    ++r_.failures;
}

void LoadGenerator::finish(std::size_t i, State end) {
    Conversation& c = conversations_[i];
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    c.state = end;
}

void LoadGenerator::on_event(std::size_t i, std::uint32_t events) {
    Conversation& c = conversations_[i];
    if (c.state == State::connecting) {
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected(i);
        return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(i);
}

void LoadGenerator::on_connected(std::size_t i) {
    Conversation& c = conversations_[i];
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return retry_or_fail(i);
    c.state = State::greeting;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
}

void LoadGenerator::on_readable(std::size_t i) {
    Conversation& c = conversations_[i];
    char chunk[4096];
    ssize_t n = recv(c.fd, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {  // the server closed (or reset) the connection
        if (c.state == State::saying_bye && n == 0) {
            ++r_.finished;
            return finish(i, State::done);
        }
        if (c.state == State::held && o_.hold_only && n == 0) {
            --r_.held_now;
            ++r_.finished;
            return finish(i, State::done);
        }
        if (c.state == State::greeting) return retry_or_fail(i);
        return fail(i);
    }
    if (c.state == State::saying_bye || c.state == State::held) return;  // not a reply
    c.inbox.append(chunk, static_cast<std::size_t>(n));
    Clock::time_point now = Clock::now();
    for (std::size_t end; c.fd >= 0 && (end = c.inbox.find('\n')) != std::string::npos;) {
        c.inbox.erase(0, end + 1);
        on_line(i, now);
    }
}

void LoadGenerator::on_line(std::size_t i, Clock::time_point now) {
    Conversation& c = conversations_[i];
    if (c.state == State::greeting) {
        c.state = State::held;
        --pending_;
        ++settled_;
        r_.held_max = std::max(r_.held_max, ++r_.held_now);
        return;
    }
    if (c.state != State::replying) return;
    auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.sent_at);
    r_.latency_ns.push_back(static_cast<std::uint64_t>(took.count()));
    ++r_.turns;
    r_.turns_ended = now;
    if (r_.turns == o_.conversations * o_.turns && o_.server_pid)
        r_.server_cpu_after_turns = proc_cpu_seconds(o_.server_pid);
    if (++c.turn < o_.turns) return send_text(i, "hello " + std::to_string(c.turn) + "\n");
    c.state = State::saying_bye;
    send_text(i, "bye\n");
}

// Lines are short and the socket's buffer is empty at our turn, so one send takes all.
void LoadGenerator::send_text(std::size_t i, const std::string& text) {
    Conversation& c = conversations_[i];
    c.sent_at = Clock::now();
    ssize_t n = send(c.fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(text.size())) fail(i);
}

void LoadGenerator::begin_turns() {
    turns_begun_ = true;
    if (o_.server_pid) {
        r_.rss_held_kib = proc_status_field(o_.server_pid, "VmRSS:");
        r_.threads_held = proc_status_field(o_.server_pid, "Threads:");
        r_.maps_held = proc_map_count(o_.server_pid);
    }
    std::printf("held=%ld (all connected; %s)\n", r_.held_now,
                o_.hold_only ? "waiting for the server to close them" : "turns begin");
    std::fflush(stdout);
    r_.turns_started = r_.turns_ended = Clock::now();
    if (o_.hold_only) return;
    if (o_.server_pid) r_.server_cpu_at_turns = proc_cpu_seconds(o_.server_pid);
    for (std::size_t i = 0; i < conversations_.size(); ++i) {
        Conversation& c = conversations_[i];
        if (c.state != State::held) continue;
        --r_.held_now;
        c.state = o_.turns > 0 ? State::replying : State::saying_bye;
        send_text(i, o_.turns > 0 ? "hello 0\n" : "bye\n");
    }
}

Results LoadGenerator::run() {
    if (o_.server_pid) r_.rss_before_kib = proc_status_field(o_.server_pid, "VmRSS:");
    r_.began = r_.turns_started = r_.turns_ended = Clock::now();
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(o_.deadline_seconds);
    open_more();
    epoll_event events[512];
    while (r_.finished + r_.failures < o_.conversations) {
        if (!turns_begun_ && all_settled()) begin_turns();
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        int n = epoll_wait(epoll_, events, 512, static_cast<int>(std::min<long>(left.count(), 1000)));
        for (int k = 0; k < n; ++k) on_event(events[k].data.u64, events[k].events);
        open_more();
    }
    if (o_.server_pid && r_.server_cpu_after_turns < 0) r_.server_cpu_after_turns = proc_cpu_seconds(o_.server_pid);
    return r_;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse_options(argc, argv, o)) {
        std::fprintf(stderr, "usage: loadgen --port P [--host A] [-n N] [-t T] [--deadline S] "
                             "[--server-pid PID] [--pending K] [--hold-only]\n");
        return 2;
    }
    long nofile = raise_open_file_limit();
    if (nofile >= 0 && nofile < o.conversations + 16)
        std::fprintf(stderr, "loadgen: open-file limit %ld is below %ld conversations: "
                             "raise the hard limit (ulimit -Hn)\n", nofile, o.conversations);
    LoadGenerator generator(o);
    Results r = generator.run();
    double seconds = std::chrono::duration<double>(r.turns_ended - r.turns_started).count();
    double ramp = std::chrono::duration<double>(r.turns_started - r.began).count();
    double wall = std::chrono::duration<double>(Clock::now() - r.began).count();
    double cpu_per_turn = r.server_cpu_at_turns < 0 || r.turns == 0 ? -1
        : (r.server_cpu_after_turns - r.server_cpu_at_turns) * 1e6 / static_cast<double>(r.turns);
    long unfinished = o.conversations - r.finished - r.failures;
    std::printf("held=%ld finished=%ld failures=%ld unfinished=%ld retries=%ld turns=%ld "
                "turn_seconds=%.3f turns_per_s=%.0f p50_us=%.1f p99_us=%.1f "
                "rss_before_kib=%ld rss_held_kib=%ld threads_held=%ld maps_held=%ld nofile=%ld ramp_s=%.2f server_cpu_us_per_turn=%.1f wall_s=%.1f\n",
                r.held_max, r.finished, r.failures, unfinished, r.retries, r.turns, seconds,
                seconds > 0 ? static_cast<double>(r.turns) / seconds : 0.0,
                percentile_us(r.latency_ns, 0.50), percentile_us(r.latency_ns, 0.99), r.rss_before_kib,
                r.rss_held_kib, r.threads_held, r.maps_held, nofile, ramp, cpu_per_turn, wall);
    return r.finished == o.conversations ? 0 : 1;
}
