#!/bin/bash
# The 'contention' stats group and concurrent stats callers on a real
# patched libvirtd: zero waits when idle, non-zero under a provoked
# contention; a job held by a call stuck on a stopped QEMU delays neither
# that domain's job-free stats nor the other domains'; concurrent callers
# get what a serial caller gets.
. "$(dirname "$0")/../lib.sh"

"$testhost" up 20 >/dev/null || { fail "test host with 20 domains"; finish; }
stuck=$("$testhost" pid vs-0005)
bg=()
trap 'kill -CONT "$stuck" 2>/dev/null; kill "${bg[@]}" 2>/dev/null' EXIT

field() { # domain field -> value from domstats --contention
    vsh domstats --contention --raw "$1" | awk -F= -v f="  $2" '$1 == f {print $2}'
}

vsh domstats >/dev/null
check "the group is there: contention.job.waiters=0 when idle" [ "$(field vs-0005 contention.job.waiters)" = 0 ]
check "idle: nobody waits for the job" [ "$(field vs-0005 contention.job.waiting)" = 0 ]
check "idle: no time waited for the job" [ "$(field vs-0005 contention.job.wait.time)" = 0 ]
calls=$(field vs-0005 contention.monitor.calls)
check "monitor calls are counted ($calls)" [ "${calls:-0}" -gt 0 ]
check "the daemon knows the group (--enforce)" \
    bash -c "'$patched_virsh' -q -c '$uri' domstats --enforce --contention vs-0001 >/dev/null"

# Serial and concurrent callers see the same values (groups that do not
# move while the domains are paused; balloon.rss is QEMU's resident size
# on the host, which does move, so it is left out).
tmp=$(mktemp -d)
still() { vsh domstats --state --block --balloon --raw | grep -v '^  balloon\.rss='; }
still > "$tmp/serial"
for i in 1 2 3 4 5 6 7 8; do
    still > "$tmp/c$i" &
done
wait
same=0
for i in 1 2 3 4 5 6 7 8; do
    if cmp -s "$tmp/serial" "$tmp/c$i"; then
        same=$((same + 1))
    else
        echo "  caller $i differs from the serial call:"
        diff "$tmp/serial" "$tmp/c$i" | head -n 12 | sed 's/^/    /'
    fi
done
check "8 concurrent callers get what a serial caller gets ($same of 8)" [ $same -eq 8 ]

# Provoke: stop a QEMU, let a bulk call without a deadline take the job
# of that domain and wait for QEMU, then queue a job-taking call behind it.
kill -STOP "$stuck"
"$patched_virsh" -q -c "$uri" domstats --balloon vs-0005 >/dev/null 2>&1 & bg+=($!)
sleep 1
"$patched_virsh" -q -c "$uri" dommemstat vs-0005 >/dev/null 2>&1 & bg+=($!)
sleep 1

t0=$(now_ms)
out=$(timeout 5 "$patched_virsh" -q -c "$uri" domstats --contention --state --cpu-total --interface --timeout 300 vs-0005)
t1=$(now_ms)
check "job-free stats of the stuck domain within the deadline ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt 1500 ]
check "... and fresh" grep -q "stats.fresh=yes" <<< "$out"
waiting=$(awk -F= '$1 == "  contention.job.waiting" {print $2}' <<< "$out")
active=$(awk -F= '$1 == "  contention.job.active.time" {print $2}' <<< "$out")
check "a thread waits for the stuck domain's job (waiting=$waiting)" [ "${waiting:-0}" -ge 1 ]
check "the job has been held for a while (active.time=${active} ms)" [ "${active:-0}" -ge 1000 ]

t0=$(now_ms)
others=$(timeout 10 "$patched_virsh" -q -c "$uri" domstats --timeout 1000 vs-0001 vs-0002 vs-0003 vs-0004 vs-0006)
t1=$(now_ms)
check "stats of the other domains are not delayed ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt 2500 ]
check "... and all fresh" [ "$(grep -c 'stats.fresh=yes' <<< "$others")" -eq 5 ]

kill -CONT "$stuck"
wait "${bg[@]}" 2>/dev/null
bg=()
waiters=$(field vs-0005 contention.job.waiters)
wtime=$(field vs-0005 contention.job.wait.time)
check "after the contention: waiters counted ($waiters)" [ "${waiters:-0}" -ge 1 ]
check "after the contention: time waited counted (${wtime} us)" [ "${wtime:-0}" -gt 0 ]
check "nobody waits any more" [ "$(field vs-0005 contention.job.waiting)" = 0 ]
check "no job left behind" [ "$(field vs-0005 contention.job.active.time)" = 0 ]
check "an untouched domain still shows no waits" [ "$(field vs-0010 contention.job.waiters)" = 0 ]

rm -rf "$tmp"
"$testhost" down >/dev/null
finish
