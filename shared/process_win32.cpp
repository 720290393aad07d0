// process: the Win32 body.
#include "process.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <atomic>

namespace process {

namespace {

std::atomic<const net::Waker*> shutdown_waker{nullptr};

// Windows runs this on a thread of its own for Ctrl-C, Ctrl-Break, the console window
// being closed, logoff and system shutdown.
BOOL WINAPI on_console_event(DWORD event) {
    const net::Waker* waker = shutdown_waker.load();
    if (!waker) return FALSE;
    waker->wake();
    if (event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT) return TRUE;  // we wind down
    // Close, logoff, shutdown: the process is ended as soon as this returns, so hold
    // on while main says goodbye to every client (Windows allows about 5 s; main
    // returning ends the process, and this thread with it, sooner).
    Sleep(4500);
    return TRUE;
}

}  // namespace

void ignore_broken_pipe() {}  // Windows has no SIGPIPE: send() to a gone peer fails

void wake_on_shutdown_request(const net::Waker& waker) {
    shutdown_waker = &waker;
    SetConsoleCtrlHandler(on_console_event, TRUE);
}

bool set_default_thread_stack(std::size_t bytes) {
    // A thread's stack size comes from the executable's header (MinGW: 2 MiB reserved)
    // and std::thread cannot pass another. Windows commits stack pages only as they are
    // used, so the reserve costs address space alone, which a 64-bit process has plenty
    // of: 10,000 threads reserve 20 GiB of its 128 TiB.
    (void)bytes;
    return false;
}

std::size_t raise_open_file_limit() {
    // Sockets are kernel handles, with no limit like RLIMIT_NOFILE to raise; what bounds
    // them is the per-process handle table, 2^24 entries.
    return std::size_t{1} << 24;
}

}  // namespace process
