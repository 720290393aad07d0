#!/bin/bash
# Conversations between the Windows build (run under Wine) and the Linux build, with
# Chinese text, over 127.0.0.1 on ports the system picks:
#   1. the Windows client at a Chinese console (code page 936: GBK) talks to the Linux
#      server, UTF-8 on the wire;
#   2. the Linux client talks to the Windows server at a Chinese console, GBK on the
#      wire; then the Windows server is sent Ctrl-C (SIGINT, which Wine turns into a
#      console control event) and must shut down cleanly;
#   3. the Windows client at a real console (Wine's, in a tmux terminal): 你好 typed
#      there reaches the Linux server intact, and the answer is shown;
#   4. files both ways (--files, --get): a binary file with a Chinese name from the
#      Linux server to the Windows client, and from the Windows server to the Linux
#      client, GBK on the wire, byte for byte;
#   5. a channel on the Windows server (--channel, GBK on the wire: Wine has no
#      GB18030 for --encoding auto): a lesson-style client and a Windows tool that sends
#      no line end read each other's Chinese, relayed by the room's transmitter.
# Every process runs under `timeout` and is ended by pid when the script exits.
#
# usage: tests/windows/conversations.sh NATIVE_BUILD WINDOWS_BUILD   (WINE=wine)
set -u

native=$(realpath "$1")  # absolute: the downloads run in folders of their own
windows=$(realpath "$2")
wine=${WINE:-wine}
export WINEDEBUG=-all
# Wine takes the Windows code page from the locale: zh_CN gives code page 936, the
# console of a Chinese Windows.
chinese_windows=(env LC_ALL=zh_CN.UTF-8 timeout 60 "$wine")

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    command -v tmux > /dev/null && tmux kill-session -t "intercom-windows-$$" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...: one result line per check
    if "${@:2}"; then
        passed=$((passed + 1))
        echo "ok:   $1"
    else
        failed=$((failed + 1))
        echo "FAIL: $1"
    fi
}
# Waits up to 30 s (output from another process may lag) for COMMAND to succeed.
eventually() {
    for _ in $(seq 300); do "$@" && return 0; sleep 0.1; done
    return 1
}
contains() { grep -qF -- "$2" "$1"; }
heard() { grep -qE "^\[#1 [^]]+\] $2\$" "$1"; }  # the server's line for what #1 said
gbk() { printf '%s\n' "$@" | iconv -f UTF-8 -t GBK; }
from_gbk() { iconv -f GBK -t UTF-8 "$1" > "$1.utf8"; }
gbk_contains() { iconv -f GBK -t UTF-8 "$1" | grep -qF -- "$2"; }  # as it is now

# The port from a server's first line, once it is there: "listening on [::]:40213"
# (or, in Chinese under a zh_* locale, "正在监听 [::]:40213").
port_of() {
    for _ in $(seq 600); do
        local line
        line=$(head -n 1 "$1" 2>/dev/null)
        if [[ $line =~ :([0-9]+)$ ]]; then
            echo "${BASH_REMATCH[1]}"
            return 0
        fi
        sleep 0.1
    done
    echo "no 'listening on' line from the server in 60 s" >&2
    dump "$1" "$2" >&2
    return 1
}

dump() {  # shows what a failed conversation printed
    for file in "$@"; do echo "--- $file"; cat "$file"; done
}

# start_linux_server OUT: the Linux server, its console answer (你好，客户端) waiting
# in its input until a client speaks, the input kept open (its end would shut the
# server down). Sets `server` (its pid) and `port`; output in OUT/server.out and .err.
start_linux_server() {
    local out=$1
    mkdir -p "$out"
    mkfifo "$out/server.in"
    (printf '你好，客户端\n'; exec sleep 60) > "$out/server.in" &
    pids+=($!)
    timeout 60 "$native/intercom-server" --port 0 < "$out/server.in" \
        > "$out/server.out" 2> "$out/server.err" &
    server=$!
    pids+=($server)
    port=$(port_of "$out/server.out" "$out/server.err")
}

windows_client_to_linux_server() {
    echo "== Windows client (GBK console) -> Linux server"
    local out=$work/1
    local server port
    start_linux_server "$out" || { failed=$((failed + 1)); return; }
    gbk 你好 bye > "$out/client.in"
    "${chinese_windows[@]}" "$windows/intercom-client.exe" 127.0.0.1 "$port" \
        < "$out/client.in" > "$out/client.out" 2> "$out/client.err"
    local status=$?
    from_gbk "$out/client.out"
    check "Windows client exits 0 after bye" test "$status" -eq 0
    check "Windows client shows the greeting" contains "$out/client.out.utf8" "[127.0.0.1:$port] 天王盖地虎"
    check "Windows client shows the server's Chinese answer" contains "$out/client.out.utf8" "[127.0.0.1:$port] 你好，客户端"
    check "Linux server receives 你好 intact" eventually heard "$out/server.out" 你好
    check "Linux server sees the client's bye" eventually heard "$out/server.out" bye
    [ "$failed" -eq 0 ] || dump "$out"/server.out "$out"/server.err "$out"/client.out.utf8 "$out"/client.err
    kill "$server" 2>/dev/null
}

