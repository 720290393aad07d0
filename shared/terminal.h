// terminal: lines in from a person (a console or a pipe), lines out to their screen.
//
// Text inside the programs is UTF-8; the console's own encoding comes from the locale
// (or, on Windows, wide-character console I/O). What a peer sent is never written to a
// terminal raw: control characters could retitle the window, clear the screen or
// reorder the text, so they are shown escaped instead.
#pragma once

#include <cstddef>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "codec.h"
#include "net.h"

namespace terminal {

// Peer text made safe to print: C0 controls but TAB, DEL and C1 controls as "\x1b" or
// "\u009b"; bidirectional overrides (U+202E…) and line separators as "\u202e".
// Takes valid UTF-8 (codec's output), returns valid UTF-8.
std::string escape_for_display(std::string_view utf8);

// The console's encoding, from the locale main settled (process::settle_locale):
// "UTF-8", "GBK", … (always one codec allows).
std::string console_encoding();

// Whether standard input / output is a person at a terminal (not a pipe or a file).
bool stdin_is_terminal();
bool stdout_is_terminal();

// Writes bytes already in the console's encoding to stdout (1) or stderr (2).
void write_stream(int stream, std::string_view bytes);

// Whole lines to stdout and stderr, converted to the console's encoding, one writer
// at a time so lines from different threads never mix. When stdout is a pipe or a
// file rather than a person, its lines are gathered and written by a thread of the
// console's own, many to a write(), so that thousands of conversations never queue
// for the output (they wait only if it falls 1 MiB behind). That thread starts with
// the first line gathered; where it cannot start, lines are written at once.
class Console {
public:
    explicit Console(std::string encoding = console_encoding());
    ~Console();  // writes out what is gathered, then stops the writer
    void out(std::string_view utf8_line);
    void err(std::string_view utf8_line);
    // Text with no line end (a prompt), shown only to a person at a terminal.
    void prompt(std::string_view utf8_text);
    bool interactive() const { return interactive_; }
    // From now on every line is written at once, in step with stderr: for --trace,
    // where the order of stdout and stderr lines is the lesson.
    void write_through();

private:
    void write(int stream, std::string_view utf8, bool newline);
    bool start_writer();        // false if no thread can start
    void write_out_gathered();  // the writer thread

    std::mutex mutex_;
    codec::Converter to_console_;
    bool interactive_;
    std::string gathered_;  // stdout bytes not yet written (when stdout is no terminal)
    bool gathering_ = false;
    std::condition_variable has_gathered_, has_room_;
    bool closing_ = false;
    std::thread writer_;
};

// Lines typed by a person (or piped in), decoded to UTF-8.
class LineReader {
public:
    struct Result {
        enum Kind {
            line,       // text holds the line, without its line end
            too_long,   // a line over the limit, skipped up to its end
            end,        // end of input (Ctrl-D, end of the pipe)
            socket,     // the watched socket has something to read first
            woken       // the waker fired (shutdown)
        } kind;
        std::string text{};
        bool typed_ahead = false;  // the line was there before we asked: it was typed early
    };

    explicit LineReader(std::size_t max_line_bytes, std::string encoding = console_encoding());
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // Waits for the next line, or for `watch` to become readable, or for `waker`.
    Result read_line(const net::Socket* watch = nullptr, const net::Waker* waker = nullptr);

private:
    std::optional<Result> take_line();
    std::string buffer_;
    std::size_t max_line_;
    bool skipping_ = false;  // inside a too-long line, dropping bytes until its end
    bool skip_lf_ = false;   // a CR ended the last line; an LF right after belongs to it
    bool at_end_ = false;
    codec::Converter from_console_;
};

}  // namespace terminal
