// process: the POSIX body.
#include "process.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <clocale>
#include <csignal>

#include "codec.h"
#include "terminal.h"

namespace process {

namespace {

// Lock-free, as a handler reads them.
std::atomic<const net::Waker*> shutdown_waker{nullptr};
std::atomic<const std::string*> last_words{nullptr};
std::atomic<int> handlers_running{0};  // handlers that may hold shutdown_waker right now

// Only async-signal-safe calls here: the waker's write(), then for a second request
// write() of the line prepared beforehand and _exit(). A hang-up never insists: a
// closed terminal can send two (the kernel's to the foreground group, and the
// shell's to its jobs), and the second must not cut off the goodbyes the first began.
extern "C" void on_shutdown_signal(int signal) {
    handlers_running.fetch_add(1);
    const net::Waker* waker = shutdown_waker.load();
    if (!waker || !waker->woken() || signal == SIGHUP) {
        if (waker) waker->wake();
        handlers_running.fetch_sub(1);
        return;
    }
    if (const std::string* words = last_words.load()) {
        ssize_t ignored = ::write(2, words->data(), words->size());
        (void)ignored;  // nowhere left to report a failure
    }
    _exit(1);
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

ShutdownRequests::ShutdownRequests(const net::Waker& waker, std::string_view words)
    : last_words_(codec::Converter("UTF-8", terminal::console_encoding()).convert_all(words) + "\n") {
    last_words = &last_words_;
    shutdown_waker = &waker;
    handle_shutdown_signals(on_shutdown_signal);
}

ShutdownRequests::~ShutdownRequests() {
    handle_shutdown_signals(SIG_DFL);
    shutdown_waker = nullptr;
    // A handler already under way on another thread may still ring the waker, which
    // goes soon after this: it goes once the handler has (a few instructions), never
    // while it rings.
    while (handlers_running.load() != 0) {
    }
    last_words = nullptr;
}

bool prefer_throughput_to_wakeups() {
#if defined(SCHED_BATCH)
    sched_param no_priority{};  // SCHED_BATCH takes none: it keeps the nice value
    return sched_setscheduler(0, SCHED_BATCH, &no_priority) == 0;
#else
    return false;
#endif
}

bool set_default_thread_stack(std::size_t bytes) {
#if defined(__GLIBC__) && !defined(INTERCOM_PORTABLE_FALLBACKS)  // see net_posix.cpp
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
