// net: the POSIX body (Linux, macOS, the BSDs).
#include "net.h"

#include "messages.h"
#include "net_platform.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/eventfd.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0  // macOS: SO_NOSIGPIPE (no_sigpipe below) and main's SIG_IGN cover it
#endif

// Linux and the BSDs create a descriptor close-on-exec in the same call (SOCK_CLOEXEC,
// accept4); macOS has neither, so there fcntl() follows. INTERCOM_PORTABLE_FALLBACKS
// takes the fallbacks even where the features exist, so that a Linux build proves
// them (make portable-check).
#if defined(SOCK_CLOEXEC) && !defined(INTERCOM_PORTABLE_FALLBACKS)
#define INTERCOM_HAVE_SOCK_CLOEXEC 1
#if defined(__linux__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__) || \
    defined(__DragonFly__)
#define INTERCOM_HAVE_ACCEPT4 1
#endif
#endif

namespace net {

using platform::address_text;

const native_socket Socket::invalid = -1;

namespace {


std::error_code last_error() { return {errno, std::generic_category()}; }

// getaddrinfo reports its own codes (EAI_*), not errno values.
class ResolverCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "getaddrinfo"; }
    std::string message(int code) const override {
        if (code == EAI_NONAME) return msg::text(msg::unknown_host);
        return gai_strerror(code);
    }
};
const ResolverCategory resolver_category;

const char* family_name(int family) { return family == AF_INET6 ? "AF_INET6" : "AF_INET"; }

// A call's result (0 or -1) as --trace shows it; errno survives the tracing.
int traced(int rc, const std::string& call) {
    if (!tracing()) return rc;
    int saved = errno;
    trace(call + " = " + (rc == 0 ? "0" : "-1 (" + error_text(last_error()) + ")"));
    errno = saved;
    return rc;
}

// Close-on-exec, for a descriptor that could not be created so. A failure is traced
// only: neither program runs another, so nothing is lost yet. The calls here and in
// no_sigpipe are traced only when they fail, so a trace reads the same on every system.
[[maybe_unused]] void close_on_exec(int fd) {
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) traced(-1, "fcntl(fd " + std::to_string(fd) + ", F_SETFD, FD_CLOEXEC)");
}

// Where there is SO_NOSIGPIPE (macOS, which has no MSG_NOSIGNAL), a send to a peer that
// has gone fails with EPIPE instead of raising SIGPIPE. If it cannot be set, main's
// SIG_IGN still covers it.
void no_sigpipe(int fd) {
#ifdef SO_NOSIGPIPE
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on) != 0)
        traced(-1, "setsockopt(fd " + std::to_string(fd) + ", SO_NOSIGPIPE, 1)");
#else
    (void)fd;
#endif
}

// socket() and accept(), for descriptors made close-on-exec and SIGPIPE-free.
int new_socket(const addrinfo& ai) {
#ifdef INTERCOM_HAVE_SOCK_CLOEXEC
    int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, ai.ai_protocol);
#else
    int fd = ::socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol);
    if (fd >= 0) close_on_exec(fd);
#endif
    if (fd >= 0) no_sigpipe(fd);
    return fd;
}

int accept_new(const Socket& listener, sockaddr_storage& address, socklen_t& length) {
    sockaddr* where = reinterpret_cast<sockaddr*>(&address);
#ifdef INTERCOM_HAVE_ACCEPT4
    int fd = ::accept4(listener.handle(), where, &length, SOCK_CLOEXEC);
#else
    int fd = ::accept(listener.handle(), where, &length);
    if (fd >= 0) close_on_exec(fd);
#endif
    if (fd >= 0) no_sigpipe(fd);
    return fd;
}

Socket open_socket(const addrinfo& ai) {
    Socket s(new_socket(ai));
    std::string call = std::string("socket(") + family_name(ai.ai_family) + ", SOCK_STREAM)";
    if (!s.valid()) traced(-1, call);
    else if (tracing()) trace(call + " = " + fd_text(s));
    return s;
}

