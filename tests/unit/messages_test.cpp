// msg::text: the message table's placeholders, filled in one pass.
#include "../../shared/messages.h"

#include <gtest/gtest.h>

#include <string>

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The checks hold in either language: both put the arguments in as they are.
TEST(Messages, ArgumentsAreFilledIn) {
    std::string text = msg::text(msg::invalid_value, {"PORT", "x", "1", "65535"});
    EXPECT_TRUE(contains(text, "PORT")) << text;
    EXPECT_TRUE(contains(text, "'x'")) << text;
    EXPECT_TRUE(contains(text, "1..65535")) << text;
}

TEST(Messages, PlaceholdersInsideArgumentsAreCopiedVerbatim) {
    // `--port '{3}'` once printed "invalid PORT '0' (expected {3}..65535)".
    std::string text = msg::text(msg::invalid_value, {"PORT", "{3}", "0", "65535"});
    EXPECT_TRUE(contains(text, "'{3}'")) << text;
    EXPECT_TRUE(contains(text, "0..65535")) << text;
    text = msg::text(msg::invalid_value, {"{2}{4}", "{1}", "{4}", "{3}"});
    EXPECT_TRUE(contains(text, "{2}{4}")) << text;
    EXPECT_TRUE(contains(text, "'{1}'")) << text;
    EXPECT_TRUE(contains(text, "{4}..{3}")) << text;
}

TEST(Messages, BracesThatAreNoPlaceholderAreKept) {
    std::string text = msg::text(msg::unknown_option, {"{"});
    EXPECT_TRUE(contains(text, "'{'")) << text;
    text = msg::text(msg::unknown_option, {"}{1"});
    EXPECT_TRUE(contains(text, "'}{1'")) << text;
    text = msg::text(msg::unknown_option, {"{}"});
    EXPECT_TRUE(contains(text, "'{}'")) << text;
}

TEST(Messages, APlaceholderWithNoArgumentStaysAsItIs) {
    EXPECT_TRUE(contains(msg::text(msg::unknown_option), "{1}"));
    EXPECT_TRUE(contains(msg::text(msg::invalid_value, {"PORT"}), "{4}"));
}

TEST(Messages, AnEmptyArgumentLeavesNothing) {
    std::string text = msg::text(msg::unknown_option, {""});
    EXPECT_TRUE(contains(text, "''")) << text;
    EXPECT_FALSE(contains(text, "{1}")) << text;
}

}  // namespace
