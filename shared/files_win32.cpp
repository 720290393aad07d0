// files on Windows: names are UTF-8 inside the programs and UTF-16 for the wide calls.
//
// Every name is looked up under the shared folder's final path, asked of its open
// handle ("\\?\C:\share"). Behind the "\\?\" Windows takes a name as it is: it does not
// strip trailing dots or spaces ("a.txt." is not "a.txt"), does not make "NUL" a device,
// and has no MAX_PATH limit. No reparse point (symbolic link, junction) is followed on
// the way: each part is looked at before it is gone through, the file is opened without
// following one, and what was opened is checked on its handle, down to the path it
// really has, so that whatever a link or a rename did meanwhile, nothing outside the
// folder is ever sent.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cwchar>
#include <stdexcept>

#include "files.h"
#include "messages.h"

namespace files {

namespace {

HANDLE as_handle(std::intptr_t handle) { return reinterpret_cast<HANDLE>(handle); }
std::intptr_t as_integer(HANDLE handle) { return reinterpret_cast<std::intptr_t>(handle); }

std::error_code system_error_code(DWORD error) { return {static_cast<int>(error), std::system_category()}; }
std::error_code last_error() { return system_error_code(GetLastError()); }

// UTF-8 to UTF-16, strictly: bytes that are not UTF-8 name no file here, and a U+FFFD
// put in their place could name another one.
std::optional<std::wstring> wide(std::string_view text) {
    if (text.empty()) return std::wstring();
    const int length = static_cast<int>(text.size());
    int size = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), length, nullptr, 0);
    if (size <= 0) return std::nullopt;
    std::wstring out(static_cast<std::size_t>(size), L'\0');
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), length, &out[0], size);
    return out;
}

// UTF-16 to UTF-8, strictly: a Windows name with a lone surrogate has no UTF-8 form,
// so it could never be asked for.
std::optional<std::string> narrow(const wchar_t* text, std::size_t length) {
    if (length == 0) return std::string();
    const int count = static_cast<int>(length);
    int size = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, text, count, nullptr, 0, nullptr, nullptr);
    if (size <= 0) return std::nullopt;
    std::string out(static_cast<std::size_t>(size), '\0');
    WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, text, count, &out[0], size, nullptr, nullptr);
    return out;
}

// The system's own words for `error`, in the programs' language where Windows has it,
// as UTF-8 on one line. Not std::system_category().message(): MinGW's libstdc++ asks
// FormatMessageA, whose text is in the ANSI code page (GBK on a Chinese Windows).
std::string system_message(DWORD error) {
    const DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_ALLOCATE_BUFFER;
    wchar_t* text = nullptr;
    auto format = [&](DWORD language) {
        return FormatMessageW(flags, nullptr, error, language, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
    };
    // English messages want English text, which Windows may not have installed; then,
    // and for Chinese messages, the user's own language.
    DWORD length = msg::chinese() ? 0 : format(MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US));
    if (length == 0) length = format(0);
    std::optional<std::string> out = length ? narrow(text, length) : std::nullopt;
    if (text) LocalFree(text);
    if (!out) return "error " + std::to_string(error);
    while (!out->empty() && std::string_view("\r\n. ").find(out->back()) != std::string_view::npos) out->pop_back();
    return *out;
}

// The path Windows has for what `handle` is open on, links resolved: "\\?\C:\share\a.txt".
std::optional<std::wstring> final_path(HANDLE handle) {
    std::wstring path(MAX_PATH, L'\0');
    for (;;) {
        DWORD length = GetFinalPathNameByHandleW(handle, &path[0], static_cast<DWORD>(path.size()),
                                                 FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
        if (length == 0) return std::nullopt;
        if (length < path.size()) return path.substr(0, length);
        path.resize(length);  // too small: `length` is the size needed, its null included
    }
}

// `name` ("trip/photo.jpg") under a folder's final path, with Windows' separator.
std::wstring under(const std::wstring& folder, const std::wstring& name) {
    std::wstring path = folder;
    if (path.empty() || path.back() != L'\\') path += L'\\';  // a drive's root ends in one already
    for (wchar_t c : name) path += c == L'/' ? L'\\' : c;
    return path;
}

std::string refusal_for(DWORD error) {
    switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_DIRECTORY:     // a part that is a file, as ENOTDIR
    case ERROR_INVALID_NAME:  // "a?b", "a*": no file can have such a name here
    case ERROR_BAD_PATHNAME: return msg::text(msg::no_such_file);
    case ERROR_CANT_RESOLVE_FILENAME: return msg::text(msg::symbolic_link);  // too many links: as ELOOP
    default: return msg::text(msg::cannot_open, {system_message(error)});
    }
}

