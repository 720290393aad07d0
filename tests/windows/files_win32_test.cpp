// Unit tests for the Windows body of the downloader (shared/files_win32.cpp): UTF-8
// names reach the wide calls intact, nothing but the shared folder's own regular files
// is opened (no folder, no device, nothing through a link), the listing, and downloads
// that never replace a file nor leave one behind. Each test works in a folder of its own
// under the temporary folder (under Wine: ~/.wine/drive_c/users/<user>/Temp).
#include <gtest/gtest.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <winioctl.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "../../shared/files.h"
#include "../../shared/messages.h"

namespace {

std::wstring wide(const std::string& text) {
    int size = MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
    std::wstring out(static_cast<std::size_t>(std::max(size, 0)), L'\0');
    if (size > 0) MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), &out[0], size);
    return out;
}

std::string narrow(const std::wstring& text) {
    const int length = static_cast<int>(text.size());
    int size = WideCharToMultiByte(CP_UTF8, 0, text.data(), length, nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<std::size_t>(std::max(size, 0)), '\0');
    if (size > 0) WideCharToMultiByte(CP_UTF8, 0, text.data(), length, &out[0], size, nullptr, nullptr);
    return out;
}

bool running_under_wine() {
    return GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != nullptr;
}

// Everything in `folder` removed, then the folder; a link is removed, never gone into.
void remove_all(const std::wstring& folder) {
    WIN32_FIND_DATAW data;
    HANDLE find = FindFirstFileW((folder + L"\\*").c_str(), &data);
    if (find != INVALID_HANDLE_VALUE) {
        do {
            std::wstring name = data.cFileName;
            if (name == L"." || name == L"..") continue;
            std::wstring path = folder + L"\\" + name;
            const DWORD attributes = data.dwFileAttributes;
            if ((attributes & FILE_ATTRIBUTE_DIRECTORY) && !(attributes & FILE_ATTRIBUTE_REPARSE_POINT))
                remove_all(path);
            else if (!DeleteFileW(path.c_str())) RemoveDirectoryW(path.c_str());  // a link to a folder
        } while (FindNextFileW(find, &data));
        FindClose(find);
    }
    RemoveDirectoryW(folder.c_str());
}

// A folder of the test's own under the temporary folder, removed with all it holds.
class Scratch {
public:
    Scratch() {
        static std::atomic<unsigned> made{0};
        wchar_t temp[MAX_PATH + 1];
        DWORD length = GetTempPathW(MAX_PATH + 1, temp);
        // Wine gives small process ids again and again: a name left by an earlier run is passed by.
        for (int tries = 0; tries < 1000; ++tries) {
            root_ = std::wstring(temp, length) + L"intercom-files-" + std::to_wstring(GetCurrentProcessId()) + L"-" +
                    std::to_wstring(made++);
            if (CreateDirectoryW(root_.c_str(), nullptr)) return;
            if (GetLastError() != ERROR_ALREADY_EXISTS) break;
        }
        throw std::runtime_error("cannot make " + narrow(root_));
    }
    ~Scratch() { remove_all(root_); }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    std::string path() const { return narrow(root_); }
    std::wstring wide_path(const std::string& name) const {
        std::wstring path = root_ + L"\\" + wide(name);
        std::replace(path.begin(), path.end(), L'/', L'\\');
        return path;
    }

    void make_folder(const std::string& name) const {
        ASSERT_TRUE(CreateDirectoryW(wide_path(name).c_str(), nullptr)) << name;
    }

    void write(const std::string& name, const std::string& bytes, DWORD attributes = FILE_ATTRIBUTE_NORMAL) const {
        HANDLE file =
            CreateFileW(wide_path(name).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, attributes, nullptr);
        ASSERT_NE(file, INVALID_HANDLE_VALUE) << name << ": error " << GetLastError();
        DWORD written = 0;
        BOOL ok = WriteFile(file, bytes.data(), static_cast<DWORD>(bytes.size()), &written, nullptr);
        CloseHandle(file);
        ASSERT_TRUE(ok && written == bytes.size()) << name;
    }

