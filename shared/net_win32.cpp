// net: the Win32 body (Winsock 2).
#include "net.h"

#include "messages.h"
#include "net_platform.h"

#include <windows.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <vector>

namespace net {

using platform::address_text;

const native_socket Socket::invalid = INVALID_SOCKET;

namespace {


// Winsock's own codes (WSAECONNREFUSED…), described by the system in the programs'
// language where it can, compared with std::errc like errno values.
class WinsockCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "winsock"; }
    std::string message(int code) const override;
    std::error_condition default_error_condition(int code) const noexcept override;
};
const WinsockCategory winsock_category;

std::string narrow(const wchar_t* text, int length) {
    int size = WideCharToMultiByte(CP_UTF8, 0, text, length, nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<std::size_t>(std::max(size, 0)), '\0');
    if (size > 0) WideCharToMultiByte(CP_UTF8, 0, text, length, &out[0], size, nullptr, nullptr);
    return out;
}

std::string WinsockCategory::message(int code) const {
    if (code == WSAHOST_NOT_FOUND) return msg::text(msg::unknown_host);  // as EAI_NONAME
    const DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                        FORMAT_MESSAGE_ALLOCATE_BUFFER;
    const DWORD code_word = static_cast<DWORD>(code);
    wchar_t* text = nullptr;
    auto format = [&](DWORD language) {
        return FormatMessageW(flags, nullptr, code_word, language,
                              reinterpret_cast<wchar_t*>(&text), 0, nullptr);
    };
    // English messages want English text, which Windows may not have installed; then,
    // and for Chinese messages, the user's own language.
    DWORD length = msg::chinese() ? 0 : format(MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US));
    if (length == 0) length = format(0);
    if (length == 0) return "error " + std::to_string(code);
    std::string out = narrow(text, static_cast<int>(length));
    LocalFree(text);
    return out;  // error_text() trims the trailing ".\r\n" and lowers the first letter
}

std::error_condition WinsockCategory::default_error_condition(int code) const noexcept {
    switch (code) {
    case WSAECONNREFUSED: return std::errc::connection_refused;
    case WSAECONNRESET: return std::errc::connection_reset;
    case WSAECONNABORTED: return std::errc::connection_aborted;
    case WSAETIMEDOUT: return std::errc::timed_out;
    case WSAEADDRINUSE: return std::errc::address_in_use;
    case WSAEADDRNOTAVAIL: return std::errc::address_not_available;
    case WSAEAFNOSUPPORT: return std::errc::address_family_not_supported;
    case WSAEPFNOSUPPORT: return std::errc::address_family_not_supported;
    case WSAEACCES: return std::errc::permission_denied;
    case WSAEHOSTUNREACH: return std::errc::host_unreachable;
    case WSAENETUNREACH: return std::errc::network_unreachable;
    case WSAENETDOWN: return std::errc::network_down;
    case WSAEMSGSIZE: return std::errc::message_size;
    case WSAEMFILE: return std::errc::too_many_files_open;
    case WSAENOBUFS: return std::errc::no_buffer_space;
    case WSAEINTR: return std::errc::interrupted;
    case WSAEWOULDBLOCK: return std::errc::operation_would_block;
    case WSAENOTCONN: return std::errc::not_connected;
    case WSAENOTSOCK: return std::errc::not_a_socket;
    default: return {code, *this};
    }
}

std::error_code last_error() { return {WSAGetLastError(), winsock_category}; }

const char* family_name(int family) { return family == AF_INET6 ? "AF_INET6" : "AF_INET"; }

// A call's result (0 or -1) as --trace shows it; WSAGetLastError survives the tracing.
int traced(int rc, const std::string& call) {
    if (!tracing()) return rc;
    int saved = WSAGetLastError();
    trace(call + " = " + (rc == 0 ? "0" : "-1 (" + error_text(last_error()) + ")"));
    WSASetLastError(saved);
    return rc;
}