// connect() with a deadline: an address that never answers costs `limit`, not the
// two minutes of the kernel's own retries. Returns 0, or -1 with errno set.
int connect_nonblocking(const Socket& s, const addrinfo& ai, std::chrono::milliseconds limit) {
    int flags = fcntl(s.handle(), F_GETFL);
    if (flags == -1 || fcntl(s.handle(), F_SETFL, flags | O_NONBLOCK) != 0) return -1;
    int rc = ::connect(s.handle(), ai.ai_addr, ai.ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
        std::error_code failure;
        Ready w = wait({&s, true}, limit, &failure);
        int error = w == Ready::timeout ? ETIMEDOUT : w == Ready::failed ? failure.value() : 0;
        socklen_t length = sizeof error;
        if (w == Ready::socket && getsockopt(s.handle(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        rc = error == 0 ? 0 : -1;
        errno = error;
    }
    return rc;  // and the socket stays non-blocking: net waits with poll, never in a call
}

}  // namespace

namespace platform {

AddrInfoList resolve(const std::string& host, std::uint16_t port, bool passive) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : AI_ADDRCONFIG);
    addrinfo* list = nullptr;
    std::string service = std::to_string(port);
    int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    if (rc == EAI_SYSTEM) throw Error(msg::text(msg::look_up, {host}), last_error());
    if (rc != 0) throw Error(msg::text(msg::look_up, {host}), {rc, resolver_category});
    return AddrInfoList(list);
}

Socket connect_within(const addrinfo& ai, std::chrono::milliseconds limit, std::error_code& error) {
    Socket s = open_socket(ai);
    if (!s.valid()) return error = last_error(), Socket();
    int rc = connect_nonblocking(s, ai, limit);
    traced(rc, "connect(" + fd_text(s) + ", " + address_text(ai.ai_addr, ai.ai_addrlen) + ")");
    if (rc != 0) return error = last_error(), Socket();
    return s;
}

Socket bind_and_listen(const addrinfo& ai, std::error_code& error) {
    Socket s = open_socket(ai);
    if (!s.valid()) return error = last_error(), Socket();
    int on = 1, off = 0;
    std::string fd = fd_text(s);
    // Without SO_REUSEADDR a restarted server cannot bind its port again until the
    // previous connections' TIME_WAIT has passed (a minute or more). Should it fail,
    // the trace shows it, and bind() reports what follows (address in use).
    traced(setsockopt(s.handle(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on),
           "setsockopt(" + fd + ", SO_REUSEADDR, 1)");
    // One socket for IPv6 and IPv4 clients alike; where that cannot be (OpenBSD has no
    // dual stack), the trace shows the failure and the socket serves IPv6 alone.
    if (ai.ai_family == AF_INET6)
        traced(setsockopt(s.handle(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off),
               "setsockopt(" + fd + ", IPV6_V6ONLY, 0)");
    std::string address = address_text(ai.ai_addr, ai.ai_addrlen);
    if (traced(::bind(s.handle(), ai.ai_addr, ai.ai_addrlen), "bind(" + fd + ", " + address + ")") != 0 ||
        traced(::listen(s.handle(), SOMAXCONN), "listen(" + fd + ", " + std::to_string(SOMAXCONN) + ")") != 0)
        return error = last_error(), Socket();
    return s;
}

}  // namespace platform

NetInit::NetInit() = default;
NetInit::~NetInit() = default;

void Socket::close() {
    if (handle_ == invalid) return;
    if (tracing()) trace("close(" + fd_text(*this) + ")");
    ::close(release());
}

// One descriptor on Linux (an eventfd: a server keeps one per conversation at the
// console), a pipe's two elsewhere. Both ends never block.
Waker::Waker() {
#if defined(__linux__) && !defined(INTERCOM_PORTABLE_FALLBACKS)
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) throw Error(msg::text(msg::create_waker), last_error());
    read_end_ = write_end_ = fd;
#else
    int fds[2];
    if (pipe(fds) != 0) throw Error(msg::text(msg::create_waker), last_error());
    // Non-blocking, or a signal handler's wake() would block on a full pipe.
    for (int fd : fds) {
        int flags = fcntl(fd, F_GETFL);
        if (flags != -1 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0)
            continue;
        std::error_code error = last_error();
        ::close(fds[0]);
        ::close(fds[1]);
        throw Error(msg::text(msg::create_waker), error);
    }
    read_end_ = fds[0];
    write_end_ = fds[1];
#endif
}

Waker::~Waker() {
    ::close(read_end_);
    if (write_end_ != read_end_) ::close(write_end_);
}

void Waker::wake() const noexcept {
    // Rung already and not yet reset: its byte is there, or on its way.
    if (woken_.exchange(true)) return;
    // write() is async-signal-safe; a full pipe (or counter) means it is already woken.
    std::uint64_t one = 1;  // an eventfd takes 8 bytes; a pipe takes what it is given
    ssize_t ignored = ::write(write_end_, &one, sizeof one);
    (void)ignored;
}

bool Waker::reset() const noexcept {
    // Drained first, then cleared: a wake() in between, seeing it still rung, writes
    // nothing, and what it rang for is there to see once reset() returns.
    std::uint64_t drained[8];
    // An eventfd gives its whole count in one read; a pipe as much as fits.
    while (::read(read_end_, drained, sizeof drained) == static_cast<ssize_t>(sizeof drained)) {
    }
    return woken_.exchange(false);
}

void Waker::wait() const {
    pollfd fd = {read_end_, POLLIN, 0};
    while (poll(&fd, 1, -1) < 0 && errno == EINTR) {
    }
}

namespace {

// One descriptor kept open for the moment the process has no other: see accept_client.
int reserve_descriptor() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }
// Opened by accept_client, not before main: a closed stderr's number must go to
// /dev/null first (process::ensure_standard_streams), never to the reserve.
std::atomic<int> reserve_fd{-1};

// Out of descriptors: free the reserve, take the newcomer on it, and reserve again
// once that newcomer is gone (on the next call).
int accept_on_reserve(const Socket& listener, sockaddr_storage& address, socklen_t& length) {
    int spare = reserve_fd.exchange(-1);
    if (spare < 0) return -1;
    ::close(spare);
    return accept_new(listener, address, length);
}

platform::Io io_failed() {
    if (errno == EINTR) return {platform::Io::interrupted};
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {platform::Io::would_block};
    return {platform::Io::failed, 0, last_error()};
}

}  // namespace

