// process: the POSIX body.
#include "process.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>

#include <atomic>
#include <cerrno>
#include <clocale>
#include <csignal>

#include "codec.h"
#include "terminal.h"

namespace process {

namespace {

std::atomic<const net::Waker*> shutdown_waker{nullptr};  // lock-free: a handler reads it

extern "C" void on_shutdown_signal(int) {
    if (const net::Waker* waker = shutdown_waker.load()) waker->wake();  // a write(): async-signal-safe
}

void handle_shutdown_signals(void (*handler)(int)) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    // SIGHUP: the terminal was closed, which deserves the same goodbye as Ctrl-C.
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
}

}  // namespace

void ensure_standard_streams() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        // open() takes the lowest free number, which is fd: the ones below are open.
        // If even that fails there is no stream to report it on.
        ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    }
}

void settle_locale() { std::setlocale(LC_ALL, ""); }

void ignore_broken_pipe() { std::signal(SIGPIPE, SIG_IGN); }

ShutdownRequests::ShutdownRequests(const net::Waker& waker) {
    shutdown_waker = &waker;
    handle_shutdown_signals(on_shutdown_signal);
}

ShutdownRequests::~ShutdownRequests() {
    handle_shutdown_signals(SIG_DFL);
    shutdown_waker = nullptr;
}

bool set_default_thread_stack(std::size_t bytes) {
#if defined(__GLIBC__)
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    bool ok = pthread_attr_setstacksize(&attr, bytes) == 0 && pthread_setattr_default_np(&attr) == 0;
    pthread_attr_destroy(&attr);
    return ok;
#else
    (void)bytes;  // elsewhere std::thread keeps the platform's default
    return false;
#endif
}

Arguments::Arguments(int argc, char** argv) {
    codec::Converter from_locale(terminal::console_encoding(), "UTF-8");
    for (int i = 0; i < argc; ++i) strings_.push_back(from_locale.convert_all(argv[i]));
    for (std::string& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
}

bool system_language_is_chinese() { return false; }  // POSIX has the environment alone

std::FILE* open_for_append(const std::string& utf8_path) { return std::fopen(utf8_path.c_str(), "ab"); }

std::size_t raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace process
