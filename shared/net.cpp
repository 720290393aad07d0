// net: the parts of the socket API that are the same on every platform, over the few
// calls each platform makes its own way (net_platform.h).
#include "net.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <vector>

#include "messages.h"
#include "net_platform.h"

namespace net {

namespace {
TraceHook trace_hook;  // set once in main, before any thread starts
}

void set_trace_hook(TraceHook hook) { trace_hook = std::move(hook); }
bool tracing() { return static_cast<bool>(trace_hook); }
void trace(const std::string& line) {
    if (trace_hook) trace_hook(line);
}

std::string fd_text(const Socket& s) { return "fd " + std::to_string(s.handle()); }

Error::Error(const std::string& what_was_tried, std::error_code reason)
    : std::system_error(reason, what_was_tried),
      text_(what_was_tried + ": " + error_text(reason)) {}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        close();
        handle_ = other.release();
    }
    return *this;
}

native_socket Socket::release() {
    native_socket h = handle_;
    handle_ = invalid;
    return h;
}

std::string endpoint_text(const std::string& host, std::uint16_t port) {
    bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace platform {

// "127.0.0.1:8888" for an address; an IPv4 client of a dual-stack listener arrives as
// "::ffff:127.0.0.1" and is shown as the IPv4 address it really is.
std::string address_text(const sockaddr* address, socklen_t length) {
    char host[NI_MAXHOST] = "?";
    char service[NI_MAXSERV] = "0";
    getnameinfo(address, length, host, sizeof host, service, sizeof service, NI_NUMERICHOST | NI_NUMERICSERV);
    std::string text = host;
    if (text.rfind("::ffff:", 0) == 0 && text.find('.') != std::string::npos) text.erase(0, 7);
    return endpoint_text(text, static_cast<std::uint16_t>(std::stoi(service)));
}

}  // namespace platform

Socket listen_tcp(const std::string& host, std::uint16_t port) {
    std::error_code error;
    std::string tried;
    // "Every address" is "::" (which also takes IPv4 clients), or "0.0.0.0" where the
    // system has no IPv6.
    std::vector<std::string> names = {host};
    if (host.empty()) names = {"::", "0.0.0.0"};
    for (const std::string& name : names) {
        platform::AddrInfoList list = platform::resolve(name, port, true);
        for (addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
            tried = platform::address_text(ai->ai_addr, static_cast<socklen_t>(ai->ai_addrlen));
            Socket s = platform::bind_and_listen(*ai, error);
            if (s.valid()) return s;
            // A real refusal (port in use, permission) is the answer; a missing
            // address family just means "try the next one".
            if (error != std::errc::address_family_not_supported)
                throw Error(msg::text(msg::listen_on, {tried}), error);
        }
    }
    throw Error(msg::text(msg::listen_on, {tried}), error);
}

std::string local_endpoint(const Socket& listener) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    getsockname(listener.handle(), reinterpret_cast<sockaddr*>(&address), &length);
    return platform::address_text(reinterpret_cast<sockaddr*>(&address), length);
}

Socket connect_tcp(const std::string& host, std::uint16_t port) {
    // An address that never answers costs this, not the minutes of the system's retries.
    constexpr std::chrono::seconds connect_timeout{10};
    platform::AddrInfoList list = platform::resolve(host, port, false);
    std::error_code error;
    std::string tried;
    for (addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
        tried = platform::address_text(ai->ai_addr, static_cast<socklen_t>(ai->ai_addrlen));
        Socket s = platform::connect_within(*ai, connect_timeout, error);
        if (s.valid()) return s;
    }
    throw Error(msg::text(msg::connect_to, {tried}), error);
}

std::uint16_t local_port(const Socket& listener) {
    std::string text = local_endpoint(listener);
    return static_cast<std::uint16_t>(std::stoi(text.substr(text.rfind(':') + 1)));
}

std::string error_text(const std::error_code& error) {
    // OS messages start with a capital ("Connection refused"); ours continue a line.
    std::string text = error.message();
    if (!text.empty())
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '.'))
        text.pop_back();
    return text;
}

