#!/usr/bin/env bash
# make bench: intercom-server --echo against a bare thread-per-connection floor, in one
# run, on ports the system picks (127.0.0.1 only). Prints the machine's limits, then
# one conversation's turn latency against a raw socket ping-pong, then N conversations
# held at once doing T turns each, the ratios project/floor, and the targets.
#
#   bash tests/bench/run.sh BUILD_DIR [N] [T] [M] [K] [H]
#
# Then the channel (--channel) against ncat --chat on the same load: M members (default
# 100) each sending K lines (default 100), every line to every other member; the same
# with one member more that never reads; and H members (default 1000) held, for the
# server's memory per member. No ncat installed: the channel part says so and runs
# intercom alone. CHANNEL_ONLY=1 measures the channel alone (quicker, while working on it).
#
# Exit status: 0 when everything was measured (whether or not the targets hold; the
# verdicts are printed), 1 when a program could not be started or measured.
set -u

build=${1:?usage: run.sh BUILD_DIR [N] [T]}
n=${2:-10000}
t=${3:-20}
channel_members=${4:-100}
channel_lines=${5:-100}
channel_held=${6:-1000}
chatload="$build/bench/chatload"
server="$build/intercom-server"
floor="$build/bench/floor_server"
loadgen="$build/bench/loadgen"
pingpong="$build/bench/pingpong"
deadline=300     # seconds any one load run may take before it stops by itself
single_turns=20000

work=$(mktemp -d /tmp/intercom-bench.XXXXXX)
started=()        # every server this script started, by pid
cleanup() {
    for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
# The servers' console: a pipe held open here, so that a server that reads its console
# (--channel) does not take the end of input for /quit.
console="$work/console"
mkfifo "$console"
exec 7<>"$console"

say() { printf '%s\n' "$*"; }
fail() { say "bench: $*" >&2; exit 1; }
# field KEY LINE: the value of KEY=VALUE in a line of results.
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }
# ratio A B: A/B to two places, or "-" when B is zero or missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
# at_most A LIMIT: "met" or "MISSED".
at_most() { awk -v a="$1" -v l="$2" 'BEGIN { print (a != "-" && a + 0 <= l + 0) ? "met" : "MISSED" }'; }
at_least() { awk -v a="$1" -v l="$2" 'BEGIN { print (a != "-" && a + 0 >= l + 0) ? "met" : "MISSED" }'; }

