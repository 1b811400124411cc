#!/bin/bash
# Everything a host has that gets stuck, against the patched daemon and,
# where the promise is about existing APIs, stock 9.0.0 on the same QEMUs:
# a stopped QEMU under a stuck plain call (NOWAIT must not wait), more
# stopped QEMUs than collection threads, storage that stops answering
# (a FUSE passthrough that blocks, as a dead NFS server does), a second
# call on a connection whose I/O a stuck call holds, a domain restarted
# between calls (no cached values of its previous process), a domain
# destroyed during a deadline call.  Bounds are generous: a deadline call
# must not take several times its deadline; nothing asserts speed.
. "$(dirname "$0")/../lib.sh"

"$testhost" up 20 >/dev/null
tmp=$(mktemp -d)
fusepid=""
stopped=()
cleanup() {
    local p
    for p in "${stopped[@]}"; do kill -CONT "$p" 2>/dev/null; done
    rm -f "$tmp/FREEZE"
    vsh destroy fz >/dev/null 2>&1
    vsh undefine fzoff >/dev/null 2>&1
    [ -n "$fusepid" ] && { fusermount3 -u "$tmp/mnt" 2>/dev/null; kill "$fusepid" 2>/dev/null; }
    rm -rf "$tmp"
}
trap cleanup EXIT

records() { grep -c '^Domain:' "$1" || true; }
# value KEY of domain DOM in virsh domstats output FILE
field() { awk -v d="Domain: '$2'" -v k="$3" '$0==d{p=1;next} /^Domain:/{p=0} p{split($1,a,"="); if (a[1]==k) print a[2]}' "$1"; }
# timed OUT CMD...: run CMD with its output in OUT, print the milliseconds
timed() { local out=$1 t0; shift; t0=$(now_ms); "$@" > "$out" 2>&1; echo $(( $(now_ms) - t0 )); }
stop() { local p; p=$("$testhost" pid "$1"); kill -STOP "$p"; stopped+=("$p"); }
cont() { local p; p=$("$testhost" pid "$1"); kill -CONT "$p"; }

# --- 1. A plain call stuck on a stopped QEMU; NOWAIT must still answer.
stop vs-0003
(timeout 60 "$patched_virsh" -q -c "$uri" domstats >/dev/null 2>&1 &)
sleep 1
for flavor in patched stock; do
    [ "$flavor" = stock ] && { "$testhost" switch --stock >/dev/null;
        (timeout 60 "$stock_virsh" -q -c "$uri" domstats >/dev/null 2>&1 &); sleep 1; }
    ms=$(timed "$tmp/nowait.$flavor" timeout 20 "$(vsh_bin)" -q -c "$uri" domstats --nowait)
    check "$flavor: domstats --nowait beside a stuck plain call returns (${ms} ms), 20 records" \
        [ "$(records "$tmp/nowait.$flavor")" -eq 20 ]
    check "$flavor: ... and in under 5 s" [ "$ms" -lt 5000 ]
    check "$flavor: ... the stopped domain without monitor groups" \
        [ -z "$(field "$tmp/nowait.$flavor" vs-0003 block.0.rd.reqs)" ]
done
"$testhost" switch --patched >/dev/null
control=$(field "$tmp/nowait.patched" vs-0003 state.control.state)
check "patched: the stopped domain's state.control.state is 2 (occupied), got '$control'" [ "$control" = 2 ]

# --- 2. More stopped QEMUs than collection threads (bulk_stats_workers=8).
for i in 05 06 07 08 09 10 11 12 13; do stop vs-00$i; done
ms=$(timed "$tmp/ten" vsh domstats --timeout 1)
check "10 stopped: domstats --timeout 1 returns in under 5 s (${ms} ms)" [ "$ms" -lt 5000 ]
check "10 stopped: 20 records" [ "$(records "$tmp/ten")" -eq 20 ]
check "10 stopped: the 10 healthy domains have fresh block stats" \
    [ "$(grep -c 'block.fresh=1' "$tmp/ten")" -eq 10 ]
ms=$(timed "$tmp/one" vsh domstats --timeout 0.3 vs-0001)
check "then domstats --timeout 0.3 of a healthy domain is fresh (${ms} ms)" \
    [ "$(field "$tmp/one" vs-0001 block.fresh)" = 1 ]
