// channel: receiving with a quiet gap and deadlines; sending whole messages.
#include "channel.h"

#include <algorithm>
#include <cctype>

#include "messages.h"
#include "protocol.h"

namespace channel {

namespace {

using Clock = std::chrono::steady_clock;

// What one recv() brought, in messages: TCP is a byte stream, and this is where a
// learner watching --trace sees two messages arrive as one, or one in pieces.
std::string messages_text(std::size_t ended, bool part_of_next) {
    if (ended == 0) return msg::text(msg::recv_partial);
    std::string count = ended == 1 ? msg::text(msg::recv_one) : msg::text(msg::recv_many, {std::to_string(ended)});
    return part_of_next ? msg::text(msg::recv_and_part, {count}) : count;
}

void trace_recv(const net::Socket& s, const net::Received& got, const std::string& note) {
    std::string call = "recv(" + net::fd_text(s) + ") = ";
    std::string bytes = got.bytes == 1 ? "1 byte" : std::to_string(got.bytes) + " bytes";
    if (got.kind == net::Received::data) net::trace(call + bytes + " (" + note + ")");
    if (got.kind == net::Received::closed) net::trace(call + "0 (end of stream)");
    if (got.kind == net::Received::failed) net::trace(call + "-1 (" + net::error_text(got.error) + ")");
}

constexpr std::size_t receive_chunk = 4096;  // bytes one recv() may bring

const std::string gb18030 = "GB18030";
const std::string replacement_character = "\xEF\xBF\xBD";  // U+FFFD, what the decoder puts for bad bytes

milliseconds until(Clock::time_point when) {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(when - Clock::now()));
}

}  // namespace

bool is_auto_encoding(std::string_view name) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower == "auto";
}

std::vector<std::string> possible_encodings(const WireOptions& options) {
    if (is_auto_encoding(options.encoding)) return {"UTF-8", gb18030};
    return {options.encoding};
}

Channel::Channel(net::Socket socket, const WireOptions& options, const net::Waker* shutdown)
    : socket_(std::move(socket)),
      options_(options),
      shutdown_(shutdown),
      framer_(options.max_line),
      encoding_(possible_encodings(options).front()),
      decoder_(encoding_, "UTF-8"),
      encoder_("UTF-8", encoding_),
      auto_encoding_(is_auto_encoding(options.encoding)) {}

Incoming Channel::receive(milliseconds patience) {
    bool forever = patience.count() < 0;
    Clock::time_point turn_deadline = Clock::now() + (forever ? milliseconds(0) : patience);
    turn_begins();
    for (;;) {
        std::optional<framing::Frame> frame = framer_.next();
        if (!frame && peer_closed_) frame = framer_.flush_partial();
        if (frame) return delivered(*frame);
        if (std::optional<Incoming> end = ended()) return *end;

        // While a message is half in, wait for its quiet gap or its deadline, whichever
        // comes first; otherwise for the turn's deadline. Timing out means that one.
        bool partial = framer_.has_partial();
        Clock::time_point partial_deadline = partial_since_ + options_.partial_deadline;
        if (partial && Clock::now() >= partial_deadline) return {Incoming::partial_timeout};
        milliseconds wait = forever ? milliseconds(-1) : until(turn_deadline);
        Incoming::Kind on_timeout = Incoming::idle_timeout;
        if (partial) {
            wait = std::min(options_.quiet_gap, until(partial_deadline));
            on_timeout = wait == options_.quiet_gap ? Incoming::message : Incoming::partial_timeout;
        }
        char chunk[receive_chunk];
        net::Received got = net::recv_some(socket_, chunk, sizeof chunk, wait, shutdown_);
        switch (got.kind) {
        case net::Received::woken: return {Incoming::woken};
        case net::Received::timeout:
            // The peer went quiet in the middle of a message: lesson scripts and GUI
            // tools send text with no line end, so what came is the message.
            if (on_timeout == Incoming::message) {
                if (net::tracing()) net::trace(msg::text(msg::quiet_gap_delivered, {std::to_string(wait.count())}));
                return delivered(*framer_.flush_partial());
            }
            if (on_timeout == Incoming::idle_timeout && !forever && Clock::now() < turn_deadline) continue;
            return {on_timeout};
        default: take(got, chunk); break;
        }
    }
}

