#!/usr/bin/env bash
# make bench: intercom-server --echo against a bare thread-per-connection floor, in one
# run, on ports the system picks (127.0.0.1 only). Prints the machine's limits, then
# one conversation's turn latency against a raw socket ping-pong, then N conversations
# held at once doing T turns each, MANY_ROUNDS rounds (default 3) of each taken in turns,
# the ratios project/floor of the best rounds, and the targets. MANY_ONLY=1 measures
# the conversations alone.
#
#   bash tests/bench/run.sh BUILD_DIR [N] [T] [M] [K] [H] [MB]
#
# Then the channel (--channel) against ncat --chat on the same load: M members (default
# 100) each sending K lines (default 100), every line to every other member; the same
# with one member more that never reads; and H members (default 1000) held, for the
# server's memory per member. No ncat installed: the channel part says so and runs
# intercom alone. CHANNEL_ONLY=1 measures the channel alone (quicker, while working on it).
#
# Then the transfer: a file of MB MiB (default 1024) of random bytes from
# intercom-server --files to intercom-client --get, and the same file by nc (OpenBSD
# netcat: nc -N -l < file, nc -d > copy), TRANSFER_ROUNDS rounds (default 3) each, taken
# in turns; the best round of each counts. Every copy is checked against the source by
# its sha256. No nc installed: the transfer part says so and runs intercom alone.
# TRANSFER_ONLY=1 measures the transfer alone.
#
# Exit status: 0 when everything was measured (whether or not the targets hold; the
# verdicts are printed), 1 when a program could not be started or measured.
set -u

build=${1:?usage: run.sh BUILD_DIR [N] [T] [M] [K] [H] [MB]}
n=${2:-10000}
t=${3:-20}
channel_members=${4:-100}
channel_lines=${5:-100}
channel_held=${6:-1000}
transfer_mb=${7:-1024}
transfer_rounds=${TRANSFER_ROUNDS:-3}
many_rounds=${MANY_ROUNDS:-3}
channel_rounds=${CHANNEL_ROUNDS:-5}  # its runs take well under a second each: more rounds, steadier bests
chatload="$build/bench/chatload"
server="$build/intercom-server"
client="$build/intercom-client"
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

# N conversations against the server started as "$@"; sets result_NAME to its line of
# results and adds its turns/s to rounds_NAME.
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
    local rounds_var="rounds_$name"
    printf -v "rounds_$name" '%s' "${!rounds_var:+${!rounds_var}/}$(field turns_per_s "$result")"
}

# MANY_ROUNDS rounds of intercom and the floor, in turns (intercom first in odd rounds),
# so that a stretch of a shared machine's noise lands on both; the round with the most
# turns/s of each is the one shown and compared.
measure_many_rounds() {
    local i best_project="" best_floor=""
    rounds_project="" rounds_floor=""
    for i in $(seq "$many_rounds"); do
        local order=(project floor)
        [ $((i % 2)) = 0 ] && order=(floor project)
        local which
        for which in "${order[@]}"; do
            if [ "$which" = project ]; then
                measure_many project "$server" --echo --host 127.0.0.1 --port 0 --max-clients "$n"
                best_project=$(better "$best_project" "$result_project")
            else
                measure_many floor "$floor" --port 0
                best_floor=$(better "$best_floor" "$result_floor")
            fi
        done
    done
    result_project=$best_project result_floor=$best_floor
}

# better A B, better_delivery A B: of two lines of results, the one with more turns/s
# (deliveries/s).
better() {
    awk -v a="$(field turns_per_s "$1")" -v b="$(field turns_per_s "$2")" 'BEGIN { exit !(a == "" || b + 0 > a + 0) }' &&
        printf '%s' "$2" || printf '%s' "$1"
}
better_delivery() {
    awk -v a="$(field deliveries_per_s "$1")" -v b="$(field deliveries_per_s "$2")" 'BEGIN { exit !(a == "" || b + 0 > a + 0) }' &&
        printf '%s' "$2" || printf '%s' "$1"
}

# Resident KiB per held conversation: (RSS with all held - RSS before any) / held.
per_conversation() {
    awk -v a="$(field rss_held_kib "$1")" -v b="$(field rss_before_kib "$1")" -v h="$(field held "$1")" \
        'BEGIN { if (h + 0 == 0 || a < 0) print "-"; else printf "%.1f", (a - b) / h }'
}