    std::string read(const std::string& name) const {
        HANDLE file =
            CreateFileW(wide_path(name).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
        if (file == INVALID_HANDLE_VALUE) return "(cannot open " + name + ")";
        std::string bytes;
        char buffer[4096];
        DWORD got = 0;
        while (ReadFile(file, buffer, sizeof buffer, &got, nullptr) && got > 0) bytes.append(buffer, got);
        CloseHandle(file);
        return bytes;
    }

    DWORD attributes(const std::string& name) const { return GetFileAttributesW(wide_path(name).c_str()); }

    // Found by name: Wine has no attributes for a FIFO or a device, but finds them.
    bool exists(const std::string& name) const {
        WIN32_FIND_DATAW data;
        HANDLE find = FindFirstFileW(wide_path(name).c_str(), &data);
        if (find != INVALID_HANDLE_VALUE) FindClose(find);
        return find != INVALID_HANDLE_VALUE;
    }

    // Every name in the folder itself, dot files and hidden files included, sorted.
    std::vector<std::string> names() const {
        std::vector<std::string> found;
        WIN32_FIND_DATAW data;
        HANDLE find = FindFirstFileW((root_ + L"\\*").c_str(), &data);
        if (find == INVALID_HANDLE_VALUE) return found;
        do {
            std::wstring name = data.cFileName;
            if (name != L"." && name != L"..") found.push_back(narrow(name));
        } while (FindNextFileW(find, &data));
        FindClose(find);
        std::sort(found.begin(), found.end());
        return found;
    }

private:
    std::wstring root_;
};

// The current folder is where a download goes: the scratch folder for the test.
class InFolder {
public:
    explicit InFolder(const Scratch& scratch) {
        DWORD length = GetCurrentDirectoryW(MAX_PATH, old_);
        if (length == 0 || length >= MAX_PATH) throw std::runtime_error("no current folder");
        if (!SetCurrentDirectoryW(scratch.wide_path("").c_str())) throw std::runtime_error("cannot go in");
    }
    ~InFolder() { SetCurrentDirectoryW(old_); }
    InFolder(const InFolder&) = delete;
    InFolder& operator=(const InFolder&) = delete;

private:
    wchar_t old_[MAX_PATH];
};

// Bytes that a text-mode read would change: every byte value, CR LF, Ctrl-Z, and more
// than one read's worth.
std::string binary_bytes() {
    std::string bytes;
    for (int i = 0; i < 200000; ++i) bytes += static_cast<char>((i * 7) ^ (i >> 8));
    return bytes + "\r\n\x1A\r\r\n";
}

std::string read_all(files::Reader& reader) {
    std::string bytes;
    char buffer[4096];
    std::error_code error;
    while (std::size_t got = reader.read(buffer, sizeof buffer, error)) bytes.append(buffer, got);
    EXPECT_FALSE(error) << error.message();
    return bytes;
}

std::string refusal(const files::SharedFolder& folder, const std::string& name) {
    files::SharedFolder::Opened opened = folder.open(name);
    EXPECT_EQ(opened.file == nullptr, !opened.refusal.empty()) << name;
    return opened.file ? "(opened)" : opened.refusal;
}

// Under Wine, runs a Unix program in the scratch folder; then waits up to 5 s for
// `done`: Wine's handle to a Unix process may be signalled before the process has run,
// and its exit code is no guide.
template <class Done>
bool run_unix(const Scratch& scratch, const std::wstring& program, const std::wstring& arguments, Done done) {
    std::wstring command = program + L" " + arguments;
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION process{};
    std::wstring where = scratch.wide_path("");
    if (!CreateProcessW(program.c_str(), &command[0], nullptr, nullptr, FALSE, 0, nullptr, where.c_str(), &startup,
                        &process))
        return false;
    WaitForSingleObject(process.hProcess, 10000);
    CloseHandle(process.hThread);
    CloseHandle(process.hProcess);
    for (int tries = 0; tries < 100 && !done(); ++tries) Sleep(50);
    return done();
}

// Symbolic links (and, under Wine, FIFOs) made in the scratch folder, and removed
// before it is. Under Wine by the Unix ln, mkfifo and rm: Wine 8's CreateSymbolicLinkW
// returns TRUE and makes nothing, it cannot set a reparse point
// (FSCTL_SET_REPARSE_POINT: ERROR_NOT_SUPPORTED), and it can neither see nor delete a
// Unix link whose target is gone. Wine shows a Unix link to a folder as a reparse
// point, one to a file as a plain file. On Windows, CreateSymbolicLinkW, which needs
// Developer Mode or the privilege.
class OddFiles {
public:
    explicit OddFiles(const Scratch& scratch) : scratch_(scratch) {}
    ~OddFiles() {
        if (!running_under_wine() || made_.empty()) return;
        std::wstring names;
        for (const std::string& name : made_) names += L" \"" + wide(name) + L"\"";
        run_unix(scratch_, L"Z:\\bin\\rm", L"-f" + names, [this] {
            return std::none_of(made_.begin(), made_.end(), [this](const std::string& name) {
                return scratch_.exists(name);
            });
        });
    }
    OddFiles(const OddFiles&) = delete;
    OddFiles& operator=(const OddFiles&) = delete;

