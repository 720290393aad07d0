// Fuzz target: the downloader's rules for names and headers (shared/files.cpp), given
// any bytes, as a hostile client's request or a hostile server's header.
//
// Guarantees checked:
// - a requested name the rules let through cannot leave the shared folder: it is not
//   empty, not absolute, has no drive letter, no backslash, no ".." or "." or empty
//   part, and no control character;
// - an announced name the rules let through is a plain name: no "/" or "\", not "."
//   or "..", no control character, at most longest_announced_name bytes;
// - a header reads back exactly as it was written (sizes as header_text writes them);
// - numbered_name keeps the name's parts and never adds a path.
#include <cctype>
#include <string>

#include "../../shared/files.h"
#include "fuzz_input.h"

namespace {

bool has_control(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) return true;
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
    }
    return false;
}

void check_requested(std::string_view name) {
    if (files::refusal_of_requested_name(name)) return;
    fuzz::require(!name.empty() && name.front() != '/', "a name let through is relative");
    fuzz::require(name.find('\\') == std::string_view::npos, "no backslash");
    fuzz::require(!(name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) && name[1] == ':'),
                  "no drive letter");
    fuzz::require(!has_control(name), "no control character");
    std::string padded = "/" + std::string(name) + "/";
    for (const char* part : {"/../", "/./", "//"})
        fuzz::require(padded.find(part) == std::string::npos, "no .., . or empty part");
}

void check_announced(std::string_view name) {
    if (files::refusal_of_announced_name(name)) return;
    fuzz::require(!name.empty() && name != "." && name != "..", "a file name");
    fuzz::require(name.find_first_of("/\\") == std::string_view::npos, "no path");
    fuzz::require(!has_control(name), "no control character");
    fuzz::require(name.size() <= files::longest_announced_name, "not too long");
    std::string numbered = files::numbered_name(name, 7);
    fuzz::require(numbered.find_first_of("/\\") == std::string::npos, "a number adds no path");
    fuzz::require(numbered.size() == name.size() + 4, "a number adds \" (7)\" alone");
}

void check_header(std::string_view line) {
    std::optional<files::Header> header = files::parse_header(line);
    if (!header) return;
    fuzz::require(files::header_text(*header) == line, "a header reads back as written");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    check_requested(bytes);
    check_requested(files::parse_request("/get " + std::string(bytes)).name);
    check_announced(bytes);
    check_header(bytes);
    check_header(std::string(files::header_marker) + std::string(bytes));
    return 0;
}