# Starts a server in the background with its output in $work/NAME.out; sets
# server_pid and server_port. Waits up to 10 s for its "listening on HOST:PORT" line.
start_server() {
    local name=$1
    shift
    "$@" >"$work/$name.out" 2>"$work/$name.err" <"$console" &
    server_pid=$!
    started+=("$server_pid")
    for _ in $(seq 100); do
        server_port=$(sed -n '1s/^listening on .*:\([0-9]*\)$/\1/p' "$work/$name.out")
        [ -n "$server_port" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    fail "$name did not start: $(cat "$work/$name.err")"
}

# Sends SIGTERM and waits up to 10 s; sets stop_status and stop_seconds.
stop_server() {
    local pid=$1 began now
    began=$(date +%s.%N)
    kill -TERM "$pid"
    for _ in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        stop_status="still running after 10 s (killed)"
    else
        wait "$pid"
        stop_status="exit $?"
    fi
    now=$(date +%s.%N)
    stop_seconds=$(awk -v a="$began" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
}

report_limits() {
    local nofile somaxconn ports threads maps low high
    nofile=$(ulimit -Hn)
    somaxconn=$(cat /proc/sys/net/core/somaxconn)
    ports=$(tr -s '\t ' ' ' </proc/sys/net/ipv4/ip_local_port_range)
    threads=$(cat /proc/sys/kernel/threads-max)
    maps=$(cat /proc/sys/vm/max_map_count)
    say "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    say "limits: open files $(ulimit -Sn) soft / $nofile hard; somaxconn $somaxconn;" \
        "ephemeral ports $ports; threads-max $threads; vm.max_map_count $maps"
    read -r low high <<<"$ports"
    # Each side of the run holds N sockets; each server thread costs ~2 memory maps.
    [ "$nofile" != unlimited ] && [ "$nofile" -lt $((n + 64)) ] &&
        say "LIMIT: the open-file hard limit $nofile is below N=$n (+64): raise it (ulimit -Hn)"
    [ $((high - low + 1)) -lt "$n" ] && say "LIMIT: only $((high - low + 1)) ephemeral ports for N=$n"
    [ "$threads" -lt $((n + 64)) ] && say "LIMIT: threads-max $threads is below N=$n"
    [ "$maps" -lt $((2 * n + 1000)) ] && say "LIMIT: vm.max_map_count $maps is below 2N+1000 for N=$n threads"
    [ "$somaxconn" -lt 128 ] && say "note: somaxconn $somaxconn is small; the load generator connects gradually"
    say ""
}

# One conversation's turns: raw ping-pong, then through intercom-server --echo. Run
# with every thread on one core, the ratio is what the server's code adds to a turn;
# across two cores a virtual machine's cross-core wake-ups (tens of microseconds, and
# varying run to run) swamp it, so that placement is shown for information only.
measure_single() {
    local placement=$1 pin=()
    [ "$placement" = "one core" ] && pin=(taskset -c 0)
    raw=$("${pin[@]}" "$pingpong" -t "$single_turns") || fail "raw ping-pong failed: $raw"
    start_server single "${pin[@]}" "$server" --echo --host 127.0.0.1 --port 0
    one=$("${pin[@]}" "$pingpong" --port "$server_port" -t "$single_turns") ||
        fail "ping-pong through intercom-server failed: $one"
    stop_server "$server_pid"
    local p50_ratio
    p50_ratio=$(ratio "$(field p50_us "$one")" "$(field p50_us "$raw")")
    [ "$placement" = "one core" ] && single_ratio=$p50_ratio
    say "one conversation, $single_turns turns, $placement (microseconds per turn):"
    printf '  %-26s %8s %8s\n' "" p50 p99
    printf '  %-26s %8s %8s\n' "raw socket ping-pong" "$(field p50_us "$raw")" "$(field p99_us "$raw")"
    printf '  %-26s %8s %8s\n' "intercom-server --echo" "$(field p50_us "$one")" "$(field p99_us "$one")"
    printf '  %-26s %8s %8s\n' "ratio" "$p50_ratio" "$(ratio "$(field p99_us "$one")" "$(field p99_us "$raw")")"
    say ""
}

# N conversations against the server started as "$@"; sets the named result line.
measure_many() {
    local name=$1 result
    shift
    start_server "$name" "$@"
    result=$("$loadgen" --port "$server_port" -n "$n" -t "$t" --deadline "$deadline" \
        --server-pid "$server_pid" 2>"$work/$name.loadgen.err" | tail -n 1)
    stop_server "$server_pid"
    [ -n "$(field held "$result")" ] || fail "load generator failed against $name: $(cat "$work/$name.loadgen.err")"
    [ -s "$work/$name.loadgen.err" ] && sed "s/^/  ($name) /" "$work/$name.loadgen.err"
    printf -v "result_$name" '%s' "$result"
    printf -v "stop_$name" '%s in %s s' "$stop_status" "$stop_seconds"
}

# Resident KiB per held conversation: (RSS with all held - RSS before any) / held.
per_conversation() {
    awk -v a="$(field rss_held_kib "$1")" -v b="$(field rss_before_kib "$1")" -v h="$(field held "$1")" \
        'BEGIN { if (h + 0 == 0 || a < 0) print "-"; else printf "%.1f", (a - b) / h }'
}

print_many() {
    local p=$result_project f=$result_floor
    say "$n conversations at once, $t turns each:"
    printf '  %-30s %12s %12s %8s\n' "" intercom floor ratio
    local key label
    for key in held ramp_s finished failures retries turns_per_s server_cpu_us_per_turn p50_us p99_us threads_held maps_held; do
        case $key in
        ramp_s) label="seconds to connect all" ;;
        server_cpu_us_per_turn) label="server CPU per turn (us)" ;;
        turns_per_s) label="turns/s" ;;
        p50_us) label="turn latency p50 (us)" ;;
        p99_us) label="turn latency p99 (us)" ;;
        threads_held) label="server threads (all held)" ;;
        maps_held) label="server memory maps (all held)" ;;
        *) label=$key ;;
        esac
        printf '  %-30s %12s %12s %8s\n' "$label" "$(field "$key" "$p")" "$(field "$key" "$f")" \
            "$(ratio "$(field "$key" "$p")" "$(field "$key" "$f")")"
    done
    rss_project=$(per_conversation "$p")
    printf '  %-30s %12s %12s %8s\n' "resident KiB per conversation" "$rss_project" \
        "$(per_conversation "$f")" "$(ratio "$rss_project" "$(per_conversation "$f")")"
    printf '  %-30s %12s %12s\n' "server RSS before / held (KiB)" \
        "$(field rss_before_kib "$p")/$(field rss_held_kib "$p")" "$(field rss_before_kib "$f")/$(field rss_held_kib "$f")"
    say "  intercom-server after SIGTERM: $stop_project; floor: $stop_floor"
    say ""
}