    // A link at `name` to `target` (relative to the link's folder, with "/"); false when
    // none could be made.
    bool link(const std::string& name, const std::string& target, bool folder) {
        made_.push_back(name);
        if (running_under_wine()) {
            return run_unix(scratch_, L"Z:\\bin\\ln", L"-s \"" + wide(target) + L"\" \"" + wide(name) + L"\"",
                            [&] { return scratch_.exists(name); });
        }
        std::wstring to = wide(target);
        std::replace(to.begin(), to.end(), L'/', L'\\');
        DWORD flags = SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE | (folder ? SYMBOLIC_LINK_FLAG_DIRECTORY : 0);
        return CreateSymbolicLinkW(scratch_.wide_path(name).c_str(), to.c_str(), flags) &&
               (scratch_.attributes(name) & FILE_ATTRIBUTE_REPARSE_POINT);
    }

    // Under Wine only: a Windows folder holds no FIFO.
    bool fifo(const std::string& name) {
        made_.push_back(name);
        return run_unix(scratch_, L"Z:\\bin\\mkfifo", L"\"" + wide(name) + L"\"",
                        [&] { return scratch_.exists(name); });
    }

private:
    const Scratch& scratch_;
    std::vector<std::string> made_;
};

}  // namespace

TEST(Win32Files, AChineseNameIsOpenedAndReadByteForByte) {
    Scratch scratch;
    std::string bytes = binary_bytes();
    scratch.write("照片 假期.jpg", bytes);
    scratch.make_folder("旅行");
    scratch.write("旅行/地图.png", "地图");
    files::SharedFolder folder(scratch.path());
    files::SharedFolder::Opened opened = folder.open("照片 假期.jpg");
    ASSERT_TRUE(opened.file) << opened.refusal;
    EXPECT_EQ(opened.file->size(), bytes.size());
    EXPECT_EQ(read_all(*opened.file), bytes);
    opened = folder.open("旅行/地图.png");
    ASSERT_TRUE(opened.file) << opened.refusal;
    EXPECT_EQ(read_all(*opened.file), "地图");
}

TEST(Win32Files, ASubfolderPathIsGoneDown) {
    Scratch scratch;
    scratch.make_folder("sub");
    scratch.make_folder("sub/deeper");
    scratch.write("sub/a.txt", "in sub");
    scratch.write("sub/deeper/b.txt", "deeper");
    files::SharedFolder folder(scratch.path());
    files::SharedFolder::Opened opened = folder.open("sub/a.txt");
    ASSERT_TRUE(opened.file) << opened.refusal;
    EXPECT_EQ(read_all(*opened.file), "in sub");
    opened = folder.open("sub/deeper/b.txt");
    ASSERT_TRUE(opened.file) << opened.refusal;
    EXPECT_EQ(read_all(*opened.file), "deeper");
}

TEST(Win32Files, AnEmptyFileReadsAsItsEnd) {
    Scratch scratch;
    scratch.write("empty", "");
    files::SharedFolder folder(scratch.path());
    files::SharedFolder::Opened opened = folder.open("empty");
    ASSERT_TRUE(opened.file) << opened.refusal;
    EXPECT_EQ(opened.file->size(), 0u);
    EXPECT_EQ(read_all(*opened.file), "");
}

