// The client's side of a file: the header is a line, the body is counted bytes. The
// body goes through a fixed buffer into a temporary file, renamed only once every
// announced byte, and not one more, has come.
#include "download.h"

#include <cctype>
#include <filesystem>
#include <memory>

#include "../shared/messages.h"
#include "../shared/protocol.h"

using channel::Incoming;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t chunk_size = 256 * 1024;  // received, then written, at a time
constexpr auto progress_after = 500ms;          // a transfer quicker than this shows none
constexpr auto progress_every = 100ms;
constexpr int bar_width = 20;

// "12 s", "4:33", "1:02:03": how long, for a person.
std::string duration_text(std::uint64_t seconds) {
    if (seconds < 60) return std::to_string(seconds) + " s";
    auto two = [](std::uint64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
    if (seconds < 3600) return std::to_string(seconds / 60) + ":" + two(seconds % 60);
    return std::to_string(seconds / 3600) + ":" + two(seconds / 60 % 60) + ":" + two(seconds % 60);
}

// The progress bar, at a terminal, for a transfer longer than a moment; taken away
// by done().
class Progress {
public:
    Progress(terminal::Console& console, std::uint64_t size) : console_(console), size_(size) {}
    ~Progress() { done(); }
    void update(std::uint64_t got) {
        Clock::time_point now = Clock::now();
        if (now - start_ < progress_after || now - last_ < progress_every) return;
        last_ = now;
        shown_ = true;
        console_.progress(bar(got, std::chrono::duration<double>(now - start_).count()));
    }
    void done() {
        if (shown_) console_.progress("");
        shown_ = false;
    }

private:
    std::string bar(std::uint64_t got, double seconds) const {
        double done = static_cast<double>(got) / static_cast<double>(size_);
        int filled = static_cast<int>(done * bar_width);
        std::string drawn = "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "]";
        double rate = static_cast<double>(got) / seconds;
        auto left = static_cast<std::uint64_t>(static_cast<double>(size_ - got) / (rate > 0 ? rate : 1));
        return msg::text(msg::file_progress, {drawn, std::to_string(static_cast<int>(done * 100)), files::size_text(got),
                                              files::size_text(size_), files::size_text(static_cast<std::uint64_t>(rate)),
                                              duration_text(left)});
    }

    terminal::Console& console_;
    std::uint64_t size_;
    Clock::time_point start_ = Clock::now();
    Clock::time_point last_{};
    bool shown_ = false;
};

std::string why_stopped(const net::Received& got, const DownloadLimits& limits) {
    switch (got.kind) {
    case net::Received::timeout:
        return msg::text(msg::file_stalled, {std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limits.stall).count())});
    case net::Received::woken: return msg::text(msg::file_interrupted);
    case net::Received::failed: return net::error_text(got.error);
    default: return msg::text(msg::closed_without_bye);
    }
}

std::string why_no_message(const Incoming& in, const DownloadLimits& limits) {
    switch (in.kind) {
    case Incoming::idle_timeout: return why_stopped({net::Received::timeout}, limits);
    case Incoming::woken: return msg::text(msg::file_interrupted);
    case Incoming::failed: return net::error_text(in.error);
    default: return msg::text(msg::closed_without_bye);
    }
}

// Whether `bytes` begin with `word`, or are the beginning of it (the rest may still be
// on its way); ASCII letter case aside when `any_case`.
bool begins_with(std::string_view bytes, std::string_view word, bool any_case) {
    for (std::size_t i = 0; i < std::min(bytes.size(), word.size()); ++i) {
        auto c = static_cast<unsigned char>(bytes[i]);
        if ((any_case ? std::tolower(c) : c) != word[i]) return false;
    }
    return true;
}

// Whether bytes that came right after a body are (the beginning of) the server's
// goodbye, a notice or bye, as when it shuts down the moment a file is sent: anything
// else is more than it announced. Nothing at all is fine.
bool begins_goodbye(std::string_view bytes) {
    if (begins_with(bytes, protocol::notice_prefix, false)) return true;
    if (!begins_with(bytes, protocol::bye, true)) return false;
    return bytes.size() <= protocol::bye.size() || bytes[protocol::bye.size()] == '\r' ||
           bytes[protocol::bye.size()] == '\n';
}

// The body, whole, into a temporary file not yet kept; or why not.
struct Body {
    std::unique_ptr<files::Download> file;
    std::string failure;
};

Body receive_body(channel::Channel& channel, const files::Header& header, const DownloadLimits& limits,
                  terminal::Console& console) {
    std::string name = terminal::escape_for_display(header.name), size = std::to_string(header.size);
    if (net::tracing()) net::trace("(" + terminal::escape_for_display(files::header_text(header)) + ": exactly so many bytes follow)");
    Body body;
    try {
        body.file = std::make_unique<files::Download>(header.name);
    } catch (const std::system_error& e) {
        return {nullptr, msg::text(msg::file_cannot_save, {name, net::error_text(e.code())})};
    }
    // Piped, a download says one line, at the end; a person at a terminal sees it begin.
    if (terminal::stdout_is_terminal()) console.out(msg::text(msg::file_receiving, {name, files::size_text(header.size)}));
    std::unique_ptr<char[]> chunk(new char[chunk_size]);
    Progress progress(console, header.size);
    for (std::uint64_t got = 0; got < header.size;) {
        auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size, header.size - got));
        net::Received in = channel.receive_bytes(chunk.get(), wanted, limits.stall);
        if (in.kind != net::Received::data)
            return {nullptr, msg::text(msg::file_incomplete, {name, std::to_string(got), size, why_stopped(in, limits)})};
        if (std::error_code e = body.file->write(chunk.get(), in.bytes))
            return {nullptr, msg::text(msg::file_cannot_save, {name, net::error_text(e)})};
        got += in.bytes;
        if (net::tracing()) net::trace("(file: " + std::to_string(got) + " of " + size + " bytes received)");
        progress.update(got);
    }
    progress.done();  // before anything else is said
    // What is already here after it must be the server's goodbye, if anything.
    if (!begins_goodbye(channel.peek_now())) return {nullptr, msg::text(msg::file_more_than_announced, {name, size})};
    return body;
}

