#!/bin/bash
# Deadline-bounded bulk statistics on a real patched libvirtd with 50 QEMU
# domains, three of them stopped with SIGSTOP.
. "$(dirname "$0")/../lib.sh"

"$testhost" up 50 >/dev/null
stopped=(vs-0005 vs-0020 vs-0040)
pids=()
for d in "${stopped[@]}"; do pids+=("$("$testhost" pid "$d")"); done
cont_all() { kill -CONT "${pids[@]}" 2>/dev/null || true; }
trap cont_all EXIT

fresh_count() { grep -cE '^ *stats\.fresh=(1|yes)$' "$1" || true; }
stale_count() { grep -cE '^ *stats\.fresh=(0|no)$' "$1" || true; }
records() { grep -c '^Domain:' "$1" || true; }

out=$(mktemp)
vsh domstats --state vs-0001 vs-0002 > "$out"
check "existing call with domain names, no --timeout: 2 records" [ "$(records "$out")" -eq 2 ]
vsh domstats --timeout 2000 > "$out"
check "all 50 records fresh before any QEMU stops" [ "$(fresh_count "$out")" -eq 50 ]

kill -STOP "${pids[@]}"
# A stats call with no deadline is now left hanging on a stopped QEMU's
# monitor in the background; the deadline calls must not care.
(timeout 20 "$patched_virsh" -q -c "$uri" domstats --block "${stopped[0]}" >/dev/null 2>&1 &)
sleep 0.3

t0=$(now_ms)
vsh domstats --timeout 500 > "$out"
t1=$(now_ms)
echo "domstats --timeout 500 with 3 stopped: $((t1 - t0)) ms"
check "deadline call returns well under 1.5 s" [ $((t1 - t0)) -lt 1500 ]
check "one record per domain (50)" [ "$(records "$out")" -eq 50 ]
check "47 records fresh" [ "$(fresh_count "$out")" -eq 47 ] ||
    awk '/^Domain:/{d=$2} /stats.fresh=(0|no)/{print "  not fresh: " d}' "$out"
check "3 records not fresh" [ "$(stale_count "$out")" -eq 3 ]
for d in "${stopped[@]}"; do
    rec=$(awk -v d="Domain: '$d'" '$0==d{p=1;next} /^Domain:/{p=0} p' "$out")
    if echo "$rec" | grep -qE 'stats\.fresh=(0|no)' &&
       echo "$rec" | grep -q 'cpu.time=' &&
       echo "$rec" | grep -q 'state.state='; then
        pass "$d: not fresh, job-free state and cpu still reported"
    else
        fail "$d: not fresh, job-free state and cpu still reported"
    fi
done
age=$(awk -v d="Domain: '${stopped[1]}'" '$0==d{p=1;next} /^Domain:/{p=0} p' "$out" | sed -n 's/^ *stats\.age=//p')
check "a stale record carries the age of its cached values (${age:-none} ms)" [ "${age:-0}" -gt 0 ]

# The same with a timeout of zero: immediate, cached.
t0=$(now_ms)
vsh domstats --timeout 0 > "$out"
t1=$(now_ms)
echo "domstats --timeout 0: $((t1 - t0)) ms"
check "timeout 0 answers at once with 50 records" [ "$(records "$out")" -eq 50 ] 
check "timeout 0 takes under 1 s" [ $((t1 - t0)) -lt 1000 ]

# Chosen domains, with one stopped among them.
t0=$(now_ms)
vsh domstats --timeout 300 vs-0001 vs-0005 vs-0010 > "$out"
t1=$(now_ms)
check "domain list with a stopped one: 3 records within bound" \
    [ "$(records "$out")" -eq 3 -a $((t1 - t0)) -lt 1500 ]

# APIs that need no monitor keep working on a stopped domain.
check "domstate works on a stopped QEMU" bash -c "timeout 5 '$patched_virsh' -q -c '$uri' domstate ${stopped[0]} >/dev/null"

check "negative timeout is rejected" bash -c "! '$patched_virsh' -q -c '$uri' domstats --timeout -1 >/dev/null 2>&1"

# A domain destroyed in the middle of a call does not break the call.
vsh domstats --timeout 1500 > "$out" &
call=$!
sleep 0.2
vsh destroy vs-0030 >/dev/null
wait $call
rc=$?
check "destroy during a deadline call: call succeeds" [ $rc -eq 0 ]
check "destroy during a deadline call: still one record per listed domain" [ "$(records "$out")" -ge 49 ]

# Destroy works on a stopped QEMU, and the next call copes.
check "destroy works on a stopped QEMU" timeout 60 "$patched_virsh" -q -c "$uri" destroy "${stopped[2]}"

cont_all
ok=0
for i in $(seq 1 20); do
    vsh domstats --timeout 1000 --state --block --balloon > "$out"
    if [ "$(stale_count "$out")" -eq 0 ] && [ "$(records "$out")" -eq 50 ]; then ok=1; break; fi
    sleep 0.5
done
check "after SIGCONT the next calls are all fresh again" [ $ok -eq 1 ] ||
    echo "  records $(records "$out"), not fresh $(stale_count "$out")"

# The existing call on the patched daemon: same shape as before.
vsh domstats > "$out"
check "existing call: 50 records (2 shut off), no new fields" \
    [ "$(records "$out")" -eq 50 -a "$(grep -c 'stats.fresh' "$out")" -eq 0 ] ||
    echo "  records $(records "$out")"

rm -f "$out"
"$testhost" down >/dev/null
finish
