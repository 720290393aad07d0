// net: the parts of the socket API that are the same on every platform.
#include "net.h"

#include <cctype>

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
