// cli: strict option-value parsing.
#include "cli.h"

#include <cctype>
#include <string>

#include "messages.h"

namespace cli {

unsigned long parse_number(std::string_view what, std::string_view text,
                           unsigned long min, unsigned long max) {
    unsigned long value = 0;
    bool ok = !text.empty(), above_max = false;
    for (char c : text) {
        if (c < '0' || c > '9') { ok = false; continue; }
        // Never let value pass max: unsigned long is 32 bits on Windows, where a
        // wrapped "4294975488" would otherwise read as port 8192.
        unsigned long digit = static_cast<unsigned long>(c - '0');
        if (value > max / 10 || (value == max / 10 && digit > max % 10)) above_max = true;
        else if (!above_max) value = value * 10 + digit;
    }
    if (!ok || above_max || value < min)
        throw UsageError(msg::text(msg::invalid_value, {what, text, std::to_string(min), std::to_string(max)}));
    return value;
}

std::uint64_t parse_size(std::string_view what, std::string_view text) {
    auto invalid = [&] { return UsageError(msg::text(msg::invalid_size, {what, text})); };
    std::string_view digits = text;
    int shift = 0;
    if (!digits.empty()) {
        std::string_view units = "KMGT";
        std::size_t unit = units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(digits.back()))));
        if (unit != std::string_view::npos) shift = 10 * static_cast<int>(unit + 1), digits.remove_suffix(1);
    }
    if (digits.empty() || digits.size() > 15 || digits.find_first_not_of("0123456789") != std::string_view::npos)
        throw invalid();
    std::uint64_t value = std::stoull(std::string(digits));
    if (value > (std::uint64_t{1} << (62 - shift))) throw invalid();  // no wrapping past 2^62
    return value << shift;
}

std::uint16_t parse_port(std::string_view text, bool allow_zero) {
    return static_cast<std::uint16_t>(parse_number("PORT", text, allow_zero ? 0 : 1, 65535));
}

std::string one_message(std::string_view option, std::string_view value) {
    if (value.empty()) throw UsageError(msg::text(msg::cannot_be_empty, {option}));
    if (value.find_first_of("\r\n") != std::string_view::npos)
        throw UsageError(msg::text(msg::no_line_breaks, {option}));
    return std::string(value);
}

std::string bad_option_message(char** argv, int optind, int optopt, bool missing_value) {
    std::string typed = argv[optind - 1];
    if (optopt != 0 && typed.rfind("--", 0) != 0)  // a short option, perhaps in a cluster
        typed = std::string("-") + static_cast<char>(optopt);
    return msg::text(missing_value ? msg::option_needs_value : msg::unknown_option, {typed});
}

}  // namespace cli
