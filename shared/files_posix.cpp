// files on POSIX: every name is opened relative to the shared folder's descriptor, one
// part at a time, with O_NOFOLLOW, so no symbolic link anywhere on the way is followed,
// whether it points in or out. A file is checked before it is opened (a FIFO or a
// device is refused by its name, not opened) and again after, on the descriptor, for
// what it really is: a FIFO swapped in meanwhile is opened without waiting
// (O_NONBLOCK), and refused there.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <stdexcept>

#include "files.h"
#include "codec.h"
#include "messages.h"
#include "net.h"
#include "terminal.h"

namespace files {

namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

// Open folders below the shared one, closed on the way out.
struct Descriptor {
    int fd;
    explicit Descriptor(int fd) : fd(fd) {}
    ~Descriptor() { reset(-1); }
    void reset(int other) {
        if (fd >= 0) ::close(fd);
        fd = other;
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
};

// POSIX file names are bytes, in the encoding of the locale, as a terminal shows them
// (UTF-8 nearly everywhere; GBK under zh_CN.GBK). Names are converted at the system
// calls, and a name the other side cannot hold names nothing there.
std::optional<std::string> converted_name(std::string_view name, const std::string& from, const std::string& to) {
    if (from == to) return std::string(name);
    std::string there = codec::Converter(from, to).convert_all(name);
    if (codec::Converter(to, from).convert_all(there) != name) return std::nullopt;  // replaced: not a name there
    return there;
}
std::optional<std::string> local_name(std::string_view utf8) {
    return converted_name(utf8, "UTF-8", terminal::console_encoding());
}
std::optional<std::string> utf8_name(std::string_view local) {
    return converted_name(local, terminal::console_encoding(), "UTF-8");
}

std::string refusal_for(int error) {
    switch (error) {
    case ENOENT:
    case ENOTDIR: return msg::text(msg::no_such_file);
    case ELOOP: return msg::text(msg::symbolic_link);
    default: return msg::text(msg::cannot_open, {net::error_text({error, std::generic_category()})});
    }
}

// Why a folder on the way could not be opened: a symbolic link says ENOTDIR or ELOOP,
// depending on the system, so it is looked at.
std::string refusal_of_part(int folder, const std::string& part, int error) {
    struct stat st {};
    if (::fstatat(folder, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        return msg::text(msg::symbolic_link);
    return refusal_for(error);
}

// What stat said `mode` is, as a refusal, unless it is a regular file.
std::optional<std::string> refusal_of_kind(mode_t mode) {
    if (S_ISLNK(mode)) return msg::text(msg::symbolic_link);
    if (!S_ISREG(mode)) return msg::text(msg::not_regular_file);
    return std::nullopt;
}

constexpr std::size_t most_walked = 100000;  // entries /files looks at, to bound its time
constexpr int deepest = 32;

// Every folder is opened from its parent's descriptor, and every entry looked at in
// its own folder's, never by a path from the top: a folder swapped for a symbolic
// link while the walk goes on is then not followed either.
void walk(int folder, const std::string& prefix, int depth, std::vector<SharedFolder::Entry>& found,
          std::size_t& walked) {
    DIR* dir = ::fdopendir(folder);
    if (!dir) return (void)::close(folder);
    std::vector<std::pair<std::string, std::string>> subfolders;  // its own name, and as shown
    while (dirent* entry = ::readdir(dir)) {
        if (++walked > most_walked) break;
        std::string name = entry->d_name;
        if (name.front() == '.') continue;  // as ls: ".", "..", and hidden files
        std::optional<std::string> shown = utf8_name(name);
        if (!shown) continue;  // no request could name it
        std::string path = prefix.empty() ? *shown : prefix + "/" + *shown;
        struct stat st {};
        if (::fstatat(::dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISREG(st.st_mode)) found.push_back({path, static_cast<std::uint64_t>(st.st_size)});
        if (S_ISDIR(st.st_mode) && depth < deepest) subfolders.emplace_back(name, path);
    }
    // One descriptor per level at a time, however many subfolders there are.
    Descriptor parent(::dup(::dirfd(dir)));
    ::closedir(dir);
    for (const auto& [name, path] : subfolders) {
        int sub = ::openat(parent.fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) walk(sub, path, depth + 1, found, walked);
    }
}

}  // namespace

Reader::~Reader() { ::close(static_cast<int>(handle_)); }

std::size_t Reader::read(char* buffer, std::size_t capacity, std::error_code& error) {
    for (;;) {
        ssize_t n = ::read(static_cast<int>(handle_), buffer, capacity);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) return error = last_error(), 0;
    }
}

SharedFolder::SharedFolder(const std::string& path) : path_(path) {
    int fd = ::open(local_name(path).value_or(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(msg::text(msg::shared_folder_unusable, {path, net::error_text(last_error())}));
    handle_ = fd;
}

SharedFolder::~SharedFolder() { ::close(static_cast<int>(handle_)); }

SharedFolder::Opened SharedFolder::open(std::string_view name) const {
    if (std::optional<std::string> refusal = refusal_of_requested_name(name)) return {nullptr, *refusal};
    std::optional<std::string> local = local_name(name);
    if (!local) return {nullptr, msg::text(msg::no_such_file)};
    std::string path = *local;
    std::size_t slash = path.rfind('/');
    std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
    // Down the folders one part at a time, following no symbolic link.
    Descriptor folder(-1);
    int at = static_cast<int>(handle_);
    for (std::size_t start = 0; slash != std::string::npos && start <= slash;) {
        std::size_t end = path.find('/', start);
        std::string part = path.substr(start, end - start);
        int next = ::openat(at, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) return {nullptr, refusal_of_part(at, part, errno)};
        folder.reset(next);
        at = next;
        start = end + 1;
    }
    // Looked at first, so that a FIFO or a device is not opened...
    struct stat st {};
    if (::fstatat(at, last.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {nullptr, refusal_for(errno)};
    if (std::optional<std::string> refusal = refusal_of_kind(st.st_mode)) return {nullptr, *refusal};
    // ... and what was opened checked again, since the name may have changed meanwhile.
    int fd = ::openat(at, last.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return {nullptr, refusal_for(errno)};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return {nullptr, msg::text(msg::not_regular_file)};
    }
    return {std::unique_ptr<Reader>(new Reader(fd, static_cast<std::uint64_t>(st.st_size))), ""};
}

std::vector<SharedFolder::Entry> SharedFolder::list(std::size_t most, std::size_t& more) const {
    std::vector<Entry> found;
    std::size_t walked = 0;
    int top = ::openat(static_cast<int>(handle_), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top >= 0) walk(top, "", 0, found, walked);
    std::sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    more = found.size() > most ? found.size() - most : 0;
    if (more) found.resize(most);
    return found;
}

Download::Download(std::string_view name) : name_(name), handle_(-1) {
    // A name of our own beside the final one, hidden, and never one that exists:
    // O_EXCL. The file gets the mode a new file would (0666 less the umask).
    static std::atomic<unsigned> made{0};
    std::size_t cut = std::min<std::size_t>(name_.size(), 100);
    while (cut > 0 && cut < name_.size() && (static_cast<unsigned char>(name_[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    std::optional<std::string> stem = local_name(name_.substr(0, cut));
    if (!stem) throw std::system_error(std::make_error_code(std::errc::illegal_byte_sequence), name_);
    for (int tries = 0; tries < 100; ++tries) {
        auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
        temporary_ = "." + *stem + "." + std::to_string(::getpid()) + "-" + std::to_string(made++) + "-" +
                     std::to_string(tick % 100000) + ".part";
        int fd = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            handle_ = fd;
            return;
        }
        if (errno != EEXIST) break;
    }
    throw std::system_error(last_error(), msg::text(msg::file_cannot_save, {name_, temporary_}));
}

Download::~Download() {
    if (handle_ >= 0) ::close(static_cast<int>(handle_));
    if (!kept_) ::unlink(temporary_.c_str());
}

std::error_code Download::write(const char* bytes, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::write(static_cast<int>(handle_), bytes, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_error();
        bytes += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

std::optional<std::string> Download::keep(std::error_code& error) {
    int fd = static_cast<int>(handle_);
    handle_ = -1;
    if (::close(fd) != 0) return error = last_error(), std::nullopt;  // a full disk can say so only now
    // link() never replaces a name that exists: the first free one wins, atomically.
    for (int n = 0; n < 1000; ++n) {
        std::string final_name = numbered_name(name_, n);
        std::optional<std::string> local = local_name(final_name);
        if (!local) return error = std::make_error_code(std::errc::illegal_byte_sequence), std::nullopt;
        if (::link(temporary_.c_str(), local->c_str()) == 0) {
            ::unlink(temporary_.c_str());
            kept_ = true;
            return final_name;
        }
        if (errno == EEXIST) continue;
        if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP) return error = last_error(), std::nullopt;
        // A file system without hard links (FAT, some network ones): rename to a name
        // seen free a moment before.
        struct stat st {};
        if (::lstat(local->c_str(), &st) == 0) continue;
        if (::rename(temporary_.c_str(), local->c_str()) != 0) return error = last_error(), std::nullopt;
        kept_ = true;
        return final_name;
    }
    error = std::make_error_code(std::errc::file_exists);
    return std::nullopt;
}

}  // namespace files
