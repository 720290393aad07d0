// terminal: the parts that are the same on every platform.
#include "terminal.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <system_error>
#include <utility>

#include "framing.h"
#include "line_editor.h"
#include "messages.h"

namespace terminal {

namespace {

// What a terminal would act on, or draw as nothing, as sorted ranges of code points.
// From Unicode 15.1: the controls (Cc) but TAB; the format characters (Cf) that draw
// nothing; and the Default_Ignorable_Code_Point fillers, which draw nothing either, so
// that `b<U+200B>ye` cannot pass for `bye`. Left as they are, on purpose:
// - the variation selectors U+FE00..U+FE0F and U+E0100..U+E01EF: emoji presentation
//   (U+2764 U+FE0F, the red heart) and CJK glyph variants need them, and they only
//   change how the character before them is drawn;
// - the visible Cf characters (the Arabic number signs U+0600..U+0605 and the other
//   prepended concatenation marks) and the Egyptian hieroglyph format controls.
// ZWJ (U+200D) and the tags (U+E0020..U+E007F) are shown escaped although emoji
// sequences use them (a family of three, the flag of Scotland): text hidden in tags
// matters more than an emoji shown as its parts.
struct Range {
    char32_t first, last;
};

constexpr Range shown_escaped[] = {
    {0x0000, 0x0008},    // C0 controls before TAB
    {0x000A, 0x001F},    // the rest of C0: LF, CR, ESC …
    {0x007F, 0x009F},    // DEL and the C1 controls (U+009B is CSI)
    {0x00AD, 0x00AD},    // soft hyphen
    {0x034F, 0x034F},    // combining grapheme joiner
    {0x061C, 0x061C},    // Arabic letter mark (bidi)
    {0x115F, 0x1160},    // Hangul choseong and jungseong fillers
    {0x17B4, 0x17B5},    // Khmer inherent vowels
    {0x180B, 0x180F},    // Mongolian free variation selectors and vowel separator
    {0x200B, 0x200F},    // zero-width space, non-joiner, joiner; LRM, RLM
    {0x2028, 0x202E},    // line and paragraph separators; bidi embeddings, overrides
    {0x2060, 0x206F},    // word joiner, invisible operators, (unassigned U+2065),
                         // bidi isolates, deprecated format characters
    {0x3164, 0x3164},    // Hangul filler
    {0xFEFF, 0xFEFF},    // zero-width no-break space (byte order mark)
    {0xFFA0, 0xFFA0},    // halfwidth Hangul filler
    {0xFFF9, 0xFFFB},    // interlinear annotation
    {0x1BCA0, 0x1BCA3},  // shorthand format controls
    {0x1D173, 0x1D17A},  // musical symbol format controls
    {0xE0000, 0xE007F},  // language tag and tag characters
};

bool is_shown_escaped(char32_t cp) {
    const Range* after = std::upper_bound(std::begin(shown_escaped), std::end(shown_escaped), cp,
                                          [](char32_t c, const Range& r) { return c < r.first; });
    return after != std::begin(shown_escaped) && cp <= (after - 1)->last;
}

// "\x1b" below U+0080, "\u200b" up to U+FFFF, "\U000e0041" beyond: as in C and Python.
std::string escaped(char32_t cp) {
    char text[12];
    auto code = static_cast<unsigned>(cp);
    if (cp < 0x80) std::snprintf(text, sizeof text, "\\x%02x", code);
    else if (cp <= 0xFFFF) std::snprintf(text, sizeof text, "\\u%04x", code);
    else std::snprintf(text, sizeof text, "\\U%08x", code);
    return text;
}

std::string escape(std::string_view utf8, bool backslash_too) {
    std::string out;
    out.reserve(utf8.size());
    std::size_t kept_from = 0;  // where the characters that go out as they are begin
    for (std::size_t at = 0; at < utf8.size();) {
        auto byte = static_cast<unsigned char>(utf8[at]);
        bool backslash = backslash_too && byte == '\\';
        // Printable ASCII, most of most text, needs no decoding.
        if (byte >= 0x20 && byte < 0x7F && !backslash) {
            ++at;
            continue;
        }
        codec::Utf8Step step = codec::utf8_step(utf8.substr(at));
        bool valid = step.kind == codec::Utf8Step::valid;
        if (valid && !backslash && !is_shown_escaped(step.code_point)) {
            at += step.length;
            continue;
        }
        out.append(utf8.substr(kept_from, at - kept_from));
        if (!valid) out += "\xEF\xBF\xBD";
        else if (backslash) out += "\\\\";
        else out += escaped(step.code_point);
        at += step.length;
        kept_from = at;
    }
    out.append(utf8.substr(kept_from));
    return out;
}

}  // namespace

// The console keeps a backslash as it is: a person reads it, and C:\temp reads better
// than C:\\temp. Only a record that is read back needs the two told apart.
std::string escape_for_display(std::string_view utf8) { return escape(utf8, false); }

std::string escape_for_record(std::string_view utf8) { return escape(utf8, true); }

namespace {
constexpr std::size_t most_queued = 1024 * 1024;  // lines past this are counted, not kept
constexpr std::size_t write_batch = 64 * 1024;     // written at once when this much waits
constexpr std::chrono::milliseconds gather_for{20};  // else this long after the first line
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

bool Console::edits_lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return editor_ != nullptr;
}

void Console::prompt(std::string_view utf8_text) {
    if (!interactive_) return;
    if (!edits_lines()) return write(1, utf8_text, false);
    show_waiting();  // what was written before it goes above it
    std::string bytes;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        bytes = to_console_.convert_all(utf8_text);
    }
    std::size_t line_end = bytes.rfind('\n');
    if (line_end == std::string::npos) return editor_->set_prompt(bytes);
    editor_->hide();
    write_stream(1, editor_->prompt() + bytes.substr(0, line_end + 1), nullptr);
    editor_->set_prompt(bytes.substr(line_end + 1));
    editor_->show();
}

