#!/bin/bash
# vstats against real daemons: patched (deadline strategy, on
# virConnectGetAllDomainStatsParams) and stock (fallback), on the same 20
# QEMU domains, healthy and with one stopped, the fallback also as a
# read-only user and as the vstats built against the series.
. "$(dirname "$0")/../lib.sh"

patched_vstats="$here/build/vstats/vstats/vstats"
stock_vstats="$here/build/vstats-stock/vstats/vstats"

"$testhost" up 20 >/dev/null || { fail "test host with 20 domains"; finish; }

echo "--- vstats (built against the series) on the patched daemon"
VSTATS=$patched_vstats bash "$here/tests/vstats/integration.sh" "$uri"

# One QEMU stopped: a cycle still ends on time and marks that VM.
# The last of COUNT cycles must have the 19 others fresh: the fallback, like
# VDSM, may lose one cycle before its skip list knows the stuck VM.
# STRATEGY=name: the last cycle must have used that strategy.
STRATEGY=
stuck_report() { # vstats mode timeout count [URI]
    local out
    out=$(mktemp)
    local t0 t1 count=$4 u=${5:-$uri}
    t0=$(now_ms)
    "$1" sample -c "$u" --format json --count "$count" --period 1 --timeout "$3" --mode "$2" -q > "$out" 2>/dev/null
    t1=$(now_ms)
    echo "vstats sample --mode $2 --timeout $3 --count $count with vs-0004 stopped: $((t1 - t0)) ms"
    STRATEGY=$STRATEGY python3 - "$out" <<'PY'
import json, os, sys
cycle = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
vms = {vm["name"]: vm for vm in cycle["vms"]}
ok = len(vms) == 20 and not vms["vs-0004"]["fresh"] and \
     sum(1 for vm in vms.values() if vm["fresh"]) == 19
ok = ok and os.environ["STRATEGY"] in ("", cycle["strategy"])
print("  strategy %s, %d domains, %d fresh, vs-0004 fresh=%s" % (
    cycle["strategy"], len(vms), sum(1 for vm in vms.values() if vm["fresh"]),
    vms.get("vs-0004", {}).get("fresh")))
sys.exit(0 if ok else 1)
PY
    local rc=$?
    rm -f "$out"
    [ $rc -eq 0 ] && [ $((t1 - t0)) -lt $(( count * ($3 * 3 + 1500) )) ]
}

stuck_report_by() { # strategy, then as stuck_report
    local STRATEGY=$1
    shift
    stuck_report "$@"
}

stuck_report_ro() {
    local out rc
    out=$(mktemp)
    "$stock_vstats" sample -c "$uri" --read-only --format json --count 3 --period 1 --timeout 1000 \
        --mode bulk -q > "$out" 2>/dev/null
    python3 - "$out" <<'PY'
import json, sys
cycle = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
vms = {vm["name"]: vm for vm in cycle["vms"]}
sys.exit(0 if len(vms) == 20 and not vms["vs-0004"]["fresh"] and
         sum(1 for vm in vms.values() if vm["fresh"]) == 19 else 1)
PY
    rc=$?
    rm -f "$out"
    return $rc
}

# One cycle of vstats (mode, timeout) with vs-0004 stopped: what it says
# of vs-0004 and of the others, checked by the Python expression CHECK
# over s (vs-0004) and others (the 19 others).
stuck_vm() { # vstats mode timeout check
    local out rc
    out=$(mktemp)
    "$1" sample -c "$uri" --format json --count 1 --timeout "$3" --mode "$2" -q > "$out" 2>/dev/null
    python3 - "$out" "$4" <<'PY'
import json, sys
cycle = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
vms = {vm["name"]: vm for vm in cycle["vms"]}
s = vms.get("vs-0004", {})
others = [vm for name, vm in vms.items() if name != "vs-0004"]
print("  %s: vs-0004 fresh=%s age_ms=%s monitor_unresponsive_ms=%s from the %s; "
      "others: %d fresh, monitor_unresponsive_ms up to %s" % (
          cycle["strategy"], s.get("fresh"), s.get("age_ms"), s.get("monitor_unresponsive_ms"),
          s.get("freshness_source"), sum(1 for vm in others if vm["fresh"]),
          max([vm["monitor_unresponsive_ms"] for vm in others] or [None])))
sys.exit(0 if len(others) == 19 and eval(sys.argv[2]) else 1)
PY
    rc=$?
    rm -f "$out"
    return $rc
}