// What the attributes say a file is, as a refusal, unless it is a regular file.
std::optional<std::string> refusal_of_kind(DWORD attributes) {
    if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) return msg::text(msg::symbolic_link);
    if (attributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_DEVICE)) return msg::text(msg::not_regular_file);
    return std::nullopt;
}

// Why the folders of `path` after `start` (the name's own parts) cannot be gone
// through: a reparse point would be followed, a file is no folder (as ENOTDIR).
std::optional<std::string> refusal_on_the_way(const std::wstring& path, std::size_t start) {
    for (std::size_t slash = path.find(L'\\', start); slash != std::wstring::npos;
         slash = path.find(L'\\', slash + 1)) {
        DWORD attributes = GetFileAttributesW(path.substr(0, slash).c_str());
        if (attributes == INVALID_FILE_ATTRIBUTES) return refusal_for(GetLastError());
        if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) return msg::text(msg::symbolic_link);
        if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) return msg::text(msg::no_such_file);
    }
    return std::nullopt;
}

// CON, PRN, AUX, NUL, COM0-9, LPT0-9 (COM¹²³, LPT¹²³ too), CONIN$ and CONOUT$: Win32
// makes them devices in any folder, with anything after a dot ("con.txt") or a colon,
// and trailing spaces. Decided by the name alone, so that no device is ever opened.
bool is_device_name(std::string_view name) {
    std::string stem(name.substr(0, name.find_first_of(".:")));
    while (!stem.empty() && stem.back() == ' ') stem.pop_back();
    for (char& c : stem) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* device : {"con", "prn", "aux", "nul", "conin$", "conout$"})
        if (stem == device) return true;
    if (stem.size() < 4 || (stem.compare(0, 3, "com") != 0 && stem.compare(0, 3, "lpt") != 0)) return false;
    std::string_view number = std::string_view(stem).substr(3);
    return (number.size() == 1 && std::isdigit(static_cast<unsigned char>(number[0]))) ||
           number == "\xC2\xB9" || number == "\xC2\xB2" || number == "\xC2\xB3";  // ¹ ² ³
}

// Whether a file's final path `real` is where `name` says under the folder's final
// path: inside the folder, and at that very path. Any link followed on the way shows
// here as another path, even one that the checks before could not see (Wine shows a
// Unix symbolic link to a file as a plain file) or one put there meanwhile.
bool is_where_named(const std::wstring& real, const std::wstring& folder, const std::wstring& name) {
    std::wstring expected = under(folder, name);
    std::size_t inside = expected.size() - name.size();  // the folder's path and a backslash
    // The folder exactly: a case-sensitive folder may have a sibling that differs only
    // in case. The name in any case, as Windows looks names up.
    if (real.size() != expected.size() || real.compare(0, inside, expected, 0, inside) != 0) return false;
    return CompareStringOrdinal(real.c_str() + inside, static_cast<int>(name.size()), expected.c_str() + inside,
                                static_cast<int>(name.size()), TRUE) == CSTR_EQUAL;
}

// What was opened, checked on its handle: the name may have changed since it was looked at.
std::optional<std::string> refusal_of_opened(HANDLE file, HANDLE folder, const std::wstring& name,
                                             BY_HANDLE_FILE_INFORMATION& info) {
    if (GetFileType(file) != FILE_TYPE_DISK) return msg::text(msg::not_regular_file);  // a device, a pipe
    if (!GetFileInformationByHandle(file, &info)) return refusal_for(GetLastError());
    if (std::optional<std::string> refusal = refusal_of_kind(info.dwFileAttributes)) return refusal;
    // The folder's final path is asked again now: it may have been moved meanwhile.
    std::optional<std::wstring> real = final_path(file);
    std::optional<std::wstring> folder_path = real ? final_path(folder) : std::nullopt;
    if (!folder_path) return refusal_for(GetLastError());
    if (!is_where_named(*real, *folder_path, name)) return msg::text(msg::symbolic_link);
    return std::nullopt;
}

constexpr std::size_t most_walked = 100000;  // entries /files looks at, to bound its time
constexpr int deepest = 32;

std::uint64_t size_of(DWORD high, DWORD low) { return static_cast<std::uint64_t>(high) << 32 | low; }

