// process: decisions made once, at the top of main, about the process as a whole.
#pragma once

#include <cstddef>

#include "net.h"

namespace process {

// A write to a peer that has gone must come back as an error (EPIPE) we can report,
// not kill the process with SIGPIPE. A no-op where there is no SIGPIPE (Windows).
void ignore_broken_pipe();

// SIGINT and SIGTERM (Ctrl-C, console close on Windows) wake `waker`, so every
// thread winds down in order instead of the process dying mid-conversation.
// `waker` must outlive the process's use of it.
void wake_on_shutdown_request(const net::Waker& waker);

// Threads created from now on get a stack of `bytes` (the platform's default is 8 MiB
// on Linux: address space for 10,000 conversations that each need a few KiB).
// Returns false where the platform cannot change it.
bool set_default_thread_stack(std::size_t bytes);

// Raises the limit on open files (sockets) to the most the system allows us, so one
// server can hold thousands of conversations. Returns the limit now in force.
std::size_t raise_open_file_limit();

}  // namespace process