print_many() {
    local p=$result_project f=$result_floor
    say "$n conversations at once, $t turns each (the best of $many_rounds rounds each, taken in turns):"
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
    say "  turns/s each round: intercom $rounds_project; floor $rounds_floor"
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
        "<= 32 KiB resident per held conversation ($rss_project)" "$(at_most "$rss_project" 32)"
    [ -n "${single_ratio:-}" ] && printf '  %-64s %s\n' \
        "one conversation p50 <= 1.2x raw ping-pong, one core ($single_ratio)" "$(at_most "$single_ratio" 1.2)"
    return 0
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
    local rounds_var="rounds_$name"
    printf -v "rounds_$name" '%s' "${!rounds_var:+${!rounds_var}/}$(field deliveries_per_s "$result")"
}

# Sets free_port to a port the system gave an intercom-server a moment ago, for a
# program that cannot say which port it got for 0 (ncat, nc). Sets server_pid too.
free_port() {
    start_server "$1-port" "$server" --echo --host 127.0.0.1 --port 0
    free_port=$server_port
    stop_server "$server_pid"
}

# Waits up to 5 s for ncat's or nc's "Listening" line (-v) in FILE.
wait_for_listening() {
    for _ in $(seq 100); do
        grep -q "Listening" "$1" 2>/dev/null && return
        sleep 0.05
    done
}

# ncat --chat on a free_port; sets server_pid and server_port once it accepts.
start_ncat() {
    free_port "$1"
    local port=$free_port
    ncat -v --chat -l 127.0.0.1 "$port" --max-conns $((channel_held + 16)) >"$work/$1.out" 2>"$work/$1.err" <"$console" &
    server_pid=$!
    started+=("$server_pid")
    wait_for_listening "$work/$1.err"
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
    have_ncat=$(command -v ncat >/dev/null && echo yes)
    # The load itself in CHANNEL_ROUNDS rounds, in turns (intercom first in odd rounds);
    # the best round of each counts, as for the conversations.
    local i best_intercom="" best_ncat="" best_stalled=""
    chan_lost=""
    rounds_chan_intercom="" rounds_chan_ncat="" rounds_chan_stalled=""
    for i in $(seq "$channel_rounds"); do
        if [ -n "$have_ncat" ] && [ $((i % 2)) = 0 ]; then
            channel_run chan_ncat "already connected" "$load" ncat
            best_ncat=$(better_delivery "$best_ncat" "$result_chan_ncat")
        fi
        channel_run chan_intercom "intercom channel: " "$load" "${intercom[@]}"
        best_intercom=$(better_delivery "$best_intercom" "$result_chan_intercom")
        # Every line to every member, in order, in every round: one that is not fails it.
        [ "$(delivered "$result_chan_intercom")" = "all, in order" ] || chan_lost="round $i: $(delivered "$result_chan_intercom")"
        if [ -n "$have_ncat" ] && [ $((i % 2)) = 1 ]; then
            channel_run chan_ncat "already connected" "$load" ncat
            best_ncat=$(better_delivery "$best_ncat" "$result_chan_ncat")
        fi
        # The same load with a member that never reads, in the same rounds: its best
        # against the best without it, like with like.
        channel_run chan_stalled "intercom channel: " "$load --stalled" "${intercom[@]}"
        best_stalled=$(better_delivery "$best_stalled" "$result_chan_stalled")
        [ "$(delivered "$result_chan_stalled")" = "all, in order" ] ||
            chan_lost="round $i, with a stalled member: $(delivered "$result_chan_stalled")"
    done
    result_chan_intercom=$best_intercom result_chan_ncat=$best_ncat result_chan_stalled=$best_stalled
    channel_run chan_held "intercom channel: " "-m $channel_held -k 1 --hold-only --deadline $deadline" "${intercom[@]}"
    if [ -n "$have_ncat" ]; then
        # ncat writes to each member in turn and waits on the one that does not read.
        channel_run chan_ncat_stalled "already connected" "-m $m -k $k --deadline 5 --stalled" ncat
        channel_run chan_ncat_held "already connected" "-m $channel_held -k 1 --hold-only --deadline $deadline" ncat
    fi
    local i=$result_chan_intercom s=$result_chan_stalled n=${result_chan_ncat:-} ns=${result_chan_ncat_stalled:-}
    say "channel: $m members, $k lines each, every line to every other member (best of $channel_rounds rounds each, taken in turns):"
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
    [ -n "$chan_lost" ] && say "  NOT ALL DELIVERED by intercom in $chan_lost"
    printf '  %-36s %14s %14s\n' "deliveries/s each round" "$rounds_chan_intercom" "${rounds_chan_ncat:--}"
    say "with one member more that never reads (best of $channel_rounds rounds):"
    printf '  %-36s %14s %14s\n' "deliveries/s to the others" "$(field deliveries_per_s "$s")" \
        "$(field deliveries_per_s "$ns")"
    printf '  %-36s %14s %14s\n' "delivered to the others" "$(delivered "$s")" "$(delivered "$ns")"
    printf '  %-36s %14s\n' "deliveries/s each round" "$rounds_chan_stalled"
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
    all=$([ -z "$chan_lost" ] && [ "$(delivered "$result_chan_intercom")" = "all, in order" ] &&
        [ "$(delivered "$result_chan_stalled")" = "all, in order" ] && echo met || echo MISSED)
    printf '  %-64s %s\n' \
        "channel: every line to every member, in order, with and without a stalled one" "$all" \
        "channel: $channel_members members, deliveries/s >= 1.0x ncat's ($chan_ratio)" "$(at_least "$chan_ratio" 1.0)" \
        "channel: one member that never reads costs <= 10% ($stalled_ratio)" "$(at_least "$stalled_ratio" 0.9)" \
        "channel: $channel_held members held at <= 64 KiB each ($held_kib)" "$(at_most "$held_kib" 64)"
}

