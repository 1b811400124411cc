#!/bin/bash
# ACL of the calls of the series on a real patched libvirtd with the polkit
# access driver, the real polkitd and a private D-Bus system bus:
#  - virConnectGetAllDomainStatsParams / virDomainListGetStatsParams
#    (virsh domstats --timeout/--cached) need connect:search_domains and
#    report only the domains the client has domain:read on, exactly as
#    virConnectGetAllDomainStats does;
#  - virDomainGetBlockInfoParams (virsh domblkinfo --timeout) needs
#    domain:read, as virDomainGetBlockInfo does.
#
# Own host under build/acl-host (not tools/testhost's): four defined,
# inactive domains with a disk each: acl-open-1, acl-open-2, acl-secret
# (no domain:* for the test user) and acl-noread (every domain:* but
# domain:read, so that virsh can look it up and the calls themselves are
# what is refused).  The build is
# build/asan-prefix (tools/libvirt-tree asan: polkit enabled); its
# compile-time dirs are build/host, so libvirtd and polkitd run in a
# private mount namespace where build/acl-host/root is bound over build/host
# and our rules and actions over polkit's system dirs.  Nothing outside
# build/acl-host is written, apart from the two test users.
#
#   ACL_PREFIX: the build to test (default build/asan-prefix)
# Functions here are called through check and the EXIT trap.
# shellcheck disable=SC2317
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

prefix=${ACL_PREFIX:-$here/build/asan-prefix}
acl="$here/build/acl-host"
sock="$acl/sock/libvirt-sock"
acl_uri="qemu:///system?socket=$sock"
bus="unix:path=$acl/bus/socket"
virsh="$prefix/bin/virsh"
polkitd=/usr/lib/polkit-1/polkitd
user=vsacl          # domain:* except on acl-secret, and domain:read on acl-noread
user2=vsacl2        # denied connect:search_domains outright
supp="$here/tests/lsan.supp"

ns_pid=""; dbus_pid=""; polkit_pid=""; daemon_pid=""
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
stop() { # pid: TERM, then KILL after 10 s
    alive "$1" || return 0
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 1 100); do alive "$1" || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null
}
cleanup() {
    # Daemon first, so that it exits cleanly (leak check) while the bus is up.
    stop "$daemon_pid"
    stop "$polkit_pid"
    stop "$dbus_pid"
    # The namespace (and its bind mounts) ends with its last process.
    stop "$ns_pid"
}
trap cleanup EXIT

for f in "$prefix/sbin/libvirtd" "$prefix/share/polkit-1/actions/org.libvirt.api.policy" "$polkitd" \
         "$(command -v dbus-daemon)" "$(command -v unshare)"; do
    [ -e "$f" ] || { fail "ACL test prerequisites: $f missing (tools/libvirt-tree asan; tools/deps)"; finish; }
done

for u in "$user" "$user2"; do
    id "$u" >/dev/null 2>&1 ||
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$u"
done