linux_client_to_windows_server() {
    echo "== Linux client -> Windows server (GBK console, GBK on the wire)"
    local out=$work/2
    mkdir -p "$out"
    local fifo=$out/server.in
    mkfifo "$fifo"
    (gbk '你好，服务器在此'; exec sleep 60) > "$fifo" &
    pids+=($!)
    # A Chinese greeting on the command line, which Windows hands over in UTF-16.
    "${chinese_windows[@]}" "$windows/intercom-server.exe" --port 0 --encoding GBK --greeting 天王盖地虎！ < "$fifo" \
        > "$out/server.out" 2> "$out/server.err" &
    local server=$!
    pids+=($server)
    local port
    port=$(port_of "$out/server.out" "$out/server.err") || { failed=$((failed + 1)); return; }
    printf '你好\nbye\n' | timeout 30 "$native/intercom-client" --encoding GBK 127.0.0.1 "$port" \
        > "$out/client.out" 2> "$out/client.err"
    local status=$?
    check "Linux client exits 0 after bye" test "$status" -eq 0
    check "Linux client shows the Chinese greeting given on the command line" contains "$out/client.out" "[127.0.0.1:$port] 天王盖地虎！"
    check "Linux client shows the Windows server's Chinese answer" contains "$out/client.out" "[127.0.0.1:$port] 你好，服务器在此"
    # Ctrl-C: the console control handler wakes the server, which says goodbye and exits 0.
    kill -INT "$server"
    wait "$server"
    local server_status=$?
    from_gbk "$out/server.out"
    check "Windows server receives 你好 intact" eventually heard "$out/server.out.utf8" 你好
    check "Windows server sees the client's bye" eventually heard "$out/server.out.utf8" bye
    check "Windows server exits 0 on Ctrl-C" test "$server_status" -eq 0
    [ "$failed" -eq 0 ] || dump "$out"/server.out.utf8 "$out"/server.err "$out"/client.out "$out"/client.err
}

pane_shows() { tmux capture-pane -p -t "$1" | grep -qF -- "$2"; }

windows_client_at_a_console() {
    echo "== Windows client at a console (ReadConsoleW/WriteConsoleW) -> Linux server"
    if ! command -v tmux > /dev/null; then
        echo "FAIL: tmux is needed to give the Windows client a terminal"
        failed=$((failed + 1))
        return
    fi
    local out=$work/3 session="intercom-windows-$$"
    local server port
    start_linux_server "$out" || { failed=$((failed + 1)); return; }
    # Wine gives a program started on a terminal a console of its own; --foreground
    # keeps it in the terminal's process group, where it may read.
    tmux new-session -d -s "$session" -x 120 -y 20 \
        "env WINEDEBUG=-all timeout --foreground 60 $wine $windows/intercom-client.exe 127.0.0.1 $port 2> $out/client.err; echo \$? > $out/status"
    eventually pane_shows "$session" "[127.0.0.1:$port] 天王盖地虎"
    local greeted=$?
    tmux send-keys -t "$session" '你好' Enter
    eventually pane_shows "$session" "[127.0.0.1:$port] 你好，客户端"
    local answered=$?
    tmux capture-pane -p -t "$session" > "$out/screen" 2>&1
    tmux send-keys -t "$session" 'bye' Enter
    eventually test -s "$out/status"
    tmux kill-session -t "$session" 2> /dev/null
    check "the console shows the greeting" test "$greeted" -eq 0
    check "the console shows the server's Chinese answer" test "$answered" -eq 0
    check "Windows client exits 0 after bye" test "$(cat "$out/status" 2>/dev/null)" = 0
    check "Linux server receives 你好 typed at the console intact" eventually heard "$out/server.out" 你好
    check "Linux server sees the client's bye" eventually heard "$out/server.out" bye
    [ "$failed" -eq 0 ] || dump "$out"/server.out "$out"/server.err "$out"/screen "$out"/client.err
    kill "$server" 2>/dev/null
}

# A file of every byte value, with line ends in it, under a Chinese name.
make_shared_file() {
    mkdir -p "$1"
    for _ in $(seq 64); do printf '%b' "$(printf '\\x%02x' $(seq 0 255))"; done > "$1/照片.bin"
}

