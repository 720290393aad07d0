// terminal: the parts that are the same on every platform.
#include "terminal.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

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
    while (!utf8.empty()) {
        codec::Utf8Step step = codec::utf8_step(utf8);
        if (step.kind != codec::Utf8Step::valid) out += "\xEF\xBF\xBD";
        else if (is_shown_escaped(step.code_point)) out += escaped(step.code_point);
        else if (backslash_too && step.code_point == '\\') out += "\\\\";
        else out.append(utf8.substr(0, step.length));
        utf8.remove_prefix(step.length);
    }
    return out;
}

}  // namespace

// The console keeps a backslash as it is: a person reads it, and C:\temp reads better
// than C:\\temp. Only a record that is read back needs the two told apart.
std::string escape_for_display(std::string_view utf8) { return escape(utf8, false); }

std::string escape_for_record(std::string_view utf8) { return escape(utf8, true); }

namespace {
constexpr std::size_t write_batch = 64 * 1024;      // wake the writer at this much
constexpr std::size_t most_gathered = 1024 * 1024;  // writers wait beyond this
}  // namespace

Console::Console(std::string encoding) : to_console_("UTF-8", encoding), interactive_(stdin_is_terminal()) {
    if (stdout_is_terminal()) return;
    gathering_ = true;
    writer_ = std::thread([this] { write_out_gathered(); });
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
