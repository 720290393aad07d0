// The client's side of a conversation: hear the server, then speak, in turn.
#pragma once

#include <optional>
#include <string>

#include "../shared/channel.h"
#include "../shared/terminal.h"
#include "download.h"

class Session {
public:
    Session(channel::Channel& channel, terminal::Console& console, terminal::LineReader& input,
            std::string server, std::string countersign, const net::Waker& interrupted, DownloadLimits limits)
        : channel_(channel),
          console_(console),
          input_(input),
          server_(std::move(server)),
          countersign_(std::move(countersign)),
          interrupted_(interrupted),
          limits_(limits) {}

    // Takes turns until the conversation ends; returns the exit status (0 ended with
    // bye, end of input or Ctrl-C, 1 the connection failed).
    int run();

private:
    // Not an exit status: what heard() returns when the server says this is a channel.
    static constexpr int on_a_channel = -1;

    // What one wait ended on (see wait_for_something).
    enum class Event { input, server, interrupted, quiet };

    Event wait_for_something(std::chrono::milliseconds limit, bool their_turn = false);
    std::optional<int> hear_them(std::chrono::milliseconds silence_gives_the_floor = std::chrono::milliseconds(-1));
    std::optional<int> speak();
    std::optional<int> show_what_came();
    std::optional<int> send_typed(const std::string& text);
    std::optional<int> heard(const channel::Incoming& in);
    std::optional<int> answer_to_get(const channel::Incoming& in);
    int say_bye();
    int say_bye_unless_ended();
    void report_send_failure(const std::error_code& e);
    std::optional<int> give_countersign();
    std::optional<int> closed_after_notice(std::chrono::milliseconds moment);

    channel::Channel& channel_;
    terminal::Console& console_;
    terminal::LineReader& input_;
    std::string server_;  // "127.0.0.1:8888", as the console names it
    std::string countersign_;
    const net::Waker& interrupted_;  // Ctrl-C: say bye and end
    DownloadLimits limits_;
    std::optional<std::string> asked_for_file_;  // NAME, when our last message was /get NAME
};
