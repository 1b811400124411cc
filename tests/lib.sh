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