# --- the transfer ---

# timed NAME COMMAND...: runs COMMAND under /usr/bin/time when there is one and writes
# "WALL_SECONDS MAX_RESIDENT_KIB CPU_SECONDS" (the last two "-" without it) to
# $work/NAME.time; returns COMMAND's exit status. The wall clock is date's, around it.
timed() {
    local name=$1 began status
    shift
    began=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M %U %S' -o "$work/$name.rusage" "$@"
    else
        "$@"
    fi
    status=$?
    awk -v a="$began" -v b="$(date +%s.%N)" -v f="$work/$name.rusage" 'BEGIN {
        m = "-"; c = "-"
        # time puts "Command exited with non-zero status N" first when it did.
        while ((getline line < f) > 0) if (split(line, x, " ") == 3) { m = x[1]; c = sprintf("%.2f", x[2] + x[3]) }
        printf "%.3f %s %s\n", b - a, m, c }' >"$work/$name.time"
    return "$status"
}

# vm_kib KEY PID: the KEY line (VmRSS, VmHWM) of the process's /proc/PID/status, in KiB.
vm_kib() { awk -v k="$1:" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "/proc/$2/status" 2>/dev/null; }
sha() { sha256sum <"$1" | cut -d ' ' -f 1; }
# best LIST: the largest of numbers separated by "/", "-" when there is none.
best() { tr / '\n' <<<"$1" | awk '$1 != "-" && $1 != "" && (b == "" || $1 + 0 > b + 0) { b = $1 } END { print (b == "" ? "-" : b) }'; }
# add_to VAR VALUE: appends VALUE to the "/"-separated list in VAR.
add_to() { printf -v "$1" '%s%s' "${!1:+${!1}/}" "$2"; }