void walk(const std::wstring& folder, const std::string& prefix, int depth, std::vector<SharedFolder::Entry>& found,
          std::size_t& walked) {
    std::wstring pattern = under(folder, wide(prefix.empty() ? "*" : prefix + "/*").value_or(L"*"));
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &data, FindExSearchNameMatch, nullptr,
                                   FIND_FIRST_EX_LARGE_FETCH);
    if (find == INVALID_HANDLE_VALUE) return;
    std::vector<std::string> subfolders;
    do {
        if (++walked > most_walked) break;
        // As ls and dir: ".", "..", dot files, and what Windows marks hidden.
        if (data.cFileName[0] == L'.' || (data.dwFileAttributes & FILE_ATTRIBUTE_HIDDEN)) continue;
        std::optional<std::string> name = narrow(data.cFileName, std::wcslen(data.cFileName));
        if (!name) continue;
        std::string path = prefix.empty() ? *name : prefix + "/" + *name;
        const DWORD attributes = data.dwFileAttributes;
        if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) continue;  // neither sent nor gone into
        if (attributes & FILE_ATTRIBUTE_DIRECTORY) {
            if (depth < deepest) subfolders.push_back(path);
        } else if (!(attributes & FILE_ATTRIBUTE_DEVICE)) {
            found.push_back({path, size_of(data.nFileSizeHigh, data.nFileSizeLow)});
        }
    } while (FindNextFileW(find, &data));
    FindClose(find);
    for (const std::string& sub : subfolders) walk(folder, sub, depth + 1, found, walked);
}

// At most `most` bytes of `text`, cut before a character, never inside one.
std::size_t utf8_prefix_length(std::string_view text, std::size_t most) {
    if (text.size() <= most) return text.size();
    while (most > 0 && (static_cast<unsigned char>(text[most]) & 0xC0) == 0x80) --most;
    return most;
}

// Whether Win32 can give a file this name as it is: it strips trailing dots and
// spaces, takes a device name for the device, and refuses <>"|?*. Such a name is
// refused before the transfer rather than after it.
bool saveable(std::string_view name) {
    if (name.empty() || name.back() == '.' || name.back() == ' ') return false;
    if (name.find_first_of("<>\"|?*") != std::string_view::npos) return false;
    return !is_device_name(name);
}

// The temporary file is hidden while it is written; the file kept must not be.
bool unhide(HANDLE file) {
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(file, &info)) return false;
    FILE_BASIC_INFO basic{};  // times left 0: unchanged
    basic.FileAttributes = info.dwFileAttributes & ~static_cast<DWORD>(FILE_ATTRIBUTE_HIDDEN);
    if (basic.FileAttributes == 0) basic.FileAttributes = FILE_ATTRIBUTE_NORMAL;  // 0 would leave them unchanged
    return SetFileInformationByHandle(file, FileBasicInfo, &basic, sizeof basic) != 0;
}

}  // namespace

Reader::~Reader() { CloseHandle(as_handle(handle_)); }

std::size_t Reader::read(char* buffer, std::size_t capacity, std::error_code& error) {
    DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(capacity, 1u << 30)), got = 0;
    if (!ReadFile(as_handle(handle_), buffer, chunk, &got, nullptr)) return error = last_error(), 0;
    return got;
}