downloads_across() {
    echo "== files: Linux server -> Windows client, Windows server -> Linux client (GBK on the wire)"
    local out=$work/4
    mkdir -p "$out/shared" "$out/windows-here" "$out/linux-here"
    make_shared_file "$out/shared"
    timeout 60 "$native/intercom-server" --port 0 --echo --encoding GBK --files "$out/shared" \
        > "$out/server.out" 2> "$out/server.err" &
    local server=$!
    pids+=($server)
    local port
    port=$(port_of "$out/server.out" "$out/server.err") || { failed=$((failed + 1)); return; }
    (cd "$out/windows-here" && "${chinese_windows[@]}" "$windows/intercom-client.exe" --encoding GBK \
        --get 照片.bin 127.0.0.1 "$port" > "$out/client.out" 2> "$out/client.err")
    local status=$?
    check "Windows client --get exits 0" test "$status" -eq 0
    check "Windows client saved the file byte for byte" cmp -s "$out/shared/照片.bin" "$out/windows-here/照片.bin"
    kill "$server" 2>/dev/null

    "${chinese_windows[@]}" "$windows/intercom-server.exe" --port 0 --echo --encoding GBK --files "$out/shared" \
        > "$out/wserver.out" 2> "$out/wserver.err" &
    server=$!
    pids+=($server)
    port=$(port_of "$out/wserver.out" "$out/wserver.err") || { failed=$((failed + 1)); return; }
    (cd "$out/linux-here" && timeout 30 "$native/intercom-client" --encoding GBK --get 照片.bin 127.0.0.1 "$port" \
        > "$out/lclient.out" 2> "$out/lclient.err")
    status=$?
    (cd "$out/linux-here" && timeout 30 "$native/intercom-client" --encoding GBK --get ../照片.bin 127.0.0.1 "$port" \
        > "$out/refused.out" 2> "$out/refused.err")
    local refused=$?
    check "Linux client --get from the Windows server exits 0" test "$status" -eq 0
    check "Linux client saved the file byte for byte" cmp -s "$out/shared/照片.bin" "$out/linux-here/照片.bin"
    check "the Windows server refuses a name with .. (exit 1, one reason)" test "$refused" -eq 1
    kill -INT "$server"
    wait "$server"
    [ "$failed" -eq 0 ] || dump "$out"/server.out "$out"/server.err "$out"/client.out "$out"/client.err \
        "$out"/wserver.out "$out"/wserver.err "$out"/lclient.out "$out"/lclient.err "$out"/refused.err
}

# Two members, as a lesson's Python client and a Windows tool would be, both in GBK:
# what each heard, one line each ("tool heard: True").
channel_members() {
    timeout 30 python3 - "$1" <<'EOF'
import socket, sys
port = int(sys.argv[1])
def until(s, want):  # reads until `want` has come; returns all that came
    got = b""
    s.settimeout(20)
    while want not in got:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    return got
lesson = socket.create_connection(("127.0.0.1", port))
until(lesson, b"intercom channel")
tool = socket.create_connection(("127.0.0.1", port))
until(tool, b"intercom channel")
until(lesson, b"intercom: #2 ")  # joined (said in the server's language)
tool.sendall("你好".encode("gbk"))  # no line end: delivered after the quiet gap
print("lesson heard:", "[#2] 你好".encode("gbk") in until(lesson, "[#2] 你好".encode("gbk")))
lesson.sendall("大家好\n".encode("gbk"))
print("tool heard:", "[#1] 大家好".encode("gbk") in until(tool, "[#1] 大家好".encode("gbk")))
EOF
}

channel_on_windows() {
    echo "== a channel on the Windows server: two members, GBK on the wire"
    local out=$work/5
    mkdir -p "$out"
    mkfifo "$out/server.in"
    (exec sleep 60) > "$out/server.in" &  # the console member says nothing, and stays
    pids+=($!)
    "${chinese_windows[@]}" "$windows/intercom-server.exe" --channel --port 0 --encoding GBK < "$out/server.in" \
        > "$out/server.out" 2> "$out/server.err" &
    local server=$!
    pids+=($server)
    local port
    port=$(port_of "$out/server.out" "$out/server.err") || { failed=$((failed + 1)); return; }
    channel_members "$port" > "$out/members.out" 2>&1
    check "a member reads a Windows tool's Chinese sent with no line end" contains "$out/members.out" "lesson heard: True"
    check "the Windows tool reads the other member's Chinese" contains "$out/members.out" "tool heard: True"
    check "the console member sees the tool's line" eventually gbk_contains "$out/server.out" "[#2] 你好"
    check "the console member sees the other's line" eventually gbk_contains "$out/server.out" "[#1] 大家好"
    kill -INT "$server"
    wait "$server"
    local status=$?
    check "the Windows channel server exits 0 on Ctrl-C" test "$status" -eq 0
    from_gbk "$out/server.out"
    [ "$failed" -eq 0 ] || dump "$out"/server.out.utf8 "$out"/server.err "$out"/members.out
}

windows_client_to_linux_server
linux_client_to_windows_server
windows_client_at_a_console
downloads_across
channel_on_windows
echo "windows: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
