// The downloader (--files DIR, /get, --get): byte-exact copies, names that never
// leave the shared folder, a client that trusts no header, and the lesson's own
// downloader script.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <clocale>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "harness.h"
#include "tmux.h"

using namespace harness;
namespace fs = std::filesystem;

namespace {

const std::string greeting = "天王盖地虎\n";

// A folder of the test's own, removed with everything in it when the test ends.
class Folder {
public:
    Folder() {
        std::string pattern = (fs::temp_directory_path() / "intercom-files-XXXXXX").string();
        path_ = mkdtemp(pattern.data()) ? pattern : "";
        if (path_.empty()) throw std::runtime_error("mkdtemp failed");
    }
    ~Folder() {
        std::error_code e;
        fs::remove_all(path_, e);
    }
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }
    // The names in it, sorted, hidden ones too: a download must leave nothing behind.
    std::vector<std::string> names() const {
        std::vector<std::string> all;
        for (const auto& entry : fs::directory_iterator(path_)) all.push_back(entry.path().filename().string());
        std::sort(all.begin(), all.end());
        return all;
    }

private:
    std::string path_;
};

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
}

std::string random_bytes(std::size_t size) {
    std::mt19937_64 random(20261129);
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; i += 8) {
        std::uint64_t word = random();
        for (std::size_t j = 0; j < 8 && i + j < size; ++j) bytes[i + j] = static_cast<char>(word >> (8 * j));
    }
    return bytes;
}

// intercom-client started in `folder`, where it saves what it downloads.
Child client_in(const Folder& folder, std::vector<std::string> args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", folder.path(), program("intercom-client")};
    argv.insert(argv.end(), args.begin(), args.end());
    return Child(argv, env);
}

// Whether this system has the locale `name` (locale -a lists it).
bool have_locale(const std::string& name) {
    return std::setlocale(LC_ALL, name.c_str()) != nullptr && std::setlocale(LC_ALL, "C") != nullptr;
}

// A shared folder with a few files in it, and a server sharing it.
struct SharedFiles {
    Folder shared, outside;
    SharedFiles() {
        write_file(shared / "a.txt", "hello\nworld\n");
        fs::create_directory(shared / "sub");
        write_file(shared / "sub/b.bin", std::string("\0\r\n\xff", 4));
        write_file(outside / "secret.txt", "secret");
    }
};

}  // namespace

TEST(Files, ADownloadOfTensOfMebibytesIsByteExact) {
    SharedFiles files;
    std::string body = random_bytes(24 * 1024 * 1024 + 7);  // line ends and all, as random data has
    write_file(files.shared / "big.bin", body);
    Server server({"--echo", "--files", files.shared.path()});
    Folder here;
    Child you = client_in(here, {"--get", "big.bin", std::to_string(server.port)});
    EXPECT_EQ(you.wait_exit(30000ms), 0) << you.stderr_text();
    EXPECT_TRUE(you.line_containing("(saved big.bin: 25165831 bytes, as " + here.path() + "/big.bin)"));
    EXPECT_EQ(here.names(), std::vector<std::string>{"big.bin"});
    EXPECT_TRUE(read_file(here / "big.bin") == body) << "the copy differs";
    EXPECT_TRUE(server.child.line_containing("(#1: sent big.bin, 25165831 bytes)"));
}

TEST(Files, AFileInASubfolderAndTheConversationGoesOnAfterIt) {
    SharedFiles files;
    Server server({"--echo", "--files", files.shared.path()});
    Peer peer(server.port);
    EXPECT_EQ(peer.read_line(), greeting);
    peer.send("/get sub/b.bin\n");
    EXPECT_EQ(peer.read_line(), "intercom file: 4 bytes: b.bin\n");
    std::string body = peer.read_line();  // "\0\r\n": up to its line end
    peer.send("still here\n");
    body += peer.read_line();             // "\xff", and the echo after it
    EXPECT_EQ(body, std::string("\0\r\n\xffstill here\n", 15));
}

TEST(Files, TheListIsOneMessageOfNamesAndSizes) {
    SharedFiles files;
    write_file(files.shared / ".hidden", "x");
    write_file(files.shared / "trail ", "x");  // a request is trimmed: it could never be asked for
    Server server({"--echo", "--files", files.shared.path()});
    Peer peer(server.port);
    peer.read_line();
    peer.send("/files\n");
    EXPECT_EQ(peer.read_line(), "intercom files: 2 shared: a.txt (12 bytes), sub/b.bin (4 bytes)\n");
}

