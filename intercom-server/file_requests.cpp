// --files DIR: the header says how many bytes follow, then exactly that many follow,
// read from the file and sent a chunk at a time, so memory stays the same whatever
// the file's size.
#include "file_requests.h"

#include <algorithm>
#include <memory>

#include "../shared/codec.h"
#include "../shared/messages.h"

namespace {

constexpr std::size_t chunk_size = 256 * 1024;  // read, then sent, at a time
constexpr std::size_t most_listed = 200;
// A connection closed mid-stream (a file cut off, a lesson downloader answered) reads
// what the client still sends for this long, so that it gets a clean end, not a reset.
constexpr std::chrono::seconds closing_drain{1};

void record(const Asker& a, const std::string& text) {
    if (a.setup.transcript) a.setup.transcript->record(a.tag, Transcript::Direction::file, text);
}

// The file's bytes, all of them: "" once sent, else why they stopped, and `sent`
// how many went.
std::string send_body(files::Reader& file, const Asker& a, std::uint64_t& sent) {
    std::unique_ptr<char[]> chunk(new char[chunk_size]);
    std::uint64_t size = file.size();
    for (sent = 0; sent < size;) {
        std::error_code e;
        std::size_t n = file.read(chunk.get(), static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size, size - sent)), e);
        if (e) return net::error_text(e);
        if (n == 0) return msg::text(msg::file_shrank);
        if ((e = a.channel.send_bytes({chunk.get(), n})))
            return e == std::errc::operation_canceled ? msg::text(msg::notice_shutting_down) : net::error_text(e);
        sent += n;
        if (net::tracing()) net::trace("(file: " + std::to_string(sent) + " of " + std::to_string(size) + " bytes sent)");
    }
    return "";
}

// Sends the file; "" once sent, else how the conversation ended, cut off midway.
std::string send_whole(const std::string& name, files::Reader& file, const Asker& a) {
    std::uint64_t sent = 0;
    std::string why = send_body(file, a, sent);
    std::string size = std::to_string(file.size());
    record(a, name + " " + size + " bytes: " + (why.empty() ? "sent" : "cut off after " + std::to_string(sent) + ": " + why));
    if (why.empty()) return "";
    return msg::text(msg::file_cut_off, {terminal::escape_for_display(name), std::to_string(sent), size, why});
}

// The refusal, in the log and on the console, then on the wire (so that by the time
// the client knows, the log does too); the conversation goes on.
std::string refuse(const Asker& a, const std::string& name, const std::string& why) {
    record(a, name + ": refused: " + why);
    a.setup.console.out(msg::text(msg::file_refused, {std::to_string(a.id), terminal::escape_for_display(name), why}));
    a.channel.send_notice(msg::text(msg::notice_file_refused, {name, why}));
    return "";
}

std::string send_file(const std::string& name, const Asker& a) {
    files::SharedFolder::Opened opened = a.setup.shared->open(name);
    if (!opened.file) return refuse(a, name, opened.refusal);
    std::uint64_t size = opened.file->size();
    std::string shown = terminal::escape_for_display(name);
    a.setup.console.out(msg::text(msg::file_sending, {std::to_string(a.id), shown, files::size_text(size)}));
    std::string header = files::header_text({size, files::base_name(name)});
    if (net::tracing()) net::trace("(" + header + ": the size first, then the bytes)");
    if (std::error_code e = a.channel.send_notice(header)) {
        record(a, name + " " + std::to_string(size) + " bytes: not sent: " + net::error_text(e));
        return msg::text(msg::could_not_send, {net::error_text(e)});
    }
    if (std::string cut_off = send_whole(name, *opened.file, a); !cut_off.empty()) {
        a.channel.close_after_bye(closing_drain);  // the stream is out of step: only a close is left
        return cut_off;
    }
    a.setup.console.out(msg::text(msg::file_sent, {std::to_string(a.id), shown, std::to_string(size)}));
    return "";
}

// "3 shared: a.txt (12 bytes), b.txt (1.5 KiB) … and 1 more", of the first `shown`.
std::string listing_text(const std::vector<files::SharedFolder::Entry>& entries, std::size_t shown, std::size_t total) {
    if (total == 0) return msg::text(msg::files_listing_none);
    std::string items;
    for (std::size_t i = 0; i < shown; ++i)
        items += (i ? ", " : "") + entries[i].name + " (" + files::size_text(entries[i].size) + ")";
    if (shown < total) items += " " + msg::text(msg::files_listing_more, {std::to_string(total - shown)});
    return msg::text(msg::files_listing, {std::to_string(total), items});
}

// One message, as many names as fit in it (max_line).
std::string send_listing(const Asker& a) {
    std::size_t more = 0;
    std::vector<files::SharedFolder::Entry> entries = a.setup.shared->list(most_listed, more);
    // A name no request could give (a line end in it, spaces at its end, bytes that
    // are not UTF-8) is not offered either.
    auto unaskable = [](const files::SharedFolder::Entry& e) {
        return files::refusal_of_requested_name(e.name) || files::parse_request("/get " + e.name).name != e.name ||
               !codec::is_valid_utf8(e.name);
    };
    entries.erase(std::remove_if(entries.begin(), entries.end(), unaskable), entries.end());
    std::size_t total = entries.size() + more, shown = 0;
    auto message = [&](std::size_t n) { return std::string(files::listing_marker) + listing_text(entries, n, total); };
    while (shown < entries.size() && a.channel.fits(message(shown + 1))) ++shown;
    a.setup.console.out(msg::text(msg::files_listed, {std::to_string(a.id), listing_text(entries, shown, total)}));
    if (std::error_code e = a.channel.send(message(shown))) return msg::text(msg::could_not_send, {net::error_text(e)});
    return "";
}

}  // namespace

std::string answer_file_request(const files::Request& request, const Asker& asker) {
    if (!asker.setup.shared) {
        asker.channel.send_notice(msg::text(msg::notice_no_files));
        return "";
    }
    if (request.kind == files::Request::list) return send_listing(asker);
    return send_file(request.name, asker);
}

std::optional<std::string> answer_lesson_downloader(const channel::Incoming& first, const Asker& a,
                                                    const std::function<void()>& show) {
    if (!a.setup.shared) return std::nullopt;
    files::SharedFolder::Opened opened = a.setup.shared->open(first.text);
    if (!opened.file && !first.unended) return std::nullopt;  // typed, with a line end: a message
    show();
    if (!opened.file) {
        refuse(a, first.text, opened.refusal);
        a.channel.close_after_bye(closing_drain);  // what it reads until
        return msg::text(msg::file_refused_closed, {terminal::escape_for_display(first.text)});
    }
    std::string shown = terminal::escape_for_display(first.text);
    a.setup.console.out(msg::text(msg::file_sending, {std::to_string(a.id), shown, files::size_text(opened.file->size())}));
    std::string cut_off = send_whole(first.text, *opened.file, a);
    a.channel.close_after_bye(closing_drain);
    if (!cut_off.empty()) return cut_off;
    return msg::text(msg::file_sent_raw, {shown, std::to_string(opened.file->size())});
}
