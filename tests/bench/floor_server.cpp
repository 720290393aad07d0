// floor_server: the floor for `make bench`. A bare thread-per-connection echo server:
// one std::thread per connection, blocking recv/send, no encoding, no limits. It greets,
// echoes each line, and ends a connection on "bye". What intercom-server is measured
// against, so it uses the same small thread stack (256 KiB).
//
//   floor_server [--port P]     prints "listening on 127.0.0.1:PORT"; SIGTERM stops it
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace {

int stop_pipe[2] = {-1, -1};

extern "C" void on_stop_signal(int) {
    ssize_t ignored = write(stop_pipe[1], "!", 1);  // async-signal-safe
    (void)ignored;
}

bool send_all(int fd, const std::string& bytes) {
    for (std::size_t done = 0; done < bytes.size();) {
        ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// One connection: the greeting, then each line back until "bye" or the peer goes.
void echo_lines(int fd) {
    if (!send_all(fd, "\xE5\xA4\xA9\xE7\x8E\x8B\xE7\x9B\x96\xE5\x9C\xB0\xE8\x99\x8E\n")) return;
    std::string pending;
    char chunk[4096];
    for (;;) {
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        pending.append(chunk, static_cast<std::size_t>(n));
        for (std::size_t end; (end = pending.find('\n')) != std::string::npos;) {
            std::string line = pending.substr(0, end + 1);
            pending.erase(0, end + 1);
            if (line == "bye\n" || line == "bye\r\n") return;
            if (!send_all(fd, line)) return;
        }
    }
}

// Every connection's thread and socket; finished threads are joined by the accept loop.
class Connections {
public:
    void start(int fd) {
        std::lock_guard<std::mutex> lock(mutex_);
        int id = next_id_++;
        try {
            live_[id] = {fd, std::thread([this, id, fd] {
                             echo_lines(fd);
                             end(id);
                         })};
        } catch (const std::system_error&) {  // no thread to be had: this one goes
            live_.erase(id);
            close(fd);
        }
    }
    void join_finished() {
        std::vector<std::thread> done;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            done.swap(finished_);
        }
        for (std::thread& t : done) t.join();
    }
    // Ends every connection: their blocking recv() returns, and each thread is joined.
    void stop_all() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (auto& entry : live_) shutdown(entry.second.fd, SHUT_RDWR);
        }
        for (;;) {
            join_finished();
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (live_.empty() && finished_.empty()) return;
            }
            poll(nullptr, 0, 10);  // the rest are still on their way out
        }
    }

private:
    struct Live {
        int fd;
        std::thread thread;
    };
    void end(int id) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = live_.find(id);
        close(it->second.fd);
        finished_.push_back(std::move(it->second.thread));
        live_.erase(it);
    }
    std::mutex mutex_;
    std::map<int, Live> live_;
    std::vector<std::thread> finished_;
    int next_id_ = 0;
};

int listen_loopback(long port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(fd, SOMAXCONN) != 0) {
        std::perror("floor_server: listen");
        return -1;
    }
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    std::printf("listening on 127.0.0.1:%u\n", ntohs(address.sin_port));
    std::fflush(stdout);
    return fd;
}

void prepare_process() {
    std::signal(SIGPIPE, SIG_IGN);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_setattr_default_np(&attr);  // what std::thread will use
    pthread_attr_destroy(&attr);
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (pipe2(stop_pipe, O_CLOEXEC) != 0) std::perror("floor_server: pipe");
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGINT, on_stop_signal);
}

}  // namespace

int main(int argc, char** argv) {
    long port = 0;
    if (argc == 3 && std::string(argv[1]) == "--port") {
        char* end = nullptr;
        port = std::strtol(argv[2], &end, 10);
        if (*end != '\0' || port < 0 || port > 65535) return std::fprintf(stderr, "floor_server: bad port\n"), 2;
    } else if (argc != 1) {
        return std::fprintf(stderr, "usage: floor_server [--port P]\n"), 2;
    }
    prepare_process();
    int listener = listen_loopback(port);
    if (listener < 0) return 1;
    Connections connections;
    for (;;) {
        pollfd fds[2] = {{listener, POLLIN, 0}, {stop_pipe[0], POLLIN, 0}};
        if (poll(fds, 2, 1000) < 0 && errno != EINTR) break;
        if (fds[1].revents) break;
        connections.join_finished();
        if (!(fds[0].revents & POLLIN)) continue;
        int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) connections.start(fd);
        else if (errno == EMFILE || errno == ENFILE) poll(nullptr, 0, 100);  // do not spin
    }
    connections.stop_all();
    close(listener);
    return 0;
}
