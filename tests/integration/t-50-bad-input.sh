#!/bin/bash
# Bad input to the calls of the series on a real patched libvirtd with 3
# QEMU domains: the C program bad-input (API level: typed params of an
# unknown name, the wrong type or too many, NOWAIT with a timeout, unknown
# stats and flags, bad array arguments, malformed domain lists, the RPC
# list limit, block info, read-only connections, a connection the daemon
# closed), then virsh's own checks of --timeout; after each kind of bad
# input the daemon still answers with every record.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

prog="$here/build/vstats/tests/integration/bad-input"
[ -x "$prog" ] || { fail "bad-input is built ($prog; run make vstats)"; finish; }
admin_uri="libvirtd:///system?socket=$here/build/host/run/libvirt/libvirt-admin-sock"

"$testhost" up 3 >/dev/null || { fail "test host with 3 domains"; finish; }
daemon_pid=$(cat "$here/build/host/state/libvirtd.pid")

# The program prints its own PASS:/FAIL: lines; its exit status says only
# what they say, but a death by a signal would leave cases unreported.
tmp_prog=$(mktemp)
"$prog" "$uri" vs-0002 vda "$admin_uri" "$here/build/prefix/bin/virt-admin" | tee "$tmp_prog"
rc=${PIPESTATUS[0]}
ran_to_end() { [ "$rc" -lt 128 ] && grep -q '^bad-input: [0-9]* failed$' "$tmp_prog"; }
check "bad-input ran to its end (exit $rc, no signal; its closing line printed)" ran_to_end
check "the daemon is alive after the bad input (same pid)" \
    bash -c "kill -0 $daemon_pid && timeout 10 '$patched_virsh' -q -c '$uri' list --name | grep -q vs-0002"

# virsh refuses what the API would, before calling it.
err=$(mktemp)
virsh_rejects() { # what, virsh args...: non-zero exit and an error message
    local what=$1; shift
    if timeout 20 "$patched_virsh" -q -c "$uri" "$@" >/dev/null 2>"$err"; then
        fail "$what: virsh $* succeeded"
    elif grep -q 'error' "$err"; then
        pass "$what: $(grep -m1 error "$err")"
    else
        fail "$what: virsh $* failed without an error message"
    fi
}
virsh_rejects "domstats --timeout -1" domstats --timeout -1
virsh_rejects "domstats --timeout -0.5" domstats --timeout -0.5
virsh_rejects "domstats --timeout abc" domstats --timeout abc
virsh_rejects "domstats --timeout 1s" domstats --timeout 1s
virsh_rejects "domstats --timeout nan" domstats --timeout nan
virsh_rejects "domstats --timeout empty" domstats --timeout ''
virsh_rejects "domstats --timeout over UINT_MAX ms" domstats --timeout 4294968
virsh_rejects "domstats --timeout with --nowait" domstats --timeout 1 --nowait
virsh_rejects "domstats --timeout with a domain list, -1" domstats --timeout -1 vs-0001 vs-0002
virsh_rejects "domblkinfo --timeout -3" domblkinfo vs-0001 vda --timeout -3
virsh_rejects "domblkinfo --timeout abc" domblkinfo vs-0001 vda --timeout abc
virsh_rejects "domblkinfo --timeout on an unknown disk" domblkinfo vs-0001 vdz --timeout 1
check "domstats --timeout -1 names the bad value" grep -q -- "'-1'" <(timeout 20 "$patched_virsh" -q -c "$uri" domstats --timeout -1 2>&1)

out=$(mktemp)
vsh domstats --timeout 0 > "$out"
check "virsh domstats --timeout 0 still answers for the 3 domains" [ "$(records "$out")" -eq 3 ]
vsh domstats --timeout 0.25 > "$out"
check "virsh domstats --timeout 0.25 (a decimal) answers, every record fresh" [ "$(fresh_count "$out")" -eq 3 ]
vsh domstats --cached > "$out"
check "virsh domstats --cached alone (no deadline) answers, every record fresh" [ "$(fresh_count "$out")" -eq 3 ]
vsh domstats > "$out"
check "virsh domstats (old call) answers with 3 records after all of it" \
    [ "$(records "$out")" -eq 3 -a "$(grep -c 'fresh=' "$out")" -eq 0 ]
check "virsh domblkinfo --timeout 0.5 still answers" bash -c "'$patched_virsh' -q -c '$uri' domblkinfo vs-0001 vda --timeout 0.5 | grep -q '^Capacity:'"

rm -f "$err" "$out" "$tmp_prog"
"$testhost" down >/dev/null
finish