TEST(Files, ChineseNamesInUtf8AndGbk) {
    SharedFiles files;
    write_file(files.shared / "照片.txt", "中文内容");
    for (const std::string encoding : {"UTF-8", "GBK"}) {
        Server server({"--echo", "--files", files.shared.path(), "--encoding", encoding});
        Folder here;
        Child you = client_in(here, {"--encoding", encoding, "--get", "照片.txt", std::to_string(server.port)});
        EXPECT_EQ(you.wait_exit(), 0) << encoding << ": " << you.stderr_text();
        EXPECT_EQ(read_file(here / "照片.txt"), "中文内容") << encoding;  // saved under its name in UTF-8
    }
    // And what GBK puts on the wire is GBK: 照片 is D5 D5 C6 AC. (Saved under a GBK
    // locale: AChineseNameIsSavedInTheLocalesEncoding.)
    Server server({"--echo", "--files", files.shared.path(), "--encoding", "GBK"});
    Peer peer(server.port);
    peer.read_line();
    peer.send("/get \xd5\xd5\xc6\xac.txt\n");
    EXPECT_EQ(peer.read_line(), "intercom file: 12 bytes: \xd5\xd5\xc6\xac.txt\n");
}

TEST(Files, ADownloadNeverOverwritesAFile) {
    SharedFiles files;
    Server server({"--echo", "--files", files.shared.path()});
    Folder here;
    write_file(here / "a.txt", "mine");
    for (int i = 0; i < 2; ++i) {
        Child you = client_in(here, {"--get", "a.txt", std::to_string(server.port)});
        EXPECT_EQ(you.wait_exit(), 0) << you.stderr_text();
    }
    EXPECT_EQ(here.names(), (std::vector<std::string>{"a (1).txt", "a (2).txt", "a.txt"}));
    EXPECT_EQ(read_file(here / "a.txt"), "mine");
    EXPECT_EQ(read_file(here / "a (2).txt"), "hello\nworld\n");
}

TEST(Files, EveryNameOutsideTheFolderIsRefusedWithAReasonAndTheConversationGoesOn) {
    SharedFiles files;
    fs::create_symlink(files.outside.path(), files.shared / "out");
    fs::create_symlink(files.outside / "secret.txt", files.shared / "secret-link");
    fs::create_symlink("a.txt", files.shared / "inside-link");
    ASSERT_EQ(mkfifo((files.shared / "fifo").c_str(), 0600), 0);
    Server server({"--echo", "--files", files.shared.path()});
    Peer peer(server.port);
    peer.read_line();
    const std::vector<std::pair<std::string, std::string>> refused = {
        {"../" + fs::path(files.outside.path()).filename().string() + "/secret.txt", "a \"..\" part"},
        {"sub/../a.txt", "a \"..\" part"},
        {files.outside / "secret.txt", "an absolute path"},
        {"C:/Windows/win.ini", "a drive letter"},
        {"sub\\b.bin", "a backslash"},
        {"out/secret.txt", "a symbolic link"},
        {"secret-link", "a symbolic link"},
        {"inside-link", "a symbolic link"},
        {"fifo", "not a regular file"},  // never opened: that would wait for a writer
        {"sub", "not a regular file"},
        {"a\x01.txt", "control characters"},
        {"missing.txt", "no such file"},
        {"", "no file name given"},
    };
    for (const auto& [name, reason] : refused) {
        peer.send("/get " + name + "\n");
        std::string answer = peer.read_line();
        EXPECT_EQ(answer.rfind("intercom: not sent: " + name + ": " + reason, 0), 0u) << name << " -> " << answer;
        peer.send("next\n");
        EXPECT_EQ(peer.read_line(), "next\n") << "after " << name;
    }
}

