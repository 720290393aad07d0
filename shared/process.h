// process: decisions made once, at the top of main, about the process as a whole.
#pragma once

#include "net.h"

namespace process {

// A write to a peer that has gone must come back as an error (EPIPE) we can report,
// not kill the process with SIGPIPE. A no-op where there is no SIGPIPE (Windows).
void ignore_broken_pipe();

// SIGINT and SIGTERM (Ctrl-C, console close on Windows) wake `waker`, so every
// thread winds down in order instead of the process dying mid-conversation.
// `waker` must outlive the process's use of it.
void wake_on_shutdown_request(const net::Waker& waker);

}  // namespace process
