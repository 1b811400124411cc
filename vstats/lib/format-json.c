/*
 * format-json.c: one JSON object per cycle (JSON lines), with raw
 * counters and rates; unknown values are null.
 */
#include "vstats.h"
#include "json-util.h"

static void
add_block(VstatsJsonWriter *w, const VstatsBlock *d)
{
    vstats_json_begin_object(w);
    vstats_json_member_string(w, "name", d->name);
    vstats_json_member_double(w, "read_bytes_per_s", d->rd_bytes_rate);
    vstats_json_member_double(w, "write_bytes_per_s", d->wr_bytes_rate);
    vstats_json_member_double(w, "read_iops", d->rd_iops);
    vstats_json_member_double(w, "write_iops", d->wr_iops);
    vstats_json_member_double(w, "read_latency_ns", d->rd_latency_ns);
    vstats_json_member_double(w, "write_latency_ns", d->wr_latency_ns);
    vstats_json_member_counter(w, "read_bytes", d->rd_bytes);
    vstats_json_member_counter(w, "write_bytes", d->wr_bytes);
    vstats_json_member_counter(w, "read_reqs", d->rd_reqs);
    vstats_json_member_counter(w, "write_reqs", d->wr_reqs);
    vstats_json_member_counter(w, "flush_reqs", d->fl_reqs);
    vstats_json_member_counter(w, "capacity", d->capacity);
    vstats_json_member_counter(w, "allocation", d->allocation);
    vstats_json_member_counter(w, "physical", d->physical);
    vstats_json_end_object(w);
}

static void
add_net(VstatsJsonWriter *w, const VstatsNet *n)
{
    vstats_json_begin_object(w);
    vstats_json_member_string(w, "name", n->name);
    vstats_json_member_double(w, "rx_bytes_per_s", n->rx_bytes_rate);
    vstats_json_member_double(w, "tx_bytes_per_s", n->tx_bytes_rate);
    vstats_json_member_double(w, "rx_pkts_per_s", n->rx_pkts_rate);
    vstats_json_member_double(w, "tx_pkts_per_s", n->tx_pkts_rate);
    vstats_json_member_counter(w, "rx_bytes", n->rx_bytes);
    vstats_json_member_counter(w, "tx_bytes", n->tx_bytes);
    vstats_json_member_counter(w, "rx_pkts", n->rx_pkts);
    vstats_json_member_counter(w, "tx_pkts", n->tx_pkts);
    vstats_json_member_counter(w, "rx_errs", n->rx_errs);
    vstats_json_member_counter(w, "rx_drop", n->rx_drop);
    vstats_json_member_counter(w, "tx_errs", n->tx_errs);
    vstats_json_member_counter(w, "tx_drop", n->tx_drop);
    vstats_json_end_object(w);
}

static void
add_cpu(VstatsJsonWriter *w, const VstatsVm *vm)
{
    vstats_json_key(w, "cpu");
    vstats_json_begin_object(w);
    vstats_json_member_double(w, "user_pct", vm->cpu_user_pct);
    vstats_json_member_double(w, "system_pct", vm->cpu_system_pct);
    vstats_json_member_double(w, "total_pct", vm->cpu_total_pct);
    vstats_json_member_counter(w, "time_ns", vm->cpu_time_ns);
    vstats_json_member_counter(w, "user_ns", vm->cpu_user_ns);
    vstats_json_member_counter(w, "system_ns", vm->cpu_system_ns);
    vstats_json_member_counter(w, "vcpus", vm->vcpu_current);
    vstats_json_end_object(w);
}

static void
add_balloon(VstatsJsonWriter *w, const VstatsBalloon *m)
{
    vstats_json_key(w, "balloon");
    vstats_json_begin_object(w);
    vstats_json_member_counter(w, "current_kib", m->current_kib);
    vstats_json_member_counter(w, "maximum_kib", m->maximum_kib);
    vstats_json_member_counter(w, "rss_kib", m->rss_kib);
    vstats_json_member_counter(w, "usable_kib", m->usable_kib);
    vstats_json_member_counter(w, "unused_kib", m->unused_kib);
    vstats_json_member_counter(w, "available_kib", m->available_kib);
    vstats_json_member_counter(w, "disk_caches_kib", m->disk_caches_kib);
    vstats_json_member_counter(w, "swap_in_kib", m->swap_in_kib);
    vstats_json_member_counter(w, "swap_out_kib", m->swap_out_kib);
    vstats_json_member_counter(w, "major_fault", m->major_fault);
    vstats_json_member_counter(w, "minor_fault", m->minor_fault);
    vstats_json_end_object(w);
}

static void
add_vm(VstatsJsonWriter *w, const VstatsVm *vm)
{
    vstats_json_begin_object(w);
    vstats_json_member_string(w, "name", vm->name);
    vstats_json_member_string(w, "uuid", vm->uuid);
    vstats_json_member_string(w, "state", vstats_state_to_string(vm->state));
    vstats_json_member_bool(w, "fresh", vm->fresh);
    vstats_json_member_int(w, "age_ms", vm->age_ms);
    vstats_json_member_int(w, "monitor_unresponsive_ms", vm->monitor_unresponsive_ms);
    vstats_json_member_bool(w, "not_responding", vm->not_responding);
    vstats_json_member_string(w, "freshness_source",
                              vm->has_daemon_freshness ? "daemon" : "client");
    vstats_json_member_double(w, "interval_s", vm->interval_s);
    add_cpu(w, vm);
    add_balloon(w, &vm->balloon);

    vstats_json_key(w, "disks");
    vstats_json_begin_array(w);
    for (guint i = 0; i < vm->n_blocks; i++)
        add_block(w, &vm->blocks[i]);
    vstats_json_end_array(w);

    vstats_json_key(w, "nets");
    vstats_json_begin_array(w);
    for (guint i = 0; i < vm->n_nets; i++)
        add_net(w, &vm->nets[i]);
    vstats_json_end_array(w);
    vstats_json_end_object(w);
}

char *
vstats_format_json(const VstatsReport *r)
{
    g_autoptr(VstatsJsonWriter) w = vstats_json_writer_new();
    g_autofree char *time = vstats_json_time(vstats_report_get_wall_time_us(r));

    vstats_json_begin_object(w);
    vstats_json_member_string(w, "time", time);
    vstats_json_member_string(w, "strategy", vstats_report_get_strategy(r));
    vstats_json_member_bool(w, "up", vstats_report_get_up(r));
    /* NULL (no error) is written as null. */
    vstats_json_member_string(w, "error", vstats_report_get_error(r));
    vstats_json_member_double(w, "cycle_ms", vstats_report_get_duration_us(r) / 1000.0);
    vstats_json_member_int(w, "timeout_ms", vstats_report_get_timeout_ms(r));
    vstats_json_member_bool(w, "timed_out", vstats_report_get_timed_out(r));
    vstats_json_member_int(w, "reconnect_gap_ms", (gint64) vstats_report_get_reconnect_gap_ms(r));

    vstats_json_key(w, "vms");
    vstats_json_begin_array(w);
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++)
        add_vm(w, vstats_report_get_vm(r, i));
    vstats_json_end_array(w);
    vstats_json_end_object(w);
    return vstats_json_writer_finish(w);
}
