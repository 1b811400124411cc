#!/bin/bash
# The private test host: up, status, crash recovery, refusal of a foreign
# daemon, and a clean down that leaves no process of ours behind.
. "$(dirname "$0")/../lib.sh"

ours_left() { pgrep -f "$here/build/host" | grep -vx "$$" | wc -l; }

"$testhost" up 10 >/dev/null
check "up 10: ten domains active" [ "$(vsh list --name | grep -c .)" -eq 10 ]
check "status reports the patched daemon" bash -c "'$testhost' status | grep -q 'running (patched'"
n=$(vsh domstats --state | grep -c "^Domain:")
check "domstats answers for every domain" [ "$n" -eq 10 ]
pid=$("$testhost" pid vs-0003)
check "pid of a domain is a live QEMU" grep -q qemu "/proc/$pid/cmdline"

# A crash: daemons killed hard, QEMUs left running.  The next up recovers.
kill -KILL "$(cat "$here/build/host/state/libvirtd.pid")" "$(cat "$here/build/host/state/virtlogd.pid")"
sleep 0.5
check "second up after a crash works" "$testhost" up 3
check "only the new domains are there" [ "$(vsh list --all --name | grep -c .)" -eq 3 ]
check "no QEMU of the crashed run is left" [ "$("$testhost" status | sed -n 's/^qemu processes: //p')" -eq 3 ]
"$testhost" down >/dev/null
check "down leaves no qemu, libvirtd or virtlogd of ours" [ "$(ours_left)" -eq 0 ]

# A daemon on our socket that testhost did not start: up must refuse and
# leave it alone.
"$testhost" up 0 >/dev/null
rm -f "$here/build/host/state/libvirtd.pid"
foreign=$(pgrep -f "$here/build/prefix/sbin/libvirtd" | head -1)
if "$testhost" up 1 >/dev/null 2>&1; then
    fail "up refuses a daemon it did not start"
else
    pass "up refuses a daemon it did not start"
fi
check "the foreign daemon is untouched" kill -0 "$foreign"
kill -TERM "$foreign"; sleep 1
"$testhost" down >/dev/null
check "nothing of ours left after down" [ "$(ours_left)" -eq 0 ]

# Scale: up 100 then down leaves nothing behind.
t0=$(now_ms)
"$testhost" up 100 >/dev/null
t1=$(now_ms)
check "up 100: a hundred domains active" [ "$(vsh list --name | grep -c .)" -eq 100 ]
"$testhost" down >/dev/null
t2=$(now_ms)
echo "up 100: $(( (t1 - t0) / 1000 )) s, down: $(( (t2 - t1) / 1000 )) s"
check "up 100 then down leaves nothing of ours" [ "$(ours_left)" -eq 0 ]
finish
