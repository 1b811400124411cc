#!/bin/bash
# vstats boot-storm against the real patched libvirtd and real QEMU: it
# creates exactly N domains, names each VM whose creation fails (a missing
# disk, a memory size the host cannot give), and leaves no domain behind
# when any failed, even with --keep.
. "$(dirname "$0")/../lib.sh"

vstats="$here/build/vstats/vstats/vstats"
"$testhost" up 20 >/dev/null || { fail "test host with 20 domains"; finish; }
virt=$(cat "$here/build/host/state/virt")
tmp=$(mktemp -d)
out="$tmp/out"
trap 'rm -rf "$tmp"' EXIT

storm_domains() { vsh list --all --name | grep -c '^st-'; }
running_paused() { vsh list --state-paused --name | grep -c '^st-'; }

template() { # memory-in-MiB > template with the disk at $tmp/<name>.img
    cat <<XML
<domain type='$virt'>
  <name>@NAME@</name>
  <uuid>@UUID@</uuid>
  <memory unit='MiB'>$1</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$tmp/@NAME@.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <video><model type='none'/></video>
  </devices>
</domain>
XML
}
storm() { # count concurrency template [options...]
    local count=$1 k=$2 tmpl=$3
    shift 3
    "$vstats" boot-storm -c "$uri" --prefix st- --count "$count" --concurrency "$k" \
        --template "$tmpl" --paused "$@" > "$out" 2> "$out.err"
}
json() { python3 -c "import json, sys; d = json.load(open('$out')); print($1)"; }

# A clean storm with auto: exactly N up, then all destroyed.
template 32 > "$tmp/ok.xml"
for i in 1 2 3 4 5 6; do truncate -s 1M "$tmp/st-000$i.img"; done
storm 6 auto "$tmp/ok.xml" --format json
rc=$?
check "6 VMs, auto: exit 0 (rc=$rc)" [ $rc -eq 0 ]
check "... 6 attempted, 6 up, 6 QEMUs charged" \
    [ "$(json 'd["stats"]["attempted"], d["stats"]["succeeded"], d["stats"]["qemu_processes"]')" = "6 6 6" ]
check "... each VM has a time to running" \
    [ "$(json 'sum(1 for vm in d["vms"] if vm["ok"] and vm["ms"] > 0)')" = 6 ]
check "... and none is left afterwards" [ "$(storm_domains)" -eq 0 ]

# --keep: the six stay, paused, and nothing more.
storm 6 3 "$tmp/ok.xml" --keep
rc=$?
check "6 VMs, --keep: exit 0 (rc=$rc)" [ $rc -eq 0 ]
check "... exactly 6 domains, all paused ($(running_paused))" \
    [ "$(storm_domains)" -eq 6 ] && [ "$(running_paused)" -eq 6 ]
for d in $(vsh list --name | grep '^st-'); do vsh destroy "$d" >/dev/null; done
check "... destroyed by the test" [ "$(storm_domains)" -eq 0 ]

# Two disks missing: those two fail by name, with QEMU's or libvirt's
# reason; with --keep, the four that came up are destroyed all the same.
rm -f "$tmp/st-0002.img" "$tmp/st-0005.img"
storm 6 2 "$tmp/ok.xml" --keep
rc=$?
check "missing disks: exit 1 (rc=$rc)" [ $rc -eq 1 ]
check "... st-0002 and st-0005 named as failed, no other" \
    [ "$(grep -o '^FAILED st-[0-9]*' "$out" | sort | tr '\n' ' ')" = "FAILED st-0002 FAILED st-0005 " ]
check "... with the reason (the disk)" grep -q "^FAILED st-0002: .*st-0002.img" "$out"
check "... no domain left behind" [ "$(storm_domains)" -eq 0 ]
sed -n '/^FAILED st-0002/p' "$out" | cut -c1-200

# Out of resources: more guest memory than the host can reserve.
if [ "$(cat /proc/sys/vm/overcommit_memory)" != 1 ]; then
    for i in 1 2 3 4; do truncate -s 1M "$tmp/st-000$i.img"; done
    template $((4 * 1024 * 1024 * 1024)) > "$tmp/huge.xml"   # 4 PiB
    storm 4 unbounded "$tmp/huge.xml" --format json
    rc=$?
    check "4 PiB guests: exit 1 (rc=$rc)" [ $rc -eq 1 ]
    check "... 4 attempted, 0 up, each with an error" \
        [ "$(json 'd["stats"]["attempted"], d["stats"]["succeeded"], sum(1 for vm in d["vms"] if not vm["ok"] and vm.get("error"))')" = "4 0 4" ]
    json 'd["vms"][0].get("error", "")[:200]'
    check "... no domain left behind" [ "$(storm_domains)" -eq 0 ]
else
    echo "skip: vm.overcommit_memory=1, the host would grant any guest size"
fi

# The test host's own domains are untouched.
check "the 20 test host domains are still there" [ "$(vsh list --all --name | grep -c '^vs-')" -eq 20 ]
finish
