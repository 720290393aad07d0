// Wrong countersigns per address.
#include "guesses.h"

#include <algorithm>

using namespace std::chrono_literals;

namespace {
constexpr unsigned free_guesses = 3;
constexpr std::chrono::milliseconds longest_wait = 64s;
constexpr std::chrono::milliseconds unchecked_refusal_delay = 1s;
constexpr std::chrono::minutes remembered_for{10};
constexpr std::size_t most_remembered = 10000;  // addresses: memory stays bounded
}  // namespace

std::chrono::milliseconds GuessLimiter::wait_after(unsigned wrong) const {
    if (wrong < free_guesses) return 0ms;
    unsigned doublings = std::min(wrong - free_guesses, 6u);
    return std::min<std::chrono::milliseconds>(1000ms * (1u << doublings), longest_wait);
}

GuessLimiter::Verdict GuessLimiter::check(const std::string& address, Clock::time_point now) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = records_.find(address);
    if (it != records_.end() && now < it->second.last_wrong + wait_after(it->second.wrong))
        return {false, unchecked_refusal_delay};
    if (it == records_.end() && records_.size() >= most_remembered) forget_old(now);
    Record& r = records_[address];
    r.wrong += 1;
    r.last_wrong = now;
    return {true, 0ms};
}

void GuessLimiter::right(const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    records_.erase(address);
}

// Drops addresses with no wrong guess for a while; if every one is recent, the
// oldest go, so the table never grows past its bound.
void GuessLimiter::forget_old(Clock::time_point now) {
    for (auto it = records_.begin(); it != records_.end();)
        it = now - it->second.last_wrong > remembered_for ? records_.erase(it) : std::next(it);
    while (records_.size() >= most_remembered) {
        auto oldest = std::min_element(records_.begin(), records_.end(), [](const auto& a, const auto& b) {
            return a.second.last_wrong < b.second.last_wrong;
        });
        records_.erase(oldest);
    }
}