TEST(Files, ARefusedDownloadLeavesNothingBehindAndExitsOne) {
    SharedFiles files;
    Server server({"--echo", "--files", files.shared.path()});
    Folder here;
    for (const std::string name : {"../x", "missing.txt", "sub"}) {
        Child you = client_in(here, {"--get", name, std::to_string(server.port)});
        EXPECT_EQ(you.wait_exit(), 1) << name;
        EXPECT_TRUE(you.stderr_line_containing(name + ": not downloaded: not sent: ")) << you.stderr_text();
        EXPECT_TRUE(here.names().empty()) << name;
    }
}

TEST(Files, OneShotExitCodes) {
    Folder here;
    Child usage = client_in(here, {"--get"});
    EXPECT_EQ(usage.wait_exit(), 2);
    int port = Listener().port();  // nobody listens there once it is closed
    Child refused = client_in(here, {"--get", "a.txt", std::to_string(port)});
    EXPECT_EQ(refused.wait_exit(), 1);
    Server plain({"--echo"});
    Child no_files = client_in(here, {"--get", "a.txt", std::to_string(plain.port)});
    EXPECT_EQ(no_files.wait_exit(), 1);
    EXPECT_TRUE(no_files.stderr_line_containing("no files are shared here"));
    EXPECT_TRUE(here.names().empty());
}

TEST(Files, AnInteractiveGetSavesTheFileAndTheTurnsGoOn) {
    SharedFiles files;
    Server server({"--echo", "--files", files.shared.path()});
    Folder here;
    Child you = client_in(here, {std::to_string(server.port)});
    you.write("/get a.txt\n");
    EXPECT_TRUE(you.line_containing("(saved a.txt: 12 bytes, as " + here.path() + "/a.txt)"));
    you.write("/get nope\n");
    EXPECT_TRUE(you.line_containing("intercom: not sent: nope: no such file"));
    you.write("and on\n");
    EXPECT_TRUE(you.line_containing("] and on"));
    you.close_stdin();
    EXPECT_EQ(you.wait_exit(), 0);
    EXPECT_EQ(read_file(here / "a.txt"), "hello\nworld\n");
}

// The exercise's own client: the bare name, no line end; everything until the close.
TEST(Files, TheLessonDownloaderGetsTheRawFileWhenThereIsNoGreeting) {
    if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
    SharedFiles files;
    std::string body = random_bytes(3 * 1024 * 1024);
    write_file(files.shared / "lesson.bin", body);
    Server server({"--echo", "--greeting", "", "--files", files.shared.path()});
    Folder here;
    Child script({"/usr/bin/env", "python3", test_file("peers/lesson_downloader.py"), "127.0.0.1", std::to_string(server.port),
                  "lesson.bin", here / "got.bin"});
    EXPECT_TRUE(script.line_containing("received 3145728 bytes"));
    EXPECT_EQ(script.wait_exit(), 0);
    EXPECT_TRUE(read_file(here / "got.bin") == body);
    EXPECT_TRUE(server.child.line_containing("sent lesson.bin (3145728 bytes) raw"));
    // A first message that names no shared file is an ordinary one.
    Peer peer(server.port);
    peer.send("hello\n");
    EXPECT_EQ(peer.read_line(), "hello\n");
}

TEST(Files, TheLogRecordsEachTransferNotItsBytes) {
    SharedFiles files;
    Folder logs;
    Server server({"--echo", "--files", files.shared.path(), "--log", logs / "log"});
    Peer peer(server.port);
    peer.read_line();
    peer.send("/get a.txt\n");
    peer.read_line();
    peer.read_line();
    peer.read_line();
    peer.send("/get nope\n");
    peer.read_line();
    std::string log = read_file(logs / "log");
    EXPECT_NE(log.find(" file a.txt 12 bytes: sent\n"), std::string::npos) << log;
    EXPECT_NE(log.find(" file nope: refused: no such file\n"), std::string::npos) << log;
    EXPECT_EQ(log.find("hello"), std::string::npos) << log;
}

TEST(Files, TheTraceShowsTheHeaderThenTheBodyWithRunningCounts) {
    SharedFiles files;
    write_file(files.shared / "c.bin", random_bytes(600 * 1024));
    Server server({"--echo", "--trace", "--files", files.shared.path()});
    Folder here;
    Child you = client_in(here, {"--trace", "--get", "c.bin", std::to_string(server.port)});
    EXPECT_EQ(you.wait_exit(), 0);
    EXPECT_TRUE(server.child.stderr_line_containing("(file: 614400 of 614400 bytes sent)"));
    std::string trace = you.stderr_text();
    EXPECT_NE(trace.find("intercom file: 614400 bytes: c.bin"), std::string::npos);
    EXPECT_NE(trace.find("(file: 614400 of 614400 bytes received)"), std::string::npos) << trace;
}

