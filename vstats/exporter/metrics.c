/*
 * metrics.c: the exposition.  Counters are raw cumulative values in base
 * units (Prometheus derives rates); a value libvirt did not report is left
 * out, never written as 0.  Each family is one group, as the format
 * requires, and a family without a sample is left out entirely.  No label
 * changes with a domain's state: a state change must not start new series.
 */
#include "metrics.h"

#include <math.h>

typedef enum { SCOPE_VM, SCOPE_BLOCK, SCOPE_NET, SCOPE_VCPU } Scope;

typedef struct {
    const char *name;
    const char *type;
    const char *help;
    Scope scope;
    gsize offset;   /* of a gint64 in VstatsVm/Block/Net/Vcpu; < 0 missing */
    double scale;   /* to base units; 1 keeps integers exact */
} Family;

#define VM(n, t, h, f, s) { n, t, h, SCOPE_VM, G_STRUCT_OFFSET(VstatsVm, f), s }
#define BLK(n, t, h, f, s) { n, t, h, SCOPE_BLOCK, G_STRUCT_OFFSET(VstatsBlock, f), s }
#define NET(n, t, h, f, s) { n, t, h, SCOPE_NET, G_STRUCT_OFFSET(VstatsNet, f), s }
#define CPU(n, t, h, f, s) { n, t, h, SCOPE_VCPU, G_STRUCT_OFFSET(VstatsVcpu, f), s }

/* prometheus-libvirt-exporter 0.2.0: same names, types, help and labels. */
static const Family exporter_families[] = {
    VM("libvirt_domain_info_maximum_memory_bytes", "gauge", "Maximum allowed memory of the domain, in bytes.", balloon.maximum_kib, 1024),
    VM("libvirt_domain_info_memory_usage_bytes", "gauge", "Memory usage of the domain, in bytes.", balloon.current_kib, 1024),
    VM("libvirt_domain_info_virtual_cpus", "gauge", "Number of virtual CPUs for the domain.", vcpu_current, 1),
    VM("libvirt_domain_info_cpu_time_seconds_total", "counter", "Amount of CPU time used by the domain, in seconds.", cpu_time_ns, 1e-9),
    VM("libvirt_domain_state_code", "gauge", "State of the domain.", state, 1),
    BLK("libvirt_domain_block_stats_read_bytes_total", "counter", "Number of bytes read from a block device, in bytes.", rd_bytes, 1),
    BLK("libvirt_domain_block_stats_read_requests_total", "counter", "Number of read requests from a block device.", rd_reqs, 1),
    BLK("libvirt_domain_block_stats_write_bytes_total", "counter", "Number of bytes written from a block device, in bytes.", wr_bytes, 1),
    BLK("libvirt_domain_block_stats_write_requests_total", "counter", "Number of write requests from a block device.", wr_reqs, 1),
    NET("libvirt_domain_interface_stats_receive_bytes_total", "counter", "Number of bytes received on a network interface, in bytes.", rx_bytes, 1),
    NET("libvirt_domain_interface_stats_receive_packets_total", "counter", "Number of packets received on a network interface.", rx_pkts, 1),
    NET("libvirt_domain_interface_stats_receive_errors_total", "counter", "Number of packet receive errors on a network interface.", rx_errs, 1),
    NET("libvirt_domain_interface_stats_receive_drops_total", "counter", "Number of packet receive drops on a network interface.", rx_drop, 1),
    NET("libvirt_domain_interface_stats_transmit_bytes_total", "counter", "Number of bytes transmitted on a network interface, in bytes.", tx_bytes, 1),
    NET("libvirt_domain_interface_stats_transmit_packets_total", "counter", "Number of packets transmitted on a network interface.", tx_pkts, 1),
    NET("libvirt_domain_interface_stats_transmit_errors_total", "counter", "Number of packet transmit errors on a network interface.", tx_errs, 1),
    NET("libvirt_domain_interface_stats_transmit_drops_total", "counter", "Number of packet transmit drops on a network interface.", tx_drop, 1),
};

