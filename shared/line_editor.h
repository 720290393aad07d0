// line_editor: the line a person types at a terminal, edited by a line-editing library
// (history, cursor keys, double-width characters), with lines shown above it while it
// is being typed. Private to shared/terminal*: the programs see only terminal::Console
// and terminal::LineReader.
//
// One body per platform: line_editor_posix.cpp edits with libedit (BSD licence),
// through its readline-compatible callback interface; on Windows the console edits its
// own lines (terminal_win32.cpp), and there is no editor.
//
// libedit is not thread-safe and draws on the terminal itself, so one thread owns the
// editor: the thread that reads the input. It alone calls these, and it alone writes
// to the terminal while the editor is there (terminal::Console hands it the lines that
// others write).
#pragma once

#include <memory>
#include <string>

#include "net.h"

namespace terminal {

class LineEditor {
public:
    virtual ~LineEditor() = default;  // a half-typed line stays on screen, the terminal as it was

    // What the keyboard has sent, taken without waiting: up to the end of one line.
    // Text is in the console's encoding.
    struct Typed {
        enum Kind { nothing, line, end } kind;
        std::string text{};
    };
    virtual Typed read() = 0;

    // hide() takes the prompt and the typed line off the screen, leaving the cursor at
    // the start of the row where they began; lines written then go above them, and
    // show() draws them again below.
    virtual void hide() = 0;
    virtual void show() = 0;

    // The text in front of the typed line, in the console's encoding. A line that ends
    // takes its prompt with it: the next one has none until it is given one.
    virtual void set_prompt(const std::string& prompt) = 0;
    virtual const std::string& prompt() const = 0;

    // Whether a line has been begun: something typed since the last one ended.
    virtual bool typing() const = 0;
};

// The editor for a person at a terminal (standard input and output both), or null
// where there is none: a Windows console, which edits its own lines, or a terminal that
// cannot take one (TERM=dumb, echo turned off). It is drawn at once, with no prompt.
// `bell` is what the owning thread waits on: the editor rings it when it needs read()
// called without a key (the program was stopped with Ctrl-Z and has been continued).
std::unique_ptr<LineEditor> start_line_editor(const net::Waker& bell);

// Before lines are written to a terminal that has no line editor: if the cursor is not
// at the start of a row (a prompt, or what the person has typed so far, is on it),
// moves it to the next, so that the lines never land inside the typed one. A Windows
// console says where its cursor is; elsewhere `after_prompt` tells: a prompt was the
// last thing written, and no line end has been typed since.
void begin_row(int stream, bool after_prompt);

}  // namespace terminal