# SIGTERM with all N conversations open: every client must be told goodbye, exit 0.
measure_shutdown() {
    start_server shutdown "$server" --echo --host 127.0.0.1 --port 0 --max-clients "$n"
    "$loadgen" --port "$server_port" -n "$n" --hold-only --deadline 120 >"$work/hold.out" 2>&1 &
    local hold_pid=$!
    for _ in $(seq 1200); do
        grep -q '^held=' "$work/hold.out" && break
        kill -0 "$hold_pid" 2>/dev/null || break
        sleep 0.1
    done
    stop_server "$server_pid"
    wait "$hold_pid"
    local closed
    closed=$(field finished "$(tail -n 1 "$work/hold.out")")
    shutdown_line="SIGTERM with $(field held "$(head -n 1 "$work/hold.out")") conversations open:" 
    shutdown_line+=" $stop_status in $stop_seconds s; $closed of $n clients saw the server close cleanly"
    say "$shutdown_line"
    say ""
}

print_targets() {
    local p=$result_project f=$result_floor
    local tps_ratio all
    tps_ratio=$(ratio "$(field turns_per_s "$p")" "$(field turns_per_s "$f")")
    all=$([ "$(field held "$p")" = "$n" ] && [ "$(field finished "$p")" = "$n" ] &&
        [ "$(field failures "$p")" = 0 ] && echo met || echo MISSED)
    say "targets:"
    printf '  %-64s %s\n' \
        "$n held at once, all finishing, zero failures" "$all" \
        "turns/s with $n >= 0.85x the floor's (ratio $tps_ratio)" "$(at_least "$tps_ratio" 0.85)" \
        "<= 32 KiB resident per held conversation ($rss_project)" "$(at_most "$rss_project" 32)" \
        "one conversation p50 <= 1.2x raw ping-pong, one core ($single_ratio)" "$(at_most "$single_ratio" 1.2)"
}

# --- the channel ---

# One chatload run against a server started as "$@" (intercom: "listening on" is
# waited for; ncat: see start_ncat); sets result_NAME.
channel_run() {
    local name=$1 joined=$2 options=$3 result
    shift 3
    if [ "$1" = ncat ]; then start_ncat "$name"; else start_server "$name" "$@"; fi
    # shellcheck disable=SC2086
    result=$("$chatload" --port "$server_port" --joined "$joined" --server-pid "$server_pid" $options \
        2>"$work/$name.chatload.err" | tail -n 1)
    stop_server "$server_pid"
    [ -n "$(field members "$result")" ] || fail "chatload failed against $name: $(cat "$work/$name.chatload.err")"
    printf -v "result_$name" '%s' "$result"
}

# ncat --chat on a port the system gave an intercom-server a moment ago (ncat cannot
# say which port it got for 0); sets server_pid and server_port once it accepts.
start_ncat() {
    start_server "$1-port" "$server" --echo --host 127.0.0.1 --port 0
    local port=$server_port
    stop_server "$server_pid"
    ncat -v --chat -l 127.0.0.1 "$port" --max-conns $((channel_held + 16)) >"$work/$1.out" 2>"$work/$1.err" <"$console" &
    server_pid=$!
    started+=("$server_pid")
    for _ in $(seq 100); do
        grep -q "Listening" "$work/$1.err" 2>/dev/null && break
        sleep 0.05
    done
    server_port=$port
}

kib_per_member() {
    awk -v a="$(field rss_held_kib "$1")" -v b="$(field rss_before_kib "$1")" -v h="$(field joined "$1")" \
        'BEGIN { if (h + 0 == 0 || a < 0) print "-"; else printf "%.1f", (a - b) / h }'
}

delivered() {
    [ "$(field complete "$1")" = 1 ] && [ "$(field out_of_order "$1")" = 0 ] && echo "all, in order" ||
        echo "$(field deliveries "$1")/$(field expected "$1")"
}