pid=$("$testhost" pid vs-0004)
trap 'kill -CONT $pid 2>/dev/null' EXIT
# Warm the daemon's cache first, so that the stopped VM has cached values.
"$patched_vstats" sample -c "$uri" --format json --count 1 -q >/dev/null 2>&1
kill -STOP "$pid"
check "patched: deadline cycle on time, stopped VM marked" \
    stuck_report_by deadline "$patched_vstats" deadline 500 1
# Per-group freshness: the stopped VM's groups needing QEMU come from the
# daemon's cache (CACHED), with their age; state.control says for how long
# a command to its QEMU has been under way (VIR_DOMAIN_CONTROL_OCCUPIED).
check "patched: the stopped VM is stale by the daemon's own word, its cached values aged, its monitor busy; the others fresh, monitors free" \
    stuck_vm "$patched_vstats" deadline 500 \
    's["freshness_source"] == "daemon" and not s["fresh"] and s["age_ms"] > 0 and s["monitor_unresponsive_ms"] > 0 and all(vm["fresh"] and vm["monitor_unresponsive_ms"] == 0 for vm in others)'
# The deadline calls left commands to the stopped QEMU abandoned, holding
# its job: the bulk fallback's NOWAIT call gets a record for it without the
# monitor's data (no answer), and the state.control.* keys of the patched
# daemon tell how long the monitor has been busy, where a new sampler's own
# estimate (silence since it first saw the VM) would be about 0.
check "patched, bulk fallback: the stopped VM's monitor busy time from state.control.* (beyond its client-side age)" \
    stuck_vm "$patched_vstats" bulk 1000 \
    's["freshness_source"] == "client" and not s["fresh"] and s["monitor_unresponsive_ms"] >= 250 and s["monitor_unresponsive_ms"] > s["age_ms"]'
kill -CONT "$pid"

echo "--- vstats (built against stock 9.0.0) on the stock daemon, same QEMUs"
"$testhost" switch --stock 2>/dev/null
VSTATS=$stock_vstats bash "$here/tests/vstats/integration.sh" "$uri"
"$stock_vstats" sample -c "$uri" --format json --count 1 -q >/dev/null 2>&1
kill -STOP "$pid"
check "stock: bulk fallback cycle on time, stopped VM marked" stuck_report "$stock_vstats" bulk 1000 3
# The vstats built against the series, on the stock daemon: its *Params
# call is refused (no support), auto falls back to the bulk strategy.
check "stock, vstats built against the series: auto falls back to bulk, on time, stopped VM marked" \
    stuck_report_by bulk "$patched_vstats" auto 1000 3
# A monitoring user with the read-only socket only: the fallback's probes
# and per-list calls run on a side connection opened read-only like the
# main one, so the stuck VM is found and the others stay fresh.
ro_uri="qemu:///system?socket=$here/build/host/run/libvirt/libvirt-sock-ro"
check "stock, read-only socket: bulk fallback on time, stopped VM marked, 19 fresh" \
    stuck_report "$stock_vstats" bulk 1000 3 "$ro_uri"
check "stock, --read-only: the same" stuck_report_ro
# The calls above left the daemon waiting on vs-0004's monitor, holding its
# job: a new sampler's first bulk call (NOWAIT) returns at once, with a
# record for vs-0004 that lacks everything the monitor gives.  That is no
# fresh answer (make demo once showed such a VM "AGE 0.0 FRESH yes").
check "stock: a VM whose monitor data NOWAIT skipped is not fresh (first cycle)" \
    stuck_report "$stock_vstats" bulk 1000 1
kill -CONT "$pid"

"$testhost" down >/dev/null
finish
