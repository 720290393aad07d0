// The man pages keep up with the programs: every long option a program's --help lists
// appears in its page, and every option the page's OPTIONS section documents is one
// the program still has.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "harness.h"

using namespace harness;

namespace {

// Everything the program prints for --help (in English: the harness sets LC_ALL=C.UTF-8).
std::string help_text(const std::string& name) {
    Child child({harness::program(name), "--help"});
    std::string text;
    while (std::optional<std::string> line = child.read_line()) text += *line + "\n";
    EXPECT_EQ(child.wait_exit(), 0) << name << " --help";
    return text;
}

// The "--name" words of a text, each whole ("--max" is not taken from "--max-line").
std::set<std::string> long_options_in(const std::string& text) {
    static const std::regex option("--[a-z][a-z0-9]*(-[a-z0-9]+)*");
    std::set<std::string> found;
    for (std::sregex_iterator it(text.begin(), text.end(), option), end; it != end; ++it) found.insert(it->str());
    return found;
}

// The page's troff source, with "\-" (troff's way to write a hyphen-minus) made "-".
std::string page_text(const std::string& page) {
    std::ifstream in(test_file(page));
    std::stringstream all;
    all << in.rdbuf();
    std::string text = all.str();
    for (std::size_t at = 0; (at = text.find("\\-", at)) != std::string::npos;) text.replace(at, 2, "-");
    return text;
}

// The options documented under .SH OPTIONS: the tag line after each .TP.
std::string options_section_tags(const std::string& page) {
    std::istringstream lines(page);
    std::string line, tags;
    bool in_options = false, after_tp = false;
    while (std::getline(lines, line)) {
        if (line.rfind(".SH", 0) == 0) in_options = line.find("OPTIONS") != std::string::npos;
        if (in_options && after_tp) tags += line + "\n";
        after_tp = line == ".TP";
    }
    return tags;
}

void expect_page_matches_help(const std::string& program_name, const std::string& page_path) {
    std::string page = page_text(page_path);
    ASSERT_FALSE(page.empty()) << "cannot read " << test_file(page_path);
    std::set<std::string> in_help = long_options_in(help_text(program_name));
    ASSERT_TRUE(in_help.count("--help") && in_help.count("--version")) << "no options read from --help";

    std::set<std::string> in_page = long_options_in(page);
    for (const std::string& option : in_help)
        EXPECT_TRUE(in_page.count(option)) << option << " (from " << program_name << " --help) is missing from "
                                           << page_path;

    std::set<std::string> documented = long_options_in(options_section_tags(page));
    EXPECT_TRUE(documented.count("--help")) << "no options read from the OPTIONS section of " << page_path;
    for (const std::string& option : documented)
        EXPECT_TRUE(in_help.count(option)) << option << " is documented in " << page_path << " but "
                                           << program_name << " --help does not list it";
}

}  // namespace

TEST(ManPage, ServerPageHasEveryOptionOfTheServer) {
    expect_page_matches_help("intercom-server", "../intercom-server/intercom-server.1");
}

TEST(ManPage, ClientPageHasEveryOptionOfTheClient) {
    expect_page_matches_help("intercom-client", "../intercom-client/intercom-client.1");
}
