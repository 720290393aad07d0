// terminal: lines in from a person (a console or a pipe), lines out to their screen.
//
// Text inside the programs is UTF-8; the console's own encoding comes from the locale
// (or, on Windows, wide-character console I/O). What a peer sent is never written to a
// terminal raw: control characters could retitle the window, clear the screen or
// reorder the text, so they are shown escaped instead.
#pragma once

#include <atomic>
#include <cstddef>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "codec.h"
#include "net.h"

namespace terminal {

// Peer text made safe to print: what a terminal would act on (C0 controls but TAB,
// DEL, C1 controls, bidi controls, line separators) and what it would draw as nothing
// (zero-width and format characters, fillers, tags) shown escaped, by code point:
// "\x1b" below U+0080, "\u200b" up to U+FFFF, "\U000e0041" beyond. Invalid UTF-8
// becomes U+FFFD. Returns valid UTF-8. The list is in terminal.cpp.
std::string escape_for_display(std::string_view utf8);

// The same, and a backslash as "\\", so that a record reads back exactly (the --log
// transcript): undoing "\\", "\xHH", "\uHHHH" and "\UHHHHHHHH", left to right, gives
// the text again, whenever the text was valid UTF-8. A real BEL is "\x07", the typed
// text \x07 is "\\x07".
std::string escape_for_record(std::string_view utf8);

// The console's encoding, from the locale main settled (process::settle_locale):
// "UTF-8", "GBK", … (always one codec allows).
std::string console_encoding();

// Whether standard input / output is a person at a terminal (not a pipe or a file).
bool stdin_is_terminal();
bool stdout_is_terminal();

// Writes bytes already in the console's encoding to stdout (1) or stderr (2), waiting
// for the stream to take them no longer than until `stop` rings; returns how many it
// wrote (all of them unless stopped). A stream whose reader has gone takes everything:
// nobody is left to tell. (Windows: a plain blocking write; `stop` is not looked at.)
std::size_t write_stream(int stream, std::string_view bytes, const net::Waker* stop);

class LineEditor;  // the typed line at a terminal (line_editor.h)

// Whole lines to stdout and stderr, converted to the console's encoding, in the order
// they were given, from any thread. They are written by a thread of the console's
// own, so that no conversation ever waits on the output: if stdout is a pipe nobody
// reads, or a terminal on hold, lines queue up to a bound (1 MiB), and past it they
// are counted, not kept; once output flows again one line says how many were not
// shown. The writer starts with the first line, not before: --help needs no thread.
//
// While a LineReader edits the typed line at a terminal (a line editor), the lines
// wait in the same queue, within the same bound, for the thread that reads the input:
// it shows them above the line being typed and draws that line again below it.
class Console {
public:
    explicit Console(std::string encoding = console_encoding());
    ~Console();  // writes out what is waiting (for up to a second), then stops the writer
    void out(std::string_view utf8_line);
    void err(std::string_view utf8_line);
    // Text with no line end (a prompt), shown only to a person at a terminal. With a
    // line editor it stays in front of the line being typed, drawn again with it, until
    // the next prompt: text up to a line end finishes the prompt's line (which stays
    // above), and the rest is the new prompt. Only the thread that reads the input
    // calls it.
    void prompt(std::string_view utf8_text);
    // A line redrawn in place, shown only to a person at a terminal (a progress bar):
    // each call replaces the last, and "" takes it away. With a line editor it stands
    // where the prompt does. Only the thread that reads the input calls it.
    void progress(std::string_view utf8_text);
    bool interactive() const { return interactive_; }
    // Whether a line editor shows the typed line: then lines written meanwhile appear
    // above it, and nothing needs to end the prompt's line first.
    bool edits_lines() const;

private:
    friend class LineReader;  // lends the screen to its editor, and takes it back

    struct Chunk {
        int stream;         // 1 or 2
        std::string bytes;  // consecutive lines for that stream, or a prompt
        bool lines;         // whole lines, not a prompt
    };
    void write(int stream, std::string_view utf8, bool newline);
    void start_writer();              // the lock held
    std::deque<Chunk> take_queued();  // the lock held; ends with the lines-lost notice
    void write_out_queued();          // the writer thread
    void write_chunk(const Chunk& chunk);