ms=$(timed "$tmp/plain5" timeout 20 "$patched_virsh" -q -c "$uri" domstats vs-0001 vs-0002 vs-0014 vs-0015 vs-0016)
check "then a plain domstats of 5 healthy domains answers with 5 records" \
    [ "$(records "$tmp/plain5")" -eq 5 ]
check "... in under 5 s (${ms} ms)" [ "$ms" -lt 5000 ]
for i in 03 05 06 07 08 09 10 11 12 13; do cont vs-00$i; done
stopped=()
sleep 1

# --- 3. A second call on a connection whose I/O a stuck call holds.
stop vs-0002
# Its PASS:/FAIL: lines count; an exit without them (a crash) must too.
check "shared-connection ran to its end (keepalive)" \
    "$here/build/vstats/tests/integration/shared-connection" --rounds 3 --bound-ms 2000 \
    --give-up-ms 20000 "$uri" vs-0002 vs-0001
check "shared-connection ran to its end (no keepalive)" \
    "$here/build/vstats/tests/integration/shared-connection" --no-keepalive --rounds 3 \
    --bound-ms 2000 --give-up-ms 20000 "$uri" vs-0002 vs-0001
cont vs-0002
stopped=()
sleep 1

# --- 4. Storage that stops answering: a domain whose image sits on a FUSE
# passthrough that blocks every operation while $tmp/FREEZE exists.
mkdir -p "$tmp/src" "$tmp/mnt"
cp "$here/build/host/images/vs-0001.img" "$tmp/src/fz.img"
/usr/bin/python3 "$here/tests/integration/frozen-fs.py" "$tmp/src" "$tmp/mnt" "$tmp/FREEZE" \
    >"$tmp/fuse.log" 2>&1 &
fusepid=$!
for _ in $(seq 50); do mountpoint -q "$tmp/mnt" && break; sleep 0.1; done
vsh dumpxml vs-0001 | sed -e "s|<name>vs-0001</name>|<name>fz</name>|" \
    -e "s|$here/build/host/images/vs-0001.img|$tmp/mnt/fz.img|" \
    -e '/<uuid>/d' -e '/<mac /d' -e "/<target dev='vnet/d" -e '/<alias/d' > "$tmp/fz.xml"
check "a domain on the FUSE passthrough starts" vsh create "$tmp/fz.xml" --paused
vsh domstats --timeout 2 fz >/dev/null   # fills the cache while healthy
touch "$tmp/FREEZE"
(timeout 60 "$patched_virsh" -q -c "$uri" domblkinfo fz vda >/dev/null 2>&1 &)
sleep 1
ms=$(timed "$tmp/bi" vsh domblkinfo fz vda --timeout 0.5)
check "frozen storage: domblkinfo --timeout 0.5 gives up in under 3 s (${ms} ms)" [ "$ms" -lt 3000 ]
check "frozen storage: ... with a timeout error" grep -q "Timed out" "$tmp/bi"
ms=$(timed "$tmp/fz" vsh domstats --timeout 0.5 --cached)
check "frozen storage: domstats --timeout 0.5 --cached answers in under 3 s (${ms} ms)" [ "$ms" -lt 3000 ]
check "frozen storage: 21 records" [ "$(records "$tmp/fz")" -eq 21 ]
check "frozen storage: fz's block group is not fresh" [ "$(field "$tmp/fz" fz block.fresh)" = 0 ]
check "frozen storage: the others' block groups are fresh" [ "$(grep -c 'block.fresh=1' "$tmp/fz")" -eq 20 ]
ms=$(timed "$tmp/ctl" vsh domcontrol fz)
check "frozen storage: domcontrol answers (${ms} ms: $(cat "$tmp/ctl"))" [ "$ms" -lt 3000 ]
ms=$(timed /dev/null vsh domstats --state fz)
check "frozen storage: the domain is not locked: domstats --state fz in ${ms} ms" [ "$ms" -lt 3000 ]
rm -f "$tmp/FREEZE"
sleep 1
check "thawed: domblkinfo fz vda answers" vsh domblkinfo fz vda --timeout 5