// connect() with a deadline: an address that never answers costs `limit`, not the
// twenty seconds of Windows' own retries. select() rather than WSAPoll, which before
// Windows 10 2004 never reports a refused connection. Returns 0, or SOCKET_ERROR with
// WSAGetLastError set.
int connect_nonblocking(const Socket& s, const addrinfo& ai, std::chrono::milliseconds limit) {
    u_long non_blocking = 1;
    ioctlsocket(s.handle(), FIONBIO, &non_blocking);
    int rc = ::connect(s.handle(), ai.ai_addr, static_cast<int>(ai.ai_addrlen));
    if (rc != 0 && WSAGetLastError() == WSAEWOULDBLOCK) {
        fd_set writable, failed;
        FD_ZERO(&writable);
        FD_ZERO(&failed);
        FD_SET(s.handle(), &writable);
        FD_SET(s.handle(), &failed);
        long ms = static_cast<long>(limit.count());
        timeval wait = {ms / 1000, (ms % 1000) * 1000};
        int ready = select(0, nullptr, &writable, &failed, &wait);
        int error = ready == 0 ? WSAETIMEDOUT : ready < 0 ? WSAGetLastError() : 0;
        int length = sizeof error;
        if (ready > 0 && FD_ISSET(s.handle(), &failed))
            getsockopt(s.handle(), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length);
        rc = error == 0 ? 0 : SOCKET_ERROR;
        WSASetLastError(error);
    }
    return rc;  // and the socket stays non-blocking: net waits with WSAPoll, never in a call
}

