// cli: the strict option-value parsing both programs share. Bad values are echoed
// back in the error, as OpenBSD netcat does, and never half-read as atoi would.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cli {

// Bad usage: main prints it, says where the usage is (--help) and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A TCP port, 0..65535 (0 asks the system for any free port where allow_zero).
std::uint16_t parse_port(std::string_view text, bool allow_zero);

// A whole decimal number in [min, max]; `what` names it in the error.
unsigned long parse_number(std::string_view what, std::string_view text,
                           unsigned long min, unsigned long max);

// A size in bytes: "1048576", or with a binary suffix K, M, G or T ("16G"), any
// letter case; `what` names it in the error.
std::uint64_t parse_size(std::string_view what, std::string_view text);

// One message's worth of text for `option` (--greeting, --reply, …): not empty, and
// no line break, which would make it two messages on the wire and upset the turns.
std::string one_message(std::string_view option, std::string_view value);

// The message for the option getopt_long refused, naming it as typed: `missing_value`
// when it returned ':' (the option string starts with ':'), else '?' (unknown option).
std::string bad_option_message(char** argv, int optind, int optopt, bool missing_value);

}  // namespace cli