# An inactive domain on frozen storage: its image sizes are read from the
# file (no QEMU), with its object locked. A deadline call still returns
# in time, even one that collects nothing needing a job (--timeout 0).
sed -e "s|<name>fz</name>|<name>fzoff</name>|" "$tmp/fz.xml" > "$tmp/fzoff.xml"
vsh define "$tmp/fzoff.xml" >/dev/null
touch "$tmp/FREEZE"
ms=$(timed "$tmp/off0" vsh domstats --timeout 0)
check "frozen inactive domain: domstats --timeout 0 answers in under 3 s (${ms} ms)" [ "$ms" -lt 3000 ]
ms=$(timed "$tmp/off1" vsh domstats --timeout 0.5)
check "frozen inactive domain: domstats --timeout 0.5 answers in under 3 s (${ms} ms)" [ "$ms" -lt 3000 ]
check "... with fzoff's block group not fresh" [ "$(field "$tmp/off1" fzoff block.fresh)" = 0 ]
check "... and the others' block groups fresh" [ "$(grep -c 'block.fresh=1' "$tmp/off1")" -ge 20 ]
rm -f "$tmp/FREEZE"
sleep 1
vsh undefine fzoff >/dev/null
vsh destroy fz >/dev/null 2>&1

# --- 5. A domain restarted between calls is not served its previous
# process's values.
vsh domstats --timeout 2 vs-0004 > /dev/null
vsh destroy vs-0004 >/dev/null
vsh start vs-0004 --paused >/dev/null
stop vs-0004
vsh domstats --timeout 0.3 --cached vs-0004 > "$tmp/restart"
check "restarted: block group not fresh" [ "$(field "$tmp/restart" vs-0004 block.fresh)" = 0 ]
check "restarted: no values from the previous process (no block.age)" \
    [ -z "$(field "$tmp/restart" vs-0004 block.age)" ]
cont vs-0004
stopped=()
vsh domstats --timeout 2 vs-0004 > /dev/null
stop vs-0004
vsh domstats --timeout 0.3 --cached vs-0004 > "$tmp/cached"
check "then stopped again: cached block values with their age ($(field "$tmp/cached" vs-0004 block.age) ms)" \
    [ -n "$(field "$tmp/cached" vs-0004 block.age)" ]

# --- 6. A deadline call while a stopped domain is being destroyed: the
# destroy holds the domain object for as long as the stopped QEMU ignores
# SIGTERM (10 s).
vsh destroy vs-0004 >/dev/null 2>&1 &
destroyer=$!
sleep 1
ms=$(timed "$tmp/destroy" vsh domstats --timeout 1)
check "during a destroy: domstats --timeout 1 returns in under 4 s (${ms} ms)" [ "$ms" -lt 4000 ]
check "during a destroy: the 19 other domains are reported" \
    [ "$(grep -c "^Domain: 'vs-" "$tmp/destroy")" -ge 19 ]
# (Not block info: virsh looks the domain up first, and a lookup waits for
# the object like any API of 9.0.0.)
wait "$destroyer"
stopped=()
vsh start vs-0004 --paused >/dev/null

# --- 7. The daemon stopped while deadline calls collect, one QEMU stopped:
# callers woken, the daemon exits on its own (under ASan: nothing touched
# after it was freed, nothing leaked; tools/sanitize-libvirt checks).
stop vs-0003
callers=()
for _ in 1 2 3 4; do
    timeout 20 "$patched_virsh" -q -c "$uri" domstats --timeout 3 >/dev/null 2>&1 &
    callers+=($!)
done
sleep 0.5
daemon=$(cat "$here/build/host/state/libvirtd.pid")
t0=$(now_ms)
kill -TERM "$daemon"
for _ in $(seq 1 300); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
ms=$(( $(now_ms) - t0 ))
check "daemon stopped during collections exits on its own in under 30 s (${ms} ms)" \
    bash -c "! kill -0 $daemon 2>/dev/null"
ended=0
for p in "${callers[@]}"; do wait "$p"; [ $? -ne 124 ] && ended=$((ended + 1)); done
check "its 4 callers were answered or disconnected, none left hanging ($ended)" [ "$ended" -eq 4 ]
cont vs-0003
stopped=()
"$testhost" switch --patched >/dev/null 2>&1 || "$testhost" up 20 >/dev/null
vsh domstats --state vs-0001 > "$tmp/back" 2>&1
check "the daemon comes back and answers" [ "$(records "$tmp/back")" -eq 1 ]

"$testhost" down >/dev/null
finish