SharedFolder::SharedFolder(const std::string& path) : path_(path) {
    auto unusable = [&path](DWORD error) {
        return std::runtime_error(msg::text(msg::shared_folder_unusable, {path, system_message(error)}));
    };
    std::optional<std::wstring> name = wide(path);
    if (!name) throw unusable(ERROR_NO_UNICODE_TRANSLATION);
    // Shared for deleting too: as on POSIX, the folder stays the user's to rename or
    // remove while it is shared.
    HANDLE folder = CreateFileW(name->c_str(), FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                                FILE_FLAG_BACKUP_SEMANTICS, nullptr);
    if (folder == INVALID_HANDLE_VALUE) throw unusable(GetLastError());
    // FILE_FLAG_BACKUP_SEMANTICS opens a file as well: it must be a folder. And every
    // name is looked up under the folder's final path, so it must have one.
    BY_HANDLE_FILE_INFORMATION info;
    DWORD error = ERROR_SUCCESS;
    if (!GetFileInformationByHandle(folder, &info)) error = GetLastError();
    else if (!(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) error = ERROR_DIRECTORY;
    else if (!final_path(folder)) error = GetLastError();
    if (error != ERROR_SUCCESS) {
        CloseHandle(folder);
        throw unusable(error);
    }
    handle_ = as_integer(folder);
}

SharedFolder::~SharedFolder() { CloseHandle(as_handle(handle_)); }

SharedFolder::Opened SharedFolder::open(std::string_view name) const {
    if (std::optional<std::string> refusal = refusal_of_requested_name(name)) return {nullptr, *refusal};
    if (is_device_name(base_name(name))) return {nullptr, msg::text(msg::not_regular_file)};
    std::optional<std::wstring> wide_name = wide(name);
    if (!wide_name) return {nullptr, msg::text(msg::no_such_file)};
    std::optional<std::wstring> folder = final_path(as_handle(handle_));
    if (!folder) return {nullptr, refusal_for(GetLastError())};
    std::wstring path = under(*folder, *wide_name);
    if (std::optional<std::string> refusal = refusal_on_the_way(path, path.size() - wide_name->size()))
        return {nullptr, *refusal};
    // Looked at first, so that a folder or a device is never opened...
    DWORD attributes = GetFileAttributesW(path.c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) return {nullptr, refusal_for(GetLastError())};
    if (std::optional<std::string> refusal = refusal_of_kind(attributes)) return {nullptr, *refusal};
    // ... and what was opened checked again. Shared for writing and deleting: as on
    // POSIX, sending a file does not lock it.
    HANDLE file = CreateFileW(path.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                              nullptr, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_SEQUENTIAL_SCAN,
                              nullptr);
    if (file == INVALID_HANDLE_VALUE) return {nullptr, refusal_for(GetLastError())};
    BY_HANDLE_FILE_INFORMATION info;
    if (std::optional<std::string> refusal = refusal_of_opened(file, as_handle(handle_), *wide_name, info)) {
        CloseHandle(file);
        return {nullptr, *refusal};
    }
    std::uint64_t size = size_of(info.nFileSizeHigh, info.nFileSizeLow);
    return {std::unique_ptr<Reader>(new Reader(as_integer(file), size)), ""};
}

std::vector<SharedFolder::Entry> SharedFolder::list(std::size_t most, std::size_t& more) const {
    std::vector<Entry> found;
    std::size_t walked = 0;
    if (std::optional<std::wstring> folder = final_path(as_handle(handle_))) walk(*folder, "", 0, found, walked);
    std::sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    more = found.size() > most ? found.size() - most : 0;
    if (more) found.resize(most);
    return found;
}

Download::Download(std::string_view name) : name_(name), handle_(as_integer(INVALID_HANDLE_VALUE)) {
    auto cannot_save = [this](DWORD error, const std::string& file) {
        return std::system_error(system_error_code(error), msg::text(msg::file_cannot_save, {name_, file}));
    };
    if (!saveable(name_)) throw cannot_save(ERROR_INVALID_NAME, name_);
    if (!wide(name_)) throw cannot_save(ERROR_NO_UNICODE_TRANSLATION, name_);
    // A name of our own beside the final one, hidden, and never one that exists:
    // CREATE_NEW. Cut on a character, so that it is still UTF-8.
    static std::atomic<unsigned> made{0};
    std::string stem = name_.substr(0, utf8_prefix_length(name_, 100));
    DWORD error = ERROR_FILE_EXISTS;
    for (int tries = 0; tries < 100 && (error == ERROR_FILE_EXISTS || error == ERROR_ALREADY_EXISTS); ++tries) {
        temporary_ =
            "." + stem + "." + std::to_string(GetCurrentProcessId()) + "-" + std::to_string(made++) + ".part";
        HANDLE file = CreateFileW(wide(temporary_).value_or(L"").c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr,
                                  CREATE_NEW, FILE_ATTRIBUTE_HIDDEN, nullptr);
        if (file != INVALID_HANDLE_VALUE) {
            handle_ = as_integer(file);
            return;
        }
        error = GetLastError();
    }
    throw cannot_save(error, temporary_);
}

Download::~Download() {
    if (as_handle(handle_) != INVALID_HANDLE_VALUE) CloseHandle(as_handle(handle_));
    if (!kept_) DeleteFileW(wide(temporary_).value_or(L"").c_str());
}

std::error_code Download::write(const char* bytes, std::size_t size) {
    while (size > 0) {
        DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(size, 1u << 30)), written = 0;
        if (!WriteFile(as_handle(handle_), bytes, chunk, &written, nullptr)) return last_error();
        if (written == 0) return system_error_code(ERROR_WRITE_FAULT);  // never from a disk file; no endless loop
        bytes += written;
        size -= written;
    }
    return {};
}

std::optional<std::string> Download::keep(std::error_code& error) {
    HANDLE file = as_handle(handle_);
    handle_ = as_integer(INVALID_HANDLE_VALUE);
    if (!unhide(file)) {
        error = last_error();
        CloseHandle(file);
        return std::nullopt;
    }
    if (!CloseHandle(file)) return error = last_error(), std::nullopt;
    std::wstring temporary = wide(temporary_).value_or(L"");
    // Without MOVEFILE_REPLACE_EXISTING a name taken is never replaced: the rename
    // fails, atomically, and the next number is tried.
    for (int n = 0; n < 1000; ++n) {
        std::string final_name = numbered_name(name_, n);
        if (MoveFileExW(temporary.c_str(), wide(final_name).value_or(L"").c_str(), MOVEFILE_COPY_ALLOWED)) {
            kept_ = true;
            return final_name;
        }
        DWORD why = GetLastError();
        if (why == ERROR_ALREADY_EXISTS || why == ERROR_FILE_EXISTS) continue;
        error = system_error_code(why);
        return std::nullopt;
    }
    error = system_error_code(ERROR_FILE_EXISTS);
    return std::nullopt;
}

}  // namespace files
