// Countersign guesses, slowed per address.
#include <gtest/gtest.h>

#include "../../intercom-server/guesses.h"

using namespace std::chrono_literals;

TEST(GuessLimiter, AFewWrongGuessesAreFreeThenEachWaitsTwiceAsLong) {
    GuessLimiter limiter;
    GuessLimiter::Clock::time_point t{};
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.check("10.0.0.1", t).allowed);  // all wrong
    EXPECT_FALSE(limiter.check("10.0.0.1", t + 999ms).allowed);
    EXPECT_EQ(limiter.check("10.0.0.1", t + 999ms).refuse_after, 1000ms);
    EXPECT_TRUE(limiter.check("10.0.0.1", t + 1000ms).allowed);  // and wrong again
    EXPECT_FALSE(limiter.check("10.0.0.1", t + 2999ms).allowed);
    EXPECT_TRUE(limiter.check("10.0.0.1", t + 3000ms).allowed);
}

TEST(GuessLimiter, OtherAddressesAreNotSlowedAndARightGuessForgives) {
    GuessLimiter limiter;
    GuessLimiter::Clock::time_point t{};
    for (int i = 0; i < 3; ++i) limiter.check("10.0.0.1", t);
    EXPECT_TRUE(limiter.check("10.0.0.2", t).allowed);
    EXPECT_FALSE(limiter.check("10.0.0.1", t).allowed);
    limiter.right("10.0.0.1");
    EXPECT_TRUE(limiter.check("10.0.0.1", t).allowed);
}

TEST(GuessLimiter, TheWaitStopsGrowingAtAMinuteOrSo) {
    GuessLimiter limiter;
    GuessLimiter::Clock::time_point t{};
    GuessLimiter::Clock::time_point when = t;
    for (int i = 0; i < 100; ++i) {  // each as soon as it may be
        while (!limiter.check("10.0.0.1", when).allowed) when += 1s;
    }
    EXPECT_FALSE(limiter.check("10.0.0.1", when + 63s).allowed);
    EXPECT_TRUE(limiter.check("10.0.0.1", when + 64s).allowed);
}

TEST(GuessLimiter, GuessesInParallelCannotAllSlipThrough) {
    GuessLimiter limiter;
    GuessLimiter::Clock::time_point t{};
    int checked = 0;
    for (int i = 0; i < 400; ++i) checked += limiter.check("10.0.0.1", t).allowed;  // none answered yet
    EXPECT_EQ(checked, 3);
}
