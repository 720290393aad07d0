// framing: the byte stream -> messages.
#include "framing.h"

namespace framing {

std::size_t LineFramer::feed(std::string_view bytes) {
    if (overflowed_) return 0;
    if (skip_line_end_ && !bytes.empty()) {
        // The line end of a message already delivered on its quiet gap, arriving late:
        // it ends that message, not a new, empty one.
        skip_line_end_ = false;
        skip_lf_ = bytes.front() == '\r';
        if (bytes.front() == '\r' || bytes.front() == '\n') bytes.remove_prefix(1);
    }
    if (skip_lf_ && !bytes.empty()) {
        if (bytes.front() == '\n') bytes.remove_prefix(1);
        skip_lf_ = false;
    }
    std::size_t line_ends = 0;
    bool after_cr = !buffer_.empty() && buffer_.back() == '\r';
    for (char c : bytes) {
        if (c == '\r' || (c == '\n' && !after_cr)) ++line_ends;  // CRLF is one line end
        after_cr = c == '\r';
    }
    buffer_.append(bytes);
    return line_ends;
}

std::optional<Frame> LineFramer::next() {
    if (overflowed_) return std::nullopt;
    std::size_t end = find_line_end(buffer_, scanned_);
    if (end == std::string::npos) {
        scanned_ = buffer_.size();
        if (buffer_.size() <= max_line_) return std::nullopt;
        // Memory stays bounded whatever a peer sends: never buffer past the limit.
        overflowed_ = true;
        buffer_.clear();
        buffer_.shrink_to_fit();
        return Frame{Frame::too_long, {}};
    }
    if (end > max_line_) {
        overflowed_ = true;
        buffer_.clear();
        return Frame{Frame::too_long, {}};
    }
    Frame frame{Frame::message, buffer_.substr(0, end)};
    std::size_t after = end + 1;
    if (buffer_[end] == '\r') {
        if (after < buffer_.size() && buffer_[after] == '\n')
            ++after;
        else if (after == buffer_.size())
            skip_lf_ = true;  // the LF of a CRLF may still be on its way
    }
    buffer_.erase(0, after);
    scanned_ = 0;
    return frame;
}

bool LineFramer::has_partial() const { return !overflowed_ && !buffer_.empty(); }

std::optional<Frame> LineFramer::flush_partial() {
    if (!has_partial()) return std::nullopt;
    if (auto frame = next()) return frame;  // a complete message came first
    Frame frame{Frame::message, std::move(buffer_), false};
    buffer_.clear();
    scanned_ = 0;
    skip_lf_ = false;
    skip_line_end_ = true;
    return frame;
}

std::string LineFramer::take_raw(std::size_t most) {
    std::string taken = buffer_.substr(0, most);
    buffer_.erase(0, taken.size());
    scanned_ = 0;
    return taken;
}

std::size_t find_line_end(std::string_view text, std::size_t from) {
    // Two searches for one byte each (memchr, many bytes at a time), not a test of
    // every byte against both: this runs on every message.
    std::size_t lf = text.find('\n', from);
    std::size_t cr = text.substr(0, lf).find('\r', from);
    return cr != std::string_view::npos ? cr : lf;
}

std::string frame_message(std::string bytes, bool raw) {
    if (!raw) bytes += '\n';
    return bytes;
}

}  // namespace framing
