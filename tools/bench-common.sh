# Helpers shared by the benchmark scripts (sourced, after setting $uri):
# timing, medians, ratios, and the virsh of either build.

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

# Median of the numbers on stdin; of an even count, the mean of the two
# in the middle.
median() {
    sort -g | awk '{a[NR] = $1} END {
        if (NR == 0) print "n/a"
        else if (NR % 2) print a[(NR + 1) / 2]
        else printf "%.10g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# Median and p95 (nearest rank) of the numbers on stdin: "median p95".
med_p95() {
    sort -n | awk '{a[NR]=$1} END {
        if (NR == 0) { print "n/a n/a"; exit }
        i = int(NR * 0.95 + 0.999); if (i > NR) i = NR
        print a[int((NR + 1) / 2)], a[i] }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }

vsh() { # stock|patched args...
    local p=build/prefix
    [ "$1" = stock ] && p=build/stock-prefix
    shift
    "$p/bin/virsh" -q -c "$uri" "$@"
}

# Brings the test host to $1 domains on the patched daemon. A host that is
# up (tools/bench leaves its last size up) is resized and left up;
# otherwise one is brought up, and own_host=1 says to take it down after.
bench_host() {
    own_host=0
    if [[ "$(tools/testhost status 2>/dev/null)" == "libvirtd: running"* ]]; then
        tools/testhost switch --patched >/dev/null 2>&1
        tools/testhost resize "$1" >/dev/null
    else
        tools/testhost up "$1" >/dev/null && own_host=1
    fi
}

# CPU ticks (user+system) of a process, and of all the test host's QEMUs.
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
qemu_ticks() {
    local t=0 f p
    for f in build/host/run/libvirt/qemu/vs-*.pid; do
        p=$(cat "$f" 2>/dev/null) || continue
        t=$((t + $(ticks_of "$p")))
    done
    echo $t
}