namespace {

using Clock = std::chrono::steady_clock;

// What poll() can take of the time left: an int of milliseconds. A longer wait is
// waited in pieces, the deadline checked again after each (--idle-timeout allows a year).
int poll_timeout(Clock::time_point deadline, bool forever) {
    if (forever) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
}

void trace_send(const Socket& s, std::size_t size, const platform::Io& io) {
    std::string call = "send(" + fd_text(s) + ", " + std::to_string(size) + " bytes) = ";
    if (io.status == platform::Io::done) trace(call + std::to_string(io.bytes));
    else if (io.status == platform::Io::failed) trace(call + "-1 (" + error_text(io.error) + ")");
}

// --trace shows the waits where they matter, those on more than one peer's socket:
// the client waiting on what is typed and what the server sends at once, and a
// conversation waiting on the console's answer and its client at once.
Ready traced_wait(const WaitFor& what, Ready ready) {
    bool several = what.socket && (what.input != static_cast<native_socket>(-1) || what.wakers.mail);
    if (!tracing() || !several) return ready;
    std::string watched = fd_text(*what.socket);
    auto add = [&watched](const char* name) { watched += (watched.empty() ? "" : ", ") + std::string(name); };
    if (what.input != static_cast<native_socket>(-1)) add("stdin");
    if (what.wakers.mail) add("bell");
    if (what.wakers.shutdown) add("shutdown");
    const char* names[] = {"", "stdin", "shutdown", "bell", "timeout", "failed", "writable"};
    std::string result = ready == Ready::socket ? fd_text(*what.socket) : names[static_cast<int>(ready)];
    trace("poll(" + watched + ") = " + result + (ready == Ready::timeout ? "" : " ready"));
    return ready;
}

}  // namespace

Ready wait(const WaitFor& what, std::chrono::milliseconds timeout, std::error_code* error) {
    bool forever = timeout.count() < 0;
    Clock::time_point deadline = Clock::now() + (forever ? std::chrono::milliseconds(0) : timeout);
    // In the order a caller is told, when several are ready at once.
    const Ready kinds[] = {Ready::shutdown, Ready::input, Ready::mail, Ready::socket, Ready::writable};
    platform::PollEntry entries[6];
    Ready kind_of[6];
    std::size_t count = 0;
    auto watch = [&](Ready kind, native_socket handle, bool want_write) {
        entries[count] = {handle, want_write, false};
        kind_of[count++] = kind;
    };
    for (Ready kind : kinds) {
        if (kind == Ready::shutdown && what.wakers.shutdown) watch(kind, what.wakers.shutdown->handle(), false);
        if (kind == Ready::input && what.input != static_cast<native_socket>(-1)) watch(kind, what.input, false);
        if (kind == Ready::input && what.screen) watch(kind, what.screen->handle(), false);
        if (kind == Ready::mail && what.wakers.mail) watch(kind, what.wakers.mail->handle(), false);
        if (kind == Ready::socket && what.socket) watch(kind, what.socket->handle(), what.for_send);
        if (kind == Ready::writable && what.socket && what.and_for_send && !what.for_send)
            watch(kind, what.socket->handle(), true);
    }
    for (;;) {
        std::error_code failure;
        if (!platform::poll(entries, count, poll_timeout(deadline, forever), failure)) {
            if (error) *error = failure;
            return Ready::failed;
        }
        for (std::size_t i = 0; i < count; ++i)
            if (entries[i].ready) return traced_wait(what, kind_of[i]);
        if (!forever && Clock::now() >= deadline) return traced_wait(what, Ready::timeout);
    }
}

namespace {

Wait as_wait(Ready ready) {
    switch (ready) {
    case Ready::socket: return Wait::ready;
    case Ready::shutdown: return Wait::woken;
    case Ready::mail: return Wait::mail;
    case Ready::timeout: return Wait::timeout;
    default: return Wait::failed;
    }
}

}  // namespace

