/*
 * format-prometheus.c: text exposition format 0.0.4.  Counters are the
 * raw cumulative values (Prometheus computes rates itself), converted to
 * base units (seconds, bytes).  Each family is written as one group, as
 * the format requires; missing values are left out, never written as 0.
 */
#include "vstats.h"

#include <math.h>

typedef enum { SCOPE_VM, SCOPE_BLOCK, SCOPE_NET } Scope;

typedef struct {
    const char *name;
    const char *type;
    const char *help;
    Scope scope;
    gsize offset;   /* of a gint64 counter in VstatsVm/VstatsBlock/VstatsNet */
    double scale;   /* to base units; 1 keeps integers exact */
} Family;

#define VM(n, t, h, f, s) { n, t, h, SCOPE_VM, G_STRUCT_OFFSET(VstatsVm, f), s }
#define BLK(n, t, h, f, s) { n, t, h, SCOPE_BLOCK, G_STRUCT_OFFSET(VstatsBlock, f), s }
#define NET(n, t, h, f, s) { n, t, h, SCOPE_NET, G_STRUCT_OFFSET(VstatsNet, f), s }

static const Family families[] = {
    VM("libvirt_domain_cpu_seconds_total", "counter", "CPU time used by the domain.", cpu_time_ns, 1e-9),
    VM("libvirt_domain_cpu_user_seconds_total", "counter", "User CPU time of the domain's processes.", cpu_user_ns, 1e-9),
    VM("libvirt_domain_cpu_system_seconds_total", "counter", "System CPU time of the domain's processes.", cpu_system_ns, 1e-9),
    VM("libvirt_domain_vcpus", "gauge", "Virtual CPUs online.", vcpu_current, 1),
    VM("libvirt_domain_balloon_current_bytes", "gauge", "Memory currently given to the guest (balloon).", balloon.current_kib, 1024),
    VM("libvirt_domain_balloon_maximum_bytes", "gauge", "Maximum memory of the domain.", balloon.maximum_kib, 1024),
    VM("libvirt_domain_balloon_rss_bytes", "gauge", "Resident memory of the QEMU process.", balloon.rss_kib, 1024),
    VM("libvirt_domain_balloon_usable_bytes", "gauge", "Memory the guest could use without swapping.", balloon.usable_kib, 1024),
    VM("libvirt_domain_balloon_unused_bytes", "gauge", "Memory left unused by the guest.", balloon.unused_kib, 1024),
    VM("libvirt_domain_balloon_available_bytes", "gauge", "Memory the guest sees.", balloon.available_kib, 1024),
    VM("libvirt_domain_balloon_swap_in_bytes_total", "counter", "Memory swapped in by the guest.", balloon.swap_in_kib, 1024),
    VM("libvirt_domain_balloon_swap_out_bytes_total", "counter", "Memory swapped out by the guest.", balloon.swap_out_kib, 1024),
    VM("libvirt_domain_balloon_major_faults_total", "counter", "Major page faults in the guest.", balloon.major_fault, 1),
    VM("libvirt_domain_balloon_minor_faults_total", "counter", "Minor page faults in the guest.", balloon.minor_fault, 1),
    BLK("libvirt_domain_block_read_bytes_total", "counter", "Bytes read from the device.", rd_bytes, 1),
    BLK("libvirt_domain_block_write_bytes_total", "counter", "Bytes written to the device.", wr_bytes, 1),
    BLK("libvirt_domain_block_read_requests_total", "counter", "Read requests.", rd_reqs, 1),
    BLK("libvirt_domain_block_write_requests_total", "counter", "Write requests.", wr_reqs, 1),
    BLK("libvirt_domain_block_read_time_seconds_total", "counter", "Time spent on reads.", rd_times_ns, 1e-9),
    BLK("libvirt_domain_block_write_time_seconds_total", "counter", "Time spent on writes.", wr_times_ns, 1e-9),
    BLK("libvirt_domain_block_flush_requests_total", "counter", "Flush requests.", fl_reqs, 1),
    BLK("libvirt_domain_block_capacity_bytes", "gauge", "Logical size of the device.", capacity, 1),
    BLK("libvirt_domain_block_allocation_bytes", "gauge", "Highest allocated extent of the device.", allocation, 1),
    BLK("libvirt_domain_block_physical_bytes", "gauge", "Physical size of the backing storage.", physical, 1),
    NET("libvirt_domain_net_receive_bytes_total", "counter", "Bytes received.", rx_bytes, 1),
    NET("libvirt_domain_net_receive_packets_total", "counter", "Packets received.", rx_pkts, 1),
    NET("libvirt_domain_net_receive_errors_total", "counter", "Receive errors.", rx_errs, 1),
    NET("libvirt_domain_net_receive_drops_total", "counter", "Received packets dropped.", rx_drop, 1),
    NET("libvirt_domain_net_transmit_bytes_total", "counter", "Bytes sent.", tx_bytes, 1),
    NET("libvirt_domain_net_transmit_packets_total", "counter", "Packets sent.", tx_pkts, 1),
    NET("libvirt_domain_net_transmit_errors_total", "counter", "Transmit errors.", tx_errs, 1),
    NET("libvirt_domain_net_transmit_drops_total", "counter", "Sent packets dropped.", tx_drop, 1),
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
sample_start(GString *out, const char *name, const VstatsVm *vm, const char *device)
{
    g_string_append_printf(out, "%s{domain=\"", name);
    append_label_value(out, vm->name);
    if (device) {
        g_string_append(out, "\",device=\"");
        append_label_value(out, device);
    }
    g_string_append(out, "\"} ");
}

static void
append_value(GString *out, gint64 raw, double scale)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    if (scale == 1)
        g_string_append_printf(out, "%" G_GINT64_FORMAT "\n", raw);
    else
        g_string_append_printf(out, "%s\n",
                               g_ascii_formatd(buf, sizeof(buf), "%.15g", raw * scale));
}