measure_channel() {
    local m=$channel_members k=$channel_lines intercom=("$server" --channel --host 127.0.0.1 --port 0
        --max-clients $((channel_held + 16)) --send-timeout 2)
    local load="-m $m -k $k --deadline $deadline"
    channel_run chan_intercom "intercom channel: " "$load" "${intercom[@]}"
    channel_run chan_stalled "intercom channel: " "$load --stalled" "${intercom[@]}"
    channel_run chan_held "intercom channel: " "-m $channel_held -k 1 --hold-only --deadline $deadline" "${intercom[@]}"
    have_ncat=$(command -v ncat >/dev/null && echo yes)
    if [ -n "$have_ncat" ]; then
        channel_run chan_ncat "already connected" "$load" ncat
        # ncat writes to each member in turn and waits on the one that does not read.
        channel_run chan_ncat_stalled "already connected" "-m $m -k $k --deadline 5 --stalled" ncat
        channel_run chan_ncat_held "already connected" "-m $channel_held -k 1 --hold-only --deadline $deadline" ncat
    fi
    local i=$result_chan_intercom s=$result_chan_stalled n=${result_chan_ncat:-} ns=${result_chan_ncat_stalled:-}
    say "channel: $m members, $k lines each, every line to every other member:"
    printf '  %-36s %14s %14s %8s\n' "" intercom "ncat --chat" ratio
    local key label
    for key in deliveries_per_s p50_us p99_us; do
        case $key in
        deliveries_per_s) label="deliveries/s" ;;
        p50_us) label="delivery latency p50 (us)" ;;
        p99_us) label="delivery latency p99 (us)" ;;
        esac
        printf '  %-36s %14s %14s %8s\n' "$label" "$(field "$key" "$i")" "$(field "$key" "$n")" \
            "$(ratio "$(field "$key" "$i")" "$(field "$key" "$n")")"
    done
    printf '  %-36s %14s %14s\n' "delivered" "$(delivered "$i")" "$(delivered "$n")"
    say "with one member more that never reads:"
    printf '  %-36s %14s %14s\n' "deliveries/s to the others" "$(field deliveries_per_s "$s")" \
        "$(field deliveries_per_s "$ns")"
    printf '  %-36s %14s %14s\n' "delivered to the others" "$(delivered "$s")" "$(delivered "$ns")"
    stalled_ratio=$(ratio "$(field deliveries_per_s "$s")" "$(field deliveries_per_s "$i")")
    printf '  %-36s %14s\n' "ratio to the run without it" "$stalled_ratio"
    held_kib=$(kib_per_member "$result_chan_held")
    say "$channel_held members held: resident KiB per member: intercom $held_kib;" \
        "ncat $(kib_per_member "${result_chan_ncat_held:-}")"
    [ -z "$have_ncat" ] && say "(ncat is not installed: sudo apt-get install ncat)"
    chan_ratio=$(ratio "$(field deliveries_per_s "$i")" "$(field deliveries_per_s "$n")")
    say ""
}

print_channel_targets() {
    local all
    all=$([ "$(delivered "$result_chan_intercom")" = "all, in order" ] &&
        [ "$(delivered "$result_chan_stalled")" = "all, in order" ] && echo met || echo MISSED)
    printf '  %-64s %s\n' \
        "channel: every line to every member, in order, with and without a stalled one" "$all" \
        "channel: $channel_members members, deliveries/s >= 1.0x ncat's ($chan_ratio)" "$(at_least "$chan_ratio" 1.0)" \
        "channel: one member that never reads costs <= 10% ($stalled_ratio)" "$(at_least "$stalled_ratio" 0.9)" \
        "channel: $channel_held members held at <= 64 KiB each ($held_kib)" "$(at_most "$held_kib" 64)"
}

began=$(date +%s.%N)
for tool in "$server" "$floor" "$loadgen" "$pingpong" "$chatload"; do
    [ -x "$tool" ] || fail "missing $tool (run through make bench)"
done
report_limits
if [ "${CHANNEL_ONLY:-}" = 1 ]; then
    measure_channel
    say "targets:"
    print_channel_targets
    exit 0
fi
if command -v taskset >/dev/null; then
    measure_single "one core"
    measure_single "unpinned"
else
    single_ratio=-
    measure_single "unpinned (no taskset here)"
fi
# Server stdout (a line per message) goes to a file in $work, as a console would be redirected.
measure_many project "$server" --echo --host 127.0.0.1 --port 0 --max-clients "$n"
measure_many floor "$floor" --port 0
print_many
measure_shutdown
measure_channel
print_targets
print_channel_targets
say "bench took $(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
