#!/bin/bash
# test-bad-input.sh VSTATS: bad input gets a clear error, never a crash or
# a hang: connection URIs that lead nowhere, bad options, bad --listen
# values, and `vstats serve` fed malformed, oversized, silent and slow HTTP.
# Needs no daemon: libvirt's in-process test:///default at most.  Every
# vstats run is bounded by `timeout`; exit 124 means it hung, >128 a signal.
#
# VSTATS_WRAPPER, if set, is put in front of every vstats run (valgrind,
# from tools/sanitize-vstats); BOUND_S scales the bounds for slow wrappers.
set -u
bin=$1
wrapper=${VSTATS_WRAPPER:-}
bound=${BOUND_S:-20}
tmp=$(mktemp -d /tmp/vstats-bad-input.XXXXXX)
failures=0
serve_pids=()

cleanup() {
    local pid
    for pid in "${serve_pids[@]}"; do kill "$pid" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; failures=$((failures + 1)); }
skip() { echo "ok - $* # SKIP"; }
show() { sed 's/^/#   /' "$@"; }

# Runs vstats ARGS... bounded; output in $tmp/out, $tmp/err.
vs() {
    # shellcheck disable=SC2086 # the wrapper is a command line
    timeout -k 5 "$bound" $wrapper "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
}

# expect RC PATTERN DESCRIPTION -- ARGS...: exit status RC, and a message
# on stderr matching the extended regex PATTERN, on one line.
expect() {
    local want=$1 pattern=$2 what=$3 rc
    shift 4
    vs "$@"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$what: exit $rc, want $want"; show "$tmp/err"; return
    fi
    if ! grep -qE -- "$pattern" "$tmp/err"; then
        bad "$what: no message matching /$pattern/"; show "$tmp/err"; return
    fi
    if [ "${ONE_LINE:-1}" = 1 ] && [ "$(grep -c . "$tmp/err")" -ne 1 ]; then
        bad "$what: the message is not one line"; show "$tmp/err"; return
    fi
    ok "$what"
}

# ---- connection URIs that lead nowhere: exit 1, the URI named ----------
echo "# URIs"
notsock="$tmp/not-a-socket"
: > "$notsock"
for uri in "bogus:///x" "::::" "qemu:///system?socket=/nonexistent/sock" \
           "qemu:///system?socket=$notsock" "qemu+tcp://127.0.0.1:1/system"; do
    quoted=$(printf '%s' "$uri" | sed 's/[][\.*^$?+(){}|]/\\&/g')
    expect 1 "cannot open '$quoted'" "sample -c $uri: clear error" -- \
        sample -c "$uri" --count 1
done
expect 1 "cannot open.*\(is libvirtd .*running" "a missing daemon gets a hint" -- \
    sample -c "qemu:///system?socket=/nonexistent/sock" --count 1
expect 1 "cannot open 'qemu:///system\?socket=/nonexistent/sock'" "serve -c: same error" -- \
    serve -c "qemu:///system?socket=/nonexistent/sock" --listen 127.0.0.1:0
expect 2 "empty --connect URI" "sample -c '': usage error, not the default URI" -- \
    sample -c "" --count 1
expect 2 "empty --connect URI" "serve -c '': usage error" -- serve -c ""

# ---- bad options: exit 2 saying what is wrong ---------------------------
echo "# options"
t=test:///default
for p in 0 -1 0.001 nan inf 1e9 86401; do
    expect 2 "--period must be" "sample --period $p" -- sample -c $t --period "$p" --count 1
done
expect 2 "Cannot parse double.*--period" "sample --period abc" -- sample -c $t --period abc
for v in 0 -5 3600001; do
    expect 2 "--timeout must be" "sample --timeout $v" -- sample -c $t --timeout "$v" --count 1
    expect 2 "--timeout must be" "serve --timeout $v" -- serve -c $t --timeout "$v"
done
expect 2 "out of range" "sample --timeout 99999999999" -- sample -c $t --timeout 99999999999
expect 2 "Cannot parse integer.*--timeout" "sample --timeout abc" -- sample -c $t --timeout abc
for n in 0 -1; do
    expect 2 "--count must be positive" "sample --count $n" -- sample -c $t --count "$n"
done
expect 2 "out of range" "sample --count 99999999999" -- sample -c $t --count 99999999999
expect 2 "--not-responding-ms must be positive" "sample --not-responding-ms 0" -- \
    sample -c $t --not-responding-ms 0 --count 1
expect 2 "unknown format 'xml'" "sample --format xml" -- sample -c $t --format xml
expect 2 "unknown mode 'turbo'" "sample --mode turbo" -- sample -c $t --mode turbo
expect 2 "unknown mode 'turbo'" "serve --mode turbo" -- serve -c $t --mode turbo
expect 2 "--min-interval must be" "serve --min-interval -1" -- serve -c $t --min-interval -1
expect 2 "bad --groups 'net,disk'" "serve --groups net,disk" -- serve -c $t --groups net,disk
expect 2 "bad --groups ''" "sample --groups ''" -- sample -c $t --groups "" --count 1
expect 2 "--max-connections-per-ip must be" "serve --max-connections-per-ip 0" -- \
    serve -c $t --max-connections-per-ip 0
