// --log: an append-only transcript of every message, one line each, written through
// at once so that nothing is lost if the server dies.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

class Transcript {
public:
    // Given one line to show the person running the server (stderr).
    using Report = std::function<void(const std::string& line)>;

    // Opens `path` for appending; throws std::runtime_error naming it and why not.
    // The first record that cannot be written (a full disk) is reported, once: the
    // server goes on serving, but nobody should trust the transcript to be complete.
    Transcript(const std::string& path, Report report);
    ~Transcript();
    Transcript(const Transcript&) = delete;
    Transcript& operator=(const Transcript&) = delete;

    // A file record's text says what was asked for, its size and what became of it (--files).
    enum class Direction { in, out, file };

    // "2026-11-25T08:30:37.123Z #1 127.0.0.1:50412 in 你好", with the text escaped by
    // terminal::escape_for_record, so that it reads back exactly (the format is in the
    // README and intercom-server(1)). Safe to call from every conversation thread at
    // once: each line is one write to a file opened for appending.
    void record(const std::string& conversation, Direction direction, const std::string& text);

private:
    void failed(int error);

    std::string path_;
    std::FILE* file_;
    Report report_;
    std::atomic<bool> reported_{false};
};

// "2026-11-25T08:30:37.123Z": ISO 8601, UTC, milliseconds.
std::string iso8601_utc(std::chrono::system_clock::time_point when);
