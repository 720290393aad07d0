// net: the parts of the socket API that are the same on every platform, over the few
// calls each platform makes its own way (net_platform.h).
#include "net.h"

#include <cctype>
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

}  // namespace net