static void
append_double(GString *out, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_printf(out, "%s\n", g_ascii_formatd(buf, sizeof(buf), "%.9g", v));
}

static void
counter_family(GString *out, const VstatsReport *r, const Family *f)
{
    gboolean any = FALSE;

    for (int pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < vstats_report_get_n_vms(r); i++) {
            const VstatsVm *vm = vstats_report_get_vm(r, i);
            guint n = f->scope == SCOPE_VM ? 1 : f->scope == SCOPE_BLOCK ? vm->n_blocks : vm->n_nets;

            for (guint d = 0; d < n; d++) {
                gconstpointer base = f->scope == SCOPE_VM ? (gconstpointer) vm :
                                     f->scope == SCOPE_BLOCK ? (gconstpointer) &vm->blocks[d] :
                                                               (gconstpointer) &vm->nets[d];
                const char *dev = f->scope == SCOPE_VM ? NULL :
                                  f->scope == SCOPE_BLOCK ? vm->blocks[d].name : vm->nets[d].name;
                gint64 raw = G_STRUCT_MEMBER(gint64, base, f->offset);

                if (raw < 0)
                    continue;
                if (pass == 0) {
                    any = TRUE;
                    break;
                }
                sample_start(out, f->name, vm, dev);
                append_value(out, raw, f->scale);
            }
            if (pass == 0 && any)
                break;
        }
        /* A family with no sample at all is left out entirely. */
        if (pass == 0 && !any)
            return;
        if (pass == 0)
            header(out, f->name, f->type, f->help);
    }
}

typedef double (*VmValue)(const VstatsVm *vm);
static double v_fresh(const VstatsVm *vm) { return vm->fresh; }
static double v_age(const VstatsVm *vm) { return vm->age_ms / 1000.0; }
static double v_unresp(const VstatsVm *vm) { return vm->monitor_unresponsive_ms / 1000.0; }
static double v_notresp(const VstatsVm *vm) { return vm->not_responding; }
static double v_state(const VstatsVm *vm) { return vm->state; }

static void
gauge_family(GString *out, const VstatsReport *r, const char *name,
             const char *help, VmValue value)
{
    if (vstats_report_get_n_vms(r) == 0)
        return;
    header(out, name, "gauge", help);
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++) {
        const VstatsVm *vm = vstats_report_get_vm(r, i);
        sample_start(out, name, vm, NULL);
        append_double(out, value(vm));
    }
}

static void
info_family(GString *out, const VstatsReport *r)
{
    if (vstats_report_get_n_vms(r) == 0)
        return;
    header(out, "libvirt_domain_info", "gauge", "Domain identity and state (always 1).");
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++) {
        const VstatsVm *vm = vstats_report_get_vm(r, i);
        g_string_append(out, "libvirt_domain_info{domain=\"");
        append_label_value(out, vm->name);
        g_string_append(out, "\",uuid=\"");
        append_label_value(out, vm->uuid);
        g_string_append_printf(out, "\",state=\"%s\"} 1\n", vstats_state_to_string(vm->state));
    }
}

char *
vstats_format_prometheus(const VstatsReport *r)
{
    GString *out = g_string_new(NULL);

    header(out, "vstats_up", "gauge", "1 if the last collection reached the daemon.");
    g_string_append_printf(out, "vstats_up %d\n", vstats_report_get_up(r) ? 1 : 0);
    header(out, "vstats_scrape_duration_seconds", "gauge", "Time the collection took.");
    g_string_append(out, "vstats_scrape_duration_seconds ");
    append_double(out, vstats_report_get_duration_us(r) / 1e6);
    header(out, "vstats_scrape_timed_out", "gauge", "1 if some call overran the deadline.");
    g_string_append_printf(out, "vstats_scrape_timed_out %d\n", vstats_report_get_timed_out(r) ? 1 : 0);
    header(out, "vstats_strategy_info", "gauge", "Collection strategy in use (always 1).");
    g_string_append(out, "vstats_strategy_info{strategy=\"");
    append_label_value(out, vstats_report_get_strategy(r));
    g_string_append(out, "\"} 1\n");
    header(out, "vstats_domains", "gauge", "Domains reported.");
    g_string_append_printf(out, "vstats_domains %u\n", vstats_report_get_n_vms(r));

    info_family(out, r);
    gauge_family(out, r, "libvirt_domain_state", "virDomainState of the domain.", v_state);
    gauge_family(out, r, "libvirt_domain_stats_fresh",
                 "1 if every value was collected in this scrape.", v_fresh);
    gauge_family(out, r, "libvirt_domain_stats_age_seconds",
                 "Age of the oldest value reported for the domain.", v_age);
    gauge_family(out, r, "libvirt_domain_monitor_unresponsive_seconds",
                 "How long the hypervisor monitor has not answered.", v_unresp);
    gauge_family(out, r, "libvirt_domain_not_responding",
                 "1 if the domain counts as not responding.", v_notresp);
    for (gsize i = 0; i < G_N_ELEMENTS(families); i++)
        counter_family(out, r, &families[i]);
    return g_string_free(out, FALSE);
}