void Console::progress(std::string_view utf8_text) {
    // Drawn where it is seen: not into a file that stdout was sent to, from a terminal.
    if (!interactive_ || !stdout_is_terminal()) return;
    if (edits_lines()) return prompt(utf8_text);
    // Back to the start of the row, and spaces over whatever the last one left.
    std::string line = "\r" + std::string(utf8_text);
    if (progress_width_ > utf8_text.size()) line += std::string(progress_width_ - utf8_text.size(), ' ');
    if (utf8_text.empty()) line += "\r";
    progress_width_ = utf8_text.size();
    write(1, line, false);
}

void Console::write(int stream, std::string_view utf8, bool newline) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!editor_) start_writer();
    if (!editor_ && !writer_.joinable()) {
        std::string bytes = to_console_.convert_all(utf8);
        return write_chunk({stream, newline ? bytes + '\n' : bytes, newline});
    }
    // (Converted, a line may grow a little: the bound holds to within a line.)
    if (queued_bytes_ + utf8.size() > most_queued) {
        lost_lines_ += newline ? 1 : 0;
        return;
    }
    // Converted straight onto the end of what waits, when it goes the same way.
    bool was_empty = queued_.empty();
    if (was_empty || queued_.back().stream != stream || queued_.back().lines != newline)
        queued_.push_back({stream, {}, newline});
    std::string& waiting = queued_.back().bytes;
    std::size_t before = waiting.size();
    to_console_.convert_all_into(utf8, waiting);
    if (newline) waiting += '\n';
    std::size_t size = waiting.size() - before;
    bool wake_writer = was_empty || (queued_bytes_ < write_batch && queued_bytes_ + size >= write_batch);
    queued_bytes_ += size;
    if (editor_) return screen_bell_->wake();
    lock.unlock();
    // The writer takes all that is queued each time it wakes: woken by the first line,
    // and by a full batch; lines in between gather without waking it.
    if (wake_writer) has_queued_.notify_one();
}

void Console::start_writer() {
    if (started_) return;
    started_ = true;
    try {
        stop_ = std::make_unique<net::Waker>();
        writer_ = std::thread([this] { write_out_queued(); });
    } catch (const std::exception&) {
        // No thread (or no descriptor for its stop) to be had: every line is written
        // at once, by its caller.
    }
}

std::deque<Console::Chunk> Console::take_queued() {
    std::deque<Chunk> chunks;
    chunks.swap(queued_);
    queued_bytes_ = 0;
    // Lines were lost after these, when there was no more room.
    if (std::size_t lost = std::exchange(lost_lines_, 0))
        chunks.push_back({1, to_console_.convert_all(msg::text(msg::lines_not_shown, {std::to_string(lost)})) + "\n", true});
    return chunks;
}

void Console::write_out_queued() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        // (Lines lost count as something to write: the line that says so.)
        has_queued_.wait(lock, [this] { return closing_ || ((!queued_.empty() || lost_lines_) && !editor_); });
        if ((queued_.empty() && !lost_lines_) || editor_) break;  // closing, and all written
        // A line has come: gather what follows it for a moment, so a busy server writes
        // many lines to a write(), and its threads rarely wake this one. Idle, it sleeps.
        has_queued_.wait_for(lock, gather_for,
                             [this] { return closing_ || editor_ || queued_bytes_ >= write_batch; });
        if (editor_) continue;  // the line editor took the screen meanwhile: they wait for it
        std::deque<Chunk> chunks = take_queued();
        writing_ = true;
        lock.unlock();
        for (const Chunk& chunk : chunks) write_chunk(chunk);
        lock.lock();
        writing_ = false;
        has_written_.notify_all();
        if (stop_->woken()) break;
    }
    finished_ = true;
    has_finished_.notify_all();
}

