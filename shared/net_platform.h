// net_platform: the calls whose form differs between POSIX sockets and Winsock, as the
// shared part of net (net.cpp) needs them. One body in net_posix.cpp, one in
// net_win32.cpp; nothing outside shared/net* includes this.
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
// Socket with `error` set when it cannot.
Socket connect_within(const addrinfo& ai, std::chrono::milliseconds limit, std::error_code& error);

// "127.0.0.1:8888" for an address (shared: net.cpp).
std::string address_text(const sockaddr* address, socklen_t length);

}  // namespace net::platform
