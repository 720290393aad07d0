// process: decisions made once, at the top of main, about the process as a whole.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "messages.h"
#include "net.h"

namespace process {

// Descriptors 0, 1 and 2 open, to /dev/null where one was closed (`2>&-`): else the
// next socket takes its number, and what is written to stderr goes to a client. Call
// first in main, before anything opens a descriptor. A no-op on Windows, where a
// socket is never a standard stream.
void ensure_standard_streams();

// The user's locale (LC_ALL, LANG) in force, once, before any thread starts:
// setlocale() must not run beside threads that use the locale. The console's encoding
// is read from it. A no-op on Windows, where the console says its own code page.
void settle_locale();

// A write to a peer that has gone must come back as an error (EPIPE) we can report,
// not kill the process with SIGPIPE. A no-op where there is no SIGPIPE (Windows).
void ignore_broken_pipe();

// While one lives, SIGINT, SIGTERM and SIGHUP (Ctrl-C, the terminal closed; on
// Windows, Ctrl-C and the console closed) wake `waker`, so every thread winds down in
// order instead of the process dying mid-conversation. Once it is gone they have their
// usual effect again, and the waker may go too.
// One that comes while the waker is already woken (a second Ctrl-C while shutting
// down) means the user will not wait: the process writes `last_words` (one line, UTF-8)
// on stderr and ends at once with status 1, cutting off whatever is still open. The
// line is converted now, as a signal handler may not.
class ShutdownRequests {
public:
    ShutdownRequests(const net::Waker& waker, std::string_view last_words);
    ~ShutdownRequests();
    ShutdownRequests(const ShutdownRequests&) = delete;
    ShutdownRequests& operator=(const ShutdownRequests&) = delete;

private:
    std::string last_words_;  // in the console's encoding, with its line end
};

// Threads created from now on get a stack of `bytes` (the platform's default is 8 MiB
// on Linux: address space for 10,000 conversations that each need a few KiB).
// Returns false where the platform cannot change it.
bool set_default_thread_stack(std::size_t bytes);

// A server's threads share the processors by throughput rather than by wake-up: a
// thread woken (a message came, a bell rang) while every processor is busy waits for
// the running thread's time slice instead of taking its place at once. With thousands
// of threads that each wake for a few microseconds of work, that saves a context
// switch per wake-up, and lets a talker finish handing a message round the channel
// before its listeners run. An idle processor still runs a woken thread at once, so a
// quiet server answers as fast as before. Linux's SCHED_BATCH, for this thread and
// every thread it starts later. Returns false where the platform has no such policy.
bool prefer_throughput_to_wakeups();

// Raises the limit on open files (sockets) to the most the system allows us, so one
// server can hold thousands of conversations. Returns the limit now in force.
std::size_t raise_open_file_limit();

// The command line in UTF-8, as getopt_long wants it (argc/argv), whatever the system
// gave: on Windows argv arrives in the ANSI code page, so it is read again as UTF-16;
// elsewhere it is converted from the locale's encoding (a GBK locale gives GBK).
class Arguments {
public:
    Arguments(int argc, char** argv);
    int count() const { return static_cast<int>(pointers_.size()) - 1; }
    char** values() { return pointers_.data(); }

private:
    std::vector<std::string> strings_;
    std::vector<char*> pointers_;  // into strings_, then a null, as main's argv
};

// True when the system itself says the user's language is Chinese, beyond the
// environment (LC_ALL, LANG): Windows' display language. False where there is none.
bool system_language_is_chinese();

// Opens a file for appending by its UTF-8 name (Windows wants UTF-16 for a name in
// Chinese). Returns null with errno set, as fopen does.
std::FILE* open_for_append(const std::string& utf8_path);

// A std::thread running `body`. std::thread's own error says only "Resource
// temporarily unavailable": this names what failed, as every error line does
// (net::Error, "start a thread: resource temporarily unavailable").
template <typename Body>
std::thread start_thread(Body body) {
    try {
        return std::thread(std::move(body));
    } catch (const std::system_error& e) {
        throw net::Error(msg::text(msg::start_thread), e.code());
    }
}

}  // namespace process
