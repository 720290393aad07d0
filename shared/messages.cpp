// messages: the table.
#include "messages.h"

#include <cstdlib>

#include "process.h"

namespace msg {

namespace {

struct Entry {
    Id id;
    const char* english;
    const char* chinese;
};

constexpr Entry table[] = {
    {listening_on, "listening on {1}", "正在监听 {1}"},
    {connected, "({1} connected)", "({1} 已连接)"},
    {conversation_ended, "({1} {2})", "({1} {2})"},
    {conversation_failed, "({1} ended: {2})", "({1} 已结束：{2})"},
    {gave_countersign, "({1} gave the countersign)", "({1} 对上了暗号)"},
    {said_bye, "said bye", "说了再见 (bye)"},
    {we_said_bye, "we said bye", "我方说了再见 (bye)"},
    {told_goodbye, "told goodbye: the server is shutting down", "已道别：服务器正在关闭"},
    {closed_without_bye, "closed the connection without saying bye", "没说再见 (bye) 就关闭了连接"},
    {connection_lost, "connection lost: {1}", "连接中断：{1}"},
    {could_not_send_greeting, "could not send the greeting: {1}", "无法发送问候语：{1}"},
    {could_not_send, "could not send: {1}", "无法发送：{1}"},
    {idle_timed_out, "timed out: silent for {1} s on their turn", "超时：轮到对方时 {1} 秒没有消息"},
    {partial_timed_out, "timed out: a message was still unfinished", "超时：一条消息迟迟没有结束"},
    {too_long_closed, "sent a message longer than {1} bytes; closed", "发来的消息超过 {1} 字节，已关闭"},
    {wrong_countersign_closed, "gave the wrong countersign; closed", "暗号不对，已关闭"},
    {accept_failed, "accept: {1}", "accept 失败：{1}"},
    {encoding_misread,
     "(#{1}: these bytes are not {2} but read as {3}; start the server with --encoding {3}, or --encoding auto)",
     "(#{1}：这些字节不是 {2}，按 {3} 才读得通；请用 --encoding {3} 或 --encoding auto 启动服务器)"},
    {encoding_switched, "(#{1} speaks {2}: switched)", "(#{1} 用的是 {2}：已切换)"},
    {cut_off_at_shutdown, "interrupted again; open conversations cut off", "再次中断：未结束的对话被切断"},

    {held_for, "(held for #{1} until it is their turn)", "(先留着，等 #{1} 发来消息后再发送)"},
    {at_usage, "to answer one conversation, type: @N text", "要回答某一个对话，请输入：@N 内容"},
    {no_such_conversation, "no conversation #{1}; not sent: {2}", "没有对话 #{1}；未发送：{2}"},
    {not_sent_ended, "#{1} has ended; not sent: {2}", "#{1} 已结束；未发送：{2}"},
    {not_sent_shutting_down, "shutting down; not sent: {1}", "正在关闭；未发送：{1}"},
    {no_conversations, "(no conversations)", "(没有对话)"},
    {list_waiting, "#{1} {2}: waiting for your answer", "#{1} {2}：等你回答"},
    {list_their_turn, "#{1} {2}: their turn", "#{1} {2}：轮到对方"},
    {answer_too_long, "(#{1}: too long, not sent; type a shorter answer)", "(#{1}：太长，未发送；请输入短一些的回答)"},
    {nobody_waiting, "nobody is waiting for an answer; not sent: {1} (to hold a line for one conversation: @N text)",
     "现在没有人在等回答；未发送：{1}（要留给某个对话，请输入：@N 内容）"},
    {nothing_to_send, "@{1} with no text: nothing sent", "@{1} 后面没有内容：未发送"},
    {unknown_command, "unknown command: {1}; not sent (/help lists the commands; //text sends /text)",
     "未知命令：{1}；未发送（/help 列出命令；//内容 发送 /内容）"},
    {console_help,
     "  text        answer the conversation named by the prompt (the one waiting longest)\n"
     "  @N text     answer #N, or hold the line for #N until its turn\n"
     "  //text      send a line that begins with /\n"
     "  /list       the conversations, whose turn it is, what is held, where a line goes\n"
     "  /help       this help\n"
     "  /quit       say goodbye to every client and stop the server",
     "  内容        回答提示符所示的对话（等得最久的那个）\n"
     "  @N 内容     回答 #N；还没轮到它时先留着\n"
     "  //内容      发送以 / 开头的一行\n"
     "  /list       列出对话：轮到谁、留着什么、一行会发给谁\n"
     "  /help       本帮助\n"
     "  /quit       向每个客户端道别并关闭服务器"},
    {list_held, "    held: {1}", "    留着：{1}"},
    {list_target, "a plain line goes to #{1}", "直接输入的一行会发给 #{1}"},
    {list_target_none, "nobody is waiting: a plain line goes nowhere (use @N text)",
     "没有人在等：直接输入的一行不会发出（请用 @N 内容）"},
    {sent_to, "[to #{1}] {2}", "[发给 #{1}] {2}"},
    {echo_too_long, "({1}: the answer is longer than {2} bytes on the wire; the client was told)",
     "({1}：回答在线路上超过 {2} 字节；已告知客户端)"},
    {too_many_guesses_closed, "guessed the countersign too often; closed", "猜暗号太频繁，已关闭"},
    {prompt_target, "{1}> ", "{1}> "},
    {prompt_nobody, "(nobody waiting)> ", "(没有人在等)> "},

    {notice_busy, "intercom: busy, try again later", "intercom: 忙，请稍后再试"},
    {notice_idle, "intercom: nothing from you for {1} s; closing", "intercom: {1} 秒没有收到你的消息，连接关闭"},
    {notice_unfinished, "intercom: your message never ended; closing", "intercom: 你的消息一直没有结束，连接关闭"},
    {notice_too_long, "intercom: message longer than {1} bytes; closing", "intercom: 消息超过 {1} 字节，连接关闭"},
    {notice_wrong_countersign, "intercom: wrong countersign", "intercom: 暗号不对"},
    {notice_too_many_guesses, "intercom: too many wrong countersigns; wait and try again",
     "intercom: 暗号错得太多；请稍后再试"},
    {notice_answer_too_long, "intercom: the answer would be longer than {1} bytes; not sent",
     "intercom: 回答会超过 {1} 字节；未发送"},
    {notice_shutting_down, "intercom: the server is shutting down", "intercom: 服务器正在关闭"},

    {channel_welcome, "intercom channel: {1} on the frequency: {2}; type to talk, /who, /name NAME, bye to leave",
     "intercom channel: 频道上 {1} 人：{2}；直接输入即可发言，/who 查看成员，/name 名字 改名，bye 离开"},
    {channel_joined, "intercom: {1} joined from {2}; {3} on the frequency", "intercom: {1} 从 {2} 加入；频道上 {3} 人"},
    {channel_left, "intercom: {1} left ({2}); {3} on the frequency", "intercom: {1} 离开了（{2}）；频道上 {3} 人"},
    {channel_renamed, "intercom: {1} is now {2}", "intercom: {1} 改名为 {2}"},
    {channel_who, "intercom: {1} on the frequency: {2}", "intercom: 频道上 {1} 人：{2}"},
    {channel_name_taken, "intercom: the name {1} is taken; you are still {2}", "intercom: 名字 {1} 已被占用；你仍是 {2}"},
    {channel_name_rule,
     "'{1}' cannot be a name: 1 to 32 bytes, no spaces or control characters, none of , : [ ], not beginning with # / @",
     "'{1}' 不能用作名字：1 到 32 字节，不含空格、控制字符和 , : [ ]，不以 # / @ 开头"},
    {channel_unknown_command, "intercom: unknown command {1}; not sent (commands: /who, /name NAME; //text sends /text)",
     "intercom: 未知命令 {1}；未发送（命令：/who、/name 名字；//内容 发送 /内容）"},
    {channel_too_long_to_relay, "intercom: too long to relay (at most {1} bytes with your name); not sent",
     "intercom: 太长，无法转发（连同名字最多 {1} 字节）；未发送"},
    {channel_too_slow, "too slow: more than {1} lines waiting for it", "太慢：待收的消息超过 {1} 行"},
    {channel_send_timed_out, "timed out: took nothing for {1} s", "超时：{1} 秒没有收取数据"},
    {channel_kicked, "removed by {1}", "被 {1} 移出"},
    {notice_channel_dismissed, "intercom: you are off the channel: {1}", "intercom: 你已离开频道：{1}"},
    {channel_console_help,
     "  text        say it to everyone on the channel\n"
     "  //text      say a line that begins with /\n"
     "  /who        who is on the channel\n"
     "  /kick N     remove member #N from the channel (/kick #N too)\n"
     "  /help       this help\n"
     "  /quit       say goodbye to every member and stop the server",
     "  内容        对频道上的所有人说\n"
     "  //内容      说以 / 开头的一行\n"
     "  /who        频道上有谁\n"
     "  /kick N     把成员 #N 移出频道（也可 /kick #N）\n"
     "  /help       本帮助\n"
     "  /quit       向每个成员道别并关闭服务器"},
    {kick_usage, "to remove a member: /kick N (or /kick #N)", "要移出成员，请输入：/kick N（或 /kick #N）"},
    {no_such_member, "no member #{1} on the channel", "频道上没有成员 #{1}"},
    {channel_excludes, "--channel cannot be used with {1}: on a channel the members answer each other",
     "--channel 不能与 {1} 同用：频道上由成员互相回答"},

    {notice_file_refused, "intercom: not sent: {1}: {2}", "intercom: 未发送：{1}：{2}"},
    {notice_no_files, "intercom: no files are shared here (the server was started without --files)",
     "intercom: 这里没有共享文件（服务器启动时没有 --files）"},
    {files_listing, "{1} shared: {2}", "共享 {1} 个：{2}"},
    {files_listing_none, "none shared", "没有共享文件"},
    {files_listing_more, "… and {1} more", "……另有 {1} 个"},
    {name_empty, "no file name given (/get NAME)", "没有给出文件名（/get 文件名）"},
    {name_absolute, "an absolute path; names are relative to the shared folder", "是绝对路径；文件名要相对于共享文件夹"},
    {name_drive, "a drive letter; names are relative to the shared folder", "带盘符；文件名要相对于共享文件夹"},
    {name_backslash, "a backslash in the name; separate folders with /", "文件名里有反斜杠；文件夹请用 / 分隔"},
    {name_parent, "a \"..\" part; nothing outside the shared folder is sent", "含有 \"..\"；共享文件夹以外的东西一律不发"},
    {name_dot_part, "an empty or \".\" part in the path", "路径里有空的或 \".\" 部分"},
    {name_control, "control characters in the name", "文件名里有控制字符"},
    {name_has_path, "it has a path in it", "里面带路径"},
    {name_not_a_file_name, "it is not a file name", "不是文件名"},
    {no_such_file, "no such file", "没有这个文件"},
    {symbolic_link, "a symbolic link; only the shared folder's own files are sent", "是符号链接；只发送共享文件夹自己的文件"},
    {not_regular_file, "not a regular file", "不是普通文件"},
    {cannot_open, "cannot open it: {1}", "无法打开：{1}"},
    {shared_folder_unusable, "--files {1}: {2}", "--files {1}：{2}"},
    {files_excludes_channel, "--files serves two-person conversations; it cannot be used with --channel",
     "--files 用于两人对话，不能与 --channel 同时使用"},
    {file_sending, "(#{1} asked for {2}: sending {3})", "(#{1} 要 {2}：正在发送 {3})"},
    {file_sent, "(#{1}: sent {2}, {3} bytes)", "(#{1}：已发送 {2}，{3} 字节)"},
    {file_refused, "(#{1} asked for {2}: not sent: {3})", "(#{1} 要 {2}：未发送：{3})"},
    {file_cut_off, "{1} cut off after {2} of {3} bytes: {4}", "{1} 在 {3} 字节中发了 {2} 字节后中断：{4}"},
    {files_listed, "(#{1} asked for the list: {2})", "(#{1} 要文件列表：{2})"},
    {file_sent_raw, "sent {1} ({2} bytes) raw, as a lesson downloader asks, and closed",
     "按课上下载器的方式原样发送了 {1}（{2} 字节）并关闭"},
    {file_receiving, "(receiving {1}, {2})", "(正在接收 {1}，{2})"},
    {file_saved, "(saved {1}: {2} bytes, as {3})", "(已保存 {1}：{2} 字节，存为 {3})"},
    {file_incomplete, "{1}: incomplete, {2} of {3} bytes came ({4}); nothing saved",
     "{1}：不完整，{3} 字节中只收到 {2} 字节（{4}）；没有保存"},
    {file_too_big, "{1} is {2} bytes, over --max-file {3}; refused, nothing saved",
     "{1} 有 {2} 字节，超过 --max-file {3}；拒收，没有保存"},
    {file_bad_name, "the server's file name \"{1}\" is refused: {2}; nothing saved",
     "服务器给的文件名 \"{1}\" 被拒绝：{2}；没有保存"},
    {file_more_than_announced, "{1}: the server sent more than the {2} bytes it announced; nothing saved",
     "{1}：服务器发来的数据多于它声明的 {2} 字节；没有保存"},
    {file_cannot_save, "cannot save {1}: {2}", "无法保存 {1}：{2}"},
    {file_stalled, "nothing came for {1} s", "{1} 秒没有收到数据"},
    {file_not_sent_to_us, "{1}: not downloaded: {2}", "{1}：没有下载：{2}"},
    {file_progress, "{1} {2}% {3} of {4}, {5}/s, {6} left", "{1} {2}% {3}/{4}，{5}/秒，还剩 {6}"},
    {file_interrupted, "interrupted", "被中断"},
    {invalid_size, "{1}: invalid size '{2}' (bytes, or with K, M, G or T)", "{1}：无效的大小 '{2}'（字节数，或带 K、M、G、T）"},
    {name_too_long, "longer than {1} bytes", "超过 {1} 字节"},
    {file_shrank, "the file grew shorter while it was being sent", "发送途中文件变短了"},
    {file_not_asked_for, "the server announced \"{1}\", not the \"{2}\" asked for; nothing saved",
     "服务器发来的是 \"{1}\"，不是所要的 \"{2}\"；没有保存"},
    {file_refused_closed, "asked, as a lesson downloader asks, for {1}, which was refused; closed",
     "按课上下载器的方式要 {1}，被拒绝；已关闭"},
    {size_one_byte, "{1} byte", "{1} 字节"},
    {size_bytes, "{1} bytes", "{1} 字节"},

    {prompt_you, "you> ", "你> "},
    {connected_waiting, "(connected to {1}; waiting for the greeting)", "(已连接 {1}；等待问候)"},
    {no_greeting, "(no greeting from {1}: you speak first)", "({1} 没有问候：你先说)"},
    {you_said_bye, "(you said bye)", "(你说了再见)"},
    {waiting_for, "(waiting for {1})", "(等待 {1} 回答)"},
    {countersign_given, "(countersign given)", "(已对暗号)"},
    {peer_said_bye, "({1} said bye)", "({1} 说了再见)"},
    {connection_to_lost, "connection to {1} lost: {2}", "与 {1} 的连接中断：{2}"},
    {peer_too_long, "{1} sent a message over the length limit", "{1} 发来的消息超过长度上限"},
    {peer_unfinished, "{1} started a message and never finished it", "{1} 的消息开了头却一直没有结束"},
    {peer_closed_without_bye, "{1} closed the connection without saying bye", "{1} 没说再见 (bye) 就关闭了连接"},
    {send_to, "send to {1}: {2}", "发送到 {1}：{2}"},
    {too_long_not_sent, "(too long, not sent: type a shorter message)", "(太长，未发送：请输入短一些的消息)"},
    {server_encoding_misread, "(the server's bytes are not {1} but read as {2}; try --encoding {2})",
     "(服务器发来的字节不是 {1}，按 {2} 才读得通；试试 --encoding {2})"},
    {cut_off_without_bye, "interrupted again; the conversation cut off without bye", "再次中断：对话未道别 (bye) 即被切断"},

    {look_up, "look up {1}", "查找主机 {1}"},
    {listen_on, "listen on {1}", "监听 {1}"},
    {connect_to, "connect to {1}", "连接 {1}"},
    {unknown_host, "unknown host", "未知主机"},
    {start_sockets, "start Winsock {1}", "启动 Winsock {1}"},
    {create_waker, "create the wake-up channel", "创建唤醒通道"},
    {start_thread, "start a thread", "启动线程"},
    {open_log, "open log {1}", "打开日志 {1}"},
    {write_log, "write log {1}: {2}; the transcript is incomplete", "写入日志 {1}：{2}；日志记录不再完整"},
    {unknown_encoding, "unknown encoding '{1}' (choose one of {2})", "未知编码 '{1}'（可选：{2}）"},
    {auto_encoding_server_only, "--encoding auto is the server's; give the server's encoding, one of {1}",
     "--encoding auto 只用于服务器；请给出服务器用的编码：{1} 之一"},
    {invalid_value, "invalid {1} '{2}' (expected {3}..{4})", "{1} 的值 '{2}' 无效（应为 {3}..{4}）"},
    {unknown_option, "unknown option: '{1}'", "未知选项：'{1}'"},
    {option_needs_value, "option needs a value: '{1}'", "选项缺少值：'{1}'"},
    {unexpected_argument, "unexpected argument: '{1}'", "多余的参数：'{1}'"},
    {invalid_host, "invalid HOST '{1}' (expected HOST, HOST:PORT, [IPv6] or [IPv6]:PORT)",
     "主机 '{1}' 无效（应为 主机、主机:端口、[IPv6] 或 [IPv6]:端口）"},
    {port_given_twice, "two ports given: '{1}' and '{2}'", "给了两个端口：'{1}' 和 '{2}'"},
    {cannot_be_empty, "{1} cannot be empty", "{1} 不能为空"},
    {no_line_breaks, "{1} cannot contain a line break", "{1} 不能包含换行"},
    {longer_than_max_line, "{1} is longer than --max-line ({2} bytes)", "{1} 超过 --max-line（{2} 字节）"},
    {quiet_gap_too_long,
     "--quiet-gap ({1} ms) must be shorter than --partial-timeout ({2} s), or a message with no line end is never delivered",
     "--quiet-gap（{1} 毫秒）必须短于 --partial-timeout（{2} 秒），否则没有换行的消息永远送不到"},

    {recv_partial, "partial message, waiting for the rest", "半条消息，等待其余部分"},
    {recv_one, "1 message", "1 条消息"},
    {recv_many, "{1} messages in one recv", "一次 recv 收到 {1} 条消息"},
    {recv_and_part, "{1} and part of the next", "{1}，外加下一条的开头"},
    {recv_after_bye, "after bye: dropped", "bye 之后：丢弃"},
    {recv_late_line_end, "the line end of the message already delivered", "已送达那条消息的行尾"},
    {quiet_gap_delivered, "no line end; {1} ms quiet: delivered as one message", "没有行尾；静默 {1} 毫秒：作为一条消息送达"},
    {lines_not_shown, "({1} lines not shown: the output was not being read; --log keeps every message)",
     "(有 {1} 行没有显示：输出没有被读取；--log 记录每一条消息)"},

    {server_usage,
     "usage: intercom-server [options] [PORT]\n"
     "  -p, --port PORT        listen port (default 8888; 0 = any free port);\n"
     "                         a bare PORT argument does the same\n"
     "      --host ADDR        listen address (default: all, IPv6 and IPv4)\n"
     "      --greeting TEXT    first message to every client (default 天王盖地虎);\n"
     "                         '' for none: the client speaks first\n"
     "      --echo             answer every message with itself\n"
     "      --reply TEXT       answer every message with TEXT\n"
     "      --channel          one channel for everyone: each message goes to all\n"
     "                         (the chat room; the console is a member)\n"
     "      --name NAME        the console's name on the channel (default server)\n"
     "      --files DIR        share DIR, read-only: clients ask with /get NAME and\n"
     "                         /files on their turn (the file downloader)\n"
     "      --encoding NAME    wire encoding: UTF-8 (default), GBK, GB18030, Big5, or\n"
     "                         auto: each client UTF-8 until its bytes read as GB18030\n"
     "      --raw              send messages without a trailing newline\n"
     "      --max-clients N    conversations at once (default 1024)\n"
     "      --idle-timeout S   close a client silent for S seconds on its turn\n"
     "                         (default 600; 0 = never)\n"
     "      --max-line BYTES   longest message (default 8192)\n"
     "      --quiet-gap MS     deliver a message with no line end after MS ms of\n"
     "                         quiet (default 200)\n"
     "      --partial-timeout S\n"
     "                         close a client whose message is still unfinished\n"
     "                         S seconds after it began (default 30)\n"
     "      --send-timeout S   give up on a client that takes no data for S seconds\n"
     "                         (default 10)\n"
     "      --countersign TEXT the client's first message must be TEXT (e.g. 宝塔镇河妖),\n"
     "                         else it is refused (a password sent in clear text)\n"
     "      --log FILE         append a transcript: time, conversation, peer, direction, text\n"
     "      --trace            print every socket call and its result on stderr\n"
     "  -h, --help             show this help\n"
     "  -V, --version          show the version\n"
     "At the console: a line answers the conversation waiting longest; '@N text'\n"
     "answers conversation #N; '/list' shows the conversations. With --channel: a\n"
     "line goes to everyone; '/who', '/kick N', '/quit'.",
     "用法：intercom-server [选项] [端口]\n"
     "  -p, --port PORT        监听端口（默认 8888；0 = 任一空闲端口）；\n"
     "                         也可直接给出端口参数\n"
     "      --host ADDR        监听地址（默认：全部，IPv6 与 IPv4）\n"
     "      --greeting TEXT    对每个客户端说的第一句话（默认 天王盖地虎）；\n"
     "                         '' 表示不问候：客户端先说\n"
     "      --echo             把每条消息原样回答\n"
     "      --reply TEXT       每条消息都回答 TEXT\n"
     "      --channel          所有人在同一频道：每条消息发给所有人\n"
     "                         （聊天室；控制台也是成员）\n"
     "      --name NAME        控制台在频道上的名字（默认 server）\n"
     "      --files DIR        只读共享 DIR：客户端轮到自己时用 /get 文件名 和\n"
     "                         /files 索取（文件下载器）\n"
     "      --encoding NAME    线路编码：UTF-8（默认）、GBK、GB18030、Big5，或 auto：\n"
     "                         每个客户端先用 UTF-8，收到只合 GB18030 的字节就改用它\n"
     "      --raw              发送消息时不加换行\n"
     "      --max-clients N    同时进行的对话数（默认 1024）\n"
     "      --idle-timeout S   轮到客户端时 S 秒没有消息就关闭（默认 600；0 = 不限）\n"
     "      --max-line BYTES   最长消息（默认 8192）\n"
     "      --quiet-gap MS     没有换行的消息，静默 MS 毫秒后即算一条（默认 200）\n"
     "      --partial-timeout S\n"
     "                         一条消息开始后 S 秒仍未结束就关闭（默认 30）\n"
     "      --send-timeout S   客户端 S 秒不收数据就放弃（默认 10）\n"
     "      --countersign TEXT 客户端的第一条消息必须是 TEXT（如 宝塔镇河妖），否则拒绝\n"
     "                         （明文口令，不是加密）\n"
     "      --log FILE         追加记录：时间、对话、对方地址、方向、内容\n"
     "      --trace            在 stderr 上显示每个套接字调用及其结果\n"
     "  -h, --help             显示本帮助\n"
     "  -V, --version          显示版本\n"
     "在控制台：输入一行即回答等得最久的对话；'@N 内容' 回答第 N 个对话；\n"
     "'/list' 列出所有对话。使用 --channel 时：一行发给所有人；\n"
     "'/who'、'/kick N'、'/quit'。"},
    {client_usage,
     "usage: intercom-client [options] [HOST [PORT]]   (default 127.0.0.1 8888)\n"
     "       HOST may also be HOST:PORT, [IPv6] or [IPv6]:PORT (e.g. [::1]:8888);\n"
     "       a lone PORT means this machine (intercom-client 9000)\n"
     "  -p, --port PORT        the server's port (default 8888)\n"
     "      --encoding NAME    wire encoding: UTF-8 (default), GBK, GB18030, Big5\n"
     "      --raw              send messages without a trailing newline\n"
     "      --countersign TEXT answer the greeting with TEXT at once (e.g. 宝塔镇河妖)\n"
     "      --get NAME         download NAME (from intercom-server --files) into the\n"
     "                         current folder, say bye and exit\n"
     "      --max-file SIZE    refuse a larger file (K, M, G, T suffixes; default 16G)\n"
     "      --partial-timeout S\n"
     "                         give up on a server message still unfinished S seconds\n"
     "                         after it began (default 30)\n"
     "      --trace            print every socket call and its result on stderr\n"
     "  -h, --help             show this help\n"
     "  -V, --version          show the version\n"
     "Type a line and press Enter on your turn; 'bye' or end of input ends it.\n"
     "'/get NAME' saves a file the server shares ('/files' lists them); a name taken\n"
     "here is never overwritten: the copy becomes 'NAME (1).ext'.\n"
     "On a channel (intercom-server --channel says so) there are no turns: type any time.",
     "用法：intercom-client [选项] [主机 [端口]]   （默认 127.0.0.1 8888）\n"
     "       主机也可写作 主机:端口、[IPv6] 或 [IPv6]:端口（如 [::1]:8888）；\n"
     "       只给一个数字即本机的端口（intercom-client 9000）\n"
     "  -p, --port PORT        服务器端口（默认 8888）\n"
     "      --encoding NAME    线路编码：UTF-8（默认）、GBK、GB18030、Big5\n"
     "      --raw              发送消息时不加换行\n"
     "      --countersign TEXT 收到问候后立即以 TEXT 对暗号（如 宝塔镇河妖）\n"
     "      --get NAME         把 NAME（intercom-server --files 共享的）下载到当前文件夹，\n"
     "                         然后说 bye 退出\n"
     "      --max-file SIZE    拒收更大的文件（可带 K、M、G、T；默认 16G）\n"
     "      --partial-timeout S\n"
     "                         服务器的一条消息开始后 S 秒仍未结束就放弃（默认 30）\n"
     "      --trace            在 stderr 上显示每个套接字调用及其结果\n"
     "  -h, --help             显示本帮助\n"
     "  -V, --version          显示版本\n"
     "轮到你时输入一行并回车；输入 bye 或结束输入即结束对话。\n"
     "'/get 文件名' 保存服务器共享的文件（'/files' 列出）；已有同名文件时绝不覆盖，\n"
     "而是存为 '文件名 (1).扩展名'。\n"
     "在频道上（intercom-server --channel 会告知）不分轮次：随时可以输入。"},
    {try_help, "try '{1} --help'", "输入 '{1} --help' 查看用法"},
};

constexpr bool table_in_order() {
    for (int i = 0; i < count; ++i)
        if (table[i].id != i) return false;
    return true;
}
static_assert(sizeof table / sizeof table[0] == count, "every message has one entry");
static_assert(table_in_order(), "the table lists the messages in the order of msg::Id");

}  // namespace

bool chinese() {
    static const bool answer = [] {
        for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
            const char* value = std::getenv(name);
            if (value && *value) return std::string_view(value).substr(0, 2) == "zh";
        }
        return process::system_language_is_chinese();
    }();
    return answer;
}

namespace {

// The number of the placeholder {1}..{9} that starts at `at`, or 0 if none does.
std::size_t placeholder_at(std::string_view pattern, std::size_t at) {
    if (at + 2 >= pattern.size() || pattern[at] != '{' || pattern[at + 2] != '}') return 0;
    char digit = pattern[at + 1];
    return digit >= '1' && digit <= '9' ? static_cast<std::size_t>(digit - '0') : 0;
}

}  // namespace

// One pass over the template, left to right: an argument is copied as it is, so
// braces inside it ("--port '{3}'") are never taken for placeholders of their own.
std::string text(Id id, std::initializer_list<std::string_view> args) {
    const Entry& entry = table[id];
    std::string_view pattern = chinese() ? entry.chinese : entry.english;
    std::size_t size = pattern.size();
    for (std::string_view arg : args) size += arg.size();
    std::string out;
    out.reserve(size);
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        std::size_t n = placeholder_at(pattern, i);
        if (n == 0 || n > args.size()) {  // not a placeholder, or none given for it: kept
            out += pattern[i];
            continue;
        }
        out += args.begin()[n - 1];
        i += 2;
    }
    return out;
}

}  // namespace msg