TEST(Win32Files, WhatIsNotThereIsNoSuchFile) {
    Scratch scratch;
    scratch.write("a.txt", "a");
    files::SharedFolder folder(scratch.path());
    const std::string none = msg::text(msg::no_such_file);
    EXPECT_EQ(refusal(folder, "missing.txt"), none);
    EXPECT_EQ(refusal(folder, "nope/a.txt"), none);
    EXPECT_EQ(refusal(folder, "a.txt/b"), none);    // a file is no folder
    EXPECT_EQ(refusal(folder, "a.txt."), none);     // Win32 would strip the dot and open a.txt
    EXPECT_EQ(refusal(folder, "a.txt "), none);     // or the space
    EXPECT_EQ(refusal(folder, "a?.txt"), none);     // not a pattern either
    EXPECT_EQ(refusal(folder, "*"), none);
    EXPECT_EQ(refusal(folder, "\xFF.txt"), none);   // not UTF-8
}

TEST(Win32Files, TheNameRulesComeFirst) {
    Scratch scratch;
    files::SharedFolder folder(scratch.path());
    EXPECT_EQ(refusal(folder, "../a.txt"), msg::text(msg::name_parent));
    EXPECT_EQ(refusal(folder, "C:/Windows/win.ini"), msg::text(msg::name_drive));
    EXPECT_EQ(refusal(folder, "sub\\a.txt"), msg::text(msg::name_backslash));
    EXPECT_EQ(refusal(folder, "/a.txt"), msg::text(msg::name_absolute));
}

TEST(Win32Files, AFolderIsNotARegularFile) {
    Scratch scratch;
    scratch.make_folder("sub");
    scratch.make_folder("sub/deeper");
    files::SharedFolder folder(scratch.path());
    EXPECT_EQ(refusal(folder, "sub"), msg::text(msg::not_regular_file));
    EXPECT_EQ(refusal(folder, "sub/deeper"), msg::text(msg::not_regular_file));
}

TEST(Win32Files, DeviceNamesAreRefusedNeverOpened) {
    Scratch scratch;
    scratch.make_folder("sub");
    files::SharedFolder folder(scratch.path());
    const std::string not_regular = msg::text(msg::not_regular_file);
    for (const char* name : {"NUL", "nul", "con.txt", "CON", "Aux.tar.gz", "prn .txt", "COM1", "lpt9.log",
                             "com\xC2\xB9", "CONIN$", "conout$.txt", "sub/aux", "sub/nul.txt", "nul:stream"})
        EXPECT_EQ(refusal(folder, name), not_regular) << name;
}

TEST(Win32Files, NamesThatOnlyBeginLikeADeviceAreFiles) {
    Scratch scratch;
    files::SharedFolder folder(scratch.path());
    for (const char* name : {"console.txt", "nul2.txt", "com10", "lpt.txt", "auxiliary", "connected.log"}) {
        scratch.write(name, name);
        files::SharedFolder::Opened opened = folder.open(name);
        ASSERT_TRUE(opened.file) << name << ": " << opened.refusal;
        EXPECT_EQ(read_all(*opened.file), name);
    }
}

TEST(Win32Files, NoLinkIsFollowedInOrOut) {
    Scratch scratch;
    scratch.make_folder("shared");
    scratch.make_folder("outside");
    scratch.write("outside/secret.txt", "secret");
    scratch.write("shared/a.txt", "a");
    OddFiles links(scratch);
    if (!links.link("shared/out-link", "../outside/secret.txt", false))
        GTEST_SKIP() << "no symbolic link can be made here (Windows: Developer Mode or the privilege)";
    ASSERT_TRUE(links.link("shared/in-link", "a.txt", false));
    ASSERT_TRUE(links.link("shared/out-folder", "../outside", true));
    ASSERT_TRUE(links.link("shared/in-folder", ".", true));
    files::SharedFolder folder(scratch.path() + "\\shared");
    const std::string link = msg::text(msg::symbolic_link);
    EXPECT_EQ(refusal(folder, "out-link"), link);
    EXPECT_EQ(refusal(folder, "in-link"), link);
    EXPECT_EQ(refusal(folder, "out-folder/secret.txt"), link);
    EXPECT_EQ(refusal(folder, "in-folder/a.txt"), link);
    EXPECT_EQ(refusal(folder, "out-folder"), link);
    std::size_t more = 0;
    for (const files::SharedFolder::Entry& entry : folder.list(100, more))
        EXPECT_EQ(entry.name.find("-folder/"), std::string::npos) << entry.name << " was listed through a link";
    files::SharedFolder::Opened opened = folder.open("a.txt");  // the file itself still is
    ASSERT_TRUE(opened.file) << opened.refusal;
}

