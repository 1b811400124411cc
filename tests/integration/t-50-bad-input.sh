#!/bin/bash
# Bad input to the deadline calls on a real patched libvirtd with 3 QEMU
# domains: the C program bad-input (API level: timeouts, unknown stats and
# flags, malformed domain lists, the RPC list limit, block info, read-only
# connections), then virsh's own checks of --timeout.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

prog="$here/build/vstats/tests/integration/bad-input"
[ -x "$prog" ] || { fail "bad-input is built ($prog; run make vstats)"; finish; }

"$testhost" up 3 >/dev/null || { fail "test host with 3 domains"; finish; }

# The program prints its own PASS:/FAIL: lines; its exit status says only
# what they say.
"$prog" "$uri" vs-0002 vda
check "the daemon is alive after the bad input" bash -c "timeout 10 '$patched_virsh' -q -c '$uri' list --name | grep -q vs-0002"

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
virsh_rejects "domstats --timeout -5" domstats --timeout -5
virsh_rejects "domstats --timeout abc" domstats --timeout abc
virsh_rejects "domstats --timeout larger than an int" domstats --timeout 99999999999
virsh_rejects "domstats --timeout with a domain list, -1" domstats --timeout -1 vs-0001 vs-0002
virsh_rejects "domblkinfo --timeout 0" domblkinfo vs-0001 vda --timeout 0
virsh_rejects "domblkinfo --timeout -3" domblkinfo vs-0001 vda --timeout -3
virsh_rejects "domblkinfo --timeout abc" domblkinfo vs-0001 vda --timeout abc
virsh_rejects "domblkinfo --timeout on an unknown disk" domblkinfo vs-0001 vdz --timeout 1000
check "virsh domstats --timeout 0 still answers for the 3 domains" \
    [ "$(vsh domstats --timeout 0 | grep -c '^Domain:')" -eq 3 ]

rm -f "$err"
"$testhost" down >/dev/null
finish
