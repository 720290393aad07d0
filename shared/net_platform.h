// net_platform: the calls whose form differs between POSIX sockets and Winsock, as the
// shared part of net (net.cpp) needs them. One body in net_posix.cpp, one in
// net_win32.cpp; nothing outside shared/net* includes this. The loops and their policy
// (retry, would-block, deadlines, what --trace says) live once, in net.cpp.
#pragma once

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <system_error>

#include "net.h"

namespace net::platform {

struct AddrInfoFree {
    void operator()(addrinfo* list) const { freeaddrinfo(list); }
};
using AddrInfoList = std::unique_ptr<addrinfo, AddrInfoFree>;

// getaddrinfo for host:port: addresses to listen on when `passive`, else to connect
// to. Throws Error naming the host.
AddrInfoList resolve(const std::string& host, std::uint16_t port, bool passive);

// socket, setsockopt, bind and listen on one address, traced; an invalid Socket with
// `error` set when it cannot.
Socket bind_and_listen(const addrinfo& ai, std::error_code& error);

// socket and connect to one address, giving up after `limit`, traced; an invalid
// Socket with `error` set when it cannot. The socket returned does not block.
Socket connect_within(const addrinfo& ai, std::chrono::milliseconds limit, std::error_code& error);

// "127.0.0.1:8888" for an address (shared: net.cpp).
std::string address_text(const sockaddr* address, socklen_t length);

// One non-blocking call's outcome.
struct Io {
    enum Status { done, ended, would_block, interrupted, failed } status;
    std::size_t bytes = 0;  // done: how many
    std::error_code error{};  // failed: why
};

Io recv_once(const Socket& s, char* buffer, std::size_t size);
Io send_once(const Socket& s, const char* bytes, std::size_t size);  // never raises SIGPIPE

// One accept; the socket it returns does not block and is not inherited by child
// processes. `io` says done (socket valid), would_block, interrupted or failed; out
// of descriptors it may still take the newcomer (see net::accept_client).
Socket accept_once(const Socket& listener, std::string& peer, Io& io);

// One poll over `count` handles: `readable[i]` (or writable, for `want_write[i]`) is
// set for each that is ready. `timeout_ms` is -1 (no limit) or 0..INT_MAX. Returns
// false with `error` set when poll itself fails; EINTR counts as nothing ready.
struct PollEntry {
    native_socket handle;
    bool want_write;
    bool ready;
};
bool poll(PollEntry* entries, std::size_t count, int timeout_ms, std::error_code& error);

// The socket error the last failed call left (errno, WSAGetLastError).
std::error_code last_error();

}  // namespace net::platform
