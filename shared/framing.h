// framing: the byte stream -> messages, and a message -> bytes.
//
// TCP delivers bytes, not messages: one recv() may hold two messages, or half of one.
// A message ends at LF, CRLF or a lone CR. Peers that never send a line end (lesson
// scripts doing sendall(text.encode())) still get through: the caller says when the
// connection has been quiet for a while, or has closed, and the partial message is
// delivered then. Pure code: no sockets, no clock.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace framing {

constexpr std::size_t default_max_line = 8192;

struct Frame {
    enum Kind { message, too_long } kind;
    std::string bytes;  // the message, without its line end
    bool ended = true;  // false: delivered by flush_partial(), with no line end
};

class LineFramer {
public:
    explicit LineFramer(std::size_t max_line = default_max_line) : max_line_(max_line) {}

    // Adds received bytes; returns how many messages they completed (for --trace,
    // which shows a learner when one recv() held two messages, or half of one).
    std::size_t feed(std::string_view bytes);

    // The next complete message, if any. Once a message grows past max_line bytes
    // without ending, returns too_long (and nothing after it): the stream is no longer
    // in step, so the caller should give up on it.
    std::optional<Frame> next();

    // Bytes waiting that do not yet end in a line end.
    bool has_partial() const;

    // Bytes held, complete messages and partial alike.
    std::size_t buffered() const { return buffer_.size(); }

    // Up to `most` of the bytes held, taken out as they are, not as messages: what came
    // after a header that announced so many raw bytes (a file's body).
    std::string take_raw(std::size_t most);
    // The bytes held, not taken.
    std::string_view held() const { return buffer_; }
    // Whether the last message ended in a CR whose LF has not come yet: that LF, when
    // it comes, belongs to the message, and is not the first raw byte after it. Asking
    // forgets it.
    bool take_awaited_lf() { return std::exchange(skip_lf_, false); }

    // The partial message, delivered as a whole one: call it when the peer has been
    // quiet for a while or has closed.
    std::optional<Frame> flush_partial();

private:
    std::string buffer_;
    std::size_t scanned_ = 0;  // buffer_[0, scanned_) holds no line end
    std::size_t max_line_;
    bool skip_lf_ = false;     // a CR ended the last message; an LF right after belongs to it
    bool skip_line_end_ = false;  // the last message was flushed; its line end may follow
    bool overflowed_ = false;
};

// Where the first line end (CR or LF) at or after `from` is; npos when there is none.
std::size_t find_line_end(std::string_view text, std::size_t from = 0);

// The bytes to send for one message: the text and "\n", or the bare text when `raw`.
std::string frame_message(std::string bytes, bool raw);

}  // namespace framing