// With no line editor, a prompt, or what the person has typed after it, may be on the
// cursor's row: lines begin below it, not inside the typed line.
void Console::write_chunk(const Chunk& chunk) {
    if (chunk.lines && interactive_) begin_row(chunk.stream, after_prompt_.exchange(false));
    write_stream(chunk.stream, chunk.bytes, stop_ ? stop_.get() : nullptr);
    if (!chunk.lines && interactive_ && !chunk.bytes.empty()) after_prompt_ = chunk.bytes.back() != '\n' && chunk.bytes.back() != '\r';
}

// From now on the lines wait for the editor's thread. Lines the writer has taken are
// written first, so that none lands inside the prompt.
void Console::lend_screen(LineEditor* editor, const net::Waker* bell) {
    std::unique_lock<std::mutex> lock(mutex_);
    editor_ = editor;
    screen_bell_ = bell;
    has_written_.wait(lock, [this] { return !writing_; });
    if (!queued_.empty()) screen_bell_->wake();
}

void Console::take_screen_back() {
    std::unique_lock<std::mutex> lock(mutex_);
    editor_ = nullptr;
    screen_bell_ = nullptr;
    if (queued_.empty()) return;
    start_writer();
    if (!writer_.joinable()) {  // no writer to be had: written here, as write() would
        for (const Chunk& chunk : take_queued()) write_chunk(chunk);
        return;
    }
    lock.unlock();
    has_queued_.notify_one();
}

// The lines that wait, above the line being typed: it is taken off the screen, the
// lines written where it began, and it is drawn again below them.
void Console::show_waiting() {
    std::deque<Chunk> chunks;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!editor_) return;
        screen_bell_->reset();  // before looking in the queue, so that no ring is missed
        chunks = take_queued();
    }
    if (chunks.empty()) return;
    editor_->hide();
    for (const Chunk& chunk : chunks) write_stream(chunk.stream, chunk.bytes, nullptr);
    editor_->show();
}

bool LineReader::typing() const { return editor_ && editor_->typing(); }

LineReader::LineReader(std::size_t max_line_bytes, Console& console, std::string encoding)
    : console_(console), max_line_(max_line_bytes), from_console_(encoding, "UTF-8") {
    if (!stdin_is_terminal() || !stdout_is_terminal()) return;
    try {
        screen_bell_ = std::make_unique<net::Waker>();
        editor_ = start_line_editor(*screen_bell_);
    } catch (const std::exception&) {  // no descriptor for the bell: lines are read plainly
        editor_.reset();
    }
    if (editor_) console_.lend_screen(editor_.get(), screen_bell_.get());
    else screen_bell_.reset();
}

LineReader::~LineReader() { stop_editing(); }

// The lines still waiting are shown with the editor there, then the editor goes (a
// half-typed line stays on the screen), and the console's writer writes again.
void LineReader::stop_editing() {
    if (!editor_) return;
    console_.show_waiting();
    editor_.reset();
    console_.take_screen_back();
    screen_bell_.reset();
}

void LineReader::read_available() {
    if (at_end_) return;
    if (!editor_) {
        std::size_t before = buffer_.size();
        read_plain();
        if (framing::find_line_end(buffer_, before) != std::string::npos) console_.row_ended();
        return;
    }
    console_.show_waiting();
    if (!wants_more()) return;
    LineEditor::Typed typed = editor_->read();
    if (typed.kind == LineEditor::Typed::line) buffer_ += typed.text + "\n";
    if (typed.kind != LineEditor::Typed::end) return;
    at_end_ = true;
    stop_editing();
}

// A complete line from the buffer, if one is there (or the last, unended one at the end).
// Lines end as on the wire, at LF, CRLF or a lone CR: a CR left inside a line would
// split it into two messages on the wire, and two turns.
std::optional<LineReader::Result> LineReader::next_line() {
    if (skip_lf_ && !buffer_.empty()) {
        if (buffer_[0] == '\n') buffer_.erase(0, 1);
        skip_lf_ = false;
    }
    std::size_t end = framing::find_line_end(buffer_);
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
        switch (net::wait({nullptr, false, handle(), {waker, nullptr}, screen()}, std::chrono::milliseconds(-1))) {
        case net::Ready::shutdown: return {Result::woken};
        case net::Ready::failed: return {Result::end};
        default: read_available();
        }
    }
}

}  // namespace terminal
