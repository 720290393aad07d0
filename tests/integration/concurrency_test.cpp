// Many conversations at once: fifty echo clients in parallel, a console operator
// answering fifty waiting clients, and a shutdown with fifty conversations open.
// These also run under ThreadSanitizer (make sanitize).
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <memory>
#include <set>
#include <thread>

#include "harness.h"

using namespace harness;

namespace {

using Clock = std::chrono::steady_clock;

const std::string greeting = "天王盖地虎";
constexpr int clients = 50;

std::vector<std::unique_ptr<Peer>> connect_greeted_peers(int port, std::vector<std::string>& problems) {
    std::vector<std::unique_ptr<Peer>> peers;
    for (int i = 0; i < clients; ++i) {
        peers.push_back(std::make_unique<Peer>(port));
        std::string first = peers.back()->read_line();
        if (first != greeting + "\n") problems.push_back("client " + std::to_string(i) + " greeted with: " + first);
    }
    return peers;
}

// One echo client's conversation: several turns in Chinese, then bye.
void converse_with_echo(Peer& peer, int who, std::vector<std::string>& problems) {
    for (int turn = 0; turn < 5; ++turn) {
        std::string said = "客户" + std::to_string(who) + "，第" + std::to_string(turn) + "句：你好，世界！\n";
        peer.send(said);
        std::string heard = peer.read_line();
        if (heard != said) problems.push_back("client " + std::to_string(who) + " sent " + said + " heard " + heard);
    }
    peer.send("bye\n");
    std::string after_bye = peer.read_until_closed();
    if (!after_bye.empty() || !peer.closed())
        problems.push_back("client " + std::to_string(who) + " after bye: '" + after_bye + "'");
}

// The conversation number the server console gave each client, read from lines such
// as "[#12 127.0.0.1:50412] 问题7" (the client's message names the client).
std::map<int, int> conversation_numbers(Child& server, const std::string& prefix, std::size_t expected) {
    std::map<int, int> number_of;  // client -> #N
    Clock::time_point deadline = Clock::now() + 20s;
    while (number_of.size() < expected && Clock::now() < deadline) {
        std::optional<std::string> line = server.read_line(1000ms);
        if (!line || line->rfind("[#", 0) != 0) continue;
        std::size_t text = line->find("] " + prefix);
        if (text == std::string::npos) continue;
        int client = std::stoi(line->substr(text + 2 + prefix.size()));
        number_of[client] = std::stoi(line->substr(2, line->find(' ') - 2));
    }
    return number_of;
}

}  // namespace

TEST(Concurrency, FiftyEchoClientsTalkInParallel) {
    Server server({"--echo"});
    std::vector<std::string> problems;
    std::vector<std::unique_ptr<Peer>> peers = connect_greeted_peers(server.port, problems);
    ASSERT_TRUE(problems.empty()) << problems.front();

    // Five threads of ten clients each; every thread keeps its own list of problems.
    constexpr int threads = 5;
    std::vector<std::vector<std::string>> found(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int who = t; who < clients; who += threads) converse_with_echo(*peers[who], who, found[t]);
        });
    for (std::thread& worker : workers) worker.join();

    for (const std::vector<std::string>& list : found)
        for (const std::string& problem : list) ADD_FAILURE() << problem;
}

TEST(Concurrency, ConsoleOperatorAnswersFiftyWaitingClients) {
    Server server({});
    std::vector<std::string> problems;
    std::vector<std::unique_ptr<Peer>> peers = connect_greeted_peers(server.port, problems);
    ASSERT_TRUE(problems.empty()) << problems.front();
    for (int i = 0; i < clients; ++i) peers[i]->send("问题" + std::to_string(i) + "\n");
    std::map<int, int> number_of = conversation_numbers(server.child, "问题", clients);
    ASSERT_EQ(number_of.size(), static_cast<std::size_t>(clients)) << server.child.stderr_text();

    // Every fifth client is answered by number; the rest by plain lines, which go to
    // whoever has waited longest. The numbered answers go first, so no numbered client
    // is first in line when a plain line arrives.
    for (int i = 0; i < clients; i += 5)
        server.child.write("@" + std::to_string(number_of[i]) + " 给" + std::to_string(i) + "的专门回答\n");
    for (int k = 0; k < clients - clients / 5; ++k) server.child.write("普通回答" + std::to_string(k) + "\n");

    std::multiset<std::string> plain_answers;
    for (int i = 0; i < clients; ++i) {
        std::string answer = peers[i]->read_line();
        if (i % 5 == 0) EXPECT_EQ(answer, "给" + std::to_string(i) + "的专门回答\n") << "client " << i;
        else plain_answers.insert(answer);
    }
    std::multiset<std::string> expected;
    for (int k = 0; k < clients - clients / 5; ++k) expected.insert("普通回答" + std::to_string(k) + "\n");
    EXPECT_EQ(plain_answers, expected);

    for (int i = 0; i < clients; ++i) {  // exactly one answer each: nothing more comes
        peers[i]->send("bye\n");
        EXPECT_EQ(peers[i]->read_until_closed(), "") << "client " << i;
        EXPECT_TRUE(peers[i]->closed()) << "client " << i;
    }
}

TEST(Concurrency, SigtermWithFiftyConversationsOpenSaysByeToEveryClient) {
    Server server({});
    std::vector<std::unique_ptr<Peer>> watchers;
    for (int i = 0; i < clients; ++i) {
        watchers.push_back(std::make_unique<Peer>(server.port));
        ASSERT_EQ(watchers.back()->read_line(), greeting + "\n") << "client " << i;
    }
    // A third stay silent on their turn, a third wait for the operator, and a third
    // have had their answer and are on their turn again.
    std::size_t speakers = 0;
    for (int i = 0; i < clients; ++i)
        if (i % 3 != 0) watchers[i]->send("消息" + std::to_string(i) + "\n"), ++speakers;
    std::map<int, int> number_of = conversation_numbers(server.child, "消息", speakers);
    ASSERT_EQ(number_of.size(), speakers);
    for (int i = 2; i < clients; i += 3) {
        server.child.write("@" + std::to_string(number_of[i]) + " 回答" + std::to_string(i) + "\n");
        ASSERT_EQ(watchers[i]->read_line(), "回答" + std::to_string(i) + "\n") << "client " << i;
    }

    Clock::time_point signalled = Clock::now();
    server.child.signal(SIGTERM);
    for (int i = 0; i < clients; ++i) {
        EXPECT_EQ(watchers[i]->read_line(), "intercom: the server is shutting down\n") << "client " << i;
        EXPECT_EQ(watchers[i]->read_line(), "bye\n") << "client " << i;
        watchers[i]->shutdown_send();  // as a client does on the server's bye
        EXPECT_EQ(watchers[i]->read_until_closed(), "") << "client " << i;
        EXPECT_TRUE(watchers[i]->closed()) << "client " << i;
        EXPECT_FALSE(watchers[i]->was_reset()) << "client " << i << ": a reset, not a clean end";
    }
    auto within_3s = 3000ms - std::chrono::duration_cast<milliseconds>(Clock::now() - signalled);
    EXPECT_EQ(server.child.wait_exit(std::max(within_3s, 0ms)), 0) << server.child.stderr_text();
}