# One download by intercom-client --get from the server at $transfer_port into
# $work/got; adds to the intercom_* lists. A client that fails is a failure of the bench.
transfer_intercom() {
    local name=intercom$1 wall rss cpu saved
    (cd "$work/got" && timed "$name" "$client_path" --get transfer.bin "$transfer_port") \
        >"$work/$name.out" 2>"$work/$name.err" ||
        fail "intercom-client --get failed: $(cat "$work/$name.err")"
    read -r wall rss cpu <"$work/$name.time"
    saved=$(sed -n "s/^(saved transfer\.bin: $transfer_bytes bytes, as \(.*\))\$/\1/p" "$work/$name.out")
    [ -f "$saved" ] || fail "intercom-client did not say where it saved transfer.bin: $(cat "$work/$name.out")"
    add_to intercom_rates "$(awk -v m="$transfer_mb" -v s="$wall" 'BEGIN { printf "%.0f", m / s }')"
    add_to intercom_rss "$rss"
    add_to intercom_cpu "$cpu"
    [ "$(sha "$saved")" = "$source_sum" ] || intercom_same=no
    rm -f "$saved"
}

# The same file by nc: nc -N -l 127.0.0.1 PORT < file (shuts its sending side at the
# file's end), nc -d 127.0.0.1 PORT > copy (reads no input, ends at the server's close).
transfer_nc() {
    local name=nc$1 wall rss cpu nc_pid
    free_port "$name"
    nc -v -N -l 127.0.0.1 "$free_port" <"$work/files/transfer.bin" >/dev/null 2>"$work/$name.server.err" &
    nc_pid=$!
    started+=("$nc_pid")
    wait_for_listening "$work/$name.server.err"
    timed "$name" nc -d 127.0.0.1 "$free_port" >"$work/got/nc-copy" 2>"$work/$name.err" ||
        fail "nc could not fetch the file: $(cat "$work/$name.err" "$work/$name.server.err")"
    wait "$nc_pid"
    read -r wall rss cpu <"$work/$name.time"
    add_to nc_rates "$(awk -v m="$transfer_mb" -v s="$wall" 'BEGIN { printf "%.0f", m / s }')"
    add_to nc_rss "$rss"
    add_to nc_cpu "$cpu"
    [ "$(sha "$work/got/nc-copy")" = "$source_sum" ] || nc_same=no
    rm -f "$work/got/nc-copy"
}

measure_transfer() {
    transfer_bytes=$((transfer_mb * 1048576))
    local room
    room=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
    [ "$room" -gt $(((2 * transfer_mb + 64) * 1024)) ] ||
        fail "the transfer needs $((2 * transfer_mb + 64)) MiB free in $work; there are $((room / 1024))"
    have_nc=$(command -v nc >/dev/null && nc -h 2>&1 | grep -q -- '-N.*Shutdown' && echo yes)
    mkdir -p "$work/files" "$work/got"
    client_path=$(realpath "$client")  # the client runs in $work/got: BUILD_DIR may be relative
    head -c "$transfer_bytes" /dev/urandom >"$work/files/transfer.bin" || fail "could not write the file to send"
    head -c 1024 /dev/urandom >"$work/files/tiny.bin"
    # On the disk before any transfer, so that its write-back does not run during one.
    sync "$work/files/transfer.bin"
    source_sum=$(sha "$work/files/transfer.bin")
    start_server transfer "$server" --echo --files "$work/files" --host 127.0.0.1 --port 0
    local transfer_pid=$server_pid rss_before
    transfer_port=$server_port
    rss_before=$(vm_kib VmRSS "$transfer_pid")
    # The client's resident size for a download of 1 KiB: its growth is measured from it.
    (cd "$work/got" && timed tiny "$client_path" --get tiny.bin "$transfer_port") >"$work/tiny.out" 2>"$work/tiny.err" ||
        fail "intercom-client --get tiny.bin failed: $(cat "$work/tiny.err")"
    local client_base wall cpu
    read -r wall client_base cpu <"$work/tiny.time"
    intercom_rates="" intercom_rss="" intercom_cpu="" intercom_same=yes
    nc_rates="" nc_rss="" nc_cpu="" nc_same=yes
    local i
    for i in $(seq "$transfer_rounds"); do
        # In turns, each first every other round, so that neither always follows the other.
        if [ -n "$have_nc" ] && [ $((i % 2)) = 0 ]; then transfer_nc "$i"; fi
        server_port=$transfer_port
        transfer_intercom "$i"
        if [ -n "$have_nc" ] && [ $((i % 2)) = 1 ]; then transfer_nc "$i"; fi
    done
    local server_peak
    server_peak=$(vm_kib VmHWM "$transfer_pid")
    stop_server "$transfer_pid"
    [ "$stop_status" = "exit 0" ] || say "  (intercom-server --files after SIGTERM: $stop_status)"
    server_growth=$(awk -v a="$server_peak" -v b="$rss_before" 'BEGIN { print (a == "-" || b == "-") ? "-" : a - b }')
    client_growth=$(awk -v a="$(best "$intercom_rss")" -v b="$client_base" 'BEGIN { print (a == "-" || b == "-") ? "-" : a - b }')
    transfer_ratio=$(ratio "$(best "$intercom_rates")" "$(best "$nc_rates")")
    [ -n "$have_nc" ] || nc_same=-

    say "transfer: a $transfer_mb MiB file over 127.0.0.1, best of $transfer_rounds rounds each, taken in turns:"
    printf '  %-36s %14s %14s %8s\n' "" intercom nc ratio
    printf '  %-36s %14s %14s %8s\n' "MiB/s (wall clock, client's run)" "$(best "$intercom_rates")" \
        "$(best "$nc_rates")" "$transfer_ratio"
    printf '  %-36s %14s %14s\n' "MiB/s each round" "$intercom_rates" "${nc_rates:--}"
    printf '  %-36s %14s %14s\n' "client CPU seconds each round" "$intercom_cpu" "${nc_cpu:--}"
    printf '  %-36s %14s %14s\n' "server resident growth (KiB)" "$server_growth" "-"
    printf '  %-36s %14s %14s\n' "client resident growth (KiB)" "$client_growth" "-"
    printf '  %-36s %14s %14s\n' "client resident peak (KiB)" "$(best "$intercom_rss")" "$(best "$nc_rss")"
    printf '  %-36s %14s %14s\n' "copies byte-identical (sha256)" "$intercom_same" "$nc_same"
    say "  server: VmRSS $rss_before KiB before the first request, VmHWM $server_peak KiB after the last;" \
        "client: peak $client_base KiB for a 1 KiB download"
    [ -x /usr/bin/time ] || say "(/usr/bin/time is not installed: sudo apt-get install time; no client memory)"
    [ -z "$have_nc" ] && say "(OpenBSD nc is not installed: sudo apt-get install netcat-openbsd)"
    say ""
}

