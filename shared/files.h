// files: the downloader (intercom-server --files DIR, and /get or --get on the client).
//
// A file crosses the byte stream as a header line that gives its size, then exactly
// that many raw bytes. A line end cannot mark where a binary file stops (the file may
// hold any number of them); a size said first can:
//   intercom file: 1048576 bytes: 照片.jpg\n<exactly 1048576 bytes>
// The rules are pure code (files.cpp, tested directly); what touches the file system
// has one body per platform (files_posix.cpp, files_win32.cpp). Names are UTF-8 here,
// as all text inside the programs is: POSIX file names are taken as UTF-8 bytes, and
// Windows ones are converted to UTF-16 for the wide-character calls.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace files {

// What a header line, and the one-line listing of /files, begin with.
constexpr std::string_view header_marker = "intercom file: ";
constexpr std::string_view listing_marker = "intercom files: ";

// What a client's message asks of the shared folder: "/get NAME" or "/files", the
// command word in any letter case, spaces around the name ignored.
struct Request {
    enum Kind { none, get, list } kind = none;
    std::string name{};  // get: as the client gave it
};
Request parse_request(std::string_view text);

// Why the server will not even try to open `name` (relative to the shared folder), in
// the user's language; nothing when it may. Refused: an empty name, an absolute path, a
// drive letter, a backslash, a ".." part anywhere (even one that would come back
// inside), an empty or "." part, and control characters.
std::optional<std::string> refusal_of_requested_name(std::string_view name);

// Why a file name that a server announced is not one to save under, in the user's
// language; nothing when it is. Only a plain name is: no path at all (no "/", "\",
// no drive letter), not "." or "..", no control characters, not empty, and no longer
// than longest_announced_name bytes. (A name Windows cannot store, "a:b" say, is
// refused there when the file is made.)
constexpr std::size_t longest_announced_name = 200;
std::optional<std::string> refusal_of_announced_name(std::string_view name);

// The last part of a path: "photo.jpg" of "trip/photo.jpg".
std::string base_name(std::string_view path);

struct Header {
    std::uint64_t size = 0;
    std::string name;  // a base name
};
std::string header_text(const Header& header);
// The header in a line, if the line is one (the marker, a size, " bytes: ", a name).
std::optional<Header> parse_header(std::string_view line);

// The n-th name to try when `name` is taken: "photo.jpg", "photo (1).jpg", "photo (2).jpg", …
// (the number goes before the last dot, as browsers do; ".bashrc (1)" has none).
std::string numbered_name(std::string_view name, int n);

// "1.5 MiB", "812 bytes": a size for a person.
std::string size_text(std::uint64_t bytes);

// A file of the shared folder, open for reading.
class Reader {
public:
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    std::uint64_t size() const { return size_; }
    // Up to `capacity` bytes; 0 at the end of the file.
    std::size_t read(char* buffer, std::size_t capacity, std::error_code& error);

private:
    friend class SharedFolder;
    Reader(std::intptr_t handle, std::uint64_t size) : handle_(handle), size_(size) {}
    std::intptr_t handle_;
    std::uint64_t size_;
};

// The folder given to --files, opened once at the start: every name is looked up
// inside it and nowhere else.
class SharedFolder {
public:
    // Throws std::runtime_error naming the path and why it cannot be shared.
    explicit SharedFolder(const std::string& path);
    ~SharedFolder();
    SharedFolder(const SharedFolder&) = delete;
    SharedFolder& operator=(const SharedFolder&) = delete;

    // Opens `name` for reading, inside the folder, never following a symbolic link (or
    // a Windows reparse point) on the way, and only if what it opened is a regular
    // file. `refusal` says why not, in the user's language, when `file` is null.
    struct Opened {
        std::unique_ptr<Reader> file;
        std::string refusal;
    };
    Opened open(std::string_view name) const;

    // The regular files shared, subfolders included, by name ("trip/photo.jpg"),
    // sorted; at most `most` of them, and `more` how many others there are. Symbolic
    // links are not followed here either.
    struct Entry {
        std::string name;
        std::uint64_t size;
    };
    std::vector<Entry> list(std::size_t most, std::size_t& more) const;

    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::intptr_t handle_;  // the folder, open
};

// A download on its way into the current folder. It is written under a temporary name
// of its own, and only a complete file is renamed to its final name, one that no file
// has yet: a name taken is never overwritten, and a transfer that fails leaves nothing
// behind (the destructor removes what was not kept).
class Download {
public:
    // Throws std::system_error when the temporary file cannot be made.
    explicit Download(std::string_view name);
    ~Download();
    Download(const Download&) = delete;
    Download& operator=(const Download&) = delete;

    std::error_code write(const char* bytes, std::size_t size);
    // Closes the file and gives it the first free name of numbered_name(name, 0, 1, …);
    // returns that name, or nothing with `error` set.
    std::optional<std::string> keep(std::error_code& error);

private:
    std::string name_;
    std::string temporary_;
    std::intptr_t handle_;
    bool kept_ = false;
};

}  // namespace files
