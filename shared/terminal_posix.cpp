// terminal: the POSIX body.
#include "terminal.h"

#include <langinfo.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace terminal {

std::string console_encoding() {
    // Only read here: main settles the locale (process::settle_locale) before any
    // thread starts, as setlocale() must not run beside them.
    std::optional<std::string> allowed = codec::allowed_encoding(nl_langinfo(CODESET));
    // The C locale says ASCII ("ANSI_X3.4-1968"), which would turn all Chinese into
    // '?'; like Python 3.7+ (PEP 538), take that to mean UTF-8.
    return allowed ? *allowed : "UTF-8";
}

bool stdin_is_terminal() { return isatty(0) == 1; }
bool stdout_is_terminal() { return isatty(1) == 1; }

void write_stream(int stream, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(stream, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the reader went away (EPIPE): nobody is left to tell
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

LineReader::Result LineReader::read_line(const net::Socket* watch, const net::Waker* waker) {
    bool waited = false;
    for (;;) {
        if (std::optional<Result> line = take_line()) {
            line->typed_ahead = !waited;
            return *std::move(line);
        }
        if (at_end_) return {Result::end, {}};
        pollfd fds[3] = {{0, POLLIN, 0},
                         {waker ? waker->handle() : -1, POLLIN, 0},
                         {watch ? watch->handle() : -1, POLLIN, 0}};
        int ready = poll(fds, 3, 0);  // first look without waiting: was it typed ahead?
        if (ready == 0) {
            waited = true;
            ready = poll(fds, 3, -1);
        }
        if (ready < 0) {
            if (errno == EINTR) continue;
            at_end_ = true;
            continue;
        }
        if (fds[1].revents & POLLIN) return {Result::woken, {}};
        if (fds[2].revents) return {Result::socket, {}};
        if (!fds[0].revents) continue;
        char chunk[4096];
        ssize_t n = ::read(0, chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) at_end_ = true;
        else buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

}  // namespace terminal