// Checks the header before any byte of the body is taken: a name we did not ask for,
// one with a path, a size over the limit.
std::optional<std::string> refusal_of_header(const files::Header& header, const std::string& asked,
                                             const DownloadLimits& limits) {
    std::string name = terminal::escape_for_display(header.name);
    if (std::optional<std::string> refusal = files::refusal_of_announced_name(header.name))
        return msg::text(msg::file_bad_name, {name, *refusal});
    if (header.name != files::base_name(asked))
        return msg::text(msg::file_not_asked_for, {name, terminal::escape_for_display(files::base_name(asked))});
    if (header.size > limits.max_file)
        return msg::text(msg::file_too_big, {name, std::to_string(header.size), std::to_string(limits.max_file)});
    return std::nullopt;
}

// "/home/you/照片 (1).jpg": where it went, in full.
std::string where(const std::string& saved) {
    std::error_code e;
    std::filesystem::path folder = std::filesystem::current_path(e);
    if (e) return saved;
    return (folder / std::filesystem::u8path(saved)).u8string();
}

// The file under its final name, and where that is said; or why not.
std::optional<std::string> keep(files::Download& file, const files::Header& header, terminal::Console& console) {
    std::string name = terminal::escape_for_display(header.name);
    std::error_code e;
    std::optional<std::string> saved = file.keep(e);
    if (!saved) return msg::text(msg::file_cannot_save, {name, net::error_text(e)});
    console.out(msg::text(msg::file_saved, {name, std::to_string(header.size), terminal::escape_for_display(where(*saved))}));
    return std::nullopt;
}

// After --get's bye: until the server closes, nothing but its goodbye may come.
bool only_goodbye_follows(channel::Channel& channel) {
    for (;;) {
        Incoming in = channel.receive(protocol::bye_drain_time);
        if (in.kind != Incoming::message) return true;  // closed, or quiet: it said no more
        if (!protocol::is_notice(in.text) && !protocol::is_bye(in.text)) return false;
    }
}

}  // namespace

std::optional<std::string> receive_file(channel::Channel& channel, const files::Header& header, const std::string& asked,
                                        const DownloadLimits& limits, terminal::Console& console) {
    if (std::optional<std::string> refusal = refusal_of_header(header, asked, limits)) return refusal;
    Body body = receive_body(channel, header, limits, console);
    if (!body.file) return body.failure;
    return keep(*body.file, header, console);
}

int fetch_file(channel::Channel& channel, const std::string& name, const std::string& countersign,
               const DownloadLimits& limits, terminal::Console& console, const std::string& server) {
    auto failed = [&](const std::string& why) {
        console.err("intercom-client: " + why);
        return 1;
    };
    // The greeting first, if there is one (a server silent for a moment has none): a
    // request sent at once could run into a greeting that has no line end (--raw).
    Incoming greeting = channel.receive(protocol::greeting_patience);
    if (greeting.kind == Incoming::message && protocol::is_notice(greeting.text))  // "busy"
        return failed(msg::text(msg::file_not_sent_to_us, {name, terminal::escape_for_display(protocol::notice_text(greeting.text))}));
    bool greeted = greeting.kind == Incoming::message;
    if (!greeted && greeting.kind != Incoming::idle_timeout)
        return failed(msg::text(msg::file_not_sent_to_us, {name, why_no_message(greeting, limits)}));
    if (greeted && terminal::stdout_is_terminal())
        console.out("[" + server + "] " + terminal::escape_for_display(greeting.text));

    std::error_code e = countersign.empty() ? std::error_code{} : channel.send(countersign);
    if (!e) e = channel.send("/get " + name);
    if (e) return failed(msg::text(msg::send_to, {server, net::error_text(e)}));
    Incoming answer = channel.receive(limits.stall);
    if (answer.kind != Incoming::message) return failed(msg::text(msg::file_not_sent_to_us, {name, why_no_message(answer, limits)}));
    std::optional<files::Header> header = files::parse_header(answer.text);
    if (!header) {  // a refusal, or a server that does not share files: still a goodbye
        channel.send(protocol::bye);
        channel.close_after_bye();
        std::string said = terminal::escape_for_display(protocol::notice_text(answer.text));
        return failed(msg::text(msg::file_not_sent_to_us, {name, said}));
    }
    if (std::optional<std::string> refusal = refusal_of_header(*header, name, limits)) return failed(*refusal);
    Body body = receive_body(channel, *header, limits, console);
    if (!body.file) return failed(body.failure);
    // Done: a proper goodbye, as a conversation ends, and the file is kept only if the
    // server sends nothing more than its own goodbye until it closes.
    channel.send(protocol::bye);
    if (!only_goodbye_follows(channel))
        return failed(msg::text(msg::file_more_than_announced, {terminal::escape_for_display(header->name), std::to_string(header->size)}));
    channel.close_after_bye(std::chrono::milliseconds(0));
    if (std::optional<std::string> why = keep(*body.file, *header, console)) return failed(*why);
    return 0;
}
