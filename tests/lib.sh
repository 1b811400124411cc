# Shared helpers for the integration tests (sourced).
# Each check prints "PASS: ..." or "FAIL: ..."; tests/run-all counts them.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
testhost="$here/tools/testhost"
uri=$("$testhost" uri)
patched_virsh="$here/build/prefix/bin/virsh"
stock_virsh="$here/build/stock-prefix/bin/virsh"
failures=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() {
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
vsh() { "$("$testhost" status | grep -q '(stock' && echo "$stock_virsh" || echo "$patched_virsh")" -q -c "$uri" "$@"; }
now_ms() { date +%s%3N; }
finish() { exit $((failures > 0)); }
