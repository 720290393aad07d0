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

// A thread's doorbell that poll() can watch. wake() rings it from any thread, or from
// a signal handler; it stays rung (level-triggered) until reset(). Two uses:
// - shutdown: rung once, never reset, so every thread that waits on it sees it;
// - a mailbox: another thread puts something in the owner's queue, then rings; the
//   owner resets it before it looks in the queue, so a ring is never missed.
class Waker {
public:
    Waker();
    ~Waker();
    Waker(const Waker&) = delete;
    Waker& operator=(const Waker&) = delete;
    void wake() const noexcept;
    bool woken() const { return woken_.load(); }  // no system call: cheap to ask often
    // Whether it had been rung: whatever rings it after this rings it again.
    bool reset() const noexcept;
    void wait() const;  // until woken
    native_socket handle() const { return read_end_; }

private:
    native_socket read_end_;
    native_socket write_end_;
    mutable std::atomic<bool> woken_{false};  // lock-free, so a signal handler may set it
};

// What else a wait ends on besides its socket: the process shutting down, and the
// waiting thread's own mailbox bell. Either may be absent.
struct Wakers {
    const Waker* shutdown = nullptr;
    const Waker* mail = nullptr;
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

// How a wait ended: the socket is ready, the time ran out, shutdown, the mailbox bell
// rang, or the wait itself failed.
enum class Wait { ready, timeout, woken, mail, failed };

// One wait, in one poll(), for any of: `socket` readable (or writable, when
// `for_send`; readable or writable, when `and_for_send`: Ready::writable says which),
// `input` readable (standard input, or the handle that stands for it: see
// terminal::LineReader::handle()), `screen` rung, and the wakers. When several are
// ready at once the order is shutdown, input, mail, socket: a person's typing and the
// engine's own hand-overs are never held back by a peer that keeps sending. `timeout`
// negative means no limit; any length is waited out in full (poll takes an int of ms).
struct WaitFor {
    const Socket* socket = nullptr;
    bool for_send = false;
    native_socket input = static_cast<native_socket>(-1);
    Wakers wakers{};
    // Lines wait to be shown above the line being typed (terminal::LineReader::screen()).
    // Ready as `input`: the same call, LineReader::read_available(), deals with both.
    const Waker* screen = nullptr;
    bool and_for_send = false;  // a channel member: what it hears, and room for what it says
};
enum class Ready { socket, input, shutdown, mail, timeout, failed, writable };
Ready wait(const WaitFor& what, std::chrono::milliseconds timeout, std::error_code* error = nullptr);

// Waits for a client on a listening socket, or for a waker; `peer` receives its
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
Accepted accept_client(const Socket& listener, Wakers wakers);

struct Received {
    enum Kind { data, closed, timeout, woken, failed } kind;
    std::size_t bytes = 0;
    std::error_code error{};
};

// Receives whatever has arrived (at least one byte), waiting at most `timeout`
// (negative: no limit; zero: only what is there now) or until `shutdown` rings. EINTR
// is retried inside.
Received recv_some(const Socket& s, char* buffer, std::size_t size,
                   std::chrono::milliseconds timeout, const Waker* shutdown = nullptr);

// Sends every byte or fails: loops over partial sends, retries EINTR, never raises
// SIGPIPE, and gives up once the peer has not taken any data for `timeout`
// (std::errc::timed_out), or when `shutdown` rings while it waits for room
// (std::errc::operation_canceled).
std::error_code send_all(const Socket& s, std::string_view bytes,
                         std::chrono::milliseconds timeout, const Waker* shutdown = nullptr);

// One send() that never waits: how many bytes the socket took now (0 when its buffer
// is full), or why it failed. For a thread that has other things to wait for than
// this peer's room (a channel member: what its own client says, and its bell).
struct Sent {
    std::size_t bytes = 0;
    std::error_code error{};
};
Sent send_some(const Socket& s, std::string_view bytes);

// SO_SNDBUF: how much the system may hold of what is sent and not yet taken. A channel
// keeps it small, so that its own fair queue, not the system's FIFO, decides the order
// in which a slow reader gets what many speakers said.
void set_send_buffer(const Socket& s, int bytes);

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
