#!/bin/bash
# virDomainGetBlockInfoParams with VIR_DOMAIN_BLOCK_INFO_PARAM_TIMEOUT
# (virsh domblkinfo --timeout SECONDS) on a real patched libvirtd, with
# QEMUs of ten stopped by SIGSTOP: a timeout error by the deadline, other
# domains unaffected; plain domblkinfo answers and waits as it always did
# (the same output as stock 9.0.0 on the same QEMU).
. "$(dirname "$0")/../lib.sh"

"$testhost" up 10 >/dev/null || { fail "test host with 10 domains"; finish; }
pids=("$("$testhost" pid vs-0003)" "$("$testhost" pid vs-0004)")
bg=()
tmp=$(mktemp -d)
cleanup() {
    kill -CONT "${pids[@]}" 2>/dev/null
    [ ${#bg[@]} -gt 0 ] && kill "${bg[@]}" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
err="$tmp/err"
# Time a virsh call: timed ARGS... sets rc and ms, stderr in $err.
timed() {
    local t0
    t0=$(now_ms)
    vsh "$@" > "$tmp/out" 2> "$err"
    rc=$?
    ms=$(( $(now_ms) - t0 ))
}
# The last timed call failed with a timeout error within 2 s.
timed_out() { [ $rc -ne 0 ] && [ $ms -lt 2000 ] && grep -q "Timed out during operation" "$err"; }

vsh domblkinfo vs-0001 vda > "$tmp/plain"
vsh domblkinfo vs-0001 --all > "$tmp/plain-all"
vsh domblkinfo vs-0004 vda > "$tmp/plain-4"
check "domblkinfo --timeout answers like domblkinfo" \
    bash -c "[ \"\$(cat '$tmp/plain')\" = \"\$('$patched_virsh' -q -c '$uri' domblkinfo vs-0001 vda --timeout 0.3)\" ]"
check "plain domblkinfo gives capacity, allocation and physical" \
    [ "$(grep -cE '^(Capacity|Allocation|Physical):' "$tmp/plain")" -eq 3 ]

kill -STOP "${pids[@]}"
timed domblkinfo vs-0003 vda --timeout 0.3
echo "domblkinfo --timeout 0.3 on a stopped QEMU: $ms ms: $(cat "$err")"
check "stopped QEMU: the call fails within a few times its deadline ($ms ms < 2000)" [ $rc -ne 0 -a $ms -lt 2000 ]
check "stopped QEMU: the error is a timeout naming the disk and the domain" \
    grep -q "Timed out during operation.*vda.*vs-0003" "$err"

timed domblkinfo vs-0003 vda --timeout 0.3
echo "again: $ms ms: $(cat "$err")"
check "a second call on the stuck domain fails by its deadline too ($ms ms < 2000)" timed_out
timed domblkinfo vs-0003 vda --timeout 0
check "--timeout 0 on the stuck domain: a timeout error at once ($ms ms < 2000)" timed_out

ok=1
for d in vs-0001 vs-0002 vs-0005 vs-0006 vs-0007 vs-0008 vs-0009 vs-0010; do
    vsh domblkinfo "$d" vda --timeout 0.3 >/dev/null || ok=0
done
check "the other domains' calls succeed" [ $ok -eq 1 ]
check "domblkinfo --all --timeout on a healthy domain, as plain --all" \
    bash -c "[ \"\$('$patched_virsh' -q -c '$uri' domblkinfo --all vs-0001 --timeout 0.3)\" = \"\$(cat '$tmp/plain-all')\" ]"
check "unknown disk: a clear error naming it" bash -c "'$patched_virsh' -q -c '$uri' domblkinfo vs-0001 vdz --timeout 0.3 2>&1 | grep -q 'vdz'"
check "domstate works on the stopped QEMU" bash -c "timeout 5 '$patched_virsh' -q -c '$uri' domstate vs-0003 | grep -q paused"
check "dominfo works on the stopped QEMU" bash -c "timeout 5 '$patched_virsh' -q -c '$uri' dominfo vs-0003 | grep -q '^State'"

# Plain domblkinfo waits for its own QEMU command as it always did: still
# waiting after 3 s on a stopped QEMU, and answers once QEMU runs again.
"$patched_virsh" -q -c "$uri" domblkinfo vs-0004 vda > "$tmp/plain-4-stopped" 2> "$tmp/plain-4-err" &
plain=$!
bg+=("$plain")
sleep 3
check "plain domblkinfo on a stopped QEMU still waits after 3 s (as before the series)" kill -0 "$plain"
kill -CONT "${pids[1]}"
t0=$(now_ms)
for _ in $(seq 1 100); do kill -0 "$plain" 2>/dev/null || break; sleep 0.1; done
wait "$plain"
rc=$?
bg=()
check "... and answers after SIGCONT ($(( $(now_ms) - t0 )) ms), as before the stop" \
    bash -c "[ $rc -eq 0 ] && cmp -s '$tmp/plain-4' '$tmp/plain-4-stopped'"
ok=0
for i in $(seq 1 20); do
    vsh domblkinfo vs-0004 vda --timeout 0.3 >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.25
done
check "after SIGCONT the call with a timeout succeeds again" [ $ok -eq 1 ]

# destroy needs no monitor (libvirt waits 10 s for SIGTERM before SIGKILL
# on a stopped process, as for any destroy).
check "destroy works on the stopped QEMU" timeout 60 "$patched_virsh" -q -c "$uri" destroy vs-0003
check "the domain is shut off" bash -c "'$patched_virsh' -q -c '$uri' domstate vs-0003 | grep -q 'shut off'"

# Plain domblkinfo: what stock 9.0.0 says on the very same QEMU.
"$testhost" switch --stock >/dev/null 2>&1
vsh domblkinfo vs-0001 vda > "$tmp/stock" 2>&1
vsh domblkinfo vs-0001 --all > "$tmp/stock-all" 2>&1
"$testhost" switch --patched >/dev/null 2>&1
check "plain domblkinfo: the same as stock 9.0.0 on the same QEMU" cmp "$tmp/stock" "$tmp/plain"
check "plain domblkinfo --all: the same as stock 9.0.0 on the same QEMU" cmp "$tmp/stock-all" "$tmp/plain-all"

"$testhost" down >/dev/null
finish