print_transfer_targets() {
    printf '  %-64s %s\n' \
        "transfer: $transfer_mb MiB, MiB/s >= 0.9x nc's ($transfer_ratio)" "$(at_least "$transfer_ratio" 0.9)" \
        "transfer: server resident growth <= 8192 KiB ($server_growth)" "$(at_most "$server_growth" 8192)" \
        "transfer: client resident growth <= 8192 KiB ($client_growth)" "$(at_most "$client_growth" 8192)" \
        "transfer: every copy byte-identical to the source (sha256)" "$([ "$intercom_same" = yes ] && echo met || echo MISSED)"
}

began=$(date +%s.%N)
for tool in "$server" "$client" "$floor" "$loadgen" "$pingpong" "$chatload"; do
    [ -x "$tool" ] || fail "missing $tool (run through make bench)"
done
case $transfer_mb in '' | *[!0-9]* | 0) fail "the transfer's size in MiB must be a whole number above 0, not '$transfer_mb'" ;; esac
case $transfer_rounds in '' | *[!0-9]* | 0) fail "TRANSFER_ROUNDS must be a whole number above 0" ;; esac
case $many_rounds in '' | *[!0-9]* | 0) fail "MANY_ROUNDS must be a whole number above 0" ;; esac
case $channel_rounds in '' | *[!0-9]* | 0) fail "CHANNEL_ROUNDS must be a whole number above 0" ;; esac
report_limits
if [ "${CHANNEL_ONLY:-}" = 1 ]; then
    measure_channel
    say "targets:"
    print_channel_targets
    exit 0
fi
if [ "${MANY_ONLY:-}" = 1 ]; then
    measure_many_rounds
    print_many
    print_targets
    exit 0
fi
if [ "${TRANSFER_ONLY:-}" = 1 ]; then
    measure_transfer
    say "targets:"
    print_transfer_targets
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
measure_many_rounds
print_many
measure_shutdown
measure_channel
measure_transfer
print_targets
print_channel_targets
print_transfer_targets
say "bench took $(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
