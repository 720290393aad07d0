// Countersign guesses, slowed per address.
#include <gtest/gtest.h>

#include "../../intercom-server/guesses.h"

using namespace std::chrono_literals;

TEST(GuessLimiter, AFewWrongGuessesAreFreeThenEachWaitsTwiceAsLong) {
    GuessLimiter limiter;
    GuessLimiter::Clock::time_point t{};
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(limiter.check("10.0.0.1", t).allowed);
        limiter.wrong("10.0.0.1", t);
    }
    EXPECT_FALSE(limiter.check("10.0.0.1", t + 999ms).allowed);
    EXPECT_EQ(limiter.check("10.0.0.1", t + 999ms).refuse_after, 1000ms);
    EXPECT_TRUE(limiter.check("10.0.0.1", t + 1000ms).allowed);
    limiter.wrong("10.0.0.1", t + 1000ms);
    EXPECT_FALSE(limiter.check("10.0.0.1", t + 2999ms).allowed);
    EXPECT_TRUE(limiter.check("10.0.0.1", t + 3000ms).allowed);
}

TEST(GuessLimiter, OtherAddressesAreNotSlowedAndARightGuessForgives) {
    GuessLimiter limiter;
    GuessLimiter::Clock::time_point t{};
    for (int i = 0; i < 5; ++i) limiter.wrong("10.0.0.1", t);
    EXPECT_TRUE(limiter.check("10.0.0.2", t).allowed);
    limiter.right("10.0.0.1");
    EXPECT_TRUE(limiter.check("10.0.0.1", t).allowed);
}

TEST(GuessLimiter, TheWaitStopsGrowingAtAMinuteOrSo) {
    GuessLimiter limiter;
    GuessLimiter::Clock::time_point t{};
    for (int i = 0; i < 100; ++i) limiter.wrong("10.0.0.1", t);
    EXPECT_TRUE(limiter.check("10.0.0.1", t + 64s).allowed);
}