// What was read ahead of its turn starts its clocks now: the peer could not know how
// long we would take to ask.
void Channel::turn_begins() {
    if (framer_.has_partial()) partial_since_ = last_bytes_at_ = Clock::now();
}

std::optional<Incoming> Channel::receive_now(bool its_turn) {
    take_what_has_come();
    if (std::optional<framing::Frame> frame = framer_.next()) return delivered(*frame);
    bool overdue = Clock::now() >= partial_since_ + options_.partial_deadline;
    if (its_turn && framer_.has_partial() && !peer_closed_ && overdue) return Incoming{Incoming::partial_timeout};
    if (framer_.has_partial() && (peer_closed_ || until_partial_due().count() == 0)) {
        if (!peer_closed_ && net::tracing())
            net::trace(msg::text(msg::quiet_gap_delivered, {std::to_string(options_.quiet_gap.count())}));
        return delivered(*framer_.flush_partial());
    }
    return ended();
}

// One read that does not wait, while there is room for what it brings.
void Channel::take_what_has_come() {
    if (!wants_more()) return;
    char chunk[receive_chunk];
    net::Received got = net::recv_some(socket_, chunk, sizeof chunk, milliseconds(0));
    if (got.kind != net::Received::timeout) take(got, chunk);
}

bool Channel::wants_more() const {
    return !peer_closed_ && !failure_ && framer_.buffered() < options_.max_line + receive_chunk;
}

milliseconds Channel::until_partial_due(bool its_turn) const {
    if (!framer_.has_partial()) return milliseconds(-1);
    milliseconds quiet = until(last_bytes_at_ + options_.quiet_gap);
    return its_turn ? std::min(quiet, until(partial_since_ + options_.partial_deadline)) : quiet;
}

// The end of the connection, once every message before it has been delivered.
std::optional<Incoming> Channel::ended() const {
    if (framer_.has_partial()) return std::nullopt;
    if (failure_) return Incoming{Incoming::failed, {}, failure_};
    if (peer_closed_) return Incoming{Incoming::closed};
    return std::nullopt;
}

// What one recv() brought: bytes for the framer, the end of the stream, or a failure
// that is reported once the messages before it are delivered.
void Channel::take(const net::Received& got, const char* chunk) {
    if (got.kind == net::Received::data) {
        last_bytes_at_ = Clock::now();
        if (!framer_.has_partial()) partial_since_ = last_bytes_at_;
        bool had_partial = framer_.has_partial();
        std::size_t ended = framer_.feed({chunk, got.bytes});
        if (net::tracing()) {
            char last = chunk[got.bytes - 1];
            bool line_end_only = ended == 0 && !had_partial && !framer_.has_partial();
            trace_recv(socket_, got, line_end_only ? msg::text(msg::recv_late_line_end)
                                                   : messages_text(ended, last != '\n' && last != '\r'));
        }
        return;
    }
    if (net::tracing()) trace_recv(socket_, got, "");
    if (got.kind == net::Received::closed) peer_closed_ = true;
    if (got.kind == net::Received::failed) failure_ = got.error;
}

Incoming Channel::delivered(const framing::Frame& frame) {
    if (frame.kind == framing::Frame::too_long) return {Incoming::too_long};
    // Whatever follows this message in the buffer started arriving no later than now.
    partial_since_ = Clock::now();
    Incoming in{Incoming::message, decoder_.convert_all(frame.bytes)};
    in.unended = !frame.ended;
    // Only a message the decoder had to mend can be in another encoding: checking
    // those alone keeps the common case at one pass over the bytes.
    if (!encoding_settled_ && in.text.find(replacement_character) != std::string::npos)
        learn_encoding(frame.bytes, in);
    return in;
}

// A message whose bytes may not be in the wire encoding. With "auto", bytes that read
// as GB18030 and not as UTF-8 switch the channel, both ways, and are decoded again;
// otherwise the encoding they do read as is reported (once), for a person to fix.
// A line end never occurs inside a character, so a whole message is a fair sample.
void Channel::learn_encoding(std::string_view bytes, Incoming& in) {
    if (auto_encoding_) {
        if (codec::is_valid_in(bytes, encoding_) || !codec::is_valid_in(bytes, gb18030)) return;
        encoding_ = gb18030;
        decoder_ = codec::Converter(encoding_, "UTF-8");
        encoder_ = codec::Converter("UTF-8", encoding_);
        in.text = decoder_.convert_all(bytes);
        in.switched_to = encoding_;
    } else if (std::optional<std::string> other = codec::better_encoding(bytes, encoding_)) {
        in.fits_instead = *other;
    } else {
        return;
    }
    encoding_settled_ = true;
}

