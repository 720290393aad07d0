// Fuzz target: framing::LineFramer fed any bytes, cut anywhere, with a small max_line.
//
// Input: [max_line seed] [split seed] [stream bytes...]. Guarantees checked:
// - no message is longer than max_line, and none holds a '\r' or '\n';
// - until a too_long, the messages and their line ends are exactly the stream, in
//   order (a message delivered early by flush_partial may have no line end after it);
// - too_long comes only for a line that really is longer than max_line;
// - the framer's memory depends on max_line and the piece just fed, never on how
//   much has been fed in all.
#include <sanitizer/allocator_interface.h>

#include <algorithm>
#include <optional>

#include "../../shared/framing.h"
#include "fuzz_input.h"

namespace {

using framing::Frame;

// Walks the stream alongside the framer, checking each frame against it.
class Stream {
public:
    Stream(std::string_view bytes, std::size_t max_line) : bytes_(bytes), max_line_(max_line) {}

    void check(const Frame& frame, bool flushed) {
        fuzz::require(!overflowed_, "nothing comes after too_long");
        if (frame.kind == Frame::too_long) return check_too_long();
        const std::string& m = frame.bytes;
        fuzz::require(m.size() <= max_line_, "no message is longer than max_line");
        fuzz::require(m.find_first_of("\r\n") == std::string::npos, "no line end inside a message");
        fuzz::require(bytes_.substr(at_, m.size()) == m, "messages are the stream, in order");
        at_ += m.size();
        std::size_t line_end = line_end_at(at_);
        // A message flushed on a quiet gap may have its line end still to come: that
        // ends it, and is no new message.
        fuzz::require(flushed || line_end > 0, "a complete message ends at a line end");
        at_ += line_end;
    }

    void check_end() const {
        fuzz::require(overflowed_ || at_ == bytes_.size(), "every byte is delivered at the end");
    }

private:
    std::size_t line_end_at(std::size_t i) const {
        if (bytes_.substr(i, 2) == "\r\n") return 2;
        return i < bytes_.size() && (bytes_[i] == '\r' || bytes_[i] == '\n') ? 1 : 0;
    }

    void check_too_long() {
        std::size_t line_end = bytes_.find_first_of("\r\n", at_);
        std::size_t length = (line_end == std::string_view::npos ? bytes_.size() : line_end) - at_;
        fuzz::require(length > max_line_, "too_long only for a line longer than max_line");
        overflowed_ = true;
    }

    std::string_view bytes_;
    std::size_t max_line_;
    std::size_t at_ = 0;  // where the next message starts
    bool overflowed_ = false;
};

std::size_t heap_in_use() { return __sanitizer_get_current_allocated_bytes(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    std::size_t max_line = 1 + data[0] % 64;
    std::string_view bytes = fuzz::as_text(data + 2, size - 2);
    Stream stream(bytes, max_line);
    fuzz::Chunks chunks(bytes, data[1]);

    std::size_t heap_before = heap_in_use();
    std::size_t biggest_piece = 0;
    framing::LineFramer framer(max_line);
    while (!chunks.done()) {
        std::string_view piece = chunks.next();
        biggest_piece = std::max(biggest_piece, piece.size());
        framer.feed(piece);
        while (std::optional<Frame> frame = framer.next()) stream.check(*frame, false);
        // A quiet gap after some pieces: the partial message is delivered as it is.
        if (piece.back() & 0x40 && framer.has_partial())
            if (std::optional<Frame> frame = framer.flush_partial()) stream.check(*frame, true);
        // The buffer holds at most a line and a piece; a string may double its capacity.
        std::size_t held = heap_in_use() - heap_before;
        fuzz::require(held <= 2 * (max_line + biggest_piece) + 64, "memory stays bounded");
    }
    while (std::optional<Frame> frame = framer.flush_partial()) stream.check(*frame, true);
    stream.check_end();
    return 0;
}
