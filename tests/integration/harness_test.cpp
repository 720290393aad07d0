// The harness itself: a peer program is looked for on PATH, as the shell would.
#include <gtest/gtest.h>

#include "harness.h"

using namespace harness;

TEST(Harness, HaveProgramFindsWhatIsOnPathAndNothingElse) {
    EXPECT_TRUE(have_program("sh"));
    EXPECT_FALSE(have_program("intercom-no-such-program"));
    EXPECT_FALSE(have_program("."));  // a folder is not a program
}