    // While `editor` is there, queued lines wait for show_waiting(), and `bell` rings
    // when there are some.
    void lend_screen(LineEditor* editor, const net::Waker* bell);
    void take_screen_back();
    void show_waiting();  // the thread that reads the input
    // A line end was typed at a terminal read plainly: its echo ended the prompt's row.
    void row_ended() { after_prompt_ = false; }

    mutable std::mutex mutex_;
    codec::Converter to_console_;
    bool interactive_;
    std::deque<Chunk> queued_;
    std::size_t queued_bytes_ = 0;
    std::size_t lost_lines_ = 0;  // not queued: the queue was full
    bool closing_ = false;
    bool started_ = false;
    bool writing_ = false;   // the writer is writing what it took
    bool finished_ = false;  // the writer has written all it will
    std::atomic<bool> after_prompt_{false};  // a prompt is the last thing on the screen
    std::size_t progress_width_ = 0;  // bytes of the progress line on screen, to blank out
    std::condition_variable has_queued_, has_written_, has_finished_;
    std::unique_ptr<net::Waker> stop_;  // ends a wait for a stream that takes nothing, at the end
    std::thread writer_;
    LineEditor* editor_ = nullptr;  // shows the lines instead of the writer
    const net::Waker* screen_bell_ = nullptr;
};

// Lines typed by a person (or piped in), decoded to UTF-8. Standard input is one of
// the things a program waits on (with its sockets and wakers, in one net::wait): when
// handle() is ready, read_available() takes what is there, and next_line() gives out
// the lines, one at a time.
//
// At a terminal (standard input and output both) the line is typed in a line editor
// (line_editor.h: libedit on POSIX; a Windows console edits its own): history, cursor
// keys, Chinese characters. The console's lines are then shown by this reader's
// thread, above the line being typed: its wait watches screen() too.
class LineReader {
public:
    struct Result {
        enum Kind {
            line,       // text holds the line, without its line end
            too_long,   // a line over the limit, skipped up to its end
            end,        // end of input (Ctrl-D, end of the pipe)
            woken       // the waker fired (shutdown)
        } kind;
        std::string text{};
    };

    LineReader(std::size_t max_line_bytes, Console& console, std::string encoding = console_encoding());
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // What a wait watches for input: standard input itself (POSIX), or the bell of the
    // thread that reads it (Windows, where sockets and a console cannot share a wait).
    net::native_socket handle() const;

    // Rung when console lines wait to be shown above the line being typed (see
    // net::WaitFor::screen); null when there is no line editor.
    const net::Waker* screen() const { return screen_bell_.get(); }

    // Whether the person has begun a line in the line editor and not yet ended it.
    // False without an editor: a terminal of its own hands over whole lines only.
    bool typing() const;

    // Takes what standard input holds now, without waiting, and shows the console
    // lines that wait: call it when handle() or screen() is ready. Once the input has
    // ended, takes nothing more.
    void read_available();

    // The next line, if a whole one is here (or the last, unended one at the end).
    std::optional<Result> next_line();

    // Whether the input has ended and every line in it has been given out.
    bool at_end() const { return at_end_ && buffer_.empty() && !skipping_; }
    // Whether the input has ended, lines still to be given out or not.
    bool input_ended() const { return at_end_; }

    // Whether to watch handle(): the input goes on, and not so much is held that more
    // would cost memory (a pipe of answers is then held back by the pipe, not by us).
    bool wants_more() const { return !at_end_ && buffer_.size() <= max_line_; }

    // Waits for the next line, or for `waker`: a console that does nothing else.
    Result read_line(const net::Waker* waker = nullptr);

private:
    void read_plain();  // the platform's read of standard input
    void stop_editing();

    Console& console_;
    std::unique_ptr<LineEditor> editor_;
    std::unique_ptr<net::Waker> screen_bell_;
    std::string buffer_;
    std::size_t max_line_;
    bool skipping_ = false;  // inside a too-long line, dropping bytes until its end
    bool skip_lf_ = false;   // a CR ended the last line; an LF right after belongs to it
    bool at_end_ = false;
    codec::Converter from_console_;
};

}  // namespace terminal
