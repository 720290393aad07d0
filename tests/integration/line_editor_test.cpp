// The line editor, at a real terminal (tmux): what a person sees while typing, and
// that what they typed goes out whole. Skipped where tmux is not installed.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "harness.h"
#include "tmux.h"

using namespace harness;

namespace {

// This test as the server a client at a terminal talks to, on 127.0.0.1 and a port
// the system picks: it can speak out of turn, as intercom-server never does.
class TestServer {
public:
    int port() const { return listener_.port(); }
    bool accept_client(milliseconds timeout = 5000ms) { return (client_ = listener_.accept(timeout)) != nullptr; }
    void send(const std::string& bytes) { client_->send(bytes); }
    void close_client() { client_.reset(); }
    std::string read_line(milliseconds timeout = 5000ms) { return client_->read_line(timeout); }

private:
    Listener listener_;
    std::unique_ptr<Peer> client_;
};

// intercom-client at a terminal, connected to a TestServer and greeted: its prompt
// is up. Columns: the terminal's width.
struct ClientAtTerminal {
    explicit ClientAtTerminal(int columns = 120)
        : terminal({program("intercom-client"), "127.0.0.1", std::to_string(server.port())}, {}, columns) {
        if (!server.accept_client()) throw std::runtime_error("the client did not connect");
        server.send("天王盖地虎\n");
        if (!terminal.wait_for_last_row("you>")) throw std::runtime_error("no prompt:\n" + text_of(terminal.screen()));
    }
    std::string from_server(const std::string& text) const {
        return "[127.0.0.1:" + std::to_string(server.port()) + "] " + text;
    }
    TestServer server;
    Terminal terminal;
};

// The row index of the first row that is exactly `row`, or -1.
int row_of(const std::vector<std::string>& rows, const std::string& row) {
    auto it = std::find(rows.begin(), rows.end(), row);
    return it == rows.end() ? -1 : static_cast<int>(it - rows.begin());
}

int row_containing(const std::vector<std::string>& rows, const std::string& text) {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].find(text) != std::string::npos) return static_cast<int>(i);
    return -1;
}

int count_containing(const std::vector<std::string>& rows, const std::string& text) {
    return static_cast<int>(std::count_if(rows.begin(), rows.end(),
                                          [&](const std::string& row) { return row.find(text) != std::string::npos; }));
}

// The port in the server's first row, "listening on 127.0.0.1:PORT" (its prompt, on
// the row below, says the row is whole).
int listening_port(Terminal& console) {
    std::string listening = console.screen().at(0);
    std::size_t colon = listening.rfind(':');
    if (listening.rfind("listening on ", 0) != 0 || colon == std::string::npos)
        throw std::runtime_error("no port in: " + listening);
    return std::stoi(listening.substr(colon + 1));
}

#define SKIP_WITHOUT_TMUX() \
    if (!Terminal::available()) GTEST_SKIP() << "tmux is not installed: the line editor is not tested"

}  // namespace

TEST(LineEditor, AMessageArrivingMidLineIsShownAboveTheLineWhichIsRedrawnIntact) {
    SKIP_WITHOUT_TMUX();
    ClientAtTerminal you;
    you.terminal.type("I am typing a long answ");
    ASSERT_TRUE(you.terminal.wait_for_last_row("you> I am typing a long answ"));

    you.server.send("question from two\n");
    std::optional<std::vector<std::string>> screen = you.terminal.wait_for("question from two");
    ASSERT_TRUE(screen);
    ASSERT_TRUE(you.terminal.wait_for_last_row("you> I am typing a long answ"));
    screen = you.terminal.screen();
    int message = row_of(*screen, you.from_server("question from two"));
    EXPECT_GE(message, 0) << text_of(*screen);
    EXPECT_EQ(row_of(*screen, "you> I am typing a long answ"), message + 1) << text_of(*screen);

    you.terminal.type("er");
    you.terminal.press("Enter");
    EXPECT_EQ(you.server.read_line(), "I am typing a long answer\n");
}

TEST(LineEditor, UpRecallsTheLastLineSent) {
    SKIP_WITHOUT_TMUX();
    ClientAtTerminal you;
    you.terminal.type("first line");
    you.terminal.press("Enter");
    EXPECT_EQ(you.server.read_line(), "first line\n");
    you.server.send("an answer\n");
    ASSERT_TRUE(you.terminal.wait_for_last_row("you>")) << text_of(you.terminal.screen());

    you.terminal.press("Up");
    EXPECT_TRUE(you.terminal.wait_for_last_row("you> first line")) << text_of(you.terminal.screen());
    you.terminal.press("Enter");
    EXPECT_EQ(you.server.read_line(), "first line\n");
}

