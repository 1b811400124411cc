#!/bin/bash
# virDomainGetBlockInfoTimeout (virsh domblkinfo --timeout) on a real
# patched libvirtd, with one QEMU of ten stopped by SIGSTOP.
. "$(dirname "$0")/../lib.sh"

"$testhost" up 10 >/dev/null || { fail "test host with 10 domains"; finish; }
pids=("$("$testhost" pid vs-0003)" "$("$testhost" pid vs-0004)")
trap 'kill -CONT "${pids[@]}" 2>/dev/null' EXIT
err=$(mktemp)

check "domblkinfo --timeout answers like domblkinfo" \
    bash -c "[ \"\$('$patched_virsh' -q -c '$uri' domblkinfo vs-0001 vda)\" = \"\$('$patched_virsh' -q -c '$uri' domblkinfo vs-0001 vda --timeout 300)\" ]"

kill -STOP "${pids[@]}"
t0=$(now_ms)
vsh domblkinfo vs-0003 vda --timeout 300 >/dev/null 2>"$err"
rc=$?
t1=$(now_ms)
echo "domblkinfo --timeout 300 on a stopped QEMU: $((t1 - t0)) ms: $(cat "$err")"
check "stopped QEMU: the call fails within 1 s" [ $rc -ne 0 -a $((t1 - t0)) -lt 1000 ]
check "stopped QEMU: the error is a timeout naming the domain and the monitor" \
    grep -q "Timed out during operation.*vs-0003.*monitor has been unresponsive for [0-9]* ms" "$err"

t0=$(now_ms)
vsh domblkinfo vs-0003 vda --timeout 300 >/dev/null 2>"$err"
t1=$(now_ms)
check "a second call on the stuck domain fails fast ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt 250 ]

ok=1
for d in vs-0001 vs-0002 vs-0005 vs-0006 vs-0007 vs-0008 vs-0009 vs-0010; do
    vsh domblkinfo "$d" vda --timeout 300 >/dev/null || ok=0
done
check "the other domains' calls succeed" [ $ok -eq 1 ]
check "domblkinfo --all --timeout on a healthy domain" bash -c "'$patched_virsh' -q -c '$uri' domblkinfo --all vs-0001 --timeout 300 | grep -q vda"
check "unknown disk: a clear error" bash -c "'$patched_virsh' -q -c '$uri' domblkinfo vs-0001 vdz --timeout 300 2>&1 | grep -q 'invalid path vdz'"
check "zero timeout is rejected" bash -c "! '$patched_virsh' -q -c '$uri' domblkinfo vs-0001 vda --timeout 0 2>/dev/null"
check "domstate works on the stopped QEMU" bash -c "timeout 5 '$patched_virsh' -q -c '$uri' domstate vs-0003 | grep -q paused"
check "dominfo works on the stopped QEMU" bash -c "timeout 5 '$patched_virsh' -q -c '$uri' dominfo vs-0003 | grep -q '^State'"

# After SIGCONT the pending call completes and the next one succeeds.
kill -CONT "${pids[1]}"
ok=0
for i in $(seq 1 20); do
    vsh domblkinfo vs-0004 vda --timeout 300 >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.25
done
check "after SIGCONT the call succeeds again" [ $ok -eq 1 ]

# destroy needs no monitor (libvirt waits 10 s for SIGTERM before SIGKILL
# on a stopped process, as for any destroy).
check "destroy works on the stopped QEMU" timeout 60 "$patched_virsh" -q -c "$uri" destroy vs-0003
check "the domain is shut off" bash -c "'$patched_virsh' -q -c '$uri' domstate vs-0003 | grep -q 'shut off'"

rm -f "$err"
"$testhost" down >/dev/null
finish
