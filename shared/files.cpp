// files: the downloader's rules, with no file system in them.
#include "files.h"

#include <cctype>
#include <cstdio>

#include "messages.h"

namespace files {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Whether `text` begins with the command word `word` ("/get"), in any letter case,
// followed by the end or a space.
bool begins_with_command(std::string_view text, std::string_view word) {
    if (text.size() < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != word[i]) return false;
    return text.size() == word.size() || is_space(text[word.size()]);
}

// C0 controls and DEL; the C1 controls U+0080..U+009F, as UTF-8 (C2 80..C2 9F).
bool has_control_characters(std::string_view name) {
    for (std::size_t i = 0; i < name.size(); ++i) {
        auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x20 || c == 0x7F) return true;
        if (c == 0xC2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) <= 0x9F) return true;
    }
    return false;
}

bool has_drive_letter(std::string_view name) {
    return name.size() >= 2 && name[1] == ':' && std::isalpha(static_cast<unsigned char>(name[0]));
}

}  // namespace

Request parse_request(std::string_view text) {
    text = trimmed(text);
    if (begins_with_command(text, "/files") && trimmed(text.substr(6)).empty()) return {Request::list};
    if (begins_with_command(text, "/get")) return {Request::get, std::string(trimmed(text.substr(4)))};
    return {};
}

std::optional<std::string> refusal_of_requested_name(std::string_view name) {
    if (name.empty()) return msg::text(msg::name_empty);
    if (has_control_characters(name)) return msg::text(msg::name_control);
    if (name.front() == '/') return msg::text(msg::name_absolute);
    if (has_drive_letter(name)) return msg::text(msg::name_drive);
    if (name.find('\\') != std::string_view::npos) return msg::text(msg::name_backslash);
    // Part by part: "a/../a/b" would land inside again, and is refused all the same.
    bool odd_part = false;
    for (std::size_t start = 0;;) {
        std::size_t slash = name.find('/', start);
        std::string_view part = name.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (part == "..") return msg::text(msg::name_parent);
        if (part.empty() || part == ".") odd_part = true;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    if (odd_part) return msg::text(msg::name_dot_part);
    return std::nullopt;
}

std::optional<std::string> refusal_of_announced_name(std::string_view name) {
    if (name.empty() || name == "." || name == "..") return msg::text(msg::name_not_a_file_name);
    if (has_control_characters(name)) return msg::text(msg::name_control);
    if (name.find_first_of("/\\") != std::string_view::npos || has_drive_letter(name)) return msg::text(msg::name_has_path);
    // Checked now, not after the body: with " (999)" and the temporary name's
    // additions, it must still fit the 255 bytes a file name may have.
    if (name.size() > longest_announced_name)
        return msg::text(msg::name_too_long, {std::to_string(longest_announced_name)});
    return std::nullopt;
}

std::string base_name(std::string_view path) {
    std::size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string header_text(const Header& header) {
    return std::string(header_marker) + std::to_string(header.size) + " bytes: " + header.name;
}

std::optional<Header> parse_header(std::string_view line) {
    if (line.substr(0, header_marker.size()) != header_marker) return std::nullopt;
    line.remove_prefix(header_marker.size());
    std::size_t digits = 0;
    while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
    constexpr std::string_view bytes = " bytes: ";
    if (digits == 0 || digits > 20 || line.substr(digits, bytes.size()) != bytes) return std::nullopt;
    if (digits > 1 && line[0] == '0') return std::nullopt;  // as header_text() writes sizes, or not a header
    Header header{0, std::string(line.substr(digits + bytes.size()))};
    for (char c : line.substr(0, digits)) {
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (header.size > (UINT64_MAX - digit) / 10) return std::nullopt;  // past 2^64: no size of ours
        header.size = header.size * 10 + digit;
    }
    return header;
}

std::string numbered_name(std::string_view name, int n) {
    if (n == 0) return std::string(name);
    std::size_t dot = name.rfind('.');
    if (dot == 0 || dot == std::string_view::npos) dot = name.size();
    return std::string(name.substr(0, dot)) + " (" + std::to_string(n) + ")" + std::string(name.substr(dot));
}

std::string size_text(std::uint64_t bytes) {
    if (bytes < 1024) return msg::text(bytes == 1 ? msg::size_one_byte : msg::size_bytes, {std::to_string(bytes)});
    const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = static_cast<double>(bytes) / 1024;
    int unit = 0;
    while (value >= 1024 && unit < 5) value /= 1024, ++unit;
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

}  // namespace files