// Not inherited by child processes, as SOCK_CLOEXEC does on POSIX. WSA_FLAG_OVERLAPPED
// is what socket() gives too.
Socket open_socket(const addrinfo& ai) {
    Socket s(WSASocketW(ai.ai_family, ai.ai_socktype, ai.ai_protocol, nullptr, 0,
                        WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
    std::string call = std::string("socket(") + family_name(ai.ai_family) + ", SOCK_STREAM)";
    if (!s.valid()) traced(-1, call);
    else if (tracing()) trace(call + " = " + fd_text(s));
    return s;
}

void set_blocking(native_socket s, bool blocking) {
    u_long non_blocking = blocking ? 0 : 1;
    ioctlsocket(s, FIONBIO, &non_blocking);
}

}  // namespace

namespace platform {

AddrInfoList resolve(const std::string& host, std::uint16_t port, bool passive) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    // No AI_ADDRCONFIG: Windows does not count loopback as configured, so on a machine
    // with no network it would refuse to find even 127.0.0.1.
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    addrinfo* list = nullptr;
    std::string service = std::to_string(port);
    // Winsock's getaddrinfo returns WSA codes (EAI_NONAME is WSAHOST_NOT_FOUND).
    int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    if (rc != 0) throw Error(msg::text(msg::look_up, {host}), {rc, winsock_category});
    return AddrInfoList(list);
}

Socket connect_within(const addrinfo& ai, std::chrono::milliseconds limit, std::error_code& error) {
    Socket s = open_socket(ai);
    if (!s.valid()) return error = last_error(), Socket();
    int rc = connect_nonblocking(s, ai, limit);
    std::string address = address_text(ai.ai_addr, static_cast<socklen_t>(ai.ai_addrlen));
    if (traced(rc, "connect(" + fd_text(s) + ", " + address + ")") != 0) return error = last_error(), Socket();
    return s;
}

Socket bind_and_listen(const addrinfo& ai, std::error_code& error) {
    Socket s = open_socket(ai);
    if (!s.valid()) return error = last_error(), Socket();
    BOOL on = TRUE;
    DWORD off = 0;
    std::string fd = fd_text(s);
    // Not SO_REUSEADDR: on Windows it lets another program bind the very port we are
    // listening on and take our clients, and a port left in TIME_WAIT can be bound
    // again without it anyway. SO_EXCLUSIVEADDRUSE makes the port ours alone.
    traced(setsockopt(s.handle(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE,
                      reinterpret_cast<const char*>(&on), sizeof on),
           "setsockopt(" + fd + ", SO_EXCLUSIVEADDRUSE, 1)");
    if (ai.ai_family == AF_INET6)  // one socket for IPv6 and IPv4 clients alike
        traced(setsockopt(s.handle(), IPPROTO_IPV6, IPV6_V6ONLY,
                          reinterpret_cast<const char*>(&off), sizeof off),
               "setsockopt(" + fd + ", IPV6_V6ONLY, 0)");
    int length = static_cast<int>(ai.ai_addrlen);
    std::string address = address_text(ai.ai_addr, length);
    if (traced(::bind(s.handle(), ai.ai_addr, length), "bind(" + fd + ", " + address + ")") != 0 ||
        traced(::listen(s.handle(), SOMAXCONN), "listen(" + fd + ", SOMAXCONN)") != 0)
        return error = last_error(), Socket();
    // Non-blocking, so that a client which gives up between WSAPoll and accept cannot
    // leave accept blocked.
    set_blocking(s.handle(), false);
    return s;
}

}  // namespace platform

NetInit::NetInit() {
    WSADATA data;
    int rc = WSAStartup(MAKEWORD(2, 2), &data);
    if (rc != 0) throw Error(msg::text(msg::start_sockets, {""}), {rc, winsock_category});
    if (LOBYTE(data.wVersion) != 2 || HIBYTE(data.wVersion) != 2) {
        WSACleanup();
        throw Error(msg::text(msg::start_sockets, {"2.2"}), {WSAVERNOTSUPPORTED, winsock_category});
    }
}

NetInit::~NetInit() { WSACleanup(); }

void Socket::close() {
    if (handle_ == invalid) return;
    if (tracing()) trace("closesocket(" + fd_text(*this) + ")");
    ::closesocket(release());
}

namespace {

SOCKET loopback_socket() {
    return WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
}

// reader <- writer over 127.0.0.1, made through a listener on a port the system picks.
// Another program could connect to that listener first, so the accepted end is
// checked to be the writer's peer, as Python's socket.socketpair() does on Windows.
SOCKET accept_own_connection(SOCKET listener, SOCKET writer) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    auto* a = reinterpret_cast<sockaddr*>(&address);
    if (::bind(listener, a, length) != 0 || ::listen(listener, 1) != 0 ||
        getsockname(listener, a, &length) != 0 || ::connect(writer, a, length) != 0)
        return INVALID_SOCKET;
    SOCKET reader = ::accept(listener, nullptr, nullptr);
    sockaddr_in ours{}, theirs{};
    int ours_length = sizeof ours, theirs_length = sizeof theirs;
    getsockname(writer, reinterpret_cast<sockaddr*>(&ours), &ours_length);
    if (reader != INVALID_SOCKET &&
        getpeername(reader, reinterpret_cast<sockaddr*>(&theirs), &theirs_length) == 0 &&
        ours.sin_port == theirs.sin_port && ours.sin_addr.s_addr == theirs.sin_addr.s_addr)
        return reader;
    if (reader != INVALID_SOCKET) ::closesocket(reader);
    WSASetLastError(WSAECONNREFUSED);
    return INVALID_SOCKET;
}

}  // namespace

// Windows has no pipe that WSAPoll can watch, so the waker is a connected pair of
// loopback sockets: wake() sends one byte, and the read end becomes readable. Made
// with plain Winsock calls, so --trace shows the conversations' sockets, not these.
Waker::Waker() {
    SOCKET listener = loopback_socket(), writer = loopback_socket(), reader = INVALID_SOCKET;
    if (listener != INVALID_SOCKET && writer != INVALID_SOCKET)
        reader = accept_own_connection(listener, writer);
    std::error_code error = last_error();
    if (listener != INVALID_SOCKET) ::closesocket(listener);
    if (reader == INVALID_SOCKET) {
        if (writer != INVALID_SOCKET) ::closesocket(writer);
        throw Error(msg::text(msg::create_waker), error);
    }
    set_blocking(writer, false);  // wake() must never block
    set_blocking(reader, false);  // nor reset()
    read_end_ = reader;
    write_end_ = writer;
}

