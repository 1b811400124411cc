#!/bin/bash
# test-cli.sh VSTATS: the vstats command's user-facing behaviour: help,
# usage errors, helpful connection errors, and a short JSON run against
# libvirt's in-process test driver.
set -u
vstats_bin=$1
# VSTATS_WRAPPER (valgrind, from tools/sanitize-vstats) runs in front of vstats.
# shellcheck disable=SC2086
vstats() { ${VSTATS_WRAPPER:-} "$vstats_bin" "$@"; }
failures=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; failures=$((failures + 1)); }
expect_rc() { # expected-rc description command...
    local want=$1 what=$2; shift 2
    "$@" >/tmp/vstats-cli.$$ 2>&1
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$what"; else bad "$what (rc $rc, want $want)"; cat /tmp/vstats-cli.$$; fi
}

expect_rc 0 "--help" vstats --help
expect_rc 0 "sample --help" vstats sample --help
expect_rc 0 "serve --help" vstats serve --help
expect_rc 2 "no command" vstats
expect_rc 2 "unknown command" vstats frobnicate
expect_rc 2 "bad format" vstats sample -c test:///default --format xml
expect_rc 2 "bad mode" vstats sample -c test:///default --mode turbo
expect_rc 2 "bad period" vstats sample -c test:///default --period -1
expect_rc 1 "bad URI" vstats sample -c bogus:///x --count 1
grep -q "bogus:///x" /tmp/vstats-cli.$$ && ok "bad URI is named" || bad "bad URI is named"
expect_rc 1 "daemon gone" vstats sample -c "qemu:///system?socket=/nonexistent/sock" --count 1
grep -q "running" /tmp/vstats-cli.$$ && ok "daemon gone has a hint" || bad "daemon gone has a hint"
expect_rc 2 "bad listen address" vstats serve -c test:///default --listen nowhere
# One option group for sample and serve: both take and document the same.
for opt in --connect --timeout --mode --not-responding-ms --read-only --quiet; do
    for cmd in sample serve; do
        vstats $cmd --help 2>&1 | grep -q -- "$opt" && ok "$cmd --help has $opt" || bad "$cmd --help has $opt"
    done
done
expect_rc 0 "sample --read-only" vstats sample -c test:///default --read-only --count 1 -q
expect_rc 2 "serve checks --not-responding-ms like sample" vstats serve -c test:///default --not-responding-ms 0

out=$(vstats sample -c test:///default --format json --count 2 --period 0.2 -q)
lines=$(printf '%s\n' "$out" | grep -c '^{')
[ "$lines" -eq 2 ] && ok "json: one line per cycle" || bad "json: one line per cycle ($lines)"
# Debian's python3 reads the JSON; without it the checks fail rather than
# pass unchecked.
python=/usr/bin/python3
[ -x "$python" ] && ok "$python is there for the JSON checks" || bad "$python is missing: JSON checks cannot run"
{
    printf '%s\n' "$out" | $python -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin if l.strip()]
last = lines[-1]
assert last["up"] and last["vms"], last
vm = last["vms"][0]
for key in ("name", "uuid", "state", "fresh", "age_ms", "monitor_unresponsive_ms", "not_responding", "cpu"):
    assert key in vm, key
' && ok "json: fields present" || bad "json: fields present"
    vstats sample -c test:///default --format vdsm --count 1 -q | $python -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["status"]["code"] == 0
vm = d["statsList"][0]
for key in ("vmId", "status", "cpuUser", "cpuSys", "cpuUsage", "network", "disks", "balloonInfo", "monitorResponse", "statsAge"):
    assert key in vm, key
' && ok "vdsm: fields present" || bad "vdsm: fields present"
}
vstats sample -c test:///default --mode legacy --count 1 -q | grep -q ' test' &&
    ok "table lists the domain" || bad "table lists the domain"

# boot-storm: usage errors, per-VM failures, a clean run.
tmpl=/tmp/vstats-cli-tmpl.$$
expect_rc 0 "boot-storm --help" vstats boot-storm --help
grep -q "concurrency" /tmp/vstats-cli.$$ && ok "boot-storm --help names --concurrency" || bad "boot-storm --help names --concurrency"
expect_rc 2 "boot-storm needs --count" vstats boot-storm -c test:///default --testhost /tmp --concurrency 2
expect_rc 2 "boot-storm needs one source" vstats boot-storm -c test:///default --count 2 --concurrency 2
expect_rc 2 "boot-storm bad concurrency" vstats boot-storm -c test:///default --count 2 --testhost /tmp --concurrency lots
echo "<domain type='test'><name>@NAME@</name><nonsense" > "$tmpl"
expect_rc 1 "boot-storm bad template fails" vstats boot-storm -c test:///default --count 3 --template "$tmpl" --concurrency 2
[ "$(grep -c '^FAILED bs-000[123]: ' /tmp/vstats-cli.$$)" -eq 3 ] && ok "boot-storm names each failed VM" || bad "boot-storm names each failed VM"
echo "<domain type='test'><name>@NAME@</name><uuid>@UUID@</uuid><memory>32768</memory><os><type>hvm</type></os></domain>" > "$tmpl"
expect_rc 0 "boot-storm clean run" vstats boot-storm -c test:///default --count 12 --template "$tmpl" --concurrency auto --format json
{
    $python -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stats"]["succeeded"] == 12 and len(d["vms"]) == 12, d["stats"]
assert d["concurrency_trajectory"][0]["limit"] >= 1
assert all(vm["ok"] and vm["ms"] >= 0 for vm in d["vms"])
' /tmp/vstats-cli.$$ && ok "boot-storm json" || bad "boot-storm json"
}
rm -f "$tmpl"

rm -f /tmp/vstats-cli.$$
[ "$failures" -eq 0 ]
