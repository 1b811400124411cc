#!/bin/bash
# Deadline-bounded bulk statistics (virConnectGetAllDomainStatsParams and
# virDomainListGetStatsParams through virsh domstats --timeout/--cached) on
# a real patched libvirtd with 50 QEMU domains, three of them stopped with
# SIGSTOP: per-group freshness (<prefix>.fresh, <prefix>.age), cached
# values, a timeout of 0, chosen domains, one record per domain, and the
# state.control.* keys that every call now reports.
# Bounds are generous: a deadline call must return within a few times its
# deadline (plus virsh's start), never to the millisecond.
. "$(dirname "$0")/../lib.sh"

"$testhost" up 50 >/dev/null || { fail "test host with 50 domains"; finish; }
stopped=(vs-0005 vs-0020 vs-0040)
pids=()
for d in "${stopped[@]}"; do pids+=("$("$testhost" pid "$d")"); done
bg=()
cleanup() {
    kill -CONT "${pids[@]}" 2>/dev/null
    [ ${#bg[@]} -gt 0 ] && kill "${bg[@]}" 2>/dev/null
    rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap cleanup EXIT
out="$tmp/out"

# Groups whose values need QEMU (and a job), and those libvirt knows by
# itself; the prefixes of their keys.
qemu_groups="cpu balloon vcpu block"
# All the records of FILE carry PREFIX.fresh for each prefix given.
all_have_fresh() { # file prefix...
    local f=$1 p n; shift
    for p in "$@"; do
        n=$(grep -cE "^ +$p\.fresh=[01]$" "$f" || true)
        [ "$n" -eq "$(records "$f")" ] || { echo "  $n records with $p.fresh"; return 1; }
    done
}
# Time a virsh call: timed OUT ARGS... sets rc and ms.
timed() {
    local o=$1 t0; shift
    t0=$(now_ms)
    vsh "$@" > "$o" 2> "$tmp/err"
    rc=$?
    ms=$(( $(now_ms) - t0 ))
}

vsh domstats --state vs-0001 vs-0002 > "$out"
check "existing call with domain names: 2 records" [ "$(records "$out")" -eq 2 ]
check "existing call: the state group has state.control.state=0 (OK) for a healthy domain" \
    [ "$(field "$out" vs-0001 state.control.state)" = 0 ]

timed "$tmp/before" domstats --timeout 2
before_end=$(now_ms)
check "--timeout 2 before any QEMU stops: 50 records, all groups of all fresh ($(fresh_count "$tmp/before"))" \
    [ "$rc" -eq 0 -a "$(records "$tmp/before")" -eq 50 -a "$(fresh_count "$tmp/before")" -eq 50 ]
check "every record has <prefix>.fresh for state, net and the groups that need QEMU" \
    all_have_fresh "$tmp/before" state net $qemu_groups
age=$(field "$tmp/before" vs-0001 block.age)
check "a fresh group that needed QEMU carries its age (block.age=${age:-none} ms, at most the call's 2 s)" \
    [ -n "$age" -a "${age:-99999}" -le 2000 ]
# docs/kbase/deadline-stats.rst (and the API's documentation): .age is
# absent when the group has no values that needed a job or QEMU, as for
# the groups libvirt knows by itself (state, net, perf, memory).
ages=$(grep -cE '^  (state|net|perf|memory)\.age=' "$tmp/before" || true)
check "the groups needing no QEMU are fresh and carry no .age ($ages such .age keys in 50 records)" \
    [ "$(grep -cE '^  (state|net|perf|memory)\.fresh=1$' "$tmp/before")" -eq 200 -a "$ages" -eq 0 ] ||
    record_of "$tmp/before" vs-0001 | grep -E '^(state|net|perf|memory)\.(fresh|age)=' | paste -sd' ' | sed 's/^/  vs-0001: /'

kill -STOP "${pids[@]}"
# A stats call with no deadline is left hanging on a stopped QEMU's monitor
# in the background (the pool gives it up after 1 s, its caller then
# waits for QEMU); the deadline calls must not care.
timeout 120 "$patched_virsh" -q -c "$uri" domstats --block "${stopped[0]}" > "$tmp/stuck" 2>&1 &
stuck_call=$!
bg+=("$stuck_call")
sleep 1.5

timed "$out" domstats --timeout 0.5
echo "domstats --timeout 0.5 with 3 stopped: $ms ms, $(fresh_count "$out") records all fresh, not fresh: $(stale_domains "$out" | paste -sd' ')"
check "deadline call with 3 stopped returns within 5x its deadline ($ms ms < 2500)" [ "$rc" -eq 0 -a "$ms" -lt 2500 ]
check "one record per domain (50)" [ "$(records "$out")" -eq 50 ]
check "47 records with every group fresh" [ "$(fresh_count "$out")" -eq 47 ]
check "the records not fresh are those of the 3 stopped QEMUs" \
    [ "$(stale_domains "$out" | sort | paste -sd' ')" = "${stopped[*]}" ]
for d in "${stopped[@]}"; do
    stale=$(groups_with_fresh "$out" "$d" 0)
    fresh=$(groups_with_fresh "$out" "$d" 1)
    rec_ok=1
    for g in $qemu_groups; do [[ " $stale " == *" $g "* ]] || rec_ok=0; done
    [[ " $fresh " == *" state "* && " $fresh " == *" net "* ]] || rec_ok=0
    [ -n "$(field "$out" "$d" state.state)" ] && [ -n "$(field "$out" "$d" cpu.time)" ] || rec_ok=0
    # Without --cached what was not collected is left out: no age, no
    # counters from QEMU.
    [ -z "$(field "$out" "$d" block.age)" ] && [ -z "$(field "$out" "$d" block.0.rd.reqs)" ] || rec_ok=0
    check "$d: groups needing QEMU not fresh [$stale], job-free ones fresh [$fresh]; state.state and cpu.time reported, no block.age nor block.0.rd.reqs" \
        [ $rec_ok -eq 1 ]
done

# With --cached, a group not collected comes from the last collection
# that got it, with its age.
timed "$out" domstats --timeout 0.5 --cached
d=${stopped[1]}
age=$(field "$out" "$d" block.age)
since=$(( $(now_ms) - before_end ))
echo "domstats --timeout 0.5 --cached: $ms ms; $d: block.fresh=$(field "$out" "$d" block.fresh) block.age=${age:-none} ms (the fresh call ended $since ms ago)"
check "--cached with 3 stopped: 50 records within 5x the deadline ($ms ms < 2500)" \
    [ "$rc" -eq 0 -a "$ms" -lt 2500 -a "$(records "$out")" -eq 50 ]
check "$d: the cached block group is not fresh and carries the age of its values (${age:-none} ms >= 1000)" \
    [ "$(field "$out" "$d" block.fresh)" = 0 -a "${age:-0}" -ge 1000 -a "${age:-0}" -le $((since + 1000)) ]
same=1
for k in block.0.rd.reqs block.0.wr.reqs block.0.capacity balloon.current; do
    [ -n "$(field "$tmp/before" "$d" "$k")" ] &&
        [ "$(field "$out" "$d" "$k")" = "$(field "$tmp/before" "$d" "$k")" ] || same=0
done
check "$d: the cached values are those of the last fresh call (block.0.rd.reqs, wr.reqs, capacity, balloon.current)" [ $same -eq 1 ]
age1=$(field "$out" vs-0001 block.age)
check "a fresh domain in the same call: block.fresh=1, block.age=${age1:-none} ms below the stale one's" \
    [ "$(field "$out" vs-0001 block.fresh)" = 1 -a -n "$age1" -a "${age1:-99999}" -lt "${age:-0}" ]

# A timeout of zero: nothing waited for, nothing needing QEMU is fresh.
timed "$out" domstats --timeout 0
echo "domstats --timeout 0: $ms ms"
check "--timeout 0 answers at once (under 2 s) with 50 records" [ "$rc" -eq 0 -a "$ms" -lt 2000 -a "$(records "$out")" -eq 50 ]
n_state=$(grep -cx '  state.fresh=1' "$out" || true)
n_block=$(grep -cx '  block.fresh=0' "$out" || true)
check "--timeout 0: state fresh in all 50 records ($n_state), block fresh in none ($((50 - n_block)))" \
    [ "$n_state" -eq 50 -a "$n_block" -eq 50 ]
timed "$out" domstats --timeout 0 --cached --block
n_age=$(grep -c '^  block\.age=' "$out" || true)
n_reqs=$(grep -c '^  block\.0\.rd\.reqs=' "$out" || true)
check "--timeout 0 --cached: every record has its cached block values with their age ($n_age ages, $n_reqs rd.reqs of 50)" \
    [ "$rc" -eq 0 -a "$n_age" -eq 50 -a "$n_reqs" -eq 50 ]

# Chosen domains (virDomainListGetStatsParams), one stopped among them.
timed "$out" domstats --timeout 0.3 vs-0001 vs-0005 vs-0010
check "domain list with a stopped one: 3 records within 5x the deadline ($ms ms < 1500 + 1000)" \
    [ "$rc" -eq 0 -a "$(records "$out")" -eq 3 -a "$ms" -lt 2500 ]
check "domain list: vs-0005 not fresh, vs-0001 and vs-0010 fresh" \
    [ "$(stale_domains "$out" | paste -sd' ')" = vs-0005 -a "$(fresh_domains "$out" | paste -sd' ')" = "vs-0001 vs-0010" ]

# The domain whose QEMU holds a plain call shows it in state.control.*.
vsh domstats --timeout 0 --state vs-0005 vs-0001 > "$out"
cst=$(field "$out" vs-0005 state.control.state); ctime=$(field "$out" vs-0005 state.control.time)
echo "vs-0005 (plain call waiting on it): state.control.state=$cst state.control.time=$ctime ms"
check "a stopped QEMU with a command in flight: state.control.state=2 (OCCUPIED) for over 1 s ($ctime ms)" \
    [ "$cst" = 2 -a "${ctime:-0}" -ge 1000 ]
check "a healthy domain: state.control.state=0, state.control.time=0" \
    [ "$(field "$out" vs-0001 state.control.state)" = 0 -a "$(field "$out" vs-0001 state.control.time)" = 0 ]

# APIs that need no monitor keep working on a stopped domain.
check "domstate works on a stopped QEMU" bash -c "timeout 5 '$patched_virsh' -q -c '$uri' domstate ${stopped[0]} >/dev/null"
check "negative timeout is rejected" bash -c "! '$patched_virsh' -q -c '$uri' domstats --timeout -1 >/dev/null 2>&1"
check "--timeout with --nowait is rejected" bash -c "! '$patched_virsh' -q -c '$uri' domstats --timeout 1 --nowait >/dev/null 2>&1"

# A domain destroyed in the middle of a call does not break the call.
vsh domstats --timeout 1.5 > "$out" 2> "$tmp/err" &
call=$!
sleep 0.2
vsh destroy vs-0030 >/dev/null
wait $call
rc=$?
check "destroy during a deadline call: call succeeds" [ $rc -eq 0 ] || cat "$tmp/err"
check "destroy during a deadline call: still one record per domain (50)" [ "$(records "$out")" -eq 50 ]

# Destroy works on a stopped QEMU, and the next call copes.
check "destroy works on a stopped QEMU" timeout 60 "$patched_virsh" -q -c "$uri" destroy "${stopped[2]}"

kill -CONT "${pids[@]}" 2>/dev/null
# Nothing else asks that QEMU anything meanwhile: the plain call must
# complete on its own once QEMU answers.
t0=$(now_ms)
wait_for "$stuck_call" 20
rc=$?
bg=()
check "the plain call that waited on the stopped QEMU completes on its own after SIGCONT (rc $rc after $(( $(now_ms) - t0 )) ms; 254: still waiting after 20 s)" \
    [ $rc -eq 0 -a "$(records "$tmp/stuck")" -eq 1 ]
ok=0
for i in $(seq 1 20); do
    vsh domstats --timeout 1 --state --block --balloon > "$out"
    if [ "$(stale_count "$out")" -eq 0 ] && [ "$(records "$out")" -eq 50 ]; then ok=1; break; fi
    sleep 0.5
done
check "after SIGCONT the next calls are all fresh again (2 domains shut off)" [ $ok -eq 1 ] ||
    echo "  records $(records "$out"), not fresh: $(stale_domains "$out" | paste -sd' ')"

# The existing call on the patched daemon: same records as before, plus
# state.control.* for the active domains.
vsh domstats > "$out"
n_ctl=$(grep -c '^  state\.control\.state=' "$out" || true)
check "existing call: 50 records, no .fresh/.age keys" \
    [ "$(records "$out")" -eq 50 -a "$(grep -cE '^  [a-z]+\.(fresh|age)=' "$out")" -eq 0 ]
check "existing call: state.control.state in the 48 active domains' records, not in the 2 shut off ($n_ctl)" \
    [ "$n_ctl" -eq 48 -a -z "$(field "$out" vs-0030 state.control.state)" ]

"$testhost" down >/dev/null
finish
