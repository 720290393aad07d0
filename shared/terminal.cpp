// terminal: the parts that are the same on every platform.
#include "terminal.h"

#include <algorithm>
#include <cstdio>
#include <system_error>

namespace terminal {

namespace {

bool shown_escaped(char32_t cp) {
    if (cp < 0x20) return cp != '\t';
    if (cp >= 0x7F && cp <= 0x9F) return true;         // DEL and the C1 controls (CSI…)
    if (cp >= 0x202A && cp <= 0x202E) return true;     // bidi embeddings and overrides
    if (cp >= 0x2066 && cp <= 0x2069) return true;     // bidi isolates
    return cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}

}  // namespace

std::string escape_for_display(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    while (!utf8.empty()) {
        codec::Utf8Step step = codec::utf8_step(utf8);
        if (step.kind != codec::Utf8Step::valid) {
            out += "\xEF\xBF\xBD";
        } else if (shown_escaped(step.code_point)) {
            char text[12];
            std::snprintf(text, sizeof text, step.code_point < 0x80 ? "\\x%02x" : "\\u%04x",
                          static_cast<unsigned>(step.code_point));
            out += text;
        } else {
            out.append(utf8.substr(0, step.length));
        }
        utf8.remove_prefix(step.length);
    }
    return out;
}

namespace {
constexpr std::size_t write_batch = 64 * 1024;      // wake the writer at this much
constexpr std::size_t most_gathered = 1024 * 1024;  // writers wait beyond this
}  // namespace

Console::Console(std::string encoding)
    : to_console_("UTF-8", encoding), interactive_(stdin_is_terminal()), gathering_(!stdout_is_terminal()) {}

// The writer starts with the first line to gather, not with the console: a program
// that only prints its --help needs no thread. Where none can start (a process limit),
// lines are written at once instead: slower, but nothing is lost.
bool Console::start_writer() {
    try {
        writer_ = std::thread([this] { write_out_gathered(); });
        return true;
    } catch (const std::system_error&) {
        gathering_ = false;
        return false;
    }
}

void Console::write_through() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        gathering_ = false;
        closing_ = true;
    }
    has_gathered_.notify_one();
    if (writer_.joinable()) writer_.join();  // it writes out what was gathered, then ends
}

Console::~Console() {
    if (!writer_.joinable()) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        closing_ = true;
    }
    has_gathered_.notify_one();
    writer_.join();
}

// Writes stdout in batches: every 20 ms, or at once when a batch is full. Waking the
// writer for every line would cost more than it saves.
void Console::write_out_gathered() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        has_gathered_.wait_for(lock, std::chrono::milliseconds(20),
                               [this] { return closing_ || gathered_.size() >= write_batch; });
        if (gathered_.empty()) {
            if (closing_) return;
            continue;
        }
        std::string bytes;
        bytes.swap(gathered_);
        lock.unlock();
        has_room_.notify_all();
        write_stream(1, bytes);
        lock.lock();
    }
}

void Console::out(std::string_view utf8_line) { write(1, utf8_line, true); }
void Console::err(std::string_view utf8_line) { write(2, utf8_line, true); }

void Console::prompt(std::string_view utf8_text) {
    if (interactive_) write(1, utf8_text, false);
}

void Console::write(int stream, std::string_view utf8, bool newline) {
    std::unique_lock<std::mutex> lock(mutex_);
    std::string bytes = to_console_.convert_all(utf8);
    if (newline) bytes += '\n';
    if (stream != 1 || !gathering_) return write_stream(stream, bytes);
    if (!writer_.joinable() && !start_writer()) return write_stream(stream, bytes);
    has_room_.wait(lock, [this] { return gathered_.size() < most_gathered; });
    bool batch_full = gathered_.size() < write_batch && gathered_.size() + bytes.size() >= write_batch;
    gathered_ += bytes;
    lock.unlock();
    if (batch_full) has_gathered_.notify_one();
}

LineReader::LineReader(std::size_t max_line_bytes, std::string encoding)
    : max_line_(max_line_bytes), from_console_(encoding, "UTF-8") {}

LineReader::~LineReader() = default;

// A complete line from the buffer, if one is there (or the last, unended one at the end).
// Lines end as on the wire, at LF, CRLF or a lone CR: a CR left inside a line would
// split it into two messages on the wire, and two turns.
std::optional<LineReader::Result> LineReader::take_line() {
    if (skip_lf_ && !buffer_.empty()) {
        if (buffer_[0] == '\n') buffer_.erase(0, 1);
        skip_lf_ = false;
    }
    std::size_t end = buffer_.find_first_of("\r\n");
    if (end == std::string::npos) {
        if (buffer_.size() > max_line_) {  // memory stays bounded: drop the rest of it
            buffer_.clear();
            if (!skipping_) return skipping_ = true, Result{Result::too_long, {}};
        }
        if (!at_end_ || (buffer_.empty() && !skipping_)) return std::nullopt;
        end = buffer_.size();
    }
    std::string line = buffer_.substr(0, end);
    std::size_t after = end + 1;
    if (end < buffer_.size() && buffer_[end] == '\r') {
        if (after < buffer_.size() && buffer_[after] == '\n') ++after;
        else if (after >= buffer_.size()) skip_lf_ = true;  // its LF may come in the next read
    }
    buffer_.erase(0, std::min(after, buffer_.size()));
    if (skipping_) {
        skipping_ = false;
        return take_line();
    }
    if (line.size() > max_line_) return Result{Result::too_long, {}};
    return Result{Result::line, from_console_.convert_all(line)};
}

}  // namespace terminal
