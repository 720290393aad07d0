// The integration test harness: child processes and raw peers, with deadlines.
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace harness {

namespace {

using Clock = std::chrono::steady_clock;

int left_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

std::string from_env(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value ? value : fallback;
}

}  // namespace

std::string program(const std::string& name) { return from_env("INTERCOM_BUILD", "build") + "/" + name; }
std::string test_file(const std::string& name) { return from_env("INTERCOM_TESTS", "tests") + "/" + name; }

bool have_program(const std::string& name) {
    std::string path = from_env("PATH", "/usr/bin:/bin");
    for (std::size_t start = 0, end;; start = end + 1) {
        end = path.find(':', start);
        std::string dir = path.substr(start, end - start);
        std::string file = (dir.empty() ? "." : dir) + "/" + name;  // an empty entry is the current folder
        struct stat info;
        if (stat(file.c_str(), &info) == 0 && S_ISREG(info.st_mode) && access(file.c_str(), X_OK) == 0) return true;
        if (end == std::string::npos) return false;
    }
}

Child::Child(std::vector<std::string> argv, std::vector<std::string> env, std::vector<int> closed) {
    int in[2], out[2], err[2];
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe");
    env.insert(env.begin(), "LC_ALL=C.UTF-8");
    pid_ = fork();
    if (pid_ == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
        for (int fd : closed) close(fd);
        for (std::string& e : env) putenv(e.data());
        std::vector<char*> args;
        for (std::string& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    in_ = in[1];
    out_fd_ = out[0];
    err_fd_ = err[0];
    fcntl(in_, F_SETFD, FD_CLOEXEC);
    fcntl(out_fd_, F_SETFD, FD_CLOEXEC);
    fcntl(err_fd_, F_SETFD, FD_CLOEXEC);
}

Child::~Child() {
    if (!status_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    for (int fd : {in_, out_fd_, err_fd_})
        if (fd >= 0) close(fd);
}

void Child::write(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(in_, bytes.data() + done, bytes.size() - done);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

void Child::close_stdin() {
    if (in_ >= 0) close(in_);
    in_ = -1;
}

void Child::signal(int sig) { kill(pid_, sig); }

bool Child::pump(milliseconds timeout) {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(timeout.count())) <= 0) return false;
    bool got = false;
    for (int i = 0; i < 2; ++i) {
        if (!fds[i].revents) continue;
        char chunk[65536];
        ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
        if (n > 0) {
            (i == 0 ? out_ : err_).append(chunk, static_cast<std::size_t>(n));
            got = true;
        } else {  // end of that stream: stop watching it
            close(fds[i].fd);
            (i == 0 ? out_fd_ : err_fd_) = -1;
        }
    }
    return got || out_fd_ >= 0 || err_fd_ >= 0;
}

std::optional<std::string> Child::read_line(milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
        std::size_t end = out_.find('\n');
        if (end != std::string::npos) {
            std::string line = out_.substr(0, end);
            out_.erase(0, end + 1);
            return line;
        }
        if (left_ms(deadline) == 0 || (out_fd_ < 0 && err_fd_ < 0)) return std::nullopt;
        pump(milliseconds(left_ms(deadline)));
    }
}

std::optional<std::string> Child::line_containing(const std::string& text, milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    while (std::optional<std::string> line = read_line(milliseconds(left_ms(deadline))))
        if (line->find(text) != std::string::npos) return line;
    return std::nullopt;
}

std::optional<std::string> Child::stderr_line_containing(const std::string& text, milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
        for (std::size_t end; (end = err_.find('\n')) != std::string::npos;) {
            std::string line = err_.substr(0, end);
            err_.erase(0, end + 1);
            if (line.find(text) != std::string::npos) return line;
        }
        if (left_ms(deadline) == 0 || (out_fd_ < 0 && err_fd_ < 0)) return std::nullopt;
        pump(milliseconds(left_ms(deadline)));
    }
}

std::optional<int> Child::wait_exit(milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    while (!status_) {
        int status;
        pid_t done = waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (left_ms(deadline) == 0) return std::nullopt;
        if (!pump(10ms)) usleep(10000);  // keep the pipes drained so the child never blocks
    }
    return status_;
}

std::string Child::stderr_text() {
    while (err_fd_ >= 0 && pump(50ms)) {
    }
    return err_;
}

Server::Server(std::vector<std::string> args)
    : child([&] {
          args.insert(args.begin(), {program("intercom-server"), "--host", "127.0.0.1", "--port", "0"});
          return args;
      }()) {
    std::optional<std::string> line = child.line_containing("listening on");
    if (!line) throw std::runtime_error("the server did not start: " + child.stderr_text());
    port = std::stoi(line->substr(line->rfind(':') + 1));
}

Peer::Peer(int port, int receive_buffer) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
}

std::unique_ptr<Peer> Peer::adopt(int fd) {
    std::unique_ptr<Peer> peer(new Peer);
    peer->fd_ = fd;
    return peer;
}

Peer::~Peer() { close(fd_); }

void Peer::send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

bool Peer::send_for(const std::string& bytes, milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    std::size_t done = 0;
    while (done < bytes.size()) {
        pollfd fd = {fd_, POLLOUT, 0};
        if (poll(&fd, 1, left_ms(deadline)) <= 0) return false;
        ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN) return false;
        if (n > 0) done += static_cast<std::size_t>(n);
    }
    return true;
}

void Peer::reset() {
    linger abort_on_close = {1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    close(fd_);
    fd_ = socket(AF_INET, SOCK_STREAM, 0);  // a harmless fd for the destructor
}

void Peer::shutdown_send() { ::shutdown(fd_, SHUT_WR); }

bool Peer::fill(milliseconds timeout) {
    pollfd fd = {fd_, POLLIN, 0};
    if (closed_ || poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char chunk[4096];
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0) was_reset_ = errno == ECONNRESET;
    if (n <= 0) return closed_ = true, false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
}

std::string Peer::read_line(milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    while (buffer_.find('\n') == std::string::npos && left_ms(deadline) > 0)
        if (!fill(milliseconds(left_ms(deadline))) && closed_) break;
    std::size_t end = buffer_.find('\n');
    std::size_t take = end == std::string::npos ? buffer_.size() : end + 1;
    std::string line = buffer_.substr(0, take);
    buffer_.erase(0, take);
    return line;
}

std::string Peer::read_until_closed(milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    while (!closed_ && left_ms(deadline) > 0) fill(milliseconds(left_ms(deadline)));
    std::string all = std::move(buffer_);
    buffer_.clear();
    return all;
}

std::vector<std::unique_ptr<Peer>> connect_until_turned_away(int port, const std::string& greeting,
                                                             std::string& last, std::size_t most) {
    std::vector<std::unique_ptr<Peer>> peers;
    while (peers.size() < most) {
        peers.push_back(std::make_unique<Peer>(port));
        last = peers.back()->read_line();
        if (last != greeting) break;
    }
    return peers;
}

Listener::Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw std::runtime_error(std::string("listen: ") + std::strerror(errno));
    port_ = ntohs(address.sin_port);
}

Listener::~Listener() { close(fd_); }

std::unique_ptr<Peer> Listener::accept(milliseconds timeout) {
    pollfd fd = {fd_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return nullptr;
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    return client < 0 ? nullptr : Peer::adopt(client);
}

}  // namespace harness
