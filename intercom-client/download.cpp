// The client's side of a file: the header is a line, the body is counted bytes. The
// body goes through a fixed buffer into a temporary file, renamed only once every
// announced byte, and not one more, has come.
#include "download.h"

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

// The progress bar, at a terminal, for a transfer longer than a moment.
class Progress {
public:
    Progress(terminal::Console& console, std::uint64_t size) : console_(console), size_(size) {}
    ~Progress() {
        if (shown_) console_.progress("");
    }
    void update(std::uint64_t got) {
        Clock::time_point now = Clock::now();
        if (!console_.interactive() || now - start_ < progress_after || now - last_ < progress_every) return;
        last_ = now;
        shown_ = true;
        console_.progress(bar(got, std::chrono::duration<double>(now - start_).count()));
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
                                              std::to_string(left)});
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

// Whether the server has sent on past the end it announced: a legitimate one says
// nothing more until we speak. What is already here is looked at, not waited for.
bool more_than_announced(channel::Channel& channel) {
    char byte;
    return channel.receive_bytes(&byte, 1, 0ms).kind == net::Received::data;
}

// "/home/you/照片 (1).jpg": where it went, in full.
std::string where(const std::string& saved) {
    std::error_code e;
    std::filesystem::path folder = std::filesystem::current_path(e);
    if (e) return saved;
    return (folder / std::filesystem::u8path(saved)).u8string();
}

}  // namespace

std::optional<std::string> receive_file(channel::Channel& channel, const files::Header& header,
                                        const DownloadLimits& limits, terminal::Console& console) {
    std::string name = terminal::escape_for_display(header.name), size = std::to_string(header.size);
    if (net::tracing()) net::trace("(" + terminal::escape_for_display(files::header_text(header)) + ": exactly so many bytes follow)");
    if (std::optional<std::string> refusal = files::refusal_of_announced_name(header.name))
        return msg::text(msg::file_bad_name, {name, *refusal});
    if (header.size > limits.max_file)
        return msg::text(msg::file_too_big, {name, size, std::to_string(limits.max_file)});
    std::unique_ptr<files::Download> file;
    try {
        file = std::make_unique<files::Download>(header.name);
    } catch (const std::system_error& e) {
        return msg::text(msg::file_cannot_save, {name, net::error_text(e.code())});
    }
    console.out(msg::text(msg::file_receiving, {name, files::size_text(header.size)}));
    std::unique_ptr<char[]> chunk(new char[chunk_size]);
    Progress progress(console, header.size);
    for (std::uint64_t got = 0; got < header.size;) {
        auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size, header.size - got));
        net::Received in = channel.receive_bytes(chunk.get(), wanted, limits.stall);
        if (in.kind != net::Received::data)
            return msg::text(msg::file_incomplete, {name, std::to_string(got), size, why_stopped(in, limits)});
        if (std::error_code e = file->write(chunk.get(), in.bytes))
            return msg::text(msg::file_cannot_save, {name, net::error_text(e)});
        got += in.bytes;
        if (net::tracing()) net::trace("(file: " + std::to_string(got) + " of " + size + " bytes received)");
        progress.update(got);
    }
    if (more_than_announced(channel)) return msg::text(msg::file_more_than_announced, {name, size});
    std::error_code e;
    std::optional<std::string> saved = file->keep(e);
    if (!saved) return msg::text(msg::file_cannot_save, {name, net::error_text(e)});
    console.out(msg::text(msg::file_saved, {name, size, terminal::escape_for_display(where(*saved))}));
    return std::nullopt;
}

int fetch_file(channel::Channel& channel, const std::string& name, const std::string& countersign,
               const DownloadLimits& limits, terminal::Console& console, const std::string& server) {
    auto failed = [&](const std::string& why) {
        console.err("intercom-client: " + why);
        return 1;
    };
    // Asked at once: the request waits in the server's socket while it greets (or
    // checks the countersign), and a server with no greeting is not waited on.
    std::error_code e = countersign.empty() ? std::error_code{} : channel.send(countersign);
    if (!e) e = channel.send("/get " + name);
    if (e) return failed(msg::text(msg::send_to, {server, net::error_text(e)}));
    for (int other_lines = 0;; ++other_lines) {
        Incoming in = channel.receive(limits.stall);
        if (in.kind != Incoming::message) return failed(msg::text(msg::file_not_sent_to_us, {name, why_no_message(in, limits)}));
        if (std::optional<files::Header> header = files::parse_header(in.text)) {
            if (std::optional<std::string> why = receive_file(channel, *header, limits, console)) return failed(*why);
            channel.send(protocol::bye);  // done: a proper goodbye, as a conversation ends
            channel.close_after_bye();
            return 0;
        }
        // The greeting may come first; a refusal, a bye or a second line is the answer.
        bool notice = in.text.rfind(protocol::notice_prefix, 0) == 0;
        std::string shown = terminal::escape_for_display(notice ? in.text.substr(protocol::notice_prefix.size()) : in.text);
        if (notice || protocol::is_bye(in.text) || other_lines > 0)
            return failed(msg::text(msg::file_not_sent_to_us, {name, shown}));
        console.out("[" + server + "] " + shown);
    }
}