TEST(LineEditor, ChineseIsEditedByCharacterAndSentIntact) {
    SKIP_WITHOUT_TMUX();
    ClientAtTerminal you;
    you.terminal.type("你好世界");
    you.terminal.press("Left");
    you.terminal.press("Left");
    you.terminal.type("，");
    EXPECT_TRUE(you.terminal.wait_for_last_row("you> 你好，世界")) << text_of(you.terminal.screen());
    you.terminal.press("Enter");
    EXPECT_EQ(you.server.read_line(), "你好，世界\n");
}

TEST(LineEditor, CtrlDOnAnEmptyLineEndsTheInputAndTheClientSaysBye) {
    SKIP_WITHOUT_TMUX();
    ClientAtTerminal you;
    you.terminal.press("C-d");
    EXPECT_EQ(you.server.read_line(), "bye\n");
    you.server.close_client();  // the client waits for that after its bye
    EXPECT_EQ(you.terminal.wait_for_exit(), 0);
    std::vector<std::string> rows = you.terminal.screen();
    int said = row_of(rows, "(you said bye)");  // on a row of its own, after the prompt's
    EXPECT_GT(said, 0) << text_of(rows);
    EXPECT_EQ(rows.at(static_cast<std::size_t>(said - 1)).rfind("you>", 0), 0u) << text_of(rows);
}

TEST(ClientAtATerminal, SaysAtOnceThatItIsConnectedAndWaitsForTheGreeting) {
    SKIP_WITHOUT_TMUX();
    TestServer silent;
    Terminal terminal({program("intercom-client"), "127.0.0.1", std::to_string(silent.port())});
    ASSERT_TRUE(silent.accept_client());
    std::string connected = "(connected to 127.0.0.1:" + std::to_string(silent.port()) + "; waiting for the greeting)";
    EXPECT_TRUE(terminal.wait_for(connected)) << text_of(terminal.screen());
}

TEST(ClientAtATerminal, ARefusalIsShownAndTheClientEndsWithNoPromptToType) {
    SKIP_WITHOUT_TMUX();
    Server server({"--echo", "--countersign", "宝塔镇河妖"});
    Terminal terminal({program("intercom-client"), "--countersign", "guess", "127.0.0.1", std::to_string(server.port)});
    EXPECT_EQ(terminal.wait_for_exit(), 1);
    std::vector<std::string> rows = terminal.screen();
    EXPECT_GE(row_containing(rows, "] intercom: wrong countersign"), 0) << text_of(rows);
    EXPECT_EQ(row_containing(rows, "you>"), -1) << text_of(rows);
}

TEST(ClientAtATerminal, SaysWhyTheServerEnded) {
    SKIP_WITHOUT_TMUX();
    Server server({"--echo"});
    Terminal terminal({program("intercom-client"), "127.0.0.1", std::to_string(server.port)});
    ASSERT_TRUE(terminal.wait_for_last_row("you>")) << text_of(terminal.screen());
    server.child.signal(SIGTERM);
    EXPECT_EQ(terminal.wait_for_exit(), 0);
    std::vector<std::string> rows = terminal.screen();
    EXPECT_GE(row_containing(rows, "] intercom: the server is shutting down"), 0) << text_of(rows);
    EXPECT_GE(row_containing(rows, "said bye)"), 0) << text_of(rows);
}

// Stopped with Ctrl-Z and continued with fg, the client finds the terminal as the shell
// left it; it must edit again (in cooked mode the terminal, not the editor, would take
// "def" until Enter, and the redrawn line would lack it).
TEST(LineEditor, AfterCtrlZAndFgTheLineIsEditedAsBefore) {
    SKIP_WITHOUT_TMUX();
    if (access("/bin/bash", X_OK) != 0) GTEST_SKIP() << "no /bin/bash for job control";
    TestServer server;
    Terminal shell({"/bin/bash", "--norc", "--noprofile", "-i"}, {"PS1=$ "});
    ASSERT_TRUE(shell.wait_for_last_row("$"));
    shell.type(program("intercom-client") + " 127.0.0.1 " + std::to_string(server.port()));
    shell.press("Enter");
    ASSERT_TRUE(server.accept_client());
    server.send("天王盖地虎\n");
    ASSERT_TRUE(shell.wait_for_last_row("you>")) << text_of(shell.screen());
    shell.type("abc");
    ASSERT_TRUE(shell.wait_for_last_row("you> abc"));

    shell.press("C-z");
    ASSERT_TRUE(shell.wait_for_last_row("$")) << text_of(shell.screen());
    shell.type("fg");
    shell.press("Enter");
    ASSERT_TRUE(shell.wait_for_last_row("you> abc")) << text_of(shell.screen());
    shell.type("def");
    ASSERT_TRUE(shell.wait_for_last_row("you> abcdef"));
    server.send("meanwhile\n");
    ASSERT_TRUE(shell.wait_for("meanwhile"));
    EXPECT_TRUE(shell.wait_for_last_row("you> abcdef")) << text_of(shell.screen());
    shell.press("Enter");
    EXPECT_EQ(server.read_line(), "abcdef\n");
}