/* vstats' additions: a prefix of their own, so they collide with nothing. */
static const Family vstats_families[] = {
    VM("vstats_domain_cpu_user_seconds_total", "counter", "User CPU time of the domain's processes.", cpu_user_ns, 1e-9),
    VM("vstats_domain_cpu_system_seconds_total", "counter", "System CPU time of the domain's processes.", cpu_system_ns, 1e-9),
    VM("vstats_domain_vcpus_maximum", "gauge", "Maximum number of virtual CPUs.", vcpu_maximum, 1),
    VM("vstats_domain_balloon_rss_bytes", "gauge", "Resident memory of the QEMU process.", balloon.rss_kib, 1024),
    VM("vstats_domain_balloon_usable_bytes", "gauge", "Memory the guest could use without swapping.", balloon.usable_kib, 1024),
    VM("vstats_domain_balloon_unused_bytes", "gauge", "Memory left unused by the guest.", balloon.unused_kib, 1024),
    VM("vstats_domain_balloon_available_bytes", "gauge", "Memory the guest sees.", balloon.available_kib, 1024),
    VM("vstats_domain_balloon_disk_caches_bytes", "gauge", "Memory the guest uses for caches it can drop.", balloon.disk_caches_kib, 1024),
    VM("vstats_domain_balloon_swap_in_bytes_total", "counter", "Memory swapped in by the guest.", balloon.swap_in_kib, 1024),
    VM("vstats_domain_balloon_swap_out_bytes_total", "counter", "Memory swapped out by the guest.", balloon.swap_out_kib, 1024),
    VM("vstats_domain_balloon_major_faults_total", "counter", "Major page faults in the guest.", balloon.major_fault, 1),
    VM("vstats_domain_balloon_minor_faults_total", "counter", "Minor page faults in the guest.", balloon.minor_fault, 1),
    CPU("vstats_domain_vcpu_time_seconds_total", "counter", "CPU time of the vCPU's thread.", time_ns, 1e-9),
    CPU("vstats_domain_vcpu_wait_seconds_total", "counter", "Time the vCPU waited on I/O.", wait_ns, 1e-9),
    CPU("vstats_domain_vcpu_delay_seconds_total", "counter", "Time the vCPU was runnable but waited for a host CPU.", delay_ns, 1e-9),
    BLK("vstats_domain_block_read_time_seconds_total", "counter", "Time spent on reads.", rd_times_ns, 1e-9),
    BLK("vstats_domain_block_write_time_seconds_total", "counter", "Time spent on writes.", wr_times_ns, 1e-9),
    BLK("vstats_domain_block_flush_requests_total", "counter", "Flush requests.", fl_reqs, 1),
    BLK("vstats_domain_block_flush_time_seconds_total", "counter", "Time spent on flushes.", fl_times_ns, 1e-9),
    BLK("vstats_domain_block_capacity_bytes", "gauge", "Logical size of the device.", capacity, 1),
    BLK("vstats_domain_block_allocation_bytes", "gauge", "Highest allocated extent of the device.", allocation, 1),
    BLK("vstats_domain_block_physical_bytes", "gauge", "Physical size of the backing storage.", physical, 1),
};

/* Label values escape backslash, double quote and newline. */
static void
append_label_value(GString *out, const char *value)
{
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\')
            g_string_append(out, "\\\\");
        else if (*p == '"')
            g_string_append(out, "\\\"");
        else if (*p == '\n')
            g_string_append(out, "\\n");
        else
            g_string_append_c(out, *p);
    }
}

static void
header(GString *out, const char *name, const char *type, const char *help)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
label(GString *out, const char *name, const char *value)
{
    g_string_append_printf(out, ",%s=\"", name);
    append_label_value(out, value);
    g_string_append_c(out, '"');
}

/* name{domain,[device labels,]uuid}: labels sorted by name, as the
 * exporter writes them, so that its output and ours compare line by line. */
static void
sample_start(GString *out, const char *name, const VstatsVm *vm, Scope scope,
             gconstpointer item)
{
    g_string_append_printf(out, "%s{domain=\"", name);
    append_label_value(out, vm->name);
    g_string_append_c(out, '"');
    if (scope == SCOPE_BLOCK) {
        label(out, "source_file", ((const VstatsBlock *) item)->path);
        label(out, "target_device", ((const VstatsBlock *) item)->name);
    } else if (scope == SCOPE_NET) {
        label(out, "source_bridge", ((const VstatsNet *) item)->bridge);
        label(out, "target_device", ((const VstatsNet *) item)->name);
    }
    label(out, "uuid", vm->uuid);
    if (scope == SCOPE_VCPU)
        g_string_append_printf(out, ",vcpu=\"%u\"", ((const VstatsVcpu *) item)->id);
    g_string_append(out, "} ");
}

static void
append_double(GString *out, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_printf(out, "%s\n", g_ascii_formatd(buf, sizeof(buf), "%.15g", v));
}

static void
append_value(GString *out, gint64 raw, double scale)
{
    if (scale == 1)
        g_string_append_printf(out, "%" G_GINT64_FORMAT "\n", raw);
    else
        append_double(out, raw * scale);
}

static guint
n_items(const VstatsVm *vm, Scope scope)
{
    switch (scope) {
    case SCOPE_BLOCK: return vm->n_blocks;
    case SCOPE_NET: return vm->n_nets;
    case SCOPE_VCPU: return vm->n_vcpus;
    case SCOPE_VM:
    default: return 1;
    }
}

static gconstpointer
item_at(const VstatsVm *vm, Scope scope, guint i)
{
    switch (scope) {
    case SCOPE_BLOCK: return &vm->blocks[i];
    case SCOPE_NET: return &vm->nets[i];
    case SCOPE_VCPU: return &vm->vcpus[i];
    case SCOPE_VM:
    default: return vm;
    }
}

