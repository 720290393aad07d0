// terminal: the POSIX body.
#include "terminal.h"

#include <langinfo.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include <cerrno>

#include "line_editor.h"

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

std::size_t write_stream(int stream, std::string_view bytes, const net::Waker* stop) {
    // A file takes what it is given at once. A pipe or a terminal may take nothing for
    // as long as its reader pleases, so wait until it has room, and write no more than
    // room is promised for (PIPE_BUF), so the write itself never blocks for long.
    struct stat info {};
    bool file = fstat(stream, &info) == 0 && S_ISREG(info.st_mode);
    std::size_t written = 0;
    while (written < bytes.size()) {
        if (!file) {
            pollfd fds[2] = {{stream, POLLOUT, 0}, {stop ? stop->handle() : -1, POLLIN, 0}};
            int ready = poll(fds, 2, -1);
            if (ready < 0 && errno == EINTR) continue;
            if (ready < 0 || (fds[1].revents & POLLIN)) return written;
        }
        std::size_t size = file ? bytes.size() - written : std::min<std::size_t>(bytes.size() - written, PIPE_BUF);
        ssize_t n = ::write(stream, bytes.data() + written, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return bytes.size();  // the reader went away (EPIPE): nobody is left to tell
        written += static_cast<std::size_t>(n);
    }
    return written;
}

// A terminal read plainly (TERM=dumb, echo off) cannot say where its cursor is.
void begin_row(int stream, bool after_prompt) {
    if (after_prompt) write_stream(stream, "\n", nullptr);
}

net::native_socket LineReader::handle() const { return 0; }

void LineReader::read_plain() {
    char chunk[4096];
    ssize_t n = ::read(0, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) at_end_ = true;
    else buffer_.append(chunk, static_cast<std::size_t>(n));
}

}  // namespace terminal
