// line_editor: the POSIX body, with libedit's readline-compatible callback interface.
//
// The callback interface keeps the program's one wait: a key is read only when poll()
// says one is there (rl_callback_read_char), and a whole line comes back through a
// callback. Where libedit 3.1 differs from GNU readline, and what this file does:
// - A finished line turns editing off (the terminal goes back to cooked mode), so the
//   handler is installed again for the next line.
// - rl_redisplay() pushes the terminal's reprint key (^R) into the input, where libedit
//   binds it to a history search, and rl_replace_line("") does nothing; so the typed
//   line is taken off the screen here (the rows it takes, laid out as libedit lays them
//   out) and drawn again with rl_forced_update_display(), which draws the prompt and
//   the line afresh where the cursor is.
// - rl_catch_signals = 0: libedit's own handlers would send SIGINT or SIGTERM on to
//   the whole process group. The programs handle those themselves
//   (process::ShutdownRequests), and the editor puts the terminal back as they end.
// The escape sequences written here (cursor up, erase below) are the ANSI ones that
// every terminal libedit can drive understands; TERM=dumb gets no editor.
#include "line_editor.h"

#include <editline/readline.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cwchar>
#include <wchar.h>
#include <optional>
#include <string_view>

#include "terminal.h"

namespace terminal {

namespace {

constexpr int history_kept = 500;
// Keys taken at a time before the program's wait comes round again, so that a long
// paste does not hold up the lines waiting to be shown.
constexpr int keys_at_a_time = 4096;

int columns() {
    winsize size{};
    return ioctl(1, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 ? size.ws_col : 80;
}

// A place on the screen, in rows below and columns right of where the prompt begins.
struct Place {
    int row = 0, column = 0;
};

// Moves `at` past `text` (in the locale's encoding) as libedit lays it out: a character
// that does not fit at the end of a row begins the next, and a full row moves the
// cursor on at once. Chinese characters take two columns (wcwidth); a control
// character shows as ^X.
void advance(Place& at, std::string_view text, int columns) {
    std::mbstate_t state{};
    while (!text.empty()) {
        wchar_t c = L'?';
        std::size_t length = std::mbrtowc(&c, text.data(), text.size(), &state);
        if (length == 0 || length > text.size()) {  // NUL, invalid or cut short: one byte
            length = 1;
            state = std::mbstate_t{};
        }
        int width = ::wcwidth(c);  // POSIX, not C++: <wchar.h>
        if (width < 0) width = 2;
        if (at.column + width > columns) ++at.row, at.column = 0;
        at.column += width;
        if (at.column >= columns) ++at.row, at.column = 0;
        text.remove_prefix(length);
    }
}

// A program stopped with Ctrl-Z and continued (fg) finds the terminal as the shell
// left it, in cooked mode, while libedit believes it raw. The handler notes it and
// rings the editor's bell, so that its thread sets raw mode again (Libedit::resume).
std::atomic<bool> continued{false};
std::atomic<const net::Waker*> continued_bell{nullptr};  // lock-free: a handler reads it
std::atomic<int> handlers_ringing{0};  // handlers that may hold continued_bell right now

extern "C" void on_continue(int) {
    handlers_ringing.fetch_add(1);
    continued = true;
    if (const net::Waker* bell = continued_bell.load()) bell->wake();  // a write(): async-signal-safe
    handlers_ringing.fetch_sub(1);
}

class Libedit final : public LineEditor {
public:
    explicit Libedit(const net::Waker& bell) {
        current = this;
        continued_bell = &bell;
        struct sigaction action {};
        action.sa_handler = on_continue;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(SIGCONT, &action, &old_on_continue_);
        rl_catch_signals = 0;
        install();
        stifle_history(history_kept);
        // Ctrl-R: back to the last line that matches what is typed. libedit's
        // incremental search (readline's Ctrl-R) hands the key that ends it back to its
        // own input, where poll() cannot see it: Enter would wait for another key.
        rl_parse_and_bind("bind ^R ed-search-prev-history");
    }

    ~Libedit() override {
        if (installed_) {
            std::string typed = typed_line(rl_end);
            hide();
            if (!typed.empty()) write_stream(1, prompt_ + typed + "\n", nullptr);
            rl_callback_handler_remove();  // the terminal back in cooked mode
        }
        sigaction(SIGCONT, &old_on_continue_, nullptr);
        continued_bell = nullptr;
        // A handler already under way on another thread may still ring the bell: the
        // bell goes once it has (a few instructions), never while it rings.
        while (handlers_ringing.load() != 0) {
        }
        current = nullptr;
    }

    bool typing() const override { return !typed_line(rl_end).empty(); }

    Typed read() override {
        if (continued.exchange(false)) resume();
        for (int key = 0; key < keys_at_a_time && installed_; ++key) {
            pollfd in = {0, POLLIN, 0};
            if (poll(&in, 1, 0) <= 0) break;
            if (in.revents & (POLLERR | POLLHUP | POLLNVAL)) return ended();  // the terminal went away
            rl_callback_read_char();
            fresh_ = false;
            if (finished_) return finished();
        }
        return {Typed::nothing};
    }

    void hide() override {
        if (!installed_ || hidden_) return;
        Place cursor;
        int width = columns();
        advance(cursor, prompt_, width);
        advance(cursor, typed_line(rl_point), width);
        std::string erase = "\r";
        if (cursor.row > 0) erase += "\x1b[" + std::to_string(cursor.row) + "A";
        write_stream(1, erase + "\x1b[J", nullptr);
        hidden_ = true;
    }

    void show() override {
        if (!installed_ || !hidden_) return;
        rl_resize_terminal();  // the window may have changed size since the line was drawn
        rl_forced_update_display();
        hidden_ = false;
    }

    void set_prompt(const std::string& prompt) override {
        if (prompt == prompt_) return;
        bool shown = installed_ && !hidden_;
        hide();
        prompt_ = prompt;
        rl_set_prompt(prompt_.c_str());
        if (shown) show();
    }

    const std::string& prompt() const override { return prompt_; }

private:
    // libedit calls back a plain function, and has one line at a time: this editor's.
    static Libedit* current;
    static void on_line(char* line) {
        current->installed_ = false;  // libedit has turned editing off (see the top)
        current->finished_ = true;
        current->line_ = line ? std::optional<std::string>(line) : std::nullopt;
        std::free(line);
    }

    // After Ctrl-Z and fg: cooked mode first, as libedit sets raw mode only from there,
    // then the prompt and the line drawn again on the row the shell left.
    void resume() {
        if (!installed_) return;
        rl_deprep_terminal();
        rl_prep_terminal(1);
        hidden_ = true;
        show();
    }

    void install() {
        rl_callback_handler_install(prompt_.c_str(), on_line);
        installed_ = true;
        hidden_ = false;
        fresh_ = true;
    }

    // The typed line up to `end`, a byte offset. libedit updates rl_line_buffer only
    // when it reads a key, so just after install() it still holds the last line.
    std::string typed_line(int end) const {
        if (fresh_ || !rl_line_buffer || end <= 0) return "";
        return std::string(rl_line_buffer, static_cast<std::size_t>(std::min(end, rl_end)));
    }

    Typed finished() {
        finished_ = false;
        if (!line_) return ended();
        Typed typed{Typed::line, std::move(*line_)};
        if (!typed.text.empty()) add_history(typed.text.c_str());
        prompt_.clear();  // the line took its prompt with it
        install();
        return typed;
    }

    // Ctrl-D on an empty line: the prompt's line is ended, and editing with it.
    Typed ended() {
        if (installed_) rl_callback_handler_remove();
        installed_ = false;
        write_stream(1, "\n", nullptr);
        return {Typed::end};
    }

    std::string prompt_;
    bool installed_ = false;  // libedit is editing a line (the terminal in raw mode)
    bool hidden_ = false;     // hide() took it off the screen
    bool fresh_ = true;       // no key read since install(): the line is empty
    bool finished_ = false;   // on_line() was called
    std::optional<std::string> line_;  // what it was given (none: end of input)
    struct sigaction old_on_continue_ {};
};

Libedit* Libedit::current = nullptr;

}  // namespace

std::unique_ptr<LineEditor> start_line_editor(const net::Waker& bell) {
    // A terminal that cannot move its cursor, or one whose echo is off (a password
    // prompt's state, `stty -echo`), is read plainly: libedit would not edit there.
    const char* term = std::getenv("TERM");
    termios mode{};
    if (!term || !*term || std::string_view(term) == "dumb") return nullptr;
    if (tcgetattr(0, &mode) != 0 || !(mode.c_lflag & ECHO)) return nullptr;
    return std::make_unique<Libedit>(bell);
}

}  // namespace terminal
