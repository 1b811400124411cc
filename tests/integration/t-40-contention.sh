#!/bin/bash
# Concurrent readers on a real patched libvirtd with 20 QEMU domains (the
# series lets readers of a domain share its job and collects bulk stats
# concurrently; the 'contention' stats group of v1 is gone by design):
#  - 8 concurrent plain `virsh domstats` callers get what a serial one gets
#    (moving counters aside);
#  - 8 concurrent readers of different APIs (domstats, domblkinfo,
#    dommemstat) on one domain all succeed, also while its QEMU is stopped
#    and they all wait on it, and they do share its job (the daemon's
#    job log says so);
#  - with a QEMU stopped and a plain domstats stuck on it, domstats
#    --nowait returns promptly with every record (NOWAIT never waits for
#    work in flight), plain calls on the other domains are not delayed,
#    and the stuck call completes once QEMU runs again.
. "$(dirname "$0")/../lib.sh"

n=20
"$testhost" up $n >/dev/null || { fail "test host with $n domains"; finish; }
stuck=$("$testhost" pid vs-0005)
shared=vs-0007
shared_pid=$("$testhost" pid $shared)
admin_uri="libvirtd:///system?socket=$here/build/host/run/libvirt/libvirt-admin-sock"
admin="$here/build/prefix/bin/virt-admin"
job_log="$here/build/host/log/t-40-jobs.log"
bg=()
tmp=$(mktemp -d)
cleanup() {
    kill -CONT "$stuck" "$shared_pid" 2>/dev/null
    [ ${#bg[@]} -gt 0 ] && kill "${bg[@]}" 2>/dev/null
    "$admin" -q -c "$admin_uri" daemon-log-filters "" >/dev/null 2>&1
    "$admin" -q -c "$admin_uri" daemon-log-outputs "3:file:$here/build/host/log/libvirtd.log" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

# The records without the values that move between two calls on paused
# domains: CPU times (QEMU answers the queries), the balloon's RSS and
# update time, KVM's counters of the VM, and the time the control
# interface spent in its state.  state.control.state is left out of the
# comparison too: a concurrent caller may see another's command in flight
# (OCCUPIED, 2), which is what it is for; it is checked to be 0 or 2.
still() {
    grep -vE '^  (cpu\.|vcpu\.[0-9]+\.(time|wait|delay)=|balloon\.(rss|last-update)=|vm\.|state\.control\.(state|time)=)'
}
control_ok() { # file: every state.control.state is 0 or 2, one per record
    [ "$(grep -cE '^  state\.control\.state=(0|2)$' "$1")" -eq "$(records "$1")" ]
}

# ---------------------------------------------------------------------------
vsh domstats >/dev/null
# A serial call before and after the concurrent ones: the host itself may
# change a value meanwhile (its kernel sends a packet to a tap device a few
# seconds after the domain started), and then the round proves nothing
# and is run again, up to three times.
for round in 1 2 3; do
    vsh domstats > "$tmp/serial.raw"
    still < "$tmp/serial.raw" > "$tmp/serial"
    for i in 1 2 3 4 5 6 7 8; do
        vsh domstats > "$tmp/c$i.raw" 2> "$tmp/c$i.err" &
    done
    wait
    vsh domstats | still > "$tmp/serial.after"
    cmp -s "$tmp/serial" "$tmp/serial.after" && break
    echo "  round $round: the host changed values during the round, again:"
    diff "$tmp/serial" "$tmp/serial.after" | head -n 6 | sed 's/^/    /'
done
same=0; ctl=0
for i in 1 2 3 4 5 6 7 8; do
    still < "$tmp/c$i.raw" > "$tmp/c$i"
    control_ok "$tmp/c$i.raw" && ctl=$((ctl + 1))
    if [ -s "$tmp/serial" ] && cmp -s "$tmp/serial" "$tmp/c$i"; then
        same=$((same + 1))
    else
        echo "  caller $i differs from the serial call: $(head -1 "$tmp/c$i.err")"
        diff "$tmp/serial" "$tmp/c$i" | head -n 12 | sed 's/^/    /'
    fi
done
check "the serial call: $n records of every group" [ "$(records "$tmp/serial.raw")" -eq $n ]
check "8 concurrent plain domstats callers get what a serial caller gets ($same of 8)" [ $same -eq 8 ]
check "... each record with state.control.state 0 or 2 ($ctl of 8 callers)" [ $ctl -eq 8 ]

# ---------------------------------------------------------------------------
# Readers of different APIs on one domain, all at once.
vsh domblkinfo $shared vda > "$tmp/blk.serial"
vsh domstats --block --balloon $shared | still > "$tmp/stats.serial"
readers() { # tag: 3 domstats, 3 domblkinfo, 2 dommemstat on $shared
    local i
    for i in 1 2 3; do
        vsh domstats --block --balloon $shared > "$tmp/$1-stats$i" 2>&1 &
        vsh domblkinfo $shared vda > "$tmp/$1-blk$i" 2>&1 &
    done
    for i in 1 2; do vsh dommemstat $shared > "$tmp/$1-mem$i" 2>&1 & done
}
# All 8 exited 0 and said what the serial calls say.
readers_ok() { # tag
    local i bad=""
    for i in 1 2 3; do
        still < "$tmp/$1-stats$i" | cmp -s - "$tmp/stats.serial" || bad="$bad stats$i"
        cmp -s "$tmp/$1-blk$i" "$tmp/blk.serial" || bad="$bad blk$i"
    done
    for i in 1 2; do grep -q '^rss ' "$tmp/$1-mem$i" || bad="$bad mem$i"; done
    [ -z "$bad" ] || { echo "  wrong or failed:$bad"; head -3 "$tmp/$1-${bad##* }" | sed 's/^/    /'; }
    [ -z "$bad" ]
}
rounds_ok=0
for r in 1 2 3; do
    readers "r$r"
    wait
    readers_ok "r$r" && rounds_ok=$((rounds_ok + 1))
done
check "8 concurrent readers of $shared (domstats, domblkinfo, dommemstat) all succeed, 3 rounds ($rounds_ok of 3)" \
    [ $rounds_ok -eq 3 ]

# The same while QEMU is stopped: all eight wait on it at once, sharing
# the job (counted in the daemon's job log), and all answer after SIGCONT.
"$admin" -q -c "$admin_uri" daemon-log-filters "1:conf.virdomainjob 4:*" >/dev/null
"$admin" -q -c "$admin_uri" daemon-log-outputs "1:file:$job_log" >/dev/null
kill -STOP "$shared_pid"
pids=()
for i in 1 2 3; do
    vsh domstats --block --balloon $shared > "$tmp/s-stats$i" 2>&1 & pids+=($!)
    vsh domblkinfo $shared vda > "$tmp/s-blk$i" 2>&1 & pids+=($!)
done
for i in 1 2; do vsh dommemstat $shared > "$tmp/s-mem$i" 2>&1 & pids+=($!); done
bg+=("${pids[@]}")
sleep 3
waiting=0
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && waiting=$((waiting + 1)); done
holders=$(grep "Started shared job: holders=" "$job_log" | grep "name=$shared)" |
          sed -n 's/.*holders=\([0-9]*\).*/\1/p' | sort -n | tail -1)
echo "$shared stopped for 3 s: $waiting of 8 readers waiting; most holders of its shared job at once: ${holders:-none}"
check "stopped QEMU: the 8 readers wait for it (as before the series)" [ $waiting -eq 8 ]
check "stopped QEMU: readers share the job (up to ${holders:-0} holders at once)" [ "${holders:-0}" -ge 2 ]
t0=$(now_ms)
kill -CONT "$shared_pid"
for p in "${pids[@]}"; do wait_for "$p" 20; done
bg=()
ms=$(( $(now_ms) - t0 ))
"$admin" -q -c "$admin_uri" daemon-log-filters "" >/dev/null
"$admin" -q -c "$admin_uri" daemon-log-outputs "3:file:$here/build/host/log/libvirtd.log" >/dev/null
check "after SIGCONT all 8 readers answer, as the serial calls did ($ms ms)" readers_ok s

# ---------------------------------------------------------------------------
# A plain call stuck on a stopped QEMU; NOWAIT does not wait for it.
kill -STOP "$stuck"
timeout 120 "$patched_virsh" -q -c "$uri" domstats > "$tmp/stuck" 2>&1 &
stuck_call=$!
bg+=("$stuck_call")
nowait_ok() { # file ms: all records promptly, full but for vs-0005
    local f=$1 ms=$2 full
    full=$(grep -c '^  block\.0\.rd\.reqs=' "$f" || true)
    [ "$ms" -lt 3000 ] && [ "$(records "$f")" -eq $n ] && [ "$full" -ge $((n - 1)) ] &&
        [ -n "$(field "$f" vs-0005 state.state)" ] && [ -z "$(field "$f" vs-0005 block.0.rd.reqs)" ]
}
# NOWAIT must come once the plain call waits on vs-0005 (a NOWAIT call
# finding the job free would take it and wait for its own command, as in
# 9.0.0): wait until vs-0005 shows a command in flight.
for _ in $(seq 1 100); do
    [ "$(vsh domstats --timeout 0 --state vs-0005 | sed -n 's/^  state\.control\.state=//p')" = 2 ] && break
    sleep 0.1
done
for when in 0 2; do
    sleep "$when"
    t0=$(now_ms)
    timeout 30 "$patched_virsh" -q -c "$uri" domstats --nowait > "$tmp/nowait" 2>&1
    rc=$?
    ms=$(( $(now_ms) - t0 ))
    echo "domstats --nowait ${when} s after the plain call was seen waiting: rc $rc, $ms ms, $(records "$tmp/nowait") records," \
         "$(grep -c '^  block\.0\.rd\.reqs=' "$tmp/nowait") with QEMU's block counters; vs-0005 state.control.state=$(field "$tmp/nowait" vs-0005 state.control.state)"
    check "--nowait while a plain call is stuck on vs-0005 (+${when} s): every record promptly, vs-0005's job-free ($ms ms < 3000)" \
        nowait_ok "$tmp/nowait" "$ms"
done
t0=$(now_ms)
timeout 30 "$patched_virsh" -q -c "$uri" domstats vs-0001 vs-0002 vs-0003 vs-0004 vs-0006 > "$tmp/others" 2>&1
ms=$(( $(now_ms) - t0 ))
check "a plain call on the other domains is not delayed ($ms ms < 5000, $(records "$tmp/others") records)" \
    [ "$ms" -lt 5000 -a "$(records "$tmp/others")" -eq 5 ]
t0=$(now_ms)
vsh domstats --timeout 0.3 --state --interface vs-0005 > "$tmp/jobfree"
ms=$(( $(now_ms) - t0 ))
check "job-free stats of the stuck domain within a few times the deadline ($ms ms < 1500), fresh" \
    [ "$ms" -lt 1500 -a "$(stale_count "$tmp/jobfree")" -eq 0 -a "$(fresh_count "$tmp/jobfree")" -eq 1 ]
cst=$(field "$tmp/jobfree" vs-0005 state.control.state); ctime=$(field "$tmp/jobfree" vs-0005 state.control.time)
check "the stuck domain shows a command in flight (state.control.state=$cst, for $ctime ms)" \
    [ "$cst" = 2 -a "${ctime:-0}" -ge 1000 ]
check "the plain call still waits for the stopped QEMU (as before the series)" kill -0 "$stuck_call"
kill -CONT "$stuck"
t0=$(now_ms)
wait_for "$stuck_call" 20
rc=$?
bg=()
check "after SIGCONT the plain call completes on its own with all $n records (rc $rc after $(( $(now_ms) - t0 )) ms; 254: still waiting after 20 s)" \
    [ $rc -eq 0 -a "$(records "$tmp/stuck")" -eq $n -a "$(grep -c '^  block\.0\.rd\.reqs=' "$tmp/stuck")" -eq $n ]
vsh domstats --timeout 2 > "$tmp/after"
check "afterwards a deadline call finds every record fresh" [ "$(fresh_count "$tmp/after")" -eq $n ]

"$testhost" down >/dev/null
finish