expect 2 "--idle-timeout must be" "serve --idle-timeout 0" -- serve -c $t --idle-timeout 0
for opt in --period --timeout --count --format --mode --connect; do
    expect 2 "Missing argument for $opt" "sample $opt without its argument" -- sample $opt
done
expect 2 "Missing argument for --listen" "serve --listen without its argument" -- serve --listen
expect 2 "Unknown option --bogus" "sample --bogus" -- sample -c $t --bogus
expect 2 "Unknown option --bogus" "serve --bogus" -- serve -c $t --bogus
expect 2 "unexpected argument 'extra'" "sample extra" -- sample -c $t extra

# ---- --listen: malformed is a usage error (before connecting) -----------
echo "# --listen"
for l in nowhere 127.0.0.1 127.0.0.1:99999 127.0.0.1:-1 :9177 example.invalid:80 "[::1" ""; do
    expect 2 "bad listen address" "serve --listen '$l'" -- serve -c $t --listen "$l"
done
# Well-formed but not ours (TEST-NET-1): cannot bind, exit 1 (after the
# warning that a non-loopback address is unauthenticated).
ONE_LINE=0 expect 1 "cannot listen on 192\.0\.2\.1:9177" "serve --listen on a foreign address" -- \
    serve -c $t --listen 192.0.2.1:9177 -q

# ---- vstats serve against bad HTTP ------------------------------------
echo "# serve"
# start_serve NAME ARGS...: sets $serve_pid and $port (from its banner).
start_serve() {
    local name=$1 i
    shift
    # shellcheck disable=SC2086
    $wrapper "$bin" serve -c $t "$@" 2>"$tmp/$name.err" &
    serve_pid=$!
    serve_pids+=("$serve_pid")
    port=
    for ((i = 0; i < bound * 10; i++)); do
        port=$(sed -n 's/.*serving .* (port \([0-9]*\)).*/\1/p' "$tmp/$name.err")
        [ -n "$port" ] && return 0
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.1
    done
    show "$tmp/$name.err"
    return 1
}

# stop_serve: SIGTERM must end it cleanly (exit 0: leak checks run then).
stop_serve() { # DESCRIPTION NAME
    local what=$1 name=$2 i rc
    kill -TERM "$serve_pid"
    for ((i = 0; i < bound * 10; i++)); do
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$serve_pid" 2>/dev/null; then
        kill -KILL "$serve_pid"; bad "$what: did not stop on SIGTERM"; return
    fi
    wait "$serve_pid"
    rc=$?
    if [ "$rc" -eq 0 ]; then ok "$what: stops cleanly on SIGTERM"; else bad "$what: exit $rc on SIGTERM"; show "$tmp/$name.err"; fi
}

# http FORMAT: sends printf FORMAT, prints the answer (the server closes).
http() {
    local out
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    # shellcheck disable=SC2059 # the request is a format, for \r\n and \x..
    printf "$1" >&3 2>/dev/null
    out=$(timeout "$bound" cat <&3)
    exec 3<&-
    printf '%s\n' "$out"
}