// A line of double-width characters wider than the terminal, the cursor on its second
// row: the message goes above both rows, and neither is left behind or cut.
TEST(LineEditor, ALineThatWrapsIsRedrawnWholeBelowAMessage) {
    SKIP_WITHOUT_TMUX();
    ClientAtTerminal you(30);
    const std::string line = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸";  // 40 columns
    you.terminal.type(line);
    std::optional<std::vector<std::string>> typed = you.terminal.wait_for("壬癸");
    ASSERT_TRUE(typed);
    for (int i = 0; i < 4; ++i) you.terminal.press("Left");
    ASSERT_TRUE(you.terminal.wait_for_cursor(8, row_containing(*typed, "壬癸"))) << "the cursor before 壬";

    you.server.send("meanwhile\n");
    ASSERT_TRUE(you.terminal.wait_for("meanwhile"));
    // "you> " and 12 characters fill 29 columns; the 13th does not fit and begins the next row.
    ASSERT_TRUE(you.terminal.wait_for_last_row("丙丁戊己庚辛壬癸")) << text_of(you.terminal.screen());
    std::vector<std::string> screen = you.terminal.screen();
    int message = row_of(screen, you.from_server("meanwhile"));
    EXPECT_GE(message, 0) << text_of(screen);
    EXPECT_EQ(row_of(screen, "you> 一二三四五六七八九十甲乙"), message + 1) << text_of(screen);
    EXPECT_EQ(count_containing(screen, "一二三"), 1) << text_of(screen);

    you.terminal.press("Enter");
    EXPECT_EQ(you.server.read_line(), line + "\n");
}

// The server's console names where a plain line goes, before it is typed.
TEST(LineEditor, TheServerPromptNamesTheConversationThatWaits) {
    SKIP_WITHOUT_TMUX();
    Terminal console({program("intercom-server"), "--host", "127.0.0.1", "--port", "0"});
    ASSERT_TRUE(console.wait_for_last_row("(nobody waiting)>")) << text_of(console.screen());

    Peer one(listening_port(console));
    one.read_line();  // the greeting
    one.send("hello\n");
    EXPECT_TRUE(console.wait_for_last_row("#1>")) << text_of(console.screen());
    console.type("hi there");
    console.press("Enter");
    EXPECT_EQ(one.read_line(), "hi there\n");
    EXPECT_TRUE(console.wait_for_last_row("(nobody waiting)>")) << text_of(console.screen());

    console.type("/quit");
    console.press("Enter");
    EXPECT_EQ(console.wait_for_exit(), 0);
    EXPECT_EQ(one.read_line(), "intercom: the server is shutting down\n");
    EXPECT_EQ(one.read_line(), "bye\n");
}

TEST(LineEditor, AMessageArrivingWhileTheServerTypesGoesAboveItsPromptAndLine) {
    SKIP_WITHOUT_TMUX();
    Terminal console({program("intercom-server"), "--host", "127.0.0.1", "--port", "0"});
    ASSERT_TRUE(console.wait_for_last_row("(nobody waiting)>")) << text_of(console.screen());
    int port = listening_port(console);
    Peer one(port), two(port);
    one.read_line();
    two.read_line();
    one.send("from one\n");
    ASSERT_TRUE(console.wait_for_last_row("#1>")) << text_of(console.screen());
    console.type("half an answ");
    ASSERT_TRUE(console.wait_for_last_row("#1> half an answ"));

    two.send("from two\n");
    ASSERT_TRUE(console.wait_for("] from two"));
    EXPECT_TRUE(console.wait_for_last_row("#1> half an answ")) << text_of(console.screen());
    console.type("er");
    console.press("Enter");
    EXPECT_EQ(one.read_line(), "half an answer\n");
    EXPECT_TRUE(console.wait_for_last_row("#2>")) << text_of(console.screen());
}
