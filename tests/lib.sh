# Shared helpers for the integration tests (sourced).
# Each check prints "PASS: ..." or "FAIL: ..."; tests/run-all counts them.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
testhost="$here/tools/testhost"
uri=$("$testhost" uri)
patched_virsh="${TESTHOST_PATCHED_PREFIX:-$here/build/prefix}/bin/virsh"
stock_virsh="$here/build/stock-prefix/bin/virsh"
failures=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() {
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; return 1; fi
}
# virsh of the build the test host runs now (cheap: no daemon round trip).
vsh() {
    if [ "$(cat "$here/build/host/state/flavor" 2>/dev/null)" = stock ]; then
        "$stock_virsh" -q -c "$uri" "$@"
    else
        "$patched_virsh" -q -c "$uri" "$@"
    fi
}
# path of that virsh
vsh_bin() {
    if [ "$(cat "$here/build/host/state/flavor" 2>/dev/null)" = stock ]; then
        echo "$stock_virsh"
    else
        echo "$patched_virsh"
    fi
}
now_ms() { date +%s%3N; }
finish() { exit $((failures > 0)); }

# Reading `virsh domstats` output saved in FILE.  The records of the
# *Params calls (domstats --timeout/--cached) carry, for each group,
# <prefix>.fresh (1 or 0) and, when the group has values that needed QEMU,
# <prefix>.age (ms); docs/kbase/deadline-stats.rst of the series.
records() { grep -c '^Domain:' "$1" || true; }
record_of() { # file domain -> that record's key=value lines, unindented
    awk -v d="Domain: '$2'" '$0 == d { p = 1; next } /^Domain:/ { p = 0 }
        p && NF { sub(/^ +/, ""); print }' "$1"
}
field() { # file domain key -> the value, empty if absent
    record_of "$1" "$2" | awk -v k="$3" '{ n = index($0, "=")
        if (substr($0, 1, n - 1) == k) print substr($0, n + 1) }'
}
has_record() { grep -qx "Domain: '$2'" "$1"; }
# Domains whose record has freshness keys and every group fresh, or some
# group not fresh; one name a line.
fresh_domains() {
    awk '/^Domain:/ { if (d != "" && f && !s) print d; d = $2; gsub(/\047/, "", d); f = s = 0 }
         /^ +[a-z]+\.fresh=/ { f = 1 } /^ +[a-z]+\.fresh=0$/ { s = 1 }
         END { if (d != "" && f && !s) print d }' "$1"
}
stale_domains() {
    awk '/^Domain:/ { d = $2; gsub(/\047/, "", d) }
         /^ +[a-z]+\.fresh=0$/ && !(d in seen) { seen[d] = 1; print d }' "$1"
}
fresh_count() { fresh_domains "$1" | grep -c . || true; }
stale_count() { stale_domains "$1" | grep -c . || true; }
# The groups of a domain's record that are fresh / not fresh, as prefixes
# in the order of the record, space separated.
groups_with_fresh() { # file domain 1|0
    record_of "$1" "$2" | sed -n "s/^\([a-z]*\)\.fresh=$3\$/\1/p" | paste -sd' '
}
# Wait at most SECONDS for background job PID (a child of this shell):
# its exit status, or 254 after killing it if it still runs then.
wait_for() { # pid seconds
    local i
    for i in $(seq 1 $(( $2 * 10 ))); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$1" 2>/dev/null; then
        kill "$1" 2>/dev/null
        wait "$1" 2>/dev/null
        return 254
    fi
    wait "$1"
}
