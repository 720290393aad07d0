// terminal: the Win32 body.
//
// A console is read and written in UTF-16 (ReadConsoleW/WriteConsoleW), so Chinese
// typed on a code page 936 console arrives whole and is shown whole, whatever the code
// page. A redirected stream carries bytes in the console's code page, as `type` and
// `findstr` expect.
//
// Standard input cannot be waited on together with sockets (WSAPoll takes sockets
// only), and reading a console or a pipe blocks. So a thread of its own reads it into
// a queue (StdinPump) and rings a bell (a net::Waker, which WSAPoll can watch): the
// bell is what a wait watches for input.
#include "terminal.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <winsock2.h>
#include <windows.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <thread>

#include "line_editor.h"

namespace terminal {

namespace {

bool is_console(DWORD which) {
    DWORD mode;
    return GetConsoleMode(GetStdHandle(which), &mode) != 0;
}

struct ConsoleText {
    std::string encoding;  // as codec::allowed_encoding() names it
    UINT code_page;
};

ConsoleText choose_console_text() {
    // A person at a console both ways: UTF-16 both ways, so UTF-8 inside loses nothing.
    if (is_console(STD_INPUT_HANDLE) && is_console(STD_OUTPUT_HANDLE)) return {"UTF-8", CP_UTF8};
    // Redirected: the code page of the redirected side; with no console at all (a
    // service, a program started without one), the system's ANSI code page.
    UINT cp = is_console(STD_INPUT_HANDLE) ? GetConsoleOutputCP() : GetConsoleCP();
    if (cp == 0) cp = GetACP();
    switch (cp) {
    case 936: return {"GBK", 936};
    case 54936: return {"GB18030", 54936};
    case 950: return {"BIG5", 950};
    default: return {"UTF-8", CP_UTF8};  // 65001, and code pages not on the allowlist
    }
}

const ConsoleText& console_text() {
    static const ConsoleText text = choose_console_text();
    return text;
}

std::wstring widen(UINT cp, std::string_view bytes) {
    if (bytes.empty()) return {};
    int size = static_cast<int>(bytes.size());
    int length = MultiByteToWideChar(cp, 0, bytes.data(), size, nullptr, 0);
    std::wstring wide(static_cast<std::size_t>(std::max(length, 0)), L'\0');
    if (length > 0) MultiByteToWideChar(cp, 0, bytes.data(), size, &wide[0], length);
    return wide;
}

std::string narrow(UINT cp, std::wstring_view wide) {
    if (wide.empty()) return {};
    int size = static_cast<int>(wide.size());
    int length = WideCharToMultiByte(cp, 0, wide.data(), size, nullptr, 0, nullptr, nullptr);
    std::string bytes(static_cast<std::size_t>(std::max(length, 0)), '\0');
    if (length > 0)
        WideCharToMultiByte(cp, 0, wide.data(), size, &bytes[0], length, nullptr, nullptr);
    return bytes;
}

// Standard input, read by a thread of its own into a bounded queue.
//
// The thread lives as long as the process, as standard input does: a blocked read of
// a console or a pipe cannot be interrupted everywhere (CancelSynchronousIo and
// CancelIoEx work on a real console but not on a pipe under Wine), so it is never
// asked to stop, and the process ending ends it. That is why it is the one detached
// thread, and why the pump is never destroyed. Detaching costs nothing the rule
// against it protects: nothing ever waits on the pump itself, only on its bell among
// the other things a wait watches, so shutdown is never held up by it; what it has read ahead (at most 64 KiB) when the
// process ends is input nobody asked for. It must touch nothing that static
// destruction ends: it keeps its own copy of the code page for that reason.
class StdinPump {
public:
    static StdinPump& instance() {
        static StdinPump* pump = new StdinPump;  // never destroyed: the thread uses it
        return *pump;
    }

    // Rung when bytes (or the end) arrive; what a wait watches for input.
    const net::Waker& bell() const { return bell_; }

    // Appends what has arrived to `buffer`; false once the input has ended.
    bool take(std::string& buffer) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!ended_) bell_.reset();  // rung again by the next bytes (at the end, stays rung)
        buffer += bytes_;
        bytes_.clear();
        room_.notify_one();
        return !ended_;
    }

private:
    static constexpr std::size_t max_queued = 64 * 1024;  // memory stays bounded

    StdinPump() : code_page_(console_text().code_page) { std::thread([this] { run(); }).detach(); }

