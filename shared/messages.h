// messages: every line the programs say to a person, in English or in Chinese.
//
// One table holds them all (messages.cpp), so a translation is one place to read and
// nothing is said that is not in it. The language comes from the environment as the
// C library reads it (LC_ALL, then LC_MESSAGES, then LANG; on Windows, failing those,
// the user's display language): zh_* is Chinese, anything else English. Trace lines keep the C API's own names in either language.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace msg {

enum Id {
    // the server's console
    listening_on, connected, conversation_ended, conversation_failed, gave_countersign,
    said_bye, we_said_bye, told_goodbye, closed_without_bye, connection_lost,
    could_not_send_greeting, could_not_send, idle_timed_out, partial_timed_out,
    too_long_closed, wrong_countersign_closed, accept_failed, encoding_misread, encoding_switched,
    cut_off_at_shutdown,
    // the server's console operator
    held_for, at_usage, no_such_conversation, not_sent_ended, not_sent_shutting_down,
    no_conversations, list_waiting, list_their_turn, answer_too_long,
    nobody_waiting, nothing_to_send, unknown_command, console_help, list_held, list_target, list_target_none,
    sent_to, echo_too_long, too_many_guesses_closed, prompt_target, prompt_nobody,
    // what the server tells a client on the wire
    notice_busy, notice_idle, notice_unfinished, notice_too_long, notice_wrong_countersign,
    notice_too_many_guesses, notice_answer_too_long, notice_shutting_down,
    // the channel (--channel): on the wire to its members, and on the console
    channel_welcome, channel_joined, channel_left, channel_renamed, channel_who, channel_name_taken,
    channel_name_rule, channel_unknown_command, channel_too_long_to_relay, channel_too_slow,
    channel_send_timed_out, channel_kicked, notice_channel_dismissed, channel_console_help, kick_usage,
    no_such_member, channel_excludes,
    // files (--files, /get, --get): on the wire, on the server's console, on the client's
    notice_file_refused, notice_no_files, files_listing, files_listing_none, files_listing_more,
    name_empty, name_absolute, name_drive, name_backslash, name_parent, name_dot_part, name_control,
    name_has_path, name_not_a_file_name, no_such_file, symbolic_link, not_regular_file, cannot_open,
    shared_folder_unusable, files_excludes_channel,
    file_sending, file_sent, file_refused, file_cut_off, files_listed, file_sent_raw,
    file_receiving, file_saved, file_incomplete, file_too_big, file_bad_name, file_more_than_announced,
    file_cannot_save, file_stalled, file_not_sent_to_us, file_progress, file_interrupted, invalid_size,
    name_too_long, file_shrank, file_not_asked_for, file_refused_closed, size_one_byte, size_bytes,
    // the client's console
    prompt_you, connected_waiting, no_greeting, you_said_bye, waiting_for, countersign_given, peer_said_bye, connection_to_lost,
    peer_too_long, peer_unfinished, peer_closed_without_bye, send_to,
    too_long_not_sent, server_encoding_misread, cut_off_without_bye,
    // errors from the shared code
    look_up, listen_on, connect_to, unknown_host, start_sockets, create_waker, start_thread, open_log, write_log,
    unknown_encoding, auto_encoding_server_only, invalid_value, unknown_option, option_needs_value,
    unexpected_argument, invalid_host, port_given_twice,
    cannot_be_empty, no_line_breaks, longer_than_max_line, quiet_gap_too_long,
    // --trace's account of one recv()
    recv_partial, recv_one, recv_many, recv_and_part, recv_after_bye, recv_late_line_end, quiet_gap_delivered,
    // the console, when its output is not being read
    lines_not_shown,
    // --help
    server_usage, client_usage, try_help,
    count  // not a message: the size of the table
};

// The message in the user's language, with {1}, {2}, … replaced by `args`.
std::string text(Id id, std::initializer_list<std::string_view> args = {});

// True when messages are in Chinese.
bool chinese();

}  // namespace msg