TEST(Win32Files, APipeOrADeviceIsNeverServed) {
    if (!running_under_wine()) GTEST_SKIP() << "only Wine's Unix file systems put a FIFO or a device in a folder";
    Scratch scratch;
    OddFiles odd(scratch);
    ASSERT_TRUE(odd.fifo("fifo"));
    ASSERT_TRUE(odd.link("null", "/dev/null", false));
    files::SharedFolder folder(scratch.path());
    for (const char* name : {"fifo", "null"}) {
        files::SharedFolder::Opened opened = folder.open(name);
        EXPECT_FALSE(opened.file) << name << " was opened";
        EXPECT_FALSE(opened.refusal.empty()) << name;
    }
    // Not the listing: Wine's find data shows both as plain files (FILE_ATTRIBUTE_ARCHIVE,
    // size 0), so there they are listed, though never opened.
}

TEST(Win32Files, TheListingIsSortedWithSizesAndSkipsWhatIsHidden) {
    Scratch scratch;
    scratch.write("b.txt", "bbb");
    scratch.write("a.txt", "a");
    scratch.write("中文.txt", "中文");
    scratch.make_folder("sub");
    scratch.write("sub/c.txt", "ccccc");
    scratch.write("sub/.hidden", "h");
    scratch.write(".dotfile", "d");
    scratch.make_folder(".dot");
    scratch.write(".dot/x.txt", "x");
    scratch.write("hidden.txt", "h", FILE_ATTRIBUTE_HIDDEN);
    scratch.make_folder("empty");
    files::SharedFolder folder(scratch.path());
    std::size_t more = 99;
    std::vector<files::SharedFolder::Entry> entries = folder.list(100, more);
    std::vector<std::pair<std::string, std::uint64_t>> got;
    for (const files::SharedFolder::Entry& entry : entries) got.emplace_back(entry.name, entry.size);
    std::vector<std::pair<std::string, std::uint64_t>> expected = {
        {"a.txt", 1}, {"b.txt", 3}, {"sub/c.txt", 5}, {"中文.txt", 6}};  // in UTF-8 byte order
    EXPECT_EQ(got, expected);
    EXPECT_EQ(more, 0u);
    entries = folder.list(2, more);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[1].name, "b.txt");
    EXPECT_EQ(more, 2u);
}

TEST(Win32Files, SizesBeyondFourGibibytesAreWhole) {
    Scratch scratch;
    HANDLE file =
        CreateFileW(scratch.wide_path("big.bin").c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr);
    ASSERT_NE(file, INVALID_HANDLE_VALUE);
    DWORD ignored = 0;
    DeviceIoControl(file, FSCTL_SET_SPARSE, nullptr, 0, nullptr, 0, &ignored, nullptr);  // where it can be
    LARGE_INTEGER size;
    size.QuadPart = (5LL << 30) + 3;
    bool made = SetFilePointerEx(file, size, nullptr, FILE_BEGIN) && SetEndOfFile(file);
    CloseHandle(file);
    if (!made) GTEST_SKIP() << "no room for a 5 GiB file here";
    files::SharedFolder folder(scratch.path());
    std::size_t more = 0;
    std::vector<files::SharedFolder::Entry> entries = folder.list(10, more);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].size, (5ULL << 30) + 3);
    files::SharedFolder::Opened opened = folder.open("big.bin");
    ASSERT_TRUE(opened.file) << opened.refusal;
    EXPECT_EQ(opened.file->size(), (5ULL << 30) + 3);
}

TEST(Win32Files, TheSharedFolderMustBeAFolderThatIsThere) {
    Scratch scratch;
    scratch.write("file.txt", "f");
    for (const std::string& path : {scratch.path() + "\\missing", scratch.path() + "\\file.txt"}) {
        try {
            files::SharedFolder folder(path);
            ADD_FAILURE() << path << " was shared";
        } catch (const std::runtime_error& e) {
            std::string what = e.what();
            std::string start = msg::text(msg::shared_folder_unusable, {path, ""});
            EXPECT_EQ(what.rfind(start, 0), 0u) << what;
            EXPECT_GT(what.size(), start.size()) << "no reason given";
            EXPECT_EQ(what.find_first_of("\r\n"), std::string::npos) << what;
        }
    }
    files::SharedFolder folder(scratch.path() + "/");  // a trailing separator is still the folder
    EXPECT_TRUE(folder.open("file.txt").file);
}