    void run() {
        HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
        bool console = is_console(STD_INPUT_HANDLE);
        for (;;) {
            std::string chunk;
            bool more = console ? read_console(in, chunk) : read_file(in, chunk);
            std::unique_lock<std::mutex> lock(mutex_);
            bytes_ += chunk;
            ended_ = !more;
            bell_.wake();
            if (ended_) return;
            room_.wait(lock, [this] { return bytes_.size() < max_queued; });
        }
    }

    // What was typed up to Enter (ReadConsoleW edits the line and waits for it), in the
    // console's encoding; false at the end of input (Ctrl-Z, Enter, as for `copy con`).
    bool read_console(HANDLE in, std::string& chunk) {
        wchar_t text[1024];
        DWORD n = 0;
        if (!ReadConsoleW(in, text, 1024, &n, nullptr))
            return GetLastError() == ERROR_OPERATION_ABORTED;  // Ctrl-C cut the read short
        if (n > 0 && text[0] == 0x1A) return false;
        std::wstring wide = carry_ + std::wstring(text, n);
        carry_.clear();
        if (!wide.empty() && IS_HIGH_SURROGATE(wide.back())) {  // its pair comes next read
            carry_ = wide.back();
            wide.pop_back();
        }
        chunk = narrow(code_page_, wide);
        return true;
    }

    // False at the end: end of file, or a pipe whose writer closed (ERROR_BROKEN_PIPE).
    static bool read_file(HANDLE in, std::string& chunk) {
        char buffer[4096];
        DWORD n = 0;
        if (!ReadFile(in, buffer, sizeof buffer, &n, nullptr) || n == 0) return false;
        chunk.assign(buffer, n);
        return true;
    }

    const UINT code_page_;  // of the bytes handed on (console_encoding())
    std::mutex mutex_;
    std::condition_variable room_;
    net::Waker bell_;
    std::string bytes_;
    bool ended_ = false;
    std::wstring carry_;  // half a surrogate pair (the reading thread's alone)
};

}  // namespace

std::string console_encoding() { return console_text().encoding; }

bool stdin_is_terminal() { return is_console(STD_INPUT_HANDLE); }
bool stdout_is_terminal() { return is_console(STD_OUTPUT_HANDLE); }

// A console or a pipe on Windows cannot be waited on for room as poll() does on POSIX:
// the writer thread writes and waits, and `stop` is not looked at.
std::size_t write_stream(int stream, std::string_view bytes, const net::Waker* /*stop*/) {
    std::size_t all = bytes.size();
    HANDLE out = GetStdHandle(stream == 2 ? STD_ERROR_HANDLE : STD_OUTPUT_HANDLE);
    DWORD mode, written = 0;
    if (GetConsoleMode(out, &mode)) {
        std::wstring wide = widen(console_text().code_page, bytes);
        for (std::wstring_view rest = wide; !rest.empty(); rest.remove_prefix(written)) {
            DWORD size = static_cast<DWORD>(std::min<std::size_t>(rest.size(), 8192));
            if (!WriteConsoleW(out, rest.data(), size, &written, nullptr) || written == 0) return all;
        }
        return all;
    }
    for (; !bytes.empty(); bytes.remove_prefix(written)) {
        DWORD size = static_cast<DWORD>(std::min<std::size_t>(bytes.size(), 1 << 20));
        // The reader went away (a closed pipe): nobody is left to tell.
        if (!WriteFile(out, bytes.data(), size, &written, nullptr) || written == 0) return all;
    }
    return all;
}

// The console edits its own lines (ReadConsoleW: arrow keys, F7 history, its UTF-16
// input), and no library can take part in that edit from outside: no line editor here.
std::unique_ptr<LineEditor> start_line_editor(const net::Waker& /*bell*/) { return nullptr; }

// A line written while ReadConsoleW edits one would land at the cursor, inside the
// typed text; it begins on the next row instead. The console cannot be made to draw
// the typed part again below it: that stays above, and Enter still sends all of it.
void begin_row(int stream, bool /*after_prompt*/) {
    HANDLE out = GetStdHandle(stream == 2 ? STD_ERROR_HANDLE : STD_OUTPUT_HANDLE);
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (!GetConsoleScreenBufferInfo(out, &info) || info.dwCursorPosition.X == 0) return;
    DWORD written = 0;
    WriteConsoleW(out, L"\r\n", 2, &written, nullptr);
}

net::native_socket LineReader::handle() const { return StdinPump::instance().bell().handle(); }

void LineReader::read_plain() { at_end_ = !StdinPump::instance().take(buffer_); }

}  // namespace terminal
