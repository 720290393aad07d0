// net: the one small socket API both programs use.
//
// One POSIX body (net_posix.cpp) and one Win32 body (net_win32.cpp) implement it;
// nothing outside shared/ knows which platform it runs on. Helpers never exit the
// process: they return a status or throw std::system_error carrying the OS's reason,
// and only main decides what to do about it (as Redis' anet.c does).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

namespace net {

#ifdef _WIN32
using native_socket = std::uintptr_t;  // SOCKET
#else
using native_socket = int;
#endif

// A failure with the OS's reason: what() reads "connect to 10.0.0.9:8888: connection
// refused", ready to print after the program's name.
class Error : public std::system_error {
public:
    Error(const std::string& what_was_tried, std::error_code reason);
    const char* what() const noexcept override { return text_.c_str(); }

private:
    std::string text_;
};

// Starts and stops the socket library for the life of main (WSAStartup/WSACleanup on
// Windows; nothing on POSIX). Throws std::system_error if it cannot start.
class NetInit {
public:
    NetInit();
    ~NetInit();
    NetInit(const NetInit&) = delete;
    NetInit& operator=(const NetInit&) = delete;
};

// A connected or listening socket that closes itself. Move-only, like a
// std::unique_ptr, so exactly one owner (one thread) ever closes it.
class Socket {
public:
    Socket() = default;
    explicit Socket(native_socket handle) : handle_(handle) {}
    ~Socket() { close(); }
    Socket(Socket&& other) noexcept : handle_(other.release()) {}
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    bool valid() const { return handle_ != invalid; }
    native_socket handle() const { return handle_; }
    native_socket release();
    void close();

    static const native_socket invalid;

private:
    native_socket handle_ = invalid;
};

// Wakes every thread blocked in recv_some or accept_client at once (level-triggered:
// once woken it stays woken). Safe to call wake() from a signal handler.
class Waker {
public:
    Waker();
    ~Waker();
    Waker(const Waker&) = delete;
    Waker& operator=(const Waker&) = delete;
    void wake() const noexcept;
    bool woken() const { return woken_.load(); }  // no system call: cheap to ask often
    void wait() const;  // until woken
    native_socket handle() const { return read_end_; }

private:
    native_socket read_end_;
    native_socket write_end_;
    mutable std::atomic<bool> woken_{false};  // lock-free, so a signal handler may set it
};

// Human-readable "host:port" (IPv6 as "[::1]:port").
std::string endpoint_text(const std::string& host, std::uint16_t port);

// Binds and listens on host:port. An empty host means every address: "::" with
// IPV6_V6ONLY off (one socket for IPv6 and IPv4), falling back to "0.0.0.0" where
// the system has no IPv6. Throws std::system_error naming what was tried.
Socket listen_tcp(const std::string& host, std::uint16_t port);

// The address a listening socket really got, as text ("[::]:40213").
std::string local_endpoint(const Socket& listener);
std::uint16_t local_port(const Socket& listener);

// Tries every address getaddrinfo gives for host:port, in order. Throws
// std::system_error naming the last address tried and why it failed.
Socket connect_tcp(const std::string& host, std::uint16_t port);

enum class Wait { ready, timeout, woken, failed };

// Waits up to `timeout` for a client on a listening socket; `peer` receives its
// address as text. Returns an invalid Socket with `status` saying why when none was
// accepted. When the process is out of file descriptors, status is failed (EMFILE)
// but the newcomer is taken all the same, on a descriptor held in reserve for this,
// so that it can be told "busy" and closed: left in the queue, it would make every
// later accept fail at once, and the listener spin.
struct Accepted {
    Socket socket;
    std::string peer;
    Wait status = Wait::ready;
    std::error_code error{};
};
Accepted accept_client(const Socket& listener, std::chrono::milliseconds timeout,
                       const Waker* waker);

struct Received {
    enum Kind { data, closed, timeout, woken, failed } kind;
    std::size_t bytes = 0;
    std::error_code error{};
};

// Receives whatever has arrived (at least one byte), waiting at most `timeout`
// (negative: no limit). EINTR is retried inside.
Received recv_some(const Socket& s, char* buffer, std::size_t size,
                   std::chrono::milliseconds timeout, const Waker* waker = nullptr);

// Sends every byte or fails: loops over partial sends, retries EINTR, never raises
// SIGPIPE, and gives up once the peer has not taken any data for `timeout`.
std::error_code send_all(const Socket& s, std::string_view bytes,
                         std::chrono::milliseconds timeout);

// Half-close: "I will send no more", so the peer reads a clean end of stream.
void shutdown_send(const Socket& s);

// --trace: each socket call and its result, one line each, named as the C API names
// them ("bind(fd 3, [::]:8888) = 0"), handed to `hook` in the order they happen. Set it
// once, before any thread starts; an empty hook turns tracing off.
using TraceHook = std::function<void(const std::string& line)>;
void set_trace_hook(TraceHook hook);
bool tracing();
void trace(const std::string& line);  // for shared code that makes the calls (channel)

// "fd 4", as traces name a socket.
std::string fd_text(const Socket& s);

// Text for a socket error code ("connection refused"): the system's own wording,
// lowercased to continue a line.
std::string error_text(const std::error_code& error);

}  // namespace net