# answers FORMAT CODES DESCRIPTION: the status line is HTTP/1.x CODE, one
# of CODES ("400|505"); "closed" stands for no answer at all.
answers() {
    local status code
    status=$(http "$1" | head -1 | tr -d '\r')
    code=${status#HTTP/1.? }
    code=${code%% *}
    [ -n "$status" ] || code=closed
    if [[ "|$2|" == *"|$code|"* ]]; then ok "$3: ${status:-closed}"; else bad "$3: got '$status', want $2"; fi
}

# Well-formed requests ask the server to close after its answer.
SCRAPE='GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'

still_serving() {
    local resp
    resp=$(http "$SCRAPE")
    if [[ "$resp" == "HTTP/1.1 200 "* ]] && grep -q '^libvirt_up 1' <<<"$resp"; then
        ok "still serves /metrics after $1"
    else
        bad "still serves /metrics after $1"; printf '%s\n' "$resp" | head -5 | sed 's/^/#   /'
    fi
}

# scrape_ms: milliseconds a full scrape takes now.
scrape_ms() {
    local t0 t1
    t0=$(date +%s%N)
    http "$SCRAPE" | head -1 | grep -q '^HTTP/1.1 200 ' || { echo 999999; return; }
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

if start_serve http --listen 127.0.0.1:0 --idle-timeout 2; then
    answers "$SCRAPE" 200 "a correct scrape"
    answers 'hello there\r\n\r\n' 400 "garbage text"
    answers '\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n' "400|closed" "binary garbage (a TLS hello)"
    answers 'GET /metrics\r\n\r\n' 400 "no HTTP version"
    answers 'GET /metrics HTTP/9.9\r\n\r\n' "400|505" "unknown HTTP version"
    answers 'GET metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "400|404" "target without a slash"
    answers 'GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n' 400 "malformed header line"
    answers 'GET /met\x00rics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "400|404" "NUL byte in the request"
    answers 'BREW /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' 405 "unknown method"
    http 'DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | grep -q $'^Allow: GET, HEAD\r$' &&
        ok "405 names the allowed methods" || bad "405 names the allowed methods"
    answers 'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' 404 "a path other than /metrics"
    big=$(head -c 40000 /dev/zero | tr '\0' a)
    answers "GET /metrics HTTP/1.1\r\nX-Big: $big\r\n\r\n" "431|413|closed" "a 40000-byte request head"
    answers "GET /$big HTTP/1.1\r\n\r\n" "414|431|413|closed" "a 40000-byte request line"
    still_serving "malformed requests"

    # A flood: the server must stop reading and close, not buffer it.
    rss0=$(rss_kib "$serve_pid")
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    ( { printf 'GET /metrics HTTP/1.1\r\nX-Flood: '; head -c 64M /dev/zero | tr '\0' a; } >&3 ) 2>/dev/null &
    writer=$!
    timeout "$bound" cat <&3 >/dev/null 2>&1
    read_rc=$?
    exec 3<&-
    for ((i = 0; i < bound * 10; i++)); do kill -0 "$writer" 2>/dev/null || break; sleep 0.1; done
    kill "$writer" 2>/dev/null
    wait "$writer"
    writer_rc=$?
    rss1=$(rss_kib "$serve_pid")
    [ "$read_rc" -ne 124 ] && ok "64 MiB request: connection closed by the server" ||
        bad "64 MiB request: connection still open after ${bound}s"
    [ "$writer_rc" -ne 0 ] && ok "64 MiB request: not read to the end" ||
        bad "64 MiB request: the server read all of it"
    [ $((rss1 - rss0)) -lt 32768 ] && ok "64 MiB request: server memory grew $((rss1 - rss0)) KiB" ||
        bad "64 MiB request: server memory grew $((rss1 - rss0)) KiB"
    still_serving "a 64 MiB request"

    # Silent connections and one trickling its request head cost the
    # server a descriptor each: a scrape meanwhile is not delayed (the
    # bound is generous; the collection takes milliseconds here).
    for fd in 4 5 6 7 8 9; do eval "exec $fd<>/dev/tcp/127.0.0.1/$port"; done
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    ( printf 'GET /metrics HTTP/1.1\r\n'; for _ in $(seq 6); do printf 'X'; sleep 0.5; done ) >&3 2>/dev/null &
    writer=$!
    ms=$(scrape_ms)
    [ "$ms" -lt 2000 ] && ok "6 silent and 1 trickling connection: a scrape takes $ms ms" ||
        bad "6 silent and 1 trickling connection: a scrape takes $ms ms"
    # --idle-timeout 2: the silent ones are closed (EOF) after about 2 s.
    t0=$(date +%s%N)
    timeout "$bound" cat <&4 >/dev/null 2>&1
    idle_ms=$((($(date +%s%N) - t0) / 1000000))
    [ "$idle_ms" -lt 5000 ] && ok "a silent connection is closed after the idle timeout ($idle_ms ms)" ||
        bad "a silent connection is closed after the idle timeout ($idle_ms ms)"
    for fd in 3 4 5 6 7 8 9; do eval "exec $fd<&-"; done
    wait "$writer" 2>/dev/null
    still_serving "silent and trickling connections"
    stop_serve "serve" http
else
    bad "serve --listen 127.0.0.1:0 starts"
fi

# Default address: loopback only.  9177 in LISTEN state is 23D9 ... 0A.
if grep -qE '^ *[0-9]+: [0-9A-F]+:23D9 [0-9A-F]+:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
    skip "default --listen is loopback (port 9177 is taken here)"
elif start_serve default; then
    listeners=$(grep -hE '^ *[0-9]+: [0-9A-F]+:23D9 [0-9A-F]+:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null |
                awk '{ print $2 }' | sort -u | tr '\n' ' ')
    [ "$listeners" = "0100007F:23D9 " ] && ok "default --listen is 127.0.0.1:9177 only" ||
        bad "default --listen is 127.0.0.1:9177 only (listening: $listeners)"
    [ "$port" = 9177 ] && still_serving "starting on the default address"
    stop_serve "serve on the default address" default
else
    bad "serve with the default --listen starts"
fi

# Two servers on one port: the second says so and exits 1.
if start_serve first --listen 127.0.0.1:0; then
    expect 1 "cannot listen on 127\.0\.0\.1:$port.*in use" "serve on a port in use" -- \
        serve -c $t --listen "127.0.0.1:$port" -q
    # libvirt's remote protocol against an HTTP server: an error, no hang.
    expect 1 "cannot open 'qemu\+tcp://127\.0\.0\.1:$port/system'" \
        "sample -c at a service that is not libvirt" -- \
        sample -c "qemu+tcp://127.0.0.1:$port/system" --count 1
    stop_serve "first serve" first
else
    bad "serve --listen 127.0.0.1:0 starts again"
fi

echo "# $failures failed"
[ "$failures" -eq 0 ]
