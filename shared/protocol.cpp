// protocol: "bye" detection.
#include "protocol.h"

#include <cctype>

namespace protocol {

namespace {

constexpr std::string_view ideographic_space = "\xE3\x80\x80";

std::string_view trim(std::string_view text) {
    for (bool trimmed = true; trimmed;) {
        trimmed = false;
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
            text.remove_prefix(1), trimmed = true;
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
            text.remove_suffix(1), trimmed = true;
        if (text.substr(0, ideographic_space.size()) == ideographic_space)
            text.remove_prefix(ideographic_space.size()), trimmed = true;
        if (text.size() >= ideographic_space.size() &&
            text.substr(text.size() - ideographic_space.size()) == ideographic_space)
            text.remove_suffix(ideographic_space.size()), trimmed = true;
    }
    return text;
}

}  // namespace

bool is_bye(std::string_view text) {
    text = trim(text);
    if (text.size() != bye.size()) return false;
    for (std::size_t i = 0; i < bye.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != bye[i]) return false;
    return true;
}

bool is_notice(std::string_view text) { return text.substr(0, notice_prefix.size()) == notice_prefix; }

std::string_view notice_text(std::string_view text) {
    return is_notice(text) ? text.substr(notice_prefix.size()) : text;
}

bool is_channel_marker(std::string_view text) { return text.substr(0, channel_marker.size()) == channel_marker; }

}  // namespace protocol
