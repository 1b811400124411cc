/*
 * boot-report.c: table and JSON output of boot-storm.
 */
#include "boot-report.h"
#include "json-writer.h"

#include <math.h>

static void
append_ms(GString *out, const char *label, double ms)
{
    if (isnan(ms))
        g_string_append_printf(out, "  %-10s n/a\n", label);
    else
        g_string_append_printf(out, "  %-10s %10.1f ms\n", label, ms);
}

char *
vstats_boot_report_table(VstatsBootStorm *storm, const VstatsBootReportContext *ctx)
{
    const VstatsBootStats *st = vstats_boot_storm_get_stats(storm);
    const GArray *traj = vstats_boot_storm_get_trajectory(storm);
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "boot storm: %u VMs from %s, concurrency %s%s, on %s\n",
                           st->requested, ctx->source, ctx->concurrency,
                           ctx->paused ? ", paused" : "", ctx->uri);
    g_string_append_printf(out, "  up %u, failed %u, not started %u%s; at most %u in flight\n",
                           st->succeeded, st->failed, st->requested - st->attempted,
                           st->cancelled ? " (interrupted)" : "", st->max_in_flight);
    g_string_append(out, "request to running:\n");
    append_ms(out, "mean", st->mean_ms);
    append_ms(out, "p50", st->p50_ms);
    append_ms(out, "p95", st->p95_ms);
    append_ms(out, "max", st->max_ms);
    g_string_append_printf(out, "makespan     %10.1f ms\n", st->makespan_ms);
    g_string_append_printf(out, "throughput   %10.2f VMs/s\n", st->throughput);
    if (ctx->daemon_pid > 0 && !isnan(ctx->daemon_cpu_s))
        g_string_append_printf(out, "daemon CPU   %10.2f s (pid %d)\n",
                               ctx->daemon_cpu_s, ctx->daemon_pid);
    else
        g_string_append(out, "daemon CPU          n/a\n");
    if (!isnan(ctx->qemu_cpu_s))
        g_string_append_printf(out, "QEMU CPU     %10.2f s (%u processes)\n",
                               ctx->qemu_cpu_s, ctx->qemu_processes);
    else
        g_string_append(out, "QEMU CPU            n/a\n");
    if (traj) {
        g_string_append(out, "concurrency (after N completions: limit):");
        for (guint i = 0; i < traj->len; i++) {
            const VstatsConcurrencyStep *step = &g_array_index(traj, VstatsConcurrencyStep, i);
            g_string_append_printf(out, " %u:%u", step->completed, step->limit);
        }
        g_string_append_c(out, '\n');
    }
    for (guint i = 0; i < vstats_boot_storm_get_n_vms(storm); i++) {
        const VstatsBootVm *vm = vstats_boot_storm_get_vm(storm, i);
        if (vm->attempted && !vm->ok)
            g_string_append_printf(out, "FAILED %s: %s\n", vm->name, vm->error);
    }
    return g_string_free(out, FALSE);
}

char *
vstats_boot_report_json(VstatsBootStorm *storm, const VstatsBootReportContext *ctx)
{
    const VstatsBootStats *st = vstats_boot_storm_get_stats(storm);
    const GArray *traj = vstats_boot_storm_get_trajectory(storm);
    g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();

    vstats_json_begin_object(w);
    vstats_json_key(w, "parameters");
    vstats_json_begin_object(w);
    vstats_json_member_string(w, "uri", ctx->uri);
    vstats_json_member_int(w, "count", st->requested);
    vstats_json_member_string(w, "concurrency", ctx->concurrency);
    vstats_json_member_string(w, "source", ctx->source);
    vstats_json_member_string(w, "prefix", ctx->prefix);
    vstats_json_member_bool(w, "paused", ctx->paused);
    vstats_json_end_object(w);

    vstats_json_key(w, "stats");
    vstats_json_begin_object(w);
    vstats_json_member_int(w, "attempted", st->attempted);
    vstats_json_member_int(w, "succeeded", st->succeeded);
    vstats_json_member_int(w, "failed", st->failed);
    vstats_json_member_bool(w, "interrupted", st->cancelled);
    vstats_json_member_int(w, "max_in_flight", st->max_in_flight);
    vstats_json_member_double(w, "mean_ms", st->mean_ms);
    vstats_json_member_double(w, "p50_ms", st->p50_ms);
    vstats_json_member_double(w, "p95_ms", st->p95_ms);
    vstats_json_member_double(w, "max_ms", st->max_ms);
    vstats_json_member_double(w, "makespan_ms", st->makespan_ms);
    vstats_json_member_double(w, "throughput_vms_per_s", st->throughput);
    vstats_json_key(w, "daemon_pid");
    if (ctx->daemon_pid > 0)
        vstats_json_int(w, ctx->daemon_pid);
    else
        vstats_json_null(w);
    vstats_json_member_double(w, "daemon_cpu_s", ctx->daemon_pid > 0 ? ctx->daemon_cpu_s : NAN);
    vstats_json_member_int(w, "qemu_processes", ctx->qemu_processes);
    vstats_json_member_double(w, "qemu_cpu_s", ctx->qemu_cpu_s);
    vstats_json_end_object(w);

    vstats_json_key(w, "vms");
    vstats_json_begin_array(w);
    for (guint i = 0; i < vstats_boot_storm_get_n_vms(storm); i++) {
        const VstatsBootVm *vm = vstats_boot_storm_get_vm(storm, i);
        if (!vm->attempted)
            continue;
        vstats_json_begin_object(w);
        vstats_json_member_string(w, "name", vm->name);
        vstats_json_member_string(w, "uuid", vm->uuid);
        vstats_json_member_double(w, "start_ms", vm->start_us / 1000.0);
        vstats_json_member_double(w, "ms", (vm->end_us - vm->start_us) / 1000.0);
        vstats_json_member_int(w, "in_flight", vm->inflight_at_start);
        vstats_json_member_bool(w, "ok", vm->ok);
        vstats_json_member_string(w, "error", vm->error);
        vstats_json_end_object(w);
    }
    vstats_json_end_array(w);

    vstats_json_key(w, "concurrency_trajectory");
    if (traj) {
        vstats_json_begin_array(w);
        for (guint i = 0; i < traj->len; i++) {
            const VstatsConcurrencyStep *step = &g_array_index(traj, VstatsConcurrencyStep, i);
            vstats_json_begin_object(w);
            vstats_json_member_double(w, "time_ms", step->time_us / 1000.0);
            vstats_json_member_int(w, "completed", step->completed);
            vstats_json_member_int(w, "limit", step->limit);
            vstats_json_member_double(w, "throughput", step->throughput);
            vstats_json_end_object(w);
        }
        vstats_json_end_array(w);
    } else {
        vstats_json_null(w);
    }
    vstats_json_end_object(w);
    return vstats_json_writer_finish(w);
}
