// A program at a real terminal, for the tests of what a person sees there: it runs in
// tmux (a terminal emulator with a screen the test can read), typed at with send-keys
// and read with capture-pane. Each Terminal has a tmux server of its own, on a socket
// in $TMPDIR named for this test process, and ends it (and the program) when it goes. A shell
// runs the program and prints "(exit STATUS)" on the screen when it ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace harness {

class Terminal {
public:
    static bool available();  // whether tmux is installed

    // Starts argv[0] with the given arguments at a terminal of that size, with
    // LC_ALL=C.UTF-8 (plus `env`). Throws if tmux cannot start it.
    explicit Terminal(const std::vector<std::string>& argv, std::vector<std::string> env = {},
                      int columns = 120, int rows = 30);
    ~Terminal();
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    void type(const std::string& text);  // the text, as typed (UTF-8)
    void press(const std::string& key);  // a key by tmux's name: Enter, Up, Left, C-d

    // The screen's rows, top to bottom, without trailing blanks.
    std::vector<std::string> screen();
    // The last row that is not blank ("" if none).
    std::string last_row();

    // Waits until a row contains `text`: the screen then, or nothing at the deadline.
    std::optional<std::vector<std::string>> wait_for(const std::string& text,
                                                     std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Waits until the cursor is at that column and row (from 0, top left).
    bool wait_for_cursor(int column, int row, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Waits until the last row that is not blank is exactly `row`.
    bool wait_for_last_row(const std::string& row, std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // The program's exit status, once it has exited, or nothing at the deadline.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout = std::chrono::seconds(5));

private:
    std::string tmux(std::vector<std::string> args);  // runs a tmux command; its stdout
    std::string socket_;
    pid_t shell_ = -1;  // runs the program and says how it exited
};

// The screen as text, one row a line: for a failure's message.
std::string text_of(const std::vector<std::string>& rows);

}  // namespace harness
