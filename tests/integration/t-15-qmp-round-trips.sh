#!/bin/bash
# QMP commands per domain in one bulk collection of every group, counted in
# the daemon's monitor log: the patched daemon asks each QEMU fewer
# questions than the stock one, and both report the same fields and
# values but for the keys the series adds (state.control.*) and counters
# that move.  The counts are measured and printed, not assumed.
. "$(dirname "$0")/../lib.sh"

n=3
groups=(--state --cpu-total --balloon --vcpu --interface --block --perf
        --iothread --memory --dirtyrate --vm)
admin_uri="libvirtd:///system?socket=$here/build/host/run/libvirt/libvirt-admin-sock"
admin="$here/build/prefix/bin/virt-admin"
qmp_log="$here/build/host/log/qmp-round-trips.log"

"$testhost" up $n >/dev/null || { fail "test host with $n domains"; finish; }
outputs=$("$admin" -q -c "$admin_uri" daemon-log-outputs | sed -n 's/^ *Logging outputs: *//p')
restore_log() {
    "$admin" -q -c "$admin_uri" daemon-log-filters "" >/dev/null 2>&1
    "$admin" -q -c "$admin_uri" daemon-log-outputs "${outputs:-3:stderr}" >/dev/null 2>&1
}
trap restore_log EXIT

# Commands sent to all QEMUs during one call of every group, per domain.
qmp_per_domain() { # [domstats options...]
    rm -f "$qmp_log"
    "$admin" -q -c "$admin_uri" daemon-log-filters "1:qemu.qemu_monitor" >/dev/null
    "$admin" -q -c "$admin_uri" daemon-log-outputs "1:file:$qmp_log" >/dev/null
    vsh domstats "${groups[@]}" "$@" >/dev/null
    restore_log
    echo $(( $(grep -c 'QEMU_MONITOR_SEND_MSG' "$qmp_log" 2>/dev/null || echo 0) / n ))
}
# "domain field=value" lines, sorted (the order of domains and of QEMU's
# statistics differs between daemon runs), without the values that move
# while a domain is paused: CPU times (QEMU answers the queries), the
# balloon's update time and RSS, and KVM's counters of the VM.
# The series adds state.control.{state,details,time} (virDomainGetControlInfo)
# to the state group of active domains, old calls included: they are kept
# apart (records-*-control.txt) and checked on their own.
stable_records() { # output file
    vsh domstats "${groups[@]}" --raw |
        awk '/^Domain:/ {d = $2; next} NF {print d, $1}' |
        sed -E 's/ ((cpu\.|vcpu\.[0-9]+\.(time|wait|delay)|balloon\.(last-update|rss)|vm\.)[^=]*)=.*/ \1=/' |
        sort > "$1.all"
    grep -v ' state\.control\.' "$1.all" > "$1"
    grep ' state\.control\.' "$1.all" > "${1%.txt}-control.txt"
    rm -f "$1.all"
}

vsh domstats >/dev/null           # warm: stats schemas, balloon path
patched=$(qmp_per_domain)
cp "$qmp_log" "$qmp_log.patched"
params=$(qmp_per_domain --timeout 5)
vsh domstats >/dev/null
stable_records "$here/build/host/log/records-patched.txt"

"$testhost" switch --stock >/dev/null 2>&1
vsh domstats >/dev/null
stock=$(qmp_per_domain)
cp "$qmp_log" "$qmp_log.stock"
stable_records "$here/build/host/log/records-stock.txt"

# A new daemon asks each QEMU for its dirty rate once (the warm-up
# call here): none was started, so it keeps the answer from then on.
"$testhost" switch --patched >/dev/null 2>&1
vsh domstats >/dev/null
again=$(qmp_per_domain)

# Which commands, per domain (for the reader; the checks use the totals).
by_command() {
    grep -o 'QEMU_MONITOR_SEND_MSG.*"execute":"[a-z-]*"\(,"arguments":{"target":"[a-z]*"\)\?' "$1" |
        sed -E 's/.*"execute":"([a-z-]+)"(,"arguments":\{"target":"([a-z]+)")?/\1 \3/; s/ $//' |
        sort | uniq -c | awk -v n=$n '{c = $1; $1 = ""; printf "%s%s %g", sep, substr($0, 2), c / n; sep = ", "}'
}
echo "stock: $(by_command "$qmp_log.stock")"
echo "patched: $(by_command "$qmp_log.patched")"
echo "QMP commands per domain, every group: stock $stock, patched $patched (deadline call: $params), patched after the stock daemon $again"
check "the stock daemon sends QMP commands at all ($stock per domain)" [ "$stock" -gt 0 ]
check "patched daemon: fewer QMP commands per domain than stock ($patched < $stock)" \
    [ "$patched" -gt 0 -a "$patched" -lt "$stock" ]
check "the deadline call (--timeout 5) sends as many as the plain one ($params = $patched)" \
    [ "$params" -eq "$patched" ]
check "patched daemon restarted: as many as before after one call ($again = $patched)" \
    [ "$again" -eq "$patched" ]
check "patched daemon: query-dirty-rate asked once per QEMU, not in each call" \
    [ "$(grep -c '"execute":"query-dirty-rate"' "$qmp_log.patched")" -eq 0 ]
check "same fields and values from both daemons (but state.control.* and moving counters)" \
    diff -u "$here/build/host/log/records-stock.txt" "$here/build/host/log/records-patched.txt"
log_dir="$here/build/host/log"
check "stock daemon: no state.control.* keys" [ ! -s "$log_dir/records-stock-control.txt" ]
# Paused, idle domains: libvirt can talk to each (OK), for no time.
want_control=$(for i in $(seq 1 $n); do for k in details state time; do
    printf "'vs-%04d' state.control.%s=0\n" "$i" "$k"; done; done | sort)
check "patched daemon: state.control.state/details/time=0 in each of the $n records" \
    [ "$(cat "$log_dir/records-patched-control.txt")" = "$want_control" ] ||
    cat "$log_dir/records-patched-control.txt"

# A calculation started makes the patched daemon ask again, and both
# daemons report it alike.
dirty() { vsh domstats --dirtyrate vs-0001 | grep -v '^Domain' | sed 's/^ *//' | tr '\n' ' '; }
vsh domdirtyrate-calc vs-0001 --seconds 1 >/dev/null
started=$(dirty)
check "after domdirtyrate-calc the patched daemon reports it started ($started)" \
    grep -qE 'dirtyrate.calc_start_time=[1-9]' <<< "$started"
sleep 2
measured=$(dirty)
"$testhost" switch --stock >/dev/null 2>&1
stock_measured=$(dirty)
check "the measurement, reported alike by both daemons ($measured)" \
    [ "$measured" = "$stock_measured" -a -n "$measured" ]
check "it is measured" grep -q 'dirtyrate.calc_status=2 ' <<< "$measured"

"$testhost" down >/dev/null 2>&1
finish