// --- a server that cannot be trusted ---

namespace {

// intercom-client --get NAME against a server of the test's own, which sends `answer`
// after reading the request, then closes.
struct HostileServer {
    Folder here;
    Listener listener;
    Child you;
    HostileServer(const std::string& answer, const std::string& asked = "x", std::vector<std::string> extra = {})
        : you(client_in(here, [&] {
              std::vector<std::string> args = {"--get", asked};
              args.insert(args.end(), extra.begin(), extra.end());
              args.push_back(std::to_string(listener.port()));
              return args;
          }())) {
        std::unique_ptr<Peer> server = listener.accept();
        if (!server) return;
        server->send(greeting);
        server->read_line();
        server->send(answer);
    }
};

}  // namespace

// A notice in place of the greeting ("busy") is the answer, shown as any text a peer
// sends is: what would drive the terminal comes out escaped.
TEST(Files, ANoticeInsteadOfTheGreetingIsShownEscaped) {
    Folder here;
    Listener listener;
    Child you = client_in(here, {"--get", "x", std::to_string(listener.port())});
    std::unique_ptr<Peer> server = listener.accept();
    ASSERT_TRUE(server);
    server->send("intercom: busy \x1b[2J now\n");
    server.reset();  // and closes, as a full server does
    EXPECT_EQ(you.wait_exit(), 1);
    EXPECT_TRUE(you.stderr_line_containing("x: not downloaded: busy \\x1b[2J now")) << you.stderr_text();
    EXPECT_EQ(you.stderr_text().find('\x1b'), std::string::npos);
    EXPECT_TRUE(here.names().empty());
}

TEST(Files, AHeaderWithAPathSavesNothingAnywhere) {
    for (const std::string name : {"../evil.txt", "sub/evil.txt", "/tmp/evil.txt", "..", "a\x1b[2J"}) {
        HostileServer hostile("intercom file: 4 bytes: " + name + "\nevil");
        EXPECT_EQ(hostile.you.wait_exit(), 1) << name;
        EXPECT_TRUE(hostile.you.stderr_line_containing("is refused")) << hostile.you.stderr_text();
        EXPECT_TRUE(hostile.here.names().empty());
        EXPECT_FALSE(fs::exists(fs::path(hostile.here.path()).parent_path() / "evil.txt"));
    }
}

TEST(Files, AShortBodyLeavesNothingUnderTheFinalName) {
    HostileServer hostile("intercom file: 10 bytes: short.txt\n12345", "short.txt");
    EXPECT_EQ(hostile.you.wait_exit(), 1);
    EXPECT_TRUE(hostile.you.stderr_line_containing("short.txt: incomplete, 5 of 10 bytes came"));
    EXPECT_TRUE(hostile.here.names().empty());
}

TEST(Files, MoreThanAnnouncedLeavesNothing) {
    HostileServer hostile("intercom file: 5 bytes: long.txt\n1234567890", "long.txt");
    EXPECT_EQ(hostile.you.wait_exit(), 1);
    EXPECT_TRUE(hostile.you.stderr_line_containing("more than the 5 bytes it announced"));
    EXPECT_TRUE(hostile.here.names().empty());
}

TEST(Files, AnOversizeAnnouncementIsRefusedBeforeAnyByte) {
    HostileServer hostile("intercom file: 1048577 bytes: big.bin\n", "big.bin", {"--max-file", "1M"});
    EXPECT_EQ(hostile.you.wait_exit(), 1);  // at once: no byte of the body ever came
    EXPECT_TRUE(hostile.you.stderr_line_containing("big.bin is 1048577 bytes, over --max-file 1048576"));
    EXPECT_TRUE(hostile.here.names().empty());
}

