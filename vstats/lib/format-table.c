/*
 * format-table.c: a virt-top-like screen, one block per cycle.
 */
#include "vstats.h"

#include <math.h>

static void
cell(GString *out, int width, double v, int decimals)
{
    if (isfinite(v))
        g_string_append_printf(out, " %*.*f", width, decimals, v);
    else
        g_string_append_printf(out, " %*s", width, "-");
}

static double
sum_blocks(const VstatsVm *vm, gsize offset)
{
    double sum = 0;
    for (guint i = 0; i < vm->n_blocks; i++)
        sum += G_STRUCT_MEMBER(double, &vm->blocks[i], offset);
    return vm->n_blocks ? sum : NAN;
}

static double
sum_nets(const VstatsVm *vm, gsize offset)
{
    double sum = 0;
    for (guint i = 0; i < vm->n_nets; i++)
        sum += G_STRUCT_MEMBER(double, &vm->nets[i], offset);
    return vm->n_nets ? sum : NAN;
}

char *
vstats_format_table(const VstatsReport *r)
{
    GString *out = g_string_new(NULL);
    g_autoptr(GDateTime) now = g_date_time_new_now_local();
    g_autofree char *clock = g_date_time_format(now, "%H:%M:%S");

    g_string_append_printf(out, "vstats %s - strategy %s, cycle %.1f ms%s, %u domains%s%s\n",
                           clock, vstats_report_get_strategy(r),
                           vstats_report_get_duration_us(r) / 1000.0,
                           vstats_report_get_timed_out(r) ? " (deadline hit)" : "",
                           vstats_report_get_n_vms(r),
                           vstats_report_get_up(r) ? "" : ", DOWN: ",
                           vstats_report_get_up(r) ? "" : vstats_report_get_error(r));
    g_string_append_printf(out, "%-11s %6s %6s %6s %9s %9s %7s %7s %9s %9s %8s %6s %-5s %s\n",
                           "STATE", "%CPU", "%USR", "%SYS", "RDBY/s", "WRBY/s",
                           "RDRQ/s", "WRRQ/s", "RXBY/s", "TXBY/s", "MEM(MiB)",
                           "AGE", "FRESH", "NAME");
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++) {
        const VstatsVm *vm = vstats_report_get_vm(r, i);
        g_string_append_printf(out, "%-11s", vstats_state_to_string(vm->state));
        cell(out, 6, vm->cpu_total_pct, 1);
        cell(out, 6, vm->cpu_user_pct, 1);
        cell(out, 6, vm->cpu_system_pct, 1);
        cell(out, 9, sum_blocks(vm, G_STRUCT_OFFSET(VstatsBlock, rd_bytes_rate)), 0);
        cell(out, 9, sum_blocks(vm, G_STRUCT_OFFSET(VstatsBlock, wr_bytes_rate)), 0);
        cell(out, 7, sum_blocks(vm, G_STRUCT_OFFSET(VstatsBlock, rd_iops)), 1);
        cell(out, 7, sum_blocks(vm, G_STRUCT_OFFSET(VstatsBlock, wr_iops)), 1);
        cell(out, 9, sum_nets(vm, G_STRUCT_OFFSET(VstatsNet, rx_bytes_rate)), 0);
        cell(out, 9, sum_nets(vm, G_STRUCT_OFFSET(VstatsNet, tx_bytes_rate)), 0);
        cell(out, 8, vm->balloon.current_kib >= 0 ? vm->balloon.current_kib / 1024.0 : NAN, 0);
        cell(out, 6, vm->age_ms / 1000.0, 1);
        g_string_append_printf(out, " %-5s %s%s\n", vm->fresh ? "yes" : "no", vm->name,
                               vm->not_responding ? " (NOT RESPONDING)" : "");
    }
    return g_string_free(out, FALSE);
}
