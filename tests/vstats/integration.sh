#!/bin/bash
# integration.sh URI: vstats against a real libvirtd (the private test host
# of tools/testhost).  Read-only: it never starts, stops or changes domains.
# Prints PASS:/FAIL: lines and exits non-zero if any check failed.
#
#   VSTATS=path/to/vstats   binary to test (default: first of build/vstats,
#                           build/vstats-stock, _build)
set -uo pipefail

uri=${1:?usage: integration.sh URI}
here=$(cd "$(dirname "$0")/../.." && pwd)
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

vstats=${VSTATS:-}
if [ -z "$vstats" ]; then
    for b in build/vstats _build build/vstats-stock; do
        [ -x "$here/$b/vstats/vstats" ] && { vstats="$here/$b/vstats/vstats"; break; }
    done
fi
[ -x "${vstats:-}" ] || { fail "vstats binary not found (build it first)"; exit 1; }
command -v python3 >/dev/null || { fail "python3 needed to read the JSON"; exit 1; }

virsh=$here/build/prefix/bin/virsh
[ -x "$virsh" ] || virsh=$(command -v virsh || true)
expected=""
if [ -n "$virsh" ]; then
    expected=$("$virsh" -q -c "$uri" list --all --uuid 2>/dev/null | sort)
fi

# Checks one JSON-lines run: every domain present in the last cycle, with
# rates (numbers, not null) for the running or paused ones.
check_run() { # mode out
    local mode=$1 out=$2
    EXPECTED="$expected" python3 - "$out" "$mode" <<'PY'
import json, os, sys
path, mode = sys.argv[1], sys.argv[2]
lines = [json.loads(l) for l in open(path) if l.strip()]
problems = []
if len(lines) != 2:
    problems.append("expected 2 cycles, got %d" % len(lines))
else:
    last = lines[-1]
    if not last["up"]:
        problems.append("collection down: %s" % last["error"])
    got = {vm["uuid"] for vm in last["vms"]}
    # Listed by virsh before the run: each must be reported (a domain
    # created meanwhile may be reported too).
    want = set(os.environ["EXPECTED"].split())
    if want - got:
        problems.append("domains missing: %s" % sorted(want - got))
    if not got:
        problems.append("no domains reported")
    # Rates need two samples: required for domains already there, with
    # a QEMU process, in the first cycle.
    first = {vm["uuid"] for vm in lines[0]["vms"] if vm["state"] in ("running", "paused")}
    for vm in last["vms"]:
        for key in ("name", "uuid", "state", "fresh", "age_ms", "monitor_unresponsive_ms", "not_responding"):
            if key not in vm:
                problems.append("%s lacks %s" % (vm.get("name"), key))
        if vm["state"] in ("running", "paused") and vm["uuid"] in first:
            if vm["cpu"]["total_pct"] is None:
                problems.append("%s: no CPU rate" % vm["name"])
            for d in vm["disks"]:
                if d["read_bytes_per_s"] is None or d["write_bytes_per_s"] is None:
                    problems.append("%s/%s: no disk rate" % (vm["name"], d["name"]))
            for n in vm["nets"]:
                if n["rx_bytes_per_s"] is None or n["tx_bytes_per_s"] is None:
                    problems.append("%s/%s: no net rate" % (vm["name"], n["name"]))
    print("strategy=%s cycle_ms=%.1f domains=%d" % (last["strategy"], last["cycle_ms"], len(last["vms"])))
for p in problems[:10]:
    print("  " + p)
sys.exit(1 if problems else 0)
PY
}

for mode in auto bulk legacy; do
    out=$(mktemp)
    if "$vstats" sample -c "$uri" --format json --count 2 --period 2 --timeout 10000 \
            --mode "$mode" -q >"$out" 2>"$out.err"; then
        if check_run "$mode" "$out"; then
            pass "sample --mode $mode reports every domain with rates"
        else
            fail "sample --mode $mode reports every domain with rates"
        fi
    else
        fail "sample --mode $mode exited non-zero: $(head -3 "$out.err")"
    fi
    rm -f "$out" "$out.err"
done

# Deadline mode only where both client library and daemon have the call.
out=$(mktemp)
if "$vstats" sample -c "$uri" --format json --count 2 --period 2 --timeout 10000 \
        --mode deadline -q >"$out" 2>"$out.err"; then
    check_run deadline "$out" && pass "sample --mode deadline reports every domain with rates" ||
        fail "sample --mode deadline reports every domain with rates"
    python3 -c '
import json, sys
vms = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]["vms"]
sys.exit(0 if all(vm["freshness_source"] == "daemon" for vm in vms) else 1)' "$out" &&
        pass "deadline records carry the daemon's per-group freshness" ||
        fail "deadline records carry the daemon's per-group freshness"
elif grep -q "virConnectGetAllDomainStatsParams\|not supported\|unsupported" "$out.err"; then
    echo "SKIP: deadline mode unavailable here ($(head -1 "$out.err"))"
else
    fail "sample --mode deadline: $(head -3 "$out.err")"
fi
rm -f "$out" "$out.err"

# VDSM shape: one entry per domain.
if "$vstats" sample -c "$uri" --format vdsm --count 1 --timeout 10000 -q |
        EXPECTED="$expected" python3 -c '
import json, os, sys
d = json.loads(sys.stdin.read())
ids = {vm["vmId"] for vm in d["statsList"]}
want = set(os.environ["EXPECTED"].split())
sys.exit(0 if d["status"]["code"] == 0 and ids and want <= ids else 1)'; then
    pass "vdsm format lists every domain"
else
    fail "vdsm format lists every domain"
fi

# Prometheus endpoint on loopback, one scrape, bounded by the deadline.
port=$((20000 + RANDOM % 20000))
"$vstats" serve -c "$uri" --listen "127.0.0.1:$port" --timeout 5000 -q &
serve_pid=$!
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    sleep 0.1
done
start=$(date +%s%3N)
metrics=$(curl -s --max-time 10 "http://127.0.0.1:$port/metrics")
took=$(( $(date +%s%3N) - start ))
if grep -q '^libvirt_up 1$' <<<"$metrics" && grep -q '^libvirt_domain_info_cpu_time_seconds_total{' <<<"$metrics"; then
    pass "serve: /metrics answers with domain metrics"
else
    fail "serve: /metrics answers with domain metrics"
fi
[ "$took" -le 6000 ] && pass "serve: scrape within its deadline (${took} ms)" ||
    fail "serve: scrape took ${took} ms, deadline 5000 ms"
kill "$serve_pid" 2>/dev/null
wait "$serve_pid" 2>/dev/null

[ "$failures" -eq 0 ]