static gint64
raw_value(const Family *f, gconstpointer item)
{
    if (f->scope == SCOPE_VM && f->offset == G_STRUCT_OFFSET(VstatsVm, state))
        return ((const VstatsVm *) item)->state;
    return G_STRUCT_MEMBER(gint64, item, f->offset);
}

static void
family(GString *out, const VstatsReport *r, const Family *f)
{
    gsize mark = out->len;
    gboolean any = FALSE;

    header(out, f->name, f->type, f->help);
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++) {
        const VstatsVm *vm = vstats_report_get_vm(r, i);

        for (guint d = 0; d < n_items(vm, f->scope); d++) {
            gconstpointer item = item_at(vm, f->scope, d);
            gint64 raw = raw_value(f, item);

            if (raw < 0)
                continue;
            any = TRUE;
            sample_start(out, f->name, vm, f->scope, item);
            append_value(out, raw, f->scale);
        }
    }
    if (!any)
        g_string_truncate(out, mark);
}

typedef double (*VmValue)(const VstatsVm *vm, gint64 extra_age_ms);
static double v_fresh(const VstatsVm *vm, gint64 late) { return vm->fresh && !late; }
static double v_age(const VstatsVm *vm, gint64 late) { return (vm->age_ms + late) / 1000.0; }
static double v_unresp(const VstatsVm *vm, gint64 late G_GNUC_UNUSED) { return vm->monitor_unresponsive_ms / 1000.0; }
static double v_notresp(const VstatsVm *vm, gint64 late G_GNUC_UNUSED) { return vm->not_responding; }

/* @late_ms: how much older than the report the values are now, when the
 * scrape could only get an old report; 0 otherwise. */
static void
gauge(GString *out, const VstatsReport *r, const char *name, const char *help,
      VmValue value, gint64 late_ms)
{
    if (vstats_report_get_n_vms(r) == 0)
        return;
    header(out, name, "gauge", help);
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++) {
        const VstatsVm *vm = vstats_report_get_vm(r, i);
        sample_start(out, name, vm, SCOPE_VM, vm);
        append_double(out, value(vm, late_ms));
    }
}

char *
vstats_metrics_format(const VstatsScrape *scrape, gint64 now_us)
{
    const VstatsReport *r = scrape->report;
    GString *out = g_string_sized_new(r ? 256 + 4096 * vstats_report_get_n_vms(r) : 1024);
    gboolean up = r && !scrape->late && vstats_report_get_up(r);
    gint64 late_ms = 0;

    header(out, "libvirt_up", "gauge", "Whether scraping libvirt's metrics was successful.");
    g_string_append_printf(out, "libvirt_up %d\n", up ? 1 : 0);
    header(out, "vstats_collections_total", "counter", "Collections run since vstats started.");
    g_string_append_printf(out, "vstats_collections_total %" G_GUINT64_FORMAT "\n", scrape->collections);
    if (!r)
        return g_string_free(out, FALSE);

    if (scrape->late)
        late_ms = MAX(now_us - vstats_report_get_wall_time_us(r), 0) / 1000;
    header(out, "vstats_collection_duration_seconds", "gauge", "Time the collection took.");
    g_string_append(out, "vstats_collection_duration_seconds ");
    append_double(out, vstats_report_get_duration_us(r) / 1e6);
    header(out, "vstats_collection_timestamp_seconds", "gauge",
           "When the collection served started (Unix time).");
    g_string_append(out, "vstats_collection_timestamp_seconds ");
    append_double(out, vstats_report_get_wall_time_us(r) / 1e6);
    header(out, "vstats_collection_timed_out", "gauge", "1 if some call overran the deadline.");
    g_string_append_printf(out, "vstats_collection_timed_out %d\n",
                           vstats_report_get_timed_out(r) || scrape->late ? 1 : 0);
    header(out, "vstats_strategy_info", "gauge", "Collection strategy in use (always 1).");
    g_string_append(out, "vstats_strategy_info{strategy=\"");
    append_label_value(out, vstats_report_get_strategy(r));
    g_string_append(out, "\"} 1\n");
    header(out, "libvirt_domains_number", "gauge", "Number of domains.");
    g_string_append_printf(out, "libvirt_domains_number %u\n", vstats_report_get_n_vms(r));

    for (gsize i = 0; i < G_N_ELEMENTS(exporter_families); i++)
        family(out, r, &exporter_families[i]);
    gauge(out, r, "vstats_domain_stats_fresh",
          "1 if the domain's values were collected by the collection served.", v_fresh, late_ms);
    gauge(out, r, "vstats_domain_stats_age_seconds",
          "Age of the oldest value reported for the domain.", v_age, late_ms);
    gauge(out, r, "vstats_domain_monitor_unresponsive_seconds",
          "How long the hypervisor monitor has not answered.", v_unresp, late_ms);
    gauge(out, r, "vstats_domain_not_responding",
          "1 if the domain counts as not responding.", v_notresp, late_ms);
    for (gsize i = 0; i < G_N_ELEMENTS(vstats_families); i++)
        family(out, r, &vstats_families[i]);
    return g_string_free(out, FALSE);
}
