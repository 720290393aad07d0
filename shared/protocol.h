// protocol: what both ends agree on.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace protocol {

constexpr std::uint16_t default_port = 8888;
constexpr std::string_view default_greeting = "天王盖地虎";
constexpr std::string_view bye = "bye";
// What the server's own lines begin with ("intercom: busy, try again later"): a
// client takes one as a sign that a close may follow.
constexpr std::string_view notice_prefix = "intercom: ";

// How long a side that said bye keeps reading what is still arriving before it
// closes, so the peer's last bytes are not answered with a reset.
constexpr std::chrono::seconds bye_drain_time{2};

// True for decoded text that ends the conversation: "bye" in any letter case, with
// any white space around it (ASCII or the ideographic space U+3000 of CJK input).
bool is_bye(std::string_view text);

}  // namespace protocol