Accepted accept_client(const Socket& listener, Wakers wakers) {
    Accepted result;
    for (;;) {
        result.status = as_wait(wait({&listener, false, static_cast<native_socket>(-1), wakers},
                                     std::chrono::milliseconds(-1), &result.error));
        if (result.status != Wait::ready) return result;
        platform::Io io{platform::Io::done};
        result.socket = platform::accept_once(listener, result.peer, io);
        if (io.status == platform::Io::failed) {
            if (tracing()) trace("accept(" + fd_text(listener) + ") = -1 (" + error_text(io.error) + ")");
            result.status = Wait::failed;
            result.error = io.error;
            return result;  // with the newcomer's socket, if it was taken all the same
        }
        // Interrupted, or the client gave up between poll and accept: not our failure.
        if (io.status != platform::Io::done) continue;
        if (tracing())
            trace("accept(" + fd_text(listener) + ") = " + fd_text(result.socket) + " from " + result.peer);
        return result;
    }
}

Received recv_some(const Socket& s, char* buffer, std::size_t size,
                   std::chrono::milliseconds timeout, const Waker* shutdown) {
    // Shutdown first, so that a peer that never stops sending cannot hold it up.
    if (shutdown && shutdown->woken()) return {Received::woken};
    for (;;) {
        // Read first and wait only when nothing is there: one system call per message,
        // not two, while the peer keeps up.
        platform::Io io = platform::recv_once(s, buffer, size);
        switch (io.status) {
        case platform::Io::done: return {Received::data, io.bytes};
        case platform::Io::ended: return {Received::closed};
        case platform::Io::failed: return {Received::failed, 0, io.error};
        case platform::Io::interrupted: continue;
        case platform::Io::would_block:
            if (tracing()) trace("recv(" + fd_text(s) + ") = -1 (nothing yet: it would block)");
            break;
        }
        if (timeout.count() == 0) return {Received::timeout};
        std::error_code error;
        switch (wait({&s, false, static_cast<native_socket>(-1), {shutdown, nullptr}}, timeout, &error)) {
        case Ready::timeout: return {Received::timeout};
        case Ready::shutdown: return {Received::woken};
        case Ready::failed: return {Received::failed, 0, error};
        default: break;  // readable: read it
        }
    }
}

Sent send_some(const Socket& s, std::string_view bytes) {
    for (;;) {
        platform::Io io = platform::send_once(s, bytes.data(), bytes.size());
        if (tracing()) trace_send(s, bytes.size(), io);
        if (io.status == platform::Io::interrupted) continue;
        if (io.status == platform::Io::done) return {io.bytes};
        if (io.status == platform::Io::would_block) return {0};
        return {0, io.error};
    }
}

void set_send_buffer(const Socket& s, int bytes) {
    // setsockopt takes a const char* on Windows and a const void* elsewhere: this cast suits both.
    int rc = setsockopt(s.handle(), SOL_SOCKET, SO_SNDBUF, reinterpret_cast<const char*>(&bytes), sizeof bytes);
    if (tracing()) trace("setsockopt(" + fd_text(s) + ", SO_SNDBUF, " + std::to_string(bytes) + ") = " + std::to_string(rc));
}

std::error_code send_all(const Socket& s, std::string_view bytes,
                         std::chrono::milliseconds timeout, const Waker* shutdown) {
    while (!bytes.empty()) {
        platform::Io io = platform::send_once(s, bytes.data(), bytes.size());
        if (tracing()) trace_send(s, bytes.size(), io);
        if (io.status == platform::Io::done) {
            bytes.remove_prefix(io.bytes);
            continue;
        }
        if (io.status == platform::Io::interrupted) continue;
        if (io.status != platform::Io::would_block) return io.error;
        // The peer's receive window is full: wait for room, but not forever.
        std::error_code error;
        Wakers wakers{shutdown, nullptr};
        switch (wait({&s, true, static_cast<native_socket>(-1), wakers}, timeout, &error)) {
        case Ready::timeout: return std::make_error_code(std::errc::timed_out);
        case Ready::shutdown: return std::make_error_code(std::errc::operation_canceled);
        case Ready::failed: return error;
        default: break;
        }
    }
    return {};
}

}  // namespace net
