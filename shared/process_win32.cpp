// process: the Win32 body.
#include "process.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
// shellapi.h (CommandLineToArgvW) needs windows.h before it.
#include <shellapi.h>

#include <atomic>

#include "codec.h"
#include "terminal.h"

namespace process {

namespace {

std::atomic<const net::Waker*> shutdown_waker{nullptr};
std::atomic<const std::string*> last_words{nullptr};
std::atomic<ULONGLONG> first_ctrl_c{0};  // GetTickCount64() of the first Ctrl-C, or 0
std::atomic<int> handlers_running{0};     // handlers that may hold shutdown_waker right now

// Asked again while shutting down: say so and end now. TerminateProcess, not
// ExitProcess: the threads cut off may hold locks that the libraries' exit code waits for.
void cut_off() {
    if (const std::string* words = last_words.load()) terminal::write_stream(2, *words, nullptr);
    TerminateProcess(GetCurrentProcess(), 1);
}

// Windows runs this on a thread of its own for Ctrl-C, Ctrl-Break, the console window
// being closed, logoff and system shutdown.
BOOL WINAPI on_console_event(DWORD event) {
    handlers_running.fetch_add(1);
    const net::Waker* waker = shutdown_waker.load();
    if (!waker) {
        handlers_running.fetch_sub(1);
        return FALSE;
    }
    if (event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT) {
        // Asked again: only a second Ctrl-C cuts off, and only one that comes a moment
        // after the first (Wine can deliver one press twice). Closing the console never
        // does: that goodbye must be let through.
        ULONGLONG now = GetTickCount64(), first = 0;
        first_ctrl_c.compare_exchange_strong(first, now);  // the first press sets it; `first` is 0 then
        if (first != 0 && now - first >= 500) cut_off();
    }
    waker->wake();
    handlers_running.fetch_sub(1);
    if (event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT) return TRUE;  // we wind down
    // Close, logoff, shutdown: the process is ended as soon as this returns, so hold
    // on while main says goodbye to every client (Windows allows about 5 s; main
    // returning ends the process, and this thread with it, sooner).
    Sleep(4500);
    return TRUE;
}

}  // namespace

// A socket is a handle of its own kind, never a C runtime descriptor, so a closed
// standard stream cannot be taken by one.
void ensure_standard_streams() {}

// The console's encoding is its code page (terminal_win32.cpp), not the C locale's.
void settle_locale() {}

void ignore_broken_pipe() {}  // Windows has no SIGPIPE: send() to a gone peer fails

ShutdownRequests::ShutdownRequests(const net::Waker& waker, std::string_view words)
    : last_words_(codec::Converter("UTF-8", terminal::console_encoding()).convert_all(words) + "\n") {
    last_words = &last_words_;
    shutdown_waker = &waker;
    SetConsoleCtrlHandler(on_console_event, TRUE);
}

ShutdownRequests::~ShutdownRequests() {
    SetConsoleCtrlHandler(on_console_event, FALSE);
    shutdown_waker = nullptr;
    // A handler already under way may still ring the waker, which goes soon after
    // this: it goes once the handler has, never while it rings.
    while (handlers_running.load() != 0) {
    }
    last_words = nullptr;
}

bool prefer_throughput_to_wakeups() {
    // Windows has no such policy for a process's own threads.
    return false;
}

bool set_default_thread_stack(std::size_t bytes) {
    // A thread's stack size comes from the executable's header (MinGW: 2 MiB reserved)
    // and std::thread cannot pass another. Windows commits stack pages only as they are
    // used, so the reserve costs address space alone, which a 64-bit process has plenty
    // of: 10,000 threads reserve 20 GiB of its 128 TiB.
    (void)bytes;
    return false;
}

namespace {

std::string utf8_from_wide(const wchar_t* wide) {
    int size = WideCharToMultiByte(CP_UTF8, 0, wide, -1, nullptr, 0, nullptr, nullptr);
    std::string out(size > 0 ? size - 1 : 0, '\0');
    if (size > 1) WideCharToMultiByte(CP_UTF8, 0, wide, -1, out.data(), size, nullptr, nullptr);
    return out;
}

std::wstring wide_from_utf8(const std::string& text) {
    int size = MultiByteToWideChar(CP_UTF8, 0, text.c_str(), -1, nullptr, 0);
    std::wstring out(size > 0 ? size - 1 : 0, L'\0');
    if (size > 1) MultiByteToWideChar(CP_UTF8, 0, text.c_str(), -1, out.data(), size);
    return out;
}

}  // namespace

Arguments::Arguments(int argc, char** argv) {
    int count = 0;
    wchar_t** wide = CommandLineToArgvW(GetCommandLineW(), &count);
    if (wide && count == argc) {
        for (int i = 0; i < count; ++i) strings_.push_back(utf8_from_wide(wide[i]));
    } else {  // not expected; the ANSI argv is still better than nothing
        for (int i = 0; i < argc; ++i) strings_.push_back(argv[i]);
    }
    if (wide) LocalFree(wide);
    for (std::string& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
}

bool system_language_is_chinese() { return PRIMARYLANGID(GetUserDefaultUILanguage()) == LANG_CHINESE; }

std::FILE* open_for_append(const std::string& utf8_path) {
    return _wfopen(wide_from_utf8(utf8_path).c_str(), L"ab");
}

std::size_t raise_open_file_limit() {
    // Sockets are kernel handles, with no limit like RLIMIT_NOFILE to raise; what bounds
    // them is the per-process handle table, 2^24 entries.
    return std::size_t{1} << 24;
}

}  // namespace process
