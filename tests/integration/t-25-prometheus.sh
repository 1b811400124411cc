#!/bin/bash
# vstats serve in production on the patched test host (10 QEMU domains):
# a drop-in for Debian's prometheus-libvirt-exporter (same families, types,
# help, series and values, compared side by side), an exposition promtool
# accepts, scraped by Debian's Prometheus with the shipped rules: a QEMU
# stopped makes the stale and not-responding alerts fire for that domain
# alone; libvirtd stopped gives libvirt_up 0 with the stale records still
# served, and the daemon alert fires.  About a minute.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

vstats="$here/build/vstats/vstats/vstats"
rules="$here/vstats/exporter/rules/vstats.rules.yml"
n_doms=10
tmp=$(mktemp -d)
pids=()      # what we started, killed by pid
stopped=()   # what we stopped, continued whatever happens
cleanup() {
    [ ${#stopped[@]} -gt 0 ] && kill -CONT "${stopped[@]}" 2>/dev/null
    [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

for prog in prometheus promtool prometheus-libvirt-exporter curl; do
    command -v "$prog" >/dev/null || { fail "$prog is installed (tools/deps)"; finish; }
done
"$testhost" up "$n_doms" >/dev/null || { fail "test host with $n_doms domains"; finish; }

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() { # URL: up to 20 s
    local i
    for i in $(seq 1 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
    return 1
}
vport=$(free_port); eport=$(free_port); pport=$(free_port)
# Alerts need 3 s of not responding (docs: 60 s by default).
# --timeout below the scrape timeout (1 s here: the scrape interval).
"$vstats" serve -c "$uri" --listen "127.0.0.1:$vport" --not-responding-ms 3000 --timeout 500 \
    --min-interval 500 -q 2>"$tmp/vstats.err" &
pids+=($!)
prometheus-libvirt-exporter --web.listen-address="127.0.0.1:$eport" --libvirt.uri="$uri" \
    >"$tmp/exporter.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$vport/" || fail "vstats serve answers"
wait_http "http://127.0.0.1:$eport/" || fail "the exporter answers"

echo "--- a drop-in for prometheus-libvirt-exporter"
curl -s "http://127.0.0.1:$eport/metrics" > "$tmp/exporter.txt"
curl -s "http://127.0.0.1:$vport/metrics" > "$tmp/vstats.txt"
"$here/tools/compare-exposition" "$tmp/exporter.txt" "$tmp/vstats.txt" --values > "$tmp/compare" 2>&1
rc=$?
sed 's/^/  /' "$tmp/compare"
check "same families, types, help, series and values as the exporter" [ $rc -eq 0 ]
check "no family of the exporter changes with vstats' additions (all vstats_*)" \
    [ -z "$(grep '^# TYPE' "$tmp/vstats.txt" | awk '{print $3}' | grep -v '^libvirt_\|^vstats_')" ]
promtool check metrics < "$tmp/vstats.txt" > "$tmp/lint" 2>&1
check "promtool check metrics accepts the exposition" [ $? -eq 0 ] || sed 's/^/  /' "$tmp/lint"
curl -s -H 'Accept-Encoding: gzip' -D "$tmp/headers" -o "$tmp/gz" "http://127.0.0.1:$vport/metrics"
check "gzip when the scraper accepts it" grep -qi '^Content-Encoding: gzip' "$tmp/headers"
check "the gzip body is the exposition" bash -c "gunzip -c '$tmp/gz' | grep -q '^libvirt_up 1'"
kill "${pids[1]}"   # the exporter is done

echo "--- Debian's Prometheus scraping vstats serve, with the shipped rules"
# The shipped rules, with thresholds and for: durations of seconds.
sed -e 's/for: 1m/for: 1s/; s/for: 2m/for: 2s/; s/> 120/> 3/' "$rules" > "$tmp/rules.yml"
promtool check rules "$tmp/rules.yml" >/dev/null || fail "the shortened rules are valid"
cat > "$tmp/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $tmp/rules.yml
scrape_configs:
  - job_name: vstats
    static_configs:
      - targets: ['127.0.0.1:$vport']
CONF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
    --web.listen-address="127.0.0.1:$pport" >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$pport/-/ready" || { fail "prometheus is ready"; finish; }
api="http://127.0.0.1:$pport/api/v1"
# query EXPR: the values of the result, one "labels value" per line.
query() {
    curl -s --data-urlencode "query=$1" "$api/query" | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["data"]["result"]:
    m = r["metric"]
    print(m.get("domain", m.get("__name__", "-")), r["value"][1])'
}
firing() { # ALERTNAME: the domains (or instances) it fires for
    curl -s "$api/alerts" | /usr/bin/python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    if a["labels"]["alertname"] == sys.argv[1] and a["state"] == "firing":
        print(a["labels"].get("domain", a["labels"].get("instance")))' "$1" | sort
}
until_true() { # SECONDS COMMAND...: polls every 0.5 s
    local n=$(($1 * 2)) i
    shift
    for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.5; done
    return 1
}
fresh_is() { [ "$(query 'count(vstats_domain_stats_fresh == 1)' | awk '{print $2}')" = "$1" ]; }
check "Prometheus sees all $n_doms domains fresh" until_true 20 fresh_is "$n_doms"

pid=$("$testhost" pid vs-0003)
stopped+=("$pid")
kill -STOP "$pid"
t0=$(now_ms)
stale_fires() { [ "$(firing LibvirtDomainStatsStale)" = vs-0003 ]; }
notresp_fires() { [ "$(firing LibvirtDomainNotResponding)" = vs-0003 ]; }
check "vs-0003 stopped: LibvirtDomainStatsStale fires for vs-0003 alone" until_true 30 stale_fires ||
    echo "  firing for: $(firing LibvirtDomainStatsStale | tr '\n' ' ')"
check "vs-0003 stopped: LibvirtDomainNotResponding fires for vs-0003 alone" until_true 30 notresp_fires ||
    echo "  firing for: $(firing LibvirtDomainNotResponding | tr '\n' ' ')"
echo "  alerts firing $(( ($(now_ms) - t0) / 1000 )) s after the stop"
# How long its monitor has been busy: the daemon's state.control.* (a
# command to the stopped QEMU under way), not a guess from the silence.
unresp=$(query 'vstats_domain_monitor_unresponsive_seconds{domain="vs-0003"}' | awk '{print $2}')
check "vs-0003's monitor busy for ${unresp:-?} s (state.control.*), past the 3 s threshold" \
    python3 -c 'import sys; sys.exit(0 if float(sys.argv[1] or 0) >= 3 else 1)' "${unresp:-0}"
others=$(query 'vstats_domain_stats_fresh{domain!="vs-0003"}' | awk '$2 != 1' | wc -l)
n_others=$(query 'vstats_domain_stats_fresh{domain!="vs-0003"}' | wc -l)
check "every other domain stays fresh ($n_others series, $others not fresh)" \
    [ "$n_others" -eq $((n_doms - 1)) -a "$others" -eq 0 ]
check "libvirt_up stays 1 (the daemon answers)" [ "$(query 'libvirt_up' | awk '{print $2}')" = 1 ]
kill -CONT "$pid"
stopped=()
check "vs-0003 continued: all $n_doms domains fresh again" until_true 20 fresh_is "$n_doms"

echo "--- libvirtd stopped: libvirt_up 0, the stale records still served"
daemon=$(cat "$here/build/host/state/libvirtd.pid")
stopped+=("$daemon")
kill -STOP "$daemon"
sleep 1   # past --min-interval: the scrape below gets a collection of its own
t0=$(now_ms)
curl -s -m 10 "http://127.0.0.1:$vport/metrics" > "$tmp/down.txt"
took=$(( $(now_ms) - t0 ))
echo "  a scrape with libvirtd stopped took $took ms: $(grep -E '^(libvirt_up|libvirt_domains_number) ' "$tmp/down.txt" | tr '\n' ' ')"
check "libvirtd stopped: the scrape answers within the deadline and grace ($took ms < 2500)" [ "$took" -lt 2500 ]
check "libvirtd stopped: libvirt_up 0" grep -qx 'libvirt_up 0' "$tmp/down.txt"
check "libvirtd stopped: all $n_doms domains still served" grep -qx "libvirt_domains_number $n_doms" "$tmp/down.txt"
check "libvirtd stopped: every domain marked stale" \
    [ "$(grep -c '^vstats_domain_stats_fresh{.*} 0$' "$tmp/down.txt")" -eq "$n_doms" ]
daemon_fires() { [ -n "$(firing LibvirtDaemonDown)" ]; }
check "libvirtd stopped: LibvirtDaemonDown fires" until_true 15 daemon_fires
kill -CONT "$daemon"
stopped=()
up_again() { curl -s "http://127.0.0.1:$vport/metrics" | grep -qx 'libvirt_up 1'; }
check "libvirtd continued: libvirt_up 1 again" until_true 30 up_again
check "vstats serve never died" kill -0 "${pids[0]}"

kill "${pids[@]}" 2>/dev/null
wait 2>/dev/null
pids=()
"$testhost" down >/dev/null
finish
