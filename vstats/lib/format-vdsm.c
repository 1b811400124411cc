/*
 * format-vdsm.c: the shape of VDSM's getAllVmStats answer, so tools built
 * for oVirt can read it.  VDSM sends most numbers as strings and reports 0
 * rather than "unknown"; we do the same.  Units follow VDSM: rates in
 * bytes/s, latencies in ns, statsAge in seconds, memory in KiB.
 */
#include "vstats.h"
#include "json-writer.h"

#include <math.h>

static void
add_num(VstatsJsonWriter *w, const char *key, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    vstats_json_member_string(w, key, g_ascii_formatd(buf, sizeof(buf), "%.2f",
                                                      isfinite(v) ? v : 0));
}

static void
add_count(VstatsJsonWriter *w, const char *key, gint64 v)
{
    char buf[24];   /* a gint64 in decimal, sign and NUL */
    g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, MAX(v, 0));
    vstats_json_member_string(w, key, buf);
}

/* VDSM's status names for libvirt's domain states. */
static const char *
vdsm_status(const VstatsVm *vm)
{
    switch (vm->state) {
    case 1: case 2: return "Up";             /* running, blocked */
    case 3: return "Paused";
    case 4: return "Powering down";
    case 5: case 6: return "Down";           /* shutoff, crashed */
    case 7: return "Suspended";
    default: return "Unknown";
    }
}

static void
add_vm(VstatsJsonWriter *w, const VstatsVm *vm)
{
    double user = isfinite(vm->cpu_total_pct) && isfinite(vm->cpu_system_pct)
                  ? MAX(vm->cpu_total_pct - vm->cpu_system_pct, 0) : NAN;

    vstats_json_begin_object(w);
    vstats_json_member_string(w, "vmId", vm->uuid);
    vstats_json_member_string(w, "vmName", vm->name);
    vstats_json_member_string(w, "status", vdsm_status(vm));
    vstats_json_member_string(w, "monitorResponse", vm->not_responding ? "-1" : "0");
    add_num(w, "statsAge", vm->age_ms / 1000.0);
    /* As VDSM: user time is everything that is not system time (guest
     * time included); cpuUsage is the cumulative counter in ns. */
    add_num(w, "cpuUser", user);
    add_num(w, "cpuSys", vm->cpu_system_pct);
    add_count(w, "cpuUsage", vm->cpu_time_ns);
    add_count(w, "vcpuCount", vm->vcpu_current);

    vstats_json_key(w, "balloonInfo");
    vstats_json_begin_object(w);
    add_count(w, "balloon_max", vm->balloon.maximum_kib);
    add_count(w, "balloon_cur", vm->balloon.current_kib);
    add_count(w, "balloon_min", 0);
    vstats_json_end_object(w);

    vstats_json_key(w, "memoryStats");
    vstats_json_begin_object(w);
    add_count(w, "mem_total", vm->balloon.available_kib);
    add_count(w, "mem_unused", vm->balloon.unused_kib);
    add_count(w, "mem_free", vm->balloon.usable_kib);
    add_count(w, "mem_cached", vm->balloon.disk_caches_kib);
    add_count(w, "swap_in", vm->balloon.swap_in_kib);
    add_count(w, "swap_out", vm->balloon.swap_out_kib);
    add_count(w, "majflt", vm->balloon.major_fault);
    add_count(w, "minflt", vm->balloon.minor_fault);
    vstats_json_end_object(w);

    vstats_json_key(w, "network");
    vstats_json_begin_object(w);
    for (guint i = 0; i < vm->n_nets; i++) {
        const VstatsNet *n = &vm->nets[i];
        vstats_json_key(w, n->name);
        vstats_json_begin_object(w);
        vstats_json_member_string(w, "name", n->name);
        add_num(w, "rxRate", n->rx_bytes_rate);
        add_num(w, "txRate", n->tx_bytes_rate);
        add_count(w, "rx", n->rx_bytes);
        add_count(w, "tx", n->tx_bytes);
        add_count(w, "rxErrors", n->rx_errs);
        add_count(w, "rxDropped", n->rx_drop);
        add_count(w, "txErrors", n->tx_errs);
        add_count(w, "txDropped", n->tx_drop);
        add_num(w, "sampleTime", vm->sample_time_us / 1e6);
        vstats_json_end_object(w);
    }
    vstats_json_end_object(w);

    vstats_json_key(w, "disks");
    vstats_json_begin_object(w);
    for (guint i = 0; i < vm->n_blocks; i++) {
        const VstatsBlock *d = &vm->blocks[i];
        vstats_json_key(w, d->name);
        vstats_json_begin_object(w);
        add_num(w, "readRate", d->rd_bytes_rate);
        add_num(w, "writeRate", d->wr_bytes_rate);
        add_num(w, "readLatency", d->rd_latency_ns);
        add_num(w, "writeLatency", d->wr_latency_ns);
        add_count(w, "readOps", d->rd_reqs);
        add_count(w, "writeOps", d->wr_reqs);
        add_count(w, "readBytes", d->rd_bytes);
        add_count(w, "writtenBytes", d->wr_bytes);
        add_count(w, "apparentsize", d->physical >= 0 ? d->physical : d->capacity);
        add_count(w, "truesize", d->allocation);
        vstats_json_end_object(w);
    }
    vstats_json_end_object(w);
    vstats_json_end_object(w);
}

char *
vstats_format_vdsm(const VstatsReport *r)
{
    g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();

    vstats_json_begin_object(w);
    vstats_json_key(w, "status");
    vstats_json_begin_object(w);
    vstats_json_member_int(w, "code", vstats_report_get_up(r) ? 0 : 100);
    vstats_json_member_string(w, "message",
                              vstats_report_get_up(r) ? "Done" : vstats_report_get_error(r));
    vstats_json_end_object(w);
    vstats_json_key(w, "statsList");
    vstats_json_begin_array(w);
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++)
        add_vm(w, vstats_report_get_vm(r, i));
    vstats_json_end_array(w);
    vstats_json_end_object(w);
    return vstats_json_writer_finish(w);
}