Waker::~Waker() {
    ::closesocket(read_end_);
    ::closesocket(write_end_);
}

void Waker::wake() const noexcept {
    // Rung already and not yet reset: its byte is there, or on its way.
    if (woken_.exchange(true)) return;
    // send() is safe from any thread, the console control handler's included; a full
    // buffer means it is already woken.
    ::send(write_end_, "!", 1, 0);
}

bool Waker::reset() const noexcept {
    // Drained first, then cleared: a wake() in between, seeing it still rung, sends
    // nothing, and what it rang for is there to see once reset() returns.
    char drained[64];
    while (::recv(read_end_, drained, sizeof drained, 0) == static_cast<int>(sizeof drained)) {
    }
    return woken_.exchange(false);
}

void Waker::wait() const {
    WSAPOLLFD fd = {read_end_, POLLIN, 0};
    WSAPoll(&fd, 1, -1);
}

namespace platform {

std::error_code last_error() { return net::last_error(); }

namespace {

Io io_failed() {
    int code = WSAGetLastError();
    if (code == WSAEINTR) return {Io::interrupted};
    if (code == WSAEWOULDBLOCK) return {Io::would_block};
    return {Io::failed, 0, {code, winsock_category}};
}

}  // namespace

// Windows has no per-process limit on sockets like POSIX's RLIMIT_NOFILE, so there is
// no reserve descriptor here: WSAEMFILE and WSAENOBUFS come back as failures.
Socket accept_once(const Socket& listener, std::string& peer, Io& io) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    SOCKET s = ::accept(listener.handle(), reinterpret_cast<sockaddr*>(&address), &length);
    if (s == INVALID_SOCKET) {
        // The client gave up between WSAPoll and accept: not our failure.
        io = WSAGetLastError() == WSAECONNRESET ? Io{Io::would_block} : io_failed();
        return Socket();
    }
    io = {Io::done};
    set_blocking(s, false);  // as the listener's: net waits with WSAPoll, never in a call
    peer = address_text(reinterpret_cast<sockaddr*>(&address), length);
    return Socket(s);
}

Io recv_once(const Socket& s, char* buffer, std::size_t size) {
    int n = ::recv(s.handle(), buffer, static_cast<int>(std::min<std::size_t>(size, INT_MAX)), 0);
    if (n > 0) return {Io::done, static_cast<std::size_t>(n)};
    if (n == 0) return {Io::ended};
    return io_failed();
}

Io send_once(const Socket& s, const char* bytes, std::size_t size) {
    int n = ::send(s.handle(), bytes, static_cast<int>(std::min<std::size_t>(size, INT_MAX)), 0);
    if (n >= 0) return {Io::done, static_cast<std::size_t>(n)};
    return io_failed();
}

bool poll(PollEntry* entries, std::size_t count, int timeout_ms, std::error_code& error) {
    WSAPOLLFD fds[8];
    count = std::min<std::size_t>(count, 8);
    for (std::size_t i = 0; i < count; ++i)
        fds[i] = {entries[i].handle, static_cast<SHORT>(entries[i].want_write ? POLLOUT : POLLIN), 0};
    int rc = WSAPoll(fds, static_cast<ULONG>(count), timeout_ms);
    if (rc == SOCKET_ERROR && WSAGetLastError() != WSAEINTR) return error = net::last_error(), false;
    // A reset or a closed peer shows as POLLHUP/POLLERR alone on Windows: ready too, so
    // that the call that follows reports it.
    for (std::size_t i = 0; i < count; ++i) entries[i].ready = rc > 0 && fds[i].revents != 0;
    return true;
}

}  // namespace platform

void shutdown_send(const Socket& s) {
    traced(::shutdown(s.handle(), SD_SEND), "shutdown(" + fd_text(s) + ", SD_SEND)");
}

}  // namespace net