// Shutdown mid-file: the server ends within its two seconds, and the client, cut
// off, keeps nothing.
TEST(Files, ShutdownMidTransferLeavesAnIncompleteFileBehindNowhere) {
    SharedFiles files;
    fs::resize_file(files.shared / "a.txt", std::uintmax_t{4} << 30);  // 4 GiB, sparse: nothing on disk
    fs::rename(files.shared / "a.txt", files.shared / "huge.bin");
    Server server({"--echo", "--files", files.shared.path()});
    Folder here;
    Child you = client_in(here, {"--trace", "--get", "huge.bin", std::to_string(server.port)});
    ASSERT_TRUE(you.stderr_line_containing(" bytes received)"));
    you.signal(SIGSTOP);  // a reader that stalls, so the transfer is surely midway
    EXPECT_TRUE(server.child.line_containing("asked for huge.bin: sending"));
    server.child.signal(SIGTERM);
    EXPECT_EQ(server.child.wait_exit(4000ms), 0);
    you.signal(SIGCONT);
    EXPECT_EQ(you.wait_exit(), 1);
    EXPECT_TRUE(you.stderr_line_containing("huge.bin: incomplete")) << you.stderr_text();
    EXPECT_TRUE(here.names().empty());
}

TEST(Files, AFolderThatCannotBeSharedIsSaidAtTheStart) {
    Folder here;
    write_file(here / "plain.txt", "x");
    for (const std::string& bad : {here / "missing", here / "plain.txt"}) {
        Child server({program("intercom-server"), "--host", "127.0.0.1", "--port", "0", "--files", bad});
        EXPECT_EQ(server.wait_exit(), 1) << bad;
        EXPECT_TRUE(server.stderr_line_containing("intercom-server: --files " + bad + ": ")) << server.stderr_text();
    }
}

TEST(Files, ASendTimeoutAppliesMidFile) {
    SharedFiles files;
    write_file(files.shared / "huge.bin", random_bytes(32 * 1024 * 1024));
    Server server({"--echo", "--send-timeout", "1", "--files", files.shared.path()});
    Peer stalled(server.port, 4096);  // reads the header, then nothing
    stalled.read_line();
    stalled.send("/get huge.bin\n");
    EXPECT_EQ(stalled.read_line(), "intercom file: 33554432 bytes: huge.bin\n");
    EXPECT_TRUE(server.child.line_containing("huge.bin cut off after ", 5000ms));
}

// At a terminal, a transfer longer than a moment shows a bar that goes when it ends.
TEST(Files, AProgressBarAtATerminal) {
    if (!Terminal::available()) GTEST_SKIP() << "tmux is not installed";
    Folder here;
    Listener listener;
    std::vector<std::string> argv = {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", here.path(), program("intercom-client"),
                                     std::to_string(listener.port())};
    Terminal terminal(argv);
    std::unique_ptr<Peer> server = listener.accept();
    ASSERT_TRUE(server);
    server->send(greeting);
    ASSERT_TRUE(terminal.wait_for("you>"));
    terminal.type("/get slow.bin");
    terminal.press("Enter");
    EXPECT_EQ(server->read_line(), "/get slow.bin\n");
    const std::size_t size = 1024 * 1024;
    server->send("intercom file: " + std::to_string(size) + " bytes: slow.bin\n");
    // The body trickles in, a kibibyte every 20 ms, until the bar has been seen.
    std::atomic<bool> seen{false};
    std::size_t sent = 0;
    std::thread trickle([&] {
        for (; !seen && sent < size / 2; sent += 1024) {
            server->send(std::string(1024, 'x'));
            std::this_thread::sleep_for(20ms);
        }
    });
    std::optional<std::vector<std::string>> screen = terminal.wait_for(" of 1.0 MiB, ", 10000ms);
    seen = true;
    trickle.join();
    ASSERT_TRUE(screen) << text_of(terminal.screen());
    EXPECT_NE(text_of(*screen).find("\n[....."), std::string::npos);  // a bar, not yet a quarter full
    EXPECT_NE(text_of(*screen).find("] "), std::string::npos);
    EXPECT_NE(text_of(*screen).find(" s left"), std::string::npos);
    server->send(std::string(size - sent, 'x'));
    screen = terminal.wait_for("(saved slow.bin: 1048576 bytes");
    ASSERT_TRUE(screen) << text_of(terminal.screen());
    EXPECT_EQ(text_of(*screen).find(" s left"), std::string::npos) << text_of(*screen);  // the bar has gone
}

