#!/bin/bash
# QMP commands per domain in one bulk collection of every group, counted in
# the daemon's monitor log: the stock daemon asks each QEMU ten questions,
# the patched one five, and both report the same fields and values.
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
qmp_per_domain() {
    rm -f "$qmp_log"
    "$admin" -q -c "$admin_uri" daemon-log-filters "1:qemu.qemu_monitor" >/dev/null
    "$admin" -q -c "$admin_uri" daemon-log-outputs "1:file:$qmp_log" >/dev/null
    vsh domstats "${groups[@]}" >/dev/null
    restore_log
    echo $(( $(grep -c 'QEMU_MONITOR_SEND_MSG' "$qmp_log" 2>/dev/null || echo 0) / n ))
}
# "domain field=value" lines, sorted (the order of domains and of QEMU's
# statistics differs between daemon runs), without the values that move
# while a domain is paused: CPU times (QEMU answers the queries), the
# balloon's update time and RSS, and KVM's counters of the VM.
stable_records() {
    vsh domstats "${groups[@]}" --raw |
        awk '/^Domain:/ {d = $2; next} NF {print d, $1}' |
        sed -E 's/ ((cpu\.|vcpu\.[0-9]+\.(time|wait|delay)|balloon\.(last-update|rss)|vm\.)[^=]*)=.*/ \1=/' |
        sort
}

vsh domstats >/dev/null           # warm: stats schemas, balloon path
patched=$(qmp_per_domain)
vsh domstats >/dev/null
stable_records > "$here/build/host/log/records-patched.txt"

"$testhost" switch --stock >/dev/null 2>&1
vsh domstats >/dev/null
stock=$(qmp_per_domain)
stable_records > "$here/build/host/log/records-stock.txt"

# The stock daemon rewrote the status XML without the dirty rate record:
# the patched daemon asks once more, then never again.
"$testhost" switch --patched >/dev/null 2>&1
vsh domstats >/dev/null
again=$(qmp_per_domain)

echo "QMP commands per domain, every group: stock $stock, patched $patched, patched after the stock daemon $again"
check "stock daemon: ten QMP commands per domain" [ "$stock" -eq 10 ]
check "patched daemon: five QMP commands per domain" [ "$patched" -eq 5 ]
check "patched daemon after the stock one rewrote the status: five again" [ "$again" -eq 5 ]
check "same fields and values from both daemons" \
    diff -u "$here/build/host/log/records-stock.txt" "$here/build/host/log/records-patched.txt"

"$testhost" down >/dev/null 2>&1
finish