rm -rf "$acl"
mkdir -p "$acl"/{root/etc/libvirt,root/var,root/run,sock,bus,log,polkit/rules,polkit/actions,polkit/empty}
# Sanitizer reports of the unprivileged clients land here too.
mkdir -m 1777 "$acl/asan" "$acl/home"
cp "$prefix"/share/polkit-1/actions/*.policy "$acl/polkit/actions/"

cat > "$acl/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- Written by t-70-acl.sh: a private system bus for polkitd and libvirtd. -->
<busconfig>
  <type>system</type>
  <listen>$bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
CONF

# Every libvirt check is logged (polkitd's output) so that the test can see
# polkit answered; unknown subjects fall through to the defaults.
cat > "$acl/polkit/rules/70-libvirt-scale-acl.rules" <<RULES
// Written by t-70-acl.sh.
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("org.libvirt.api.") != 0)
        return polkit.Result.NOT_HANDLED;
    var dom = action.lookup("domain_name");
    polkit.log("vsacl-check " + subject.user + " " + action.id + " " + (dom ? dom : "-"));
    if (subject.user == "$user2" && action.id == "org.libvirt.api.connect.search-domains")
        return polkit.Result.NO;
    if (subject.user != "$user" && subject.user != "$user2")
        return polkit.Result.NOT_HANDLED;
    if (action.id.indexOf("org.libvirt.api.domain.") == 0 && dom == "acl-secret")
        return polkit.Result.NO;
    if (action.id == "org.libvirt.api.domain.read" && dom == "acl-noread")
        return polkit.Result.NO;
    if (action.id.indexOf("org.libvirt.api.connect.") == 0 ||
        action.id.indexOf("org.libvirt.api.domain.") == 0)
        return polkit.Result.YES;
    return polkit.Result.NO;
});
RULES

cat > "$acl/libvirtd.conf" <<CONF
# Written by t-70-acl.sh: polkit access control, UNIX socket open to all.
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$acl/sock"
unix_sock_rw_perms = "0777"
unix_sock_ro_perms = "0777"
unix_sock_admin_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
access_drivers = [ "polkit" ]
log_outputs = "3:file:$acl/log/libvirtd.log"
CONF
cat > "$acl/root/etc/libvirt/qemu.conf" <<CONF
user = "root"
group = "root"
security_driver = "none"
namespaces = [ ]
CONF

lsan=""
[ -f "$supp" ] && lsan="suppressions=$supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:log_path=$acl/asan/asan"
export UBSAN_OPTIONS="halt_on_error=0:print_stacktrace=1:log_path=$acl/asan/ubsan"
export LSAN_OPTIONS="$lsan"

dbus-daemon --config-file="$acl/bus.conf" --nofork --nopidfile >"$acl/log/dbus.log" 2>&1 &
dbus_pid=$!
unshare -m --propagation private sleep infinity &
ns_pid=$!
sleep 0.2
mkdir -p "$here/build/host"
in_ns() { nsenter -t "$ns_pid" -m -F "$@"; }
bind_ok=1
in_ns mount --bind "$acl/polkit/rules" /etc/polkit-1/rules.d || bind_ok=0
in_ns mount --bind "$acl/polkit/empty" /usr/share/polkit-1/rules.d || bind_ok=0
in_ns mount --bind "$acl/polkit/actions" /usr/share/polkit-1/actions || bind_ok=0
in_ns mount --bind "$acl/root" "$here/build/host" || bind_ok=0
check "private mount namespace with our polkit dirs and host root" [ $bind_ok -eq 1 ] || finish
check "outside it, the system's polkit rules are untouched" [ ! -e /etc/polkit-1/rules.d/70-libvirt-scale-acl.rules ]

for _ in $(seq 1 50); do [ -S "$acl/bus/socket" ] && break; sleep 0.1; done
# Daemons start as plain background commands (no function): $! is their pid.
DBUS_SYSTEM_BUS_ADDRESS=$bus nsenter -t "$ns_pid" -m -F "$polkitd" >"$acl/log/polkitd.log" 2>&1 &
polkit_pid=$!
for _ in $(seq 1 50); do grep -q 'Acquired the name' "$acl/log/polkitd.log" && break; sleep 0.1; done
polkit_up() {
    grep -q 'Finished loading, compiling and executing 1 rules' "$acl/log/polkitd.log" &&
        grep -q 'Acquired the name org.freedesktop.PolicyKit1' "$acl/log/polkitd.log"
}
check "polkitd up on the private bus with our rule" polkit_up ||
    tail -5 "$acl/log/polkitd.log"

DBUS_SYSTEM_BUS_ADDRESS=$bus nsenter -t "$ns_pid" -m -F "$prefix/sbin/libvirtd" -f "$acl/libvirtd.conf" -p "$acl/libvirtd.pid" \
    >"$acl/log/libvirtd.out" 2>&1 &
daemon_pid=$!
up=0
for _ in $(seq 1 300); do
    "$virsh" -q -c "$acl_uri" version >/dev/null 2>&1 && { up=1; break; }
    alive "$daemon_pid" || break
    sleep 0.1
done
check "libvirtd (polkit access driver) answers" [ $up -eq 1 ] || { tail -5 "$acl/log/libvirtd.log"; finish; }

rvsh() { "$virsh" -q -c "$acl_uri" "$@"; }
# The client as an unprivileged user; its own HOME for libvirt's client dirs.
uvsh() { # user virsh-args...
    local u=$1; shift
    mkdir -p "$acl/home/$u" && chown "$u" "$acl/home/$u"
    runuser -u "$u" -- env HOME="$acl/home/$u" XDG_CACHE_HOME="$acl/home/$u" \
        XDG_CONFIG_HOME="$acl/home/$u" XDG_RUNTIME_DIR="$acl/home/$u" \
        "$virsh" -q -c "$acl_uri" "$@"
}
names() { sed -n "s/^Domain: '\(.*\)'$/\1/p" "$1" | sort | paste -sd' '; }

defined=0
for d in acl-open-1 acl-open-2 acl-secret acl-noread; do
    truncate -s 1M "$acl/$d.img"
    cat > "$acl/$d.xml" <<XML
<domain type='qemu'>
  <name>$d</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$acl/$d.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
XML
    rvsh define "$acl/$d.xml" >/dev/null && defined=$((defined + 1))
done
check "root defines the four domains" [ $defined -eq 4 ]

out=$(mktemp)
err=$(mktemp)
all="acl-noread acl-open-1 acl-open-2 acl-secret"
open="acl-open-1 acl-open-2"
sees() { # what expected client virsh-args...: the domains in the records
    local what=$1 want=$2 who=$3 got; shift 3
    if [ "$who" = root ]; then rvsh "$@" >"$out" 2>"$err"; else uvsh "$who" "$@" >"$out" 2>"$err"; fi
    got=$(names "$out")
    check "$what: $who sees [$want] (got [$got])" [ "$got" = "$want" ] || head -2 "$err"
}
sees "new call (domstats --timeout 0.5)" "$all" root domstats --timeout 0.5
sees "old call (domstats)" "$all" root domstats
sees "new call, inactive domains" "$open" "$user" domstats --timeout 0.5 --list-inactive
sees "new call (domstats --timeout 0.5)" "$open" "$user" domstats --timeout 0.5
sees "new call (domstats --timeout 0)" "$open" "$user" domstats --timeout 0 --state
sees "new call (domstats --cached, no deadline)" "$open" "$user" domstats --cached
sees "old call (domstats)" "$open" "$user" domstats
sees "old call, inactive domains" "$open" "$user" domstats --list-inactive
sees "new call with a domain list" "acl-open-1" "$user" domstats --timeout 0.5 acl-open-1
sees "old call with a domain list" "acl-open-1" "$user" domstats acl-open-1
# acl-noread can be looked up (domain:getattr) but not read: named in a
# list, it is filtered out of the records, as the old call does.
sees "new call with a domain list naming acl-noread" "acl-open-1" "$user" domstats --timeout 0.5 acl-open-1 acl-noread
sees "old call with a domain list naming acl-noread" "acl-open-1" "$user" domstats acl-open-1 acl-noread

denied() { # what client virsh-args...: fails, with the error of a denial
    local what=$1 who=$2; shift 2
    if uvsh "$who" "$@" >"$out" 2>"$err"; then
        fail "$what: $who: virsh $* succeeded ($(names "$out"))"
    elif grep -qiE 'access denied|failed to get domain|not found' "$err"; then
        pass "$what: $who: $(grep -m1 -i error "$err")"
    else
        fail "$what: $who: virsh $* failed otherwise: $(head -1 "$err")"
    fi
}
denied "new call naming the secret domain" "$user" domstats --timeout 0.5 acl-secret
denied "old call naming the secret domain" "$user" domstats acl-secret
denied "new call naming it among open ones" "$user" domstats --timeout 0.5 acl-open-1 acl-secret
denied "new call, connect:search_domains denied" "$user2" domstats --timeout 0.5
check "... by polkit's answer" grep -q "access denied" "$err"
denied "new call with --cached, connect:search_domains denied" "$user2" domstats --cached --timeout 0
denied "old call, connect:search_domains denied" "$user2" domstats
sees "a root client still sees all after the denials" "$all" root domstats --timeout 0.5

# Block info: domain:read, for the new call as for the old one.
blk() { # what user domain args...: succeeds with the disk's capacity
    local what=$1 who=$2; shift 2
    if uvsh "$who" domblkinfo "$@" >"$out" 2>"$err" && grep -q '^Capacity: *1048576$' "$out"; then
        pass "$what: $who: $(grep -m1 Capacity "$out")"
    else
        fail "$what: $who: virsh domblkinfo $*: $(head -1 "$err")"
    fi
}
blk "new block info call on a readable domain" "$user" acl-open-1 vda --timeout 2
blk "old block info call on a readable domain" "$user" acl-open-1 vda
denied "new block info call without domain:read" "$user" domblkinfo acl-noread vda --timeout 2
check "... by polkit's answer (access denied)" grep -q "access denied" "$err"
denied "old block info call without domain:read" "$user" domblkinfo acl-noread vda
denied "new block info call on the secret domain" "$user" domblkinfo acl-secret vda --timeout 2
check "root reads the block info of acl-noread (new call)" bash -c "'$virsh' -q -c '$acl_uri' domblkinfo acl-noread vda --timeout 2 | grep -q '^Capacity:'"

# The decisions above were polkit's: our rule was asked about the secret
# domain for the unprivileged user in the bulk calls.
asked=$(grep -c "vsacl-check $user org.libvirt.api.domain.read acl-secret" "$acl/log/polkitd.log" || true)
check "polkitd was asked for domain.read on acl-secret by $user ($asked times)" [ "$asked" -ge 4 ]
asked2=$(grep -c "vsacl-check $user2 org.libvirt.api.connect.search-domains" "$acl/log/polkitd.log" || true)
check "polkitd was asked for connect.search-domains by $user2 ($asked2 times)" [ "$asked2" -ge 3 ]
asked3=$(grep -c "vsacl-check $user org.libvirt.api.domain.read acl-noread" "$acl/log/polkitd.log" || true)
check "polkitd was asked for domain.read on acl-noread by $user ($asked3 times: 2 lists, 2 block info)" [ "$asked3" -ge 4 ]

rm -f "$out" "$err"
for d in $all; do rvsh undefine "$d" >/dev/null; done
stop "$daemon_pid"
alive "$daemon_pid" && fail "libvirtd stopped on SIGTERM"
daemon_pid=""
reports=$(find "$acl/asan" -maxdepth 1 \( -name 'asan.*' -o -name 'ubsan.*' \) | sort)
# tools/sanitize-libvirt collects every test's reports in one place.
[ -n "$reports" ] && [ -d "${ASAN_LOG_DIR:-}" ] && echo "$reports" | xargs cp -t "$ASAN_LOG_DIR"
check "no sanitizer report from libvirtd or the clients" [ -z "$reports" ] ||
    for r in $reports; do echo "--- $r"; head -40 "$r"; done
finish
