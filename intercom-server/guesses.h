// Wrong countersigns, counted per client address, so that nobody can guess it by
// trying thousands a second.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

class GuessLimiter {
public:
    using Clock = std::chrono::steady_clock;

    struct Verdict {
        bool allowed;  // false: refused unchecked, as too soon after the last wrong one
        std::chrono::milliseconds refuse_after;  // how long to wait before saying no
    };

    // A guess from `address` arrives: may it be checked? The first few wrong ones are
    // free; after them each must wait twice as long as the one before (1 s, 2 s, 4 s,
    // … a minute at most) since the last wrong guess. One that comes sooner is refused
    // without being looked at, after a second, so a guesser that retries at once is
    // slowed to a guess a second without a thread being held for it. A guess that may
    // be checked counts as wrong at once, in the same step, so that guesses made in
    // parallel cannot all slip through before any is counted; right() forgives it.
    Verdict check(const std::string& address, Clock::time_point now = Clock::now());
    void right(const std::string& address);

private:
    struct Record {
        unsigned wrong = 0;
        Clock::time_point last_wrong;
    };
    std::chrono::milliseconds wait_after(unsigned wrong) const;
    void forget_old(Clock::time_point now);

    std::mutex mutex_;
    std::map<std::string, Record> records_;
};
