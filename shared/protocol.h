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
bool is_notice(std::string_view text);
// A notice's words after the prefix ("busy, try again later"); other text as it is.
std::string_view notice_text(std::string_view text);

// How long a side that said bye keeps reading what is still arriving before it
// closes, so the peer's last bytes are not answered with a reset.
constexpr std::chrono::seconds bye_drain_time{2};

// A server that has said nothing this long after a client connects has no greeting
// (intercom-server --greeting '', or a lesson server waiting for its client to speak):
// the first turn is the client's.
constexpr std::chrono::seconds greeting_patience{1};

// True for decoded text that ends the conversation: "bye" in any letter case, with
// any white space around it (ASCII or the ideographic space U+3000 of CJK input).
bool is_bye(std::string_view text);

// A channel (intercom-server --channel) tells each newcomer, right after the greeting
// (and the countersign), who is on it, in one line that begins with this marker:
//   intercom channel: 3 on the frequency: server, 小明, #2; type to talk, /who, /name NAME, bye to leave
// A plain peer simply reads it as text; intercom-client takes it as its cue that this
// is no two-person conversation, and lets its user speak at any time. The marker is
// the same in every language the server speaks.
constexpr std::string_view channel_marker = "intercom channel: ";
bool is_channel_marker(std::string_view text);

}  // namespace protocol
