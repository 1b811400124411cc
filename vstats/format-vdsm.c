/*
 * format-vdsm.c: the shape of VDSM's getAllVmStats answer, so tools built
 * for oVirt can read it.  VDSM sends most numbers as strings and reports 0
 * rather than "unknown"; we do the same.  Units follow VDSM: rates in
 * bytes/s, latencies in ns, statsAge in seconds, memory in KiB.
 */
#include "vstats.h"
#include "json-util.h"

#include <math.h>

static void
add_str(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, value);
}

static void
add_num(JsonBuilder *b, const char *key, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    add_str(b, key, g_ascii_formatd(buf, sizeof(buf), "%.2f", isfinite(v) ? v : 0));
}

static void
add_count(JsonBuilder *b, const char *key, gint64 v)
{
    g_autofree char *s = g_strdup_printf("%" G_GINT64_FORMAT, MAX(v, 0));
    add_str(b, key, s);
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
add_vm(JsonBuilder *b, const VstatsVm *vm)
{
    double user = isfinite(vm->cpu_total_pct) && isfinite(vm->cpu_system_pct)
                  ? MAX(vm->cpu_total_pct - vm->cpu_system_pct, 0) : NAN;

    json_builder_begin_object(b);
    add_str(b, "vmId", vm->uuid);
    add_str(b, "vmName", vm->name);
    add_str(b, "status", vdsm_status(vm));
    json_builder_set_member_name(b, "monitorResponse");
    json_builder_add_string_value(b, vm->not_responding ? "-1" : "0");
    add_num(b, "statsAge", vm->age_ms / 1000.0);
    /* As VDSM: user time is everything that is not system time (guest
     * time included); cpuUsage is the cumulative counter in ns. */
    add_num(b, "cpuUser", user);
    add_num(b, "cpuSys", vm->cpu_system_pct);
    add_count(b, "cpuUsage", vm->cpu_time_ns);
    add_count(b, "vcpuCount", vm->vcpu_current);

    json_builder_set_member_name(b, "balloonInfo");
    json_builder_begin_object(b);
    add_count(b, "balloon_max", vm->balloon.maximum_kib);
    add_count(b, "balloon_cur", vm->balloon.current_kib);
    add_count(b, "balloon_min", 0);
    json_builder_end_object(b);

    json_builder_set_member_name(b, "memoryStats");
    json_builder_begin_object(b);
    add_count(b, "mem_total", vm->balloon.available_kib);
    add_count(b, "mem_unused", vm->balloon.unused_kib);
    add_count(b, "mem_free", vm->balloon.usable_kib);
    add_count(b, "mem_cached", vm->balloon.disk_caches_kib);
    add_count(b, "swap_in", vm->balloon.swap_in_kib);
    add_count(b, "swap_out", vm->balloon.swap_out_kib);
    add_count(b, "majflt", vm->balloon.major_fault);
    add_count(b, "minflt", vm->balloon.minor_fault);
    json_builder_end_object(b);

    json_builder_set_member_name(b, "network");
    json_builder_begin_object(b);
    for (guint i = 0; i < vm->n_nets; i++) {
        const VstatsNet *n = &vm->nets[i];
        json_builder_set_member_name(b, n->name);
        json_builder_begin_object(b);
        add_str(b, "name", n->name);
        add_num(b, "rxRate", n->rx_bytes_rate);
        add_num(b, "txRate", n->tx_bytes_rate);
        add_count(b, "rx", n->rx_bytes);
        add_count(b, "tx", n->tx_bytes);
        add_count(b, "rxErrors", n->rx_errs);
        add_count(b, "rxDropped", n->rx_drop);
        add_count(b, "txErrors", n->tx_errs);
        add_count(b, "txDropped", n->tx_drop);
        add_num(b, "sampleTime", vm->sample_time_us / 1e6);
        json_builder_end_object(b);
    }
    json_builder_end_object(b);

    json_builder_set_member_name(b, "disks");
    json_builder_begin_object(b);
    for (guint i = 0; i < vm->n_blocks; i++) {
        const VstatsBlock *d = &vm->blocks[i];
        json_builder_set_member_name(b, d->name);
        json_builder_begin_object(b);
        add_num(b, "readRate", d->rd_bytes_rate);
        add_num(b, "writeRate", d->wr_bytes_rate);
        add_num(b, "readLatency", d->rd_latency_ns);
        add_num(b, "writeLatency", d->wr_latency_ns);
        add_count(b, "readOps", d->rd_reqs);
        add_count(b, "writeOps", d->wr_reqs);
        add_count(b, "readBytes", d->rd_bytes);
        add_count(b, "writtenBytes", d->wr_bytes);
        add_count(b, "apparentsize", d->physical >= 0 ? d->physical : d->capacity);
        add_count(b, "truesize", d->allocation);
        json_builder_end_object(b);
    }
    json_builder_end_object(b);
    json_builder_end_object(b);
}

char *
vstats_format_vdsm(const VstatsReport *r)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "status");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "code");
    json_builder_add_int_value(b, vstats_report_get_up(r) ? 0 : 100);
    add_str(b, "message", vstats_report_get_up(r) ? "Done" : vstats_report_get_error(r));
    json_builder_end_object(b);
    json_builder_set_member_name(b, "statsList");
    json_builder_begin_array(b);
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++)
        add_vm(b, vstats_report_get_vm(r, i));
    json_builder_end_array(b);
    json_builder_end_object(b);
    return vstats_json_finish(b);
}
