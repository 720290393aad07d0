// process: the POSIX body.
#include "process.h"

#include <csignal>

namespace process {

namespace {

const net::Waker* shutdown_waker = nullptr;

extern "C" void on_shutdown_signal(int) {
    if (shutdown_waker) shutdown_waker->wake();  // a write(): async-signal-safe
}

}  // namespace

void ignore_broken_pipe() { std::signal(SIGPIPE, SIG_IGN); }

void wake_on_shutdown_request(const net::Waker& waker) {
    shutdown_waker = &waker;
    struct sigaction action {};
    action.sa_handler = on_shutdown_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

}  // namespace process