namespace platform {

std::error_code last_error() { return net::last_error(); }

Socket accept_once(const Socket& listener, std::string& peer, Io& io) {
    if (reserve_fd < 0) reserve_fd = reserve_descriptor();
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int fd = accept_new(listener, address, length);
    if (fd < 0) {
        // The client gave up between poll and accept: not our failure.
        io = errno == ECONNABORTED ? Io{Io::would_block} : io_failed();
        if (io.status != Io::failed) return Socket();
        if (errno == EMFILE || errno == ENFILE) fd = accept_on_reserve(listener, address, length);
        if (fd < 0) return Socket();
    } else {
        io = {Io::done};
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        io = io_failed();  // it could not be made ready for poll: turned away unheard
        ::close(fd);
        return Socket();
    }
    peer = address_text(reinterpret_cast<sockaddr*>(&address), length);
    return Socket(fd);
}

Io recv_once(const Socket& s, char* buffer, std::size_t size) {
    ssize_t n = ::recv(s.handle(), buffer, size, MSG_DONTWAIT);
    if (n > 0) return {Io::done, static_cast<std::size_t>(n)};
    if (n == 0) return {Io::ended};
    return io_failed();
}

Io send_once(const Socket& s, const char* bytes, std::size_t size) {
    ssize_t n = ::send(s.handle(), bytes, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return {Io::done, static_cast<std::size_t>(n)};
    return io_failed();
}

bool poll(PollEntry* entries, std::size_t count, int timeout_ms, std::error_code& error) {
    pollfd fds[8];
    count = std::min<std::size_t>(count, 8);
    for (std::size_t i = 0; i < count; ++i)
        fds[i] = {entries[i].handle, static_cast<short>(entries[i].want_write ? POLLOUT : POLLIN), 0};
    int rc = ::poll(fds, static_cast<nfds_t>(count), timeout_ms);
    if (rc < 0 && errno != EINTR) return error = last_error(), false;
    for (std::size_t i = 0; i < count; ++i) entries[i].ready = rc > 0 && fds[i].revents != 0;
    return true;
}

}  // namespace platform

void shutdown_send(const Socket& s) {
    traced(::shutdown(s.handle(), SHUT_WR), "shutdown(" + fd_text(s) + ", SHUT_WR)");
}

}  // namespace net
