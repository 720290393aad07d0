// terminal: the parts that are the same on every platform.
#include "terminal.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "messages.h"

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
constexpr std::size_t most_queued = 1024 * 1024;  // lines past this are counted, not kept
constexpr std::chrono::seconds last_writes{1};     // at the end, for a stream that takes nothing
}  // namespace

Console::Console(std::string encoding) : to_console_("UTF-8", encoding), interactive_(stdin_is_terminal()) {}

Console::~Console() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        closing_ = true;
    }
    has_queued_.notify_one();
    if (!writer_.joinable()) return;
    // What is left goes out now, unless the stream takes nothing for a second: then
    // the writer is stopped, rather than hold the program's end.
    {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!has_finished_.wait_for(lock, last_writes, [this] { return finished_; })) stop_->wake();
    }
    writer_.join();
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
    if (!started_) {
        started_ = true;
        try {
            stop_ = std::make_unique<net::Waker>();
            writer_ = std::thread([this] { write_out_queued(); });
        } catch (const std::exception&) {
            // No thread (or no descriptor for its stop) to be had: every line is
            // written at once, by its caller.
        }
    }
    if (!writer_.joinable()) return (void)write_stream(stream, bytes, nullptr);
    if (queued_bytes_ + bytes.size() > most_queued) {
        lost_lines_ += newline ? 1 : 0;
        return;
    }
    bool was_empty = queued_.empty();
    queued_bytes_ += bytes.size();
    if (!queued_.empty() && queued_.back().stream == stream) queued_.back().bytes += bytes;
    else queued_.push_back({stream, std::move(bytes)});
    lock.unlock();
    // The writer takes all that is queued each time it wakes: while it writes, lines
    // gather without waking it, so a busy server writes many lines to a write().
    if (was_empty) has_queued_.notify_one();
}

void Console::write_out_queued() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        has_queued_.wait(lock, [this] { return closing_ || !queued_.empty(); });
        if (queued_.empty()) break;  // closing, and all written
        std::deque<Chunk> chunks;
        chunks.swap(queued_);
        queued_bytes_ = 0;
        std::string notice;  // lines lost after these, when there was no more room
        if (std::size_t lost = std::exchange(lost_lines_, 0))
            notice = to_console_.convert_all(msg::text(msg::lines_not_shown, {std::to_string(lost)})) + "\n";
        lock.unlock();
        for (const Chunk& chunk : chunks) write_stream(chunk.stream, chunk.bytes, stop_.get());
        if (!notice.empty()) write_stream(1, notice, stop_.get());
        lock.lock();
        if (stop_->woken()) break;
    }
    finished_ = true;
    has_finished_.notify_all();
}

LineReader::LineReader(std::size_t max_line_bytes, std::string encoding)
    : max_line_(max_line_bytes), from_console_(encoding, "UTF-8") {}

LineReader::~LineReader() = default;

// A complete line from the buffer, if one is there (or the last, unended one at the end).
// Lines end as on the wire, at LF, CRLF or a lone CR: a CR left inside a line would
// split it into two messages on the wire, and two turns.
std::optional<LineReader::Result> LineReader::next_line() {
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
        return next_line();
    }
    if (line.size() > max_line_) return Result{Result::too_long, {}};
    return Result{Result::line, from_console_.convert_all(line)};
}

}  // namespace terminal

namespace terminal {

LineReader::Result LineReader::read_line(const net::Waker* waker) {
    for (;;) {
        if (std::optional<Result> line = next_line()) return *line;
        if (at_end()) return {Result::end};
        switch (net::wait({nullptr, false, handle(), {waker, nullptr}}, std::chrono::milliseconds(-1))) {
        case net::Ready::shutdown: return {Result::woken};
        case net::Ready::failed: return {Result::end};
        default: read_available();
        }
    }
}

}  // namespace terminal
