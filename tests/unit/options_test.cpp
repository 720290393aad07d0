// The two programs' command lines: strict, and every refusal names what was wrong.
#include <gtest/gtest.h>

#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../../intercom-client/options.h"
#include "../../intercom-server/options.h"
#include "../../shared/cli.h"

namespace {

// argv as main() gets it: writable strings (getopt_long reorders them), then a null.
class Argv {
public:
    Argv(std::initializer_list<std::string> args) : strings_(args) {
        for (std::string& s : strings_) pointers_.push_back(s.data());
        pointers_.push_back(nullptr);
    }
    int argc() const { return static_cast<int>(strings_.size()); }
    char** argv() { return pointers_.data(); }

private:
    std::vector<std::string> strings_;
    std::vector<char*> pointers_;
};

ServerOptions server(std::initializer_list<std::string> args) {
    Argv a(args);
    return parse_server_options(a.argc(), a.argv());
}

ClientOptions client(std::initializer_list<std::string> args) {
    Argv a(args);
    return parse_client_options(a.argc(), a.argv());
}

// The UsageError message for a refused server command line, or "" if it was accepted.
std::string server_refusal(std::initializer_list<std::string> args) {
    try {
        server(args);
    } catch (const cli::UsageError& e) {
        return e.what();
    }
    return "";
}

std::string client_refusal(std::initializer_list<std::string> args) {
    try {
        client(args);
    } catch (const cli::UsageError& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(ServerOptions, Defaults) {
    ServerOptions o = server({"intercom-server"});
    EXPECT_EQ(o.port, 8888);
    EXPECT_EQ(o.greeting, "天王盖地虎");
    EXPECT_EQ(o.host, "");
    EXPECT_EQ(o.answers, ServerOptions::Answers::console);
    EXPECT_EQ(o.wire.encoding, "UTF-8");
    EXPECT_FALSE(o.wire.raw);
    EXPECT_EQ(o.wire.max_line, 8192u);
    EXPECT_EQ(o.max_clients, 1024u);
    EXPECT_EQ(o.idle_timeout, std::chrono::seconds(600));
    EXPECT_FALSE(o.show_help);
    EXPECT_FALSE(o.show_version);
}

TEST(ServerOptions, PortIsParsedInEveryForm) {
    EXPECT_EQ(server({"s", "--port", "9000"}).port, 9000);
    EXPECT_EQ(server({"s", "--port=9001"}).port, 9001);
    EXPECT_EQ(server({"s", "-p", "9002"}).port, 9002);
    EXPECT_EQ(server({"s", "-p9003"}).port, 9003);
    EXPECT_EQ(server({"s", "--port", "65535"}).port, 65535);
}

TEST(ServerOptions, PortZeroAsksForAnyFreePort) {
    EXPECT_EQ(server({"s", "--port", "0"}).port, 0);
}

TEST(ServerOptions, BadPortsAreRefusedNamingTheValue) {
    for (const char* bad : {"65536", "-1", "80x", "x80", " 80", "+80", "8.8", "99999999999",
                            "4294967296", "4294975488", "18446744073709551616"}) {
        std::string message = server_refusal({"s", "--port", bad});
        EXPECT_TRUE(contains(message, std::string("'") + bad + "'")) << bad << ": " << message;
    }
    EXPECT_TRUE(contains(server_refusal({"s", "--port", ""}), "''"));
    EXPECT_TRUE(contains(server_refusal({"s", "--port="}), "''"));
}

TEST(ServerOptions, UnknownOptionsAreRefusedNamingThem) {
    EXPECT_TRUE(contains(server_refusal({"s", "--bogus"}), "--bogus"));
    EXPECT_TRUE(contains(server_refusal({"s", "--bogus=1"}), "--bogus"));
    EXPECT_TRUE(contains(server_refusal({"s", "-x"}), "-x"));
    EXPECT_TRUE(contains(server_refusal({"s", "-hx"}), "-x"));
}

TEST(ServerOptions, AMissingValueIsRefusedNamingTheOption) {
    for (const char* option : {"--port", "-p", "--greeting", "--reply", "--encoding", "--max-line",
                               "--idle-timeout", "--max-clients", "--host"}) {
        std::string message = server_refusal({"s", option});
        EXPECT_TRUE(contains(message, option)) << option << ": " << message;
    }
}

TEST(ServerOptions, ABarePortArgumentIsThePort) {
    EXPECT_EQ(server({"s", "9000"}).port, 9000);
    EXPECT_EQ(server({"s", "0"}).port, 0);
    EXPECT_EQ(server({"s", "9000", "--echo"}).port, 9000);
    EXPECT_EQ(server({"s", "--echo", "9000"}).answers, ServerOptions::Answers::echo);
}

TEST(ServerOptions, ABadBarePortIsRefusedNamingIt) {
    for (const char* bad : {"http", "65536", "80x", "{3}"}) {
        std::string message = server_refusal({"s", bad});
        EXPECT_TRUE(contains(message, std::string("'") + bad + "'")) << bad << ": " << message;
    }
}

TEST(ServerOptions, TwoPortsAreRefusedNamingBoth) {
    std::string message = server_refusal({"s", "-p", "9000", "9001"});
    EXPECT_TRUE(contains(message, "'9000'") && contains(message, "'9001'")) << message;
    EXPECT_EQ(server({"s", "-p", "9000", "-p", "9001"}).port, 9001);  // a later option wins, as always
}

TEST(ServerOptions, StrayArgumentsAreRefused) {
    EXPECT_TRUE(contains(server_refusal({"s", "8888", "extra"}), "'extra'"));
}

TEST(ServerOptions, GreetingMayBeChangedButNotEmptied) {
    EXPECT_EQ(server({"s", "--greeting", "宝塔镇河妖"}).greeting, "宝塔镇河妖");
    EXPECT_EQ(server({"s", "--greeting", ""}).greeting, "");  // none: the client speaks first
    EXPECT_EQ(server({"s", "--greeting="}).greeting, "");
}

TEST(ServerOptions, EncodingIsCheckedAndNormalised) {
    EXPECT_EQ(server({"s", "--encoding", "gbk"}).wire.encoding, "GBK");
    EXPECT_EQ(server({"s", "--encoding", "cp936"}).wire.encoding, "GBK");
    EXPECT_EQ(server({"s", "--encoding", "utf8"}).wire.encoding, "UTF-8");
    for (const char* bad : {"latin1", "ISO-2022-CN-EXT", "UTF-7"})
        EXPECT_TRUE(contains(server_refusal({"s", "--encoding", bad}), bad)) << bad;
}

TEST(ServerOptions, EncodingGb18030IsNormalised) {
    EXPECT_EQ(server({"s", "--encoding=gb18030"}).wire.encoding, "GB18030");
}

// GB18030 in the name: Wine, where the Windows build's tests run, lacks it, and auto
// may speak it.
TEST(ServerOptions, EncodingAutoMaySpeakUtf8OrGb18030) {
    EXPECT_EQ(server({"s", "--encoding", "auto"}).wire.encoding, "auto");
    EXPECT_EQ(server({"s", "--encoding=AUTO"}).wire.encoding, "auto");
}

TEST(ServerOptions, WithEncodingAutoTextsMustFitInUtf8AndInGb18030) {
    // 天王盖地虎！ is 18 bytes in UTF-8 and 12 in GB18030; ÀÀÀ is 6 and 12.
    for (const char* text : {"天王盖地虎！", "ÀÀÀ"}) {
        EXPECT_TRUE(contains(server_refusal({"s", "--greeting", "hi", "--max-line", "11", "--encoding", "auto",
                                             "--reply", text}),
                             "--reply")) << text;
        EXPECT_EQ(server({"s", "--max-line", "18", "--encoding", "auto", "--reply", text}).reply_text, text);
    }
    EXPECT_EQ(server({"s", "--greeting", "hi", "--max-line", "11", "--reply", "ÀÀÀ"}).reply_text, "ÀÀÀ");  // UTF-8 alone
}

TEST(ServerOptions, WhoAnswers) {
    EXPECT_EQ(server({"s", "--echo"}).answers, ServerOptions::Answers::echo);
    ServerOptions reply = server({"s", "--reply", "宝塔镇河妖"});
    EXPECT_EQ(reply.answers, ServerOptions::Answers::reply);
    EXPECT_EQ(reply.reply_text, "宝塔镇河妖");
}

TEST(ServerOptions, LimitsAreParsed) {
    ServerOptions o = server({"s", "--max-line", "100", "--idle-timeout", "30", "--max-clients", "5",
                              "--raw", "--host", "::1"});
    EXPECT_EQ(o.wire.max_line, 100u);
    EXPECT_EQ(o.idle_timeout, std::chrono::seconds(30));
    EXPECT_EQ(o.max_clients, 5u);
    EXPECT_TRUE(o.wire.raw);
    EXPECT_EQ(o.host, "::1");
    EXPECT_EQ(server({"s", "--idle-timeout", "0"}).idle_timeout, std::chrono::seconds(0));
}

TEST(ServerOptions, BadLimitsAreRefusedNamingTheValue) {
    EXPECT_TRUE(contains(server_refusal({"s", "--max-line", "0"}), "'0'"));
    EXPECT_TRUE(contains(server_refusal({"s", "--max-line", "8k"}), "'8k'"));
    EXPECT_TRUE(contains(server_refusal({"s", "--max-clients", "0"}), "'0'"));
    EXPECT_TRUE(contains(server_refusal({"s", "--max-clients", "-5"}), "'-5'"));
    EXPECT_TRUE(contains(server_refusal({"s", "--idle-timeout", "1.5"}), "'1.5'"));
}

TEST(ServerOptions, AQuietGapAsLongAsThePartialTimeoutIsRefused) {
    // Milliseconds against seconds: 1999 ms fits in 2 s, 2000 ms does not.
    EXPECT_EQ(server({"s", "--quiet-gap", "1999", "--partial-timeout", "2"}).wire.quiet_gap,
              std::chrono::milliseconds(1999));
    for (auto args : {std::initializer_list<std::string>{"s", "--quiet-gap", "2000", "--partial-timeout", "2"},
                      {"s", "--partial-timeout", "2", "--quiet-gap", "2001"},
                      {"s", "--quiet-gap", "60000", "--partial-timeout", "1"},
                      {"s", "--quiet-gap", "30000"}}) {  // the default partial timeout is 30 s
        std::string message = server_refusal(args);
        EXPECT_TRUE(contains(message, "--quiet-gap") && contains(message, "--partial-timeout")) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
    EXPECT_TRUE(contains(server_refusal({"s", "--quiet-gap", "2000", "--partial-timeout", "2"}), "2000"));
    EXPECT_EQ(server({"s", "--quiet-gap", "29999"}).wire.partial_deadline, std::chrono::seconds(30));
}

TEST(ServerOptions, HelpAndVersion) {
    EXPECT_TRUE(server({"s", "--help"}).show_help);
    EXPECT_TRUE(server({"s", "-h"}).show_help);
    EXPECT_TRUE(server({"s", "--version"}).show_version);
    EXPECT_TRUE(server({"s", "-V"}).show_version);
}

TEST(ServerOptions, ParsingTwiceStartsAfresh) {
    EXPECT_NE(server_refusal({"s", "--bogus"}), "");
    EXPECT_EQ(server({"s", "--port", "1234"}).port, 1234);
    EXPECT_EQ(server({"s"}).port, 8888);
}

TEST(ClientOptions, Defaults) {
    ClientOptions o = client({"intercom-client"});
    EXPECT_EQ(o.host, "127.0.0.1");
    EXPECT_EQ(o.port, 8888);
    EXPECT_EQ(o.wire.encoding, "UTF-8");
    EXPECT_FALSE(o.wire.raw);
}

TEST(ClientOptions, HostAndPortArePositional) {
    EXPECT_EQ(client({"c", "example.org"}).host, "example.org");
    EXPECT_EQ(client({"c", "example.org"}).port, 8888);
    ClientOptions o = client({"c", "::1", "9000"});
    EXPECT_EQ(o.host, "::1");
    EXPECT_EQ(o.port, 9000);
    ClientOptions after = client({"c", "::1", "9000", "--raw", "--encoding", "gbk"});
    EXPECT_EQ(after.port, 9000);
    EXPECT_TRUE(after.wire.raw);
    EXPECT_EQ(after.wire.encoding, "GBK");
}

TEST(ClientOptions, AThirdPositionalIsRefused) {
    EXPECT_TRUE(contains(client_refusal({"c", "localhost", "9000", "extra"}), "extra"));
}

TEST(ClientOptions, BadPortsAreRefusedNamingTheValue) {
    for (const char* bad : {"0", "65536", "-1", "80x", "4294967296"}) {
        std::string message = client_refusal({"c", "localhost", bad});
        EXPECT_TRUE(contains(message, std::string("'") + bad + "'")) << bad << ": " << message;
    }
    EXPECT_TRUE(contains(client_refusal({"c", "localhost", ""}), "''"));
}

TEST(ClientOptions, AnEmptyHostIsRefused) {
    EXPECT_NE(client_refusal({"c", ""}), "");
}

TEST(ClientOptions, UnknownOptionsAndMissingValuesAreRefusedNamingThem) {
    EXPECT_TRUE(contains(client_refusal({"c", "--bogus", "80"}), "--bogus"));
    EXPECT_TRUE(contains(client_refusal({"c", "-z"}), "-z"));
    EXPECT_TRUE(contains(client_refusal({"c", "--encoding"}), "--encoding"));
    EXPECT_TRUE(contains(client_refusal({"c", "--port"}), "--port"));
    EXPECT_TRUE(contains(client_refusal({"c", "-p"}), "-p"));
}

// Where a test expects a host and port: both, compared at once for a clear failure.
std::pair<std::string, int> target(std::initializer_list<std::string> args) {
    ClientOptions o = client(args);
    return {o.host, o.port};
}

TEST(ClientOptions, PortMayBeGivenWithAnOption) {
    EXPECT_EQ(target({"c", "-p", "9000"}), std::make_pair(std::string("127.0.0.1"), 9000));
    EXPECT_EQ(target({"c", "--port", "9000", "example.org"}), std::make_pair(std::string("example.org"), 9000));
    EXPECT_EQ(target({"c", "example.org", "--port=9001"}), std::make_pair(std::string("example.org"), 9001));
    EXPECT_EQ(target({"c", "-p9002", "::1"}), std::make_pair(std::string("::1"), 9002));
}

TEST(ClientOptions, HostAndPortMayBeOneArgument) {
    using Target = std::pair<std::string, int>;
    EXPECT_EQ(target({"c", "example.org:9000"}), Target("example.org", 9000));
    EXPECT_EQ(target({"c", "127.0.0.1:9000"}), Target("127.0.0.1", 9000));
    EXPECT_EQ(target({"c", "[::1]:9000"}), Target("::1", 9000));
    EXPECT_EQ(target({"c", "[::1]"}), Target("::1", 8888));
    EXPECT_EQ(target({"c", "[::1]", "9000"}), Target("::1", 9000));
    EXPECT_EQ(target({"c", "[fe80::1%eth0]:9000"}), Target("fe80::1%eth0", 9000));
    // Without brackets, an address with colons is all address.
    EXPECT_EQ(target({"c", "::1"}), Target("::1", 8888));
    EXPECT_EQ(target({"c", "fe80::1:9000"}), Target("fe80::1:9000", 8888));
}

TEST(ClientOptions, BadHostFormsAreRefusedNamingTheValue) {
    for (const char* bad : {"[::1", "[::1]9000", "[::1]x:9000", "[]", "[]:9000", ":9000"}) {
        std::string message = client_refusal({"c", bad});
        EXPECT_TRUE(contains(message, std::string("'") + bad + "'")) << bad << ": " << message;
    }
    for (const char* bad_port : {"0", "65536", "http", ""}) {
        std::string message = client_refusal({"c", std::string("localhost:") + bad_port});
        EXPECT_TRUE(contains(message, std::string("'") + bad_port + "'")) << bad_port << ": " << message;
        message = client_refusal({"c", std::string("[::1]:") + bad_port});
        EXPECT_TRUE(contains(message, std::string("'") + bad_port + "'")) << bad_port << ": " << message;
        message = client_refusal({"c", "-p", bad_port});
        EXPECT_TRUE(contains(message, std::string("'") + bad_port + "'")) << bad_port << ": " << message;
    }
}

TEST(ClientOptions, TwoPortsAreRefusedNamingBoth) {
    for (auto args : {std::initializer_list<std::string>{"c", "localhost:9000", "9001"},
                      {"c", "-p", "9000", "localhost:9001"},
                      {"c", "-p", "9000", "localhost", "9001"},
                      {"c", "[::1]:9000", "9001"}}) {
        std::string message = client_refusal(args);
        EXPECT_TRUE(contains(message, "'9000'") && contains(message, "'9001'")) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
    EXPECT_EQ(client({"c", "-p", "9000", "-p", "9001"}).port, 9001);  // a later option wins, as always
}

TEST(ClientOptions, EncodingIsCheckedAndNormalised) {
    EXPECT_EQ(client({"c", "--encoding", "gbk"}).wire.encoding, "GBK");
    EXPECT_EQ(client({"c", "--encoding=Big5"}).wire.encoding, "BIG5");
    EXPECT_TRUE(contains(client_refusal({"c", "--encoding", "latin1"}), "latin1"));
}

TEST(ClientOptions, EncodingAutoIsTheServersAndIsRefusedSayingSo) {
    for (const char* name : {"auto", "Auto"}) {
        std::string refusal = client_refusal({"c", "--encoding", name});
        EXPECT_TRUE(contains(refusal, "server")) << refusal;
        EXPECT_TRUE(contains(refusal, "GBK")) << refusal;  // and says what to give instead
    }
}

TEST(ClientOptions, HelpAndVersion) {
    EXPECT_TRUE(client({"c", "-h"}).show_help);
    EXPECT_TRUE(client({"c", "--version"}).show_version);
}

}  // namespace

namespace {

TEST(CliNumbers, TheWholeRangeOfUnsignedLongIsReadWithoutWrapping) {
    const unsigned long most = std::numeric_limits<unsigned long>::max();
    const std::string most_text = std::to_string(most);
    EXPECT_EQ(cli::parse_number("n", most_text, 0, most), most);
    std::string one_more = most_text;  // ULONG_MAX ends in 5, so + 1 changes one digit
    one_more.back() = static_cast<char>(one_more.back() + 1);
    EXPECT_THROW(cli::parse_number("n", one_more, 0, most), cli::UsageError);
    EXPECT_THROW(cli::parse_number("n", most_text + "0", 0, most), cli::UsageError);
}

TEST(CliNumbers, TheRangeIsInclusive) {
    EXPECT_EQ(cli::parse_number("n", "7", 7, 9), 7u);
    EXPECT_EQ(cli::parse_number("n", "9", 7, 9), 9u);
    EXPECT_EQ(cli::parse_number("n", "0009", 7, 9), 9u);
    EXPECT_THROW(cli::parse_number("n", "6", 7, 9), cli::UsageError);
    EXPECT_THROW(cli::parse_number("n", "10", 7, 9), cli::UsageError);
}

}  // namespace

TEST(ServerOptions, TextThatWouldBeTwoMessagesIsRefused) {
    for (const char* option : {"--greeting", "--reply", "--countersign"}) {
        for (const char* value : {"two\nlines", "a\rb"}) {
            try {
                server({"intercom-server", option, value});
                ADD_FAILURE() << option << " accepted a line break";
            } catch (const cli::UsageError& e) {
                EXPECT_NE(std::string(e.what()).find(option), std::string::npos) << e.what();
            }
        }
    }
}

TEST(ServerOptions, TextsLongerThanMaxLineAreRefusedAtTheStart) {
    for (const char* option : {"--greeting", "--reply", "--countersign"}) {
        try {
            // 18 bytes in UTF-8; the default greeting, 天王盖地虎, is 15 and fits.
            server({"intercom-server", "--max-line", "15", option, "天王盖地虎！"});
            ADD_FAILURE() << option << " longer than --max-line was accepted";
        } catch (const cli::UsageError& e) {
            EXPECT_NE(std::string(e.what()).find(option), std::string::npos) << e.what();
        }
    }
    // In GBK the same text is 12 bytes, and fits.
    EXPECT_EQ(server({"intercom-server", "--max-line", "15", "--encoding", "gbk", "--reply", "天王盖地虎！"}).reply_text,
              "天王盖地虎！");
}

TEST(ClientOptions, ALoneNumberIsAPortOnThisMachine) {
    ClientOptions o = client({"intercom-client", "9000"});
    EXPECT_EQ(o.host, "127.0.0.1");
    EXPECT_EQ(o.port, 9000);
    EXPECT_EQ(client({"intercom-client", "example.org"}).host, "example.org");
    EXPECT_NE(client_refusal({"intercom-client", "-p", "9001", "9000"}), "");
}

TEST(ClientOptions, PartialTimeoutInSeconds) {
    EXPECT_EQ(client({"intercom-client", "--partial-timeout", "2"}).wire.partial_deadline, std::chrono::seconds(2));
    EXPECT_NE(client_refusal({"intercom-client", "--partial-timeout", "0"}), "");
}