// With no greeting the client speaks first: intercom-client, having heard nothing,
// gives its person the floor rather than wait for ever.
TEST(Files, AClientSpeaksFirstToAServerWithNoGreeting) {
    Server server({"--echo", "--greeting", ""});
    Child you({program("intercom-client"), std::to_string(server.port)});
    you.write("hello first\n");
    EXPECT_TRUE(you.line_containing("] hello first"));
    you.write("bye\n");
    EXPECT_EQ(you.wait_exit(), 0);
}

TEST(Files, TheServersGoodbyeRightAfterTheFileKeepsIt) {
    HostileServer shutting_down("intercom file: 5 bytes: a.txt\n12345intercom: the server is shutting down\nbye\n", "a.txt");
    EXPECT_EQ(shutting_down.you.wait_exit(), 0) << shutting_down.you.stderr_text();
    EXPECT_EQ(read_file(shutting_down.here / "a.txt"), "12345");
}

TEST(Files, MoreThanAnnouncedAfterTheByeLeavesNothing) {
    Folder here;
    Listener listener;
    Child you = client_in(here, {"--get", "late.txt", std::to_string(listener.port())});
    std::unique_ptr<Peer> server = listener.accept();
    ASSERT_TRUE(server);
    server->send(greeting);
    EXPECT_EQ(server->read_line(), "/get late.txt\n");
    server->send("intercom file: 5 bytes: late.txt\n12345");
    EXPECT_EQ(server->read_line(), "bye\n");
    server->send("EXTRA\n");  // late, after the client is done: still more than announced
    EXPECT_EQ(you.wait_exit(), 1);
    EXPECT_TRUE(you.stderr_line_containing("more than the 5 bytes it announced"));
    EXPECT_TRUE(here.names().empty());
}

TEST(Files, ANameOtherThanTheOneAskedForIsRefused) {
    HostileServer hostile("intercom file: 4 bytes: .bashrc\nevil");
    EXPECT_EQ(hostile.you.wait_exit(), 1);
    EXPECT_TRUE(hostile.you.stderr_line_containing("the server announced \".bashrc\", not the \"x\" asked for"));
    EXPECT_TRUE(hostile.here.names().empty());
}

TEST(Files, GetWorksWithARawServerAndANameWithAColon) {
    SharedFiles files;
    write_file(files.shared / "ab:c.txt", "colon");
    Server server({"--echo", "--raw", "--files", files.shared.path()});  // a greeting with no line end
    Folder here;
    Child you = client_in(here, {"--get", "ab:c.txt", std::to_string(server.port)});
    EXPECT_EQ(you.wait_exit(), 0) << you.stderr_text();
    EXPECT_EQ(read_file(here / "ab:c.txt"), "colon");
}

TEST(Files, TheLessonDownloaderAskingForAMissingFileGetsTheRefusalAndTheClose) {
    if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
    SharedFiles files;
    Server server({"--echo", "--greeting", "", "--files", files.shared.path()});
    Folder here;
    Child script({"/usr/bin/env", "python3", test_file("peers/lesson_downloader.py"), "127.0.0.1", std::to_string(server.port),
                  "nosuch.txt", here / "got"});
    EXPECT_EQ(script.wait_exit(), 0);
    EXPECT_EQ(read_file(here / "got").rfind("intercom: not sent: nosuch.txt: no such file", 0), 0u) << read_file(here / "got");
}

// Saved in the local file system's encoding: under zh_CN.GBK, a name in GBK bytes.
TEST(Files, AChineseNameIsSavedInTheLocalesEncoding) {
    if (!have_locale("zh_CN.GBK")) GTEST_SKIP() << "no zh_CN.GBK locale (locale-gen)";
    SharedFiles files;
    write_file(files.shared / "照片.txt", "x");
    Server server({"--echo", "--files", files.shared.path()});
    Folder here;
    const std::string gbk_name = "\xd5\xd5\xc6\xac.txt";  // 照片.txt, as that locale types and names it
    Child you = client_in(here, {"--get", gbk_name, std::to_string(server.port)}, {"LC_ALL=zh_CN.GBK"});
    EXPECT_EQ(you.wait_exit(), 0) << you.stderr_text();
    EXPECT_EQ(here.names(), std::vector<std::string>{gbk_name});
}