TEST(Win32Download, KeptUnderItsNameThenANumberedOne) {
    Scratch scratch;
    InFolder in(scratch);
    {
        files::Download first("x.bin");
        EXPECT_FALSE(first.write("first", 5));
        std::error_code error;
        EXPECT_EQ(first.keep(error), std::optional<std::string>("x.bin")) << error.message();
    }
    {
        files::Download second("x.bin");
        std::string bytes = binary_bytes();
        EXPECT_FALSE(second.write(bytes.data(), bytes.size()));
        std::error_code error;
        EXPECT_EQ(second.keep(error), std::optional<std::string>("x (1).bin")) << error.message();
    }
    EXPECT_EQ(scratch.read("x.bin"), "first");  // never replaced
    EXPECT_EQ(scratch.read("x (1).bin"), binary_bytes());
    EXPECT_EQ(scratch.names(), (std::vector<std::string>{"x (1).bin", "x.bin"}));  // no temporary file left
    EXPECT_FALSE(scratch.attributes("x.bin") & FILE_ATTRIBUTE_HIDDEN);
    EXPECT_FALSE(scratch.attributes("x (1).bin") & FILE_ATTRIBUTE_HIDDEN);
}

TEST(Win32Download, AFolderTakesTheNameToo) {
    Scratch scratch;
    scratch.make_folder("photo.jpg");
    InFolder in(scratch);
    files::Download download("photo.jpg");
    std::error_code error;
    EXPECT_EQ(download.keep(error), std::optional<std::string>("photo (1).jpg")) << error.message();
}

TEST(Win32Download, WrittenUnderAHiddenTemporaryName) {
    Scratch scratch;
    InFolder in(scratch);
    files::Download download("x.bin");
    EXPECT_FALSE(download.write("part", 4));
    std::vector<std::string> names = scratch.names();
    ASSERT_EQ(names.size(), 1u);
    std::string prefix = ".x.bin." + std::to_string(GetCurrentProcessId()) + "-";
    EXPECT_EQ(names[0].rfind(prefix, 0), 0u) << names[0];
    EXPECT_EQ(names[0].substr(names[0].size() - 5), ".part") << names[0];
    EXPECT_TRUE(scratch.attributes(names[0]) & FILE_ATTRIBUTE_HIDDEN);  // under Wine, the dot alone does it
}

TEST(Win32Download, NotKeptLeavesNothingBehind) {
    Scratch scratch;
    InFolder in(scratch);
    {
        files::Download download("y.bin");
        EXPECT_FALSE(download.write("half of it", 10));
        EXPECT_EQ(scratch.names().size(), 1u);
    }
    EXPECT_TRUE(scratch.names().empty());
}

TEST(Win32Download, ALongChineseNameIsCutBetweenCharacters) {
    Scratch scratch;
    InFolder in(scratch);
    std::string name;
    for (int i = 0; i < 60; ++i) name += "照";  // 180 bytes: byte 100 falls inside the 34th
    name += ".txt";
    files::Download download(name);
    std::vector<std::string> names = scratch.names();
    ASSERT_EQ(names.size(), 1u);
    std::string stem;
    for (int i = 0; i < 33; ++i) stem += "照";
    EXPECT_EQ(names[0].rfind("." + stem + ".", 0), 0u) << names[0];
    std::error_code error;
    EXPECT_EQ(download.keep(error), std::optional<std::string>(name)) << error.message();
    EXPECT_EQ(scratch.names(), std::vector<std::string>{name});
}

TEST(Win32Download, NamesWindowsCannotGiveAreRefusedBeforeTheTransfer) {
    Scratch scratch;
    InFolder in(scratch);
    for (const char* name : {"CON", "nul.txt", "com1.log", "a?b", "a*", "a<b", "x.", "x ", "\xFF.txt"}) {
        try {
            files::Download download(name);
            ADD_FAILURE() << name << " was taken";
        } catch (const std::system_error& e) {
            EXPECT_EQ(std::string(e.what()).rfind(msg::text(msg::file_cannot_save, {name, name}), 0), 0u) << e.what();
        }
    }
    EXPECT_TRUE(scratch.names().empty());
}
