// tmux as the tests' terminal: every command bounded in time, every server ended.
#include "tmux.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace harness {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto command_limit = 5s;  // a tmux command taking longer is stopped
constexpr auto poll_interval = 20ms;  // how often a wait looks at the screen again
constexpr const char* exit_mark = "(exit ";  // the shell's "(exit STATUS)" row

// Runs argv and returns what it wrote on stdout, once it has exited (or been stopped
// at the limit). Output is read as it comes, and the end is the process's exit: the
// tmux server it may start holds no end of the pipe, but not every tmux promises so.
std::string run(const std::vector<std::string>& argv) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 2);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(out[1]);
    std::string text;
    Clock::time_point deadline = Clock::now() + command_limit;
    int status = 0;
    for (bool exited = false; !exited;) {
        exited = waitpid(pid, &status, WNOHANG) == pid;
        pollfd fd = {out[0], POLLIN, 0};
        while (poll(&fd, 1, exited ? 0 : static_cast<int>(poll_interval.count())) > 0) {
            char chunk[4096];
            ssize_t n = read(out[0], chunk, sizeof chunk);
            if (n <= 0) break;
            text.append(chunk, static_cast<std::size_t>(n));
        }
        if (!exited && Clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            exited = true;
        }
    }
    close(out[0]);
    return text;
}

std::vector<std::string> rows_of(const std::string& text) {
    std::vector<std::string> rows;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string row = text.substr(start, end - start);
        row.erase(row.find_last_not_of(' ') + 1);
        rows.push_back(row);
        start = end + 1;
    }
    return rows;
}

// Still running: a zombie whose new parent has not reaped it yet has ended.
bool running(pid_t pid) {
    if (pid <= 0 || kill(pid, 0) != 0) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");  // Linux; elsewhere kill() alone
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) return true;
    return line.compare(line.rfind(')'), 3, ") Z") != 0;
}

}  // namespace

bool Terminal::available() {
    static const bool found = run({"sh", "-c", "command -v tmux"}).find("tmux") != std::string::npos;
    return found;
}

Terminal::Terminal(const std::vector<std::string>& argv, std::vector<std::string> env, int columns, int rows) {
    static int count = 0;
    const char* tmp = std::getenv("TMPDIR");
    socket_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/intercom-test-" + std::to_string(getpid()) + "-" +
              std::to_string(++count) + ".tmux";
    // No status line (the pane is the whole terminal), and the screen stays readable
    // after the program has exited.
    std::vector<std::string> command = {"start-server", ";", "set-option", "-g", "status", "off", ";",
                                        "set-option", "-g", "remain-on-exit", "on", ";",
                                        "new-session", "-d", "-s", "test", "-x", std::to_string(columns),
                                        "-y", std::to_string(rows), "sh", "-c",
                                        std::string("\"$@\"; echo \"") + exit_mark + "$?)\"", "sh",
                                        "env", "LC_ALL=C.UTF-8"};
    command.insert(command.end(), env.begin(), env.end());
    command.insert(command.end(), argv.begin(), argv.end());
    tmux(command);
    std::string pid = tmux({"display-message", "-p", "-t", "test", "#{pane_pid}"});
    if (pid.empty() || pid == "\n") throw std::runtime_error("tmux did not start " + argv[0]);
    shell_ = static_cast<pid_t>(std::stol(pid));
}

// Ending its tmux server hangs up the program's terminal; a program that outlives that
// by two seconds is killed, with the shell around it (the pane's process group).
Terminal::~Terminal() {
    tmux({"kill-server"});
    unlink(socket_.c_str());  // tmux leaves it behind
    Clock::time_point deadline = Clock::now() + 2s;
    while (running(shell_) && Clock::now() < deadline) std::this_thread::sleep_for(poll_interval);
    if (running(shell_)) kill(-shell_, SIGKILL);
}

std::string Terminal::tmux(std::vector<std::string> args) {
    // Its own server (-S), no user configuration (-f), UTF-8 whatever the test's locale,
    // and never nested in a tmux the tests themselves may run in.
    args.insert(args.begin(), {"env", "-u", "TMUX", "LC_ALL=C.UTF-8", "tmux", "-S", socket_, "-f", "/dev/null"});
    return run(args);
}

void Terminal::type(const std::string& text) { tmux({"send-keys", "-t", "test", "-l", text}); }

void Terminal::press(const std::string& key) { tmux({"send-keys", "-t", "test", key}); }

std::vector<std::string> Terminal::screen() { return rows_of(tmux({"capture-pane", "-p", "-t", "test"})); }

std::string Terminal::last_row() {
    std::vector<std::string> rows = screen();
    while (!rows.empty() && rows.back().empty()) rows.pop_back();
    return rows.empty() ? "" : rows.back();
}

std::optional<std::vector<std::string>> Terminal::wait_for(const std::string& text, std::chrono::milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
        std::vector<std::string> rows = screen();
        for (const std::string& row : rows)
            if (row.find(text) != std::string::npos) return rows;
        if (Clock::now() > deadline) return std::nullopt;
        std::this_thread::sleep_for(poll_interval);
    }
}

bool Terminal::wait_for_last_row(const std::string& row, std::chrono::milliseconds timeout) {
    Clock::time_point deadline = Clock::now() + timeout;
    while (last_row() != row)
        if (Clock::now() > deadline) return false;
        else std::this_thread::sleep_for(poll_interval);
    return true;
}

bool Terminal::wait_for_cursor(int column, int row, std::chrono::milliseconds timeout) {
    std::string at = std::to_string(column) + "," + std::to_string(row) + "\n";
    Clock::time_point deadline = Clock::now() + timeout;
    while (tmux({"display-message", "-p", "-t", "test", "#{cursor_x},#{cursor_y}"}) != at)
        if (Clock::now() > deadline) return false;
        else std::this_thread::sleep_for(poll_interval);
    return true;
}

// The status as the shell around the program prints it, "(exit 0)": tmux's own
// #{pane_dead_status} was seen to stay empty, its pane's process left unreaped.
std::optional<int> Terminal::wait_for_exit(std::chrono::milliseconds timeout) {
    std::optional<std::vector<std::string>> rows = wait_for(exit_mark, timeout);
    if (!rows) return std::nullopt;
    for (const std::string& row : *rows)
        if (row.rfind(exit_mark, 0) == 0) return std::atoi(row.c_str() + std::strlen(exit_mark));
    return std::nullopt;
}

std::string text_of(const std::vector<std::string>& rows) {
    std::string text;
    for (const std::string& row : rows) text += row + "\n";
    return text;
}

}  // namespace harness