bool Channel::fits(std::string_view utf8_text) {
    return encoder_.convert_all(utf8_text).size() <= options_.max_line;
}

std::error_code Channel::send(std::string_view utf8_text) {
    // A line end inside would make it two messages on the wire, and two turns.
    if (framing::find_line_end(utf8_text) != std::string_view::npos)
        return std::make_error_code(std::errc::invalid_argument);
    std::string bytes;
    bytes.reserve(utf8_text.size() + 1);  // room for the line end: one string, made once
    encoder_.convert_all_into(utf8_text, bytes);
    if (bytes.size() > options_.max_line) return std::make_error_code(std::errc::message_size);
    return net::send_all(socket_, framing::frame_message(std::move(bytes), options_.raw), options_.send_timeout,
                         shutdown_);
}

std::error_code Channel::send_bytes(std::string_view bytes) {
    return net::send_all(socket_, bytes, options_.send_timeout, shutdown_);
}

net::Received Channel::receive_bytes(char* buffer, std::size_t size, milliseconds timeout) {
    bool drop_lf = framer_.take_awaited_lf();  // a header's CRLF, split between two reads
    if (framer_.buffered() > 0) {
        std::string held = framer_.take_raw(size);
        std::copy(held.begin(), held.end(), buffer);
        return {net::Received::data, held.size()};
    }
    for (;;) {
        if (peer_closed_) return {net::Received::closed};
        if (failure_) return {net::Received::failed, 0, failure_};
        net::Received got = net::recv_some(socket_, buffer, size, timeout, shutdown_);
        if (got.kind == net::Received::data && net::tracing())
            net::trace("recv(" + net::fd_text(socket_) + ") = " + std::to_string(got.bytes) + " bytes (raw: counted, not framed)");
        if (got.kind != net::Received::data || !drop_lf || buffer[0] != '\n') return got;
        std::copy(buffer + 1, buffer + got.bytes, buffer);
        if (--got.bytes > 0) return got;
        drop_lf = false;
    }
}

std::string_view Channel::peek_now() {
    take_what_has_come();
    return framer_.held();
}

std::string Channel::notice_bytes(std::string_view utf8_text) {
    return framing::frame_message(encoder_.convert_all(utf8_text), false);
}

MessageEncoder Channel::message_encoder() const { return MessageEncoder(encoding_, options_.raw); }

MessageEncoder::MessageEncoder(const std::string& encoding, bool raw)
    : utf8_(encoding == "UTF-8"), converter_("UTF-8", encoding), raw_(raw) {}

void MessageEncoder::append(std::string& out, std::string_view valid_utf8_text) {
    append_text(out, valid_utf8_text);
    if (!raw_) out += '\n';
}

void MessageEncoder::append_notice(std::string& out, std::string_view valid_utf8_text) {
    append_text(out, valid_utf8_text);
    out += '\n';  // a notice ends its line even on a raw wire, as send_notice()'s do
}

void MessageEncoder::append_text(std::string& out, std::string_view valid_utf8_text) {
    if (utf8_) out += valid_utf8_text;
    else converter_.convert_all_into(valid_utf8_text, out);
}

std::error_code Channel::send_notice(std::string_view utf8_text) {
    return net::send_all(socket_, notice_bytes(utf8_text), options_.send_timeout, shutdown_);
}

void Channel::say_bye_and_close(milliseconds limit, milliseconds drain, std::string_view reason) {
    std::string bytes = reason.empty() || options_.raw ? "" : notice_bytes(reason);
    bytes += framing::frame_message(encoder_.convert_all(protocol::bye), options_.raw);
    net::send_all(socket_, bytes, limit);  // best effort: a peer that never reads gets none
    close_after_bye(drain);
}

void Channel::close_after_bye(milliseconds drain) {
    net::shutdown_send(socket_);
    Clock::time_point deadline = Clock::now() + drain;
    char chunk[4096];
    for (;;) {
        net::Received got = net::recv_some(socket_, chunk, sizeof chunk, until(deadline));
        if (net::tracing()) trace_recv(socket_, got, msg::text(msg::recv_after_bye));
        if (got.kind != net::Received::data) break;
    }
    socket_.close();
}

}  // namespace channel
