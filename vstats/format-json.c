/*
 * format-json.c: one JSON object per cycle (JSON lines), with raw
 * counters and rates; unknown values are null.
 */
#include "vstats.h"
#include "json-util.h"

static void
add_block(JsonBuilder *b, const VstatsBlock *d)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, d->name);
    vstats_json_add_double(b, "read_bytes_per_s", d->rd_bytes_rate);
    vstats_json_add_double(b, "write_bytes_per_s", d->wr_bytes_rate);
    vstats_json_add_double(b, "read_iops", d->rd_iops);
    vstats_json_add_double(b, "write_iops", d->wr_iops);
    vstats_json_add_double(b, "read_latency_ns", d->rd_latency_ns);
    vstats_json_add_double(b, "write_latency_ns", d->wr_latency_ns);
    vstats_json_add_counter(b, "read_bytes", d->rd_bytes);
    vstats_json_add_counter(b, "write_bytes", d->wr_bytes);
    vstats_json_add_counter(b, "read_reqs", d->rd_reqs);
    vstats_json_add_counter(b, "write_reqs", d->wr_reqs);
    vstats_json_add_counter(b, "flush_reqs", d->fl_reqs);
    vstats_json_add_counter(b, "capacity", d->capacity);
    vstats_json_add_counter(b, "allocation", d->allocation);
    vstats_json_add_counter(b, "physical", d->physical);
    json_builder_end_object(b);
}

static void
add_net(JsonBuilder *b, const VstatsNet *n)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, n->name);
    vstats_json_add_double(b, "rx_bytes_per_s", n->rx_bytes_rate);
    vstats_json_add_double(b, "tx_bytes_per_s", n->tx_bytes_rate);
    vstats_json_add_double(b, "rx_pkts_per_s", n->rx_pkts_rate);
    vstats_json_add_double(b, "tx_pkts_per_s", n->tx_pkts_rate);
    vstats_json_add_counter(b, "rx_bytes", n->rx_bytes);
    vstats_json_add_counter(b, "tx_bytes", n->tx_bytes);
    vstats_json_add_counter(b, "rx_pkts", n->rx_pkts);
    vstats_json_add_counter(b, "tx_pkts", n->tx_pkts);
    vstats_json_add_counter(b, "rx_errs", n->rx_errs);
    vstats_json_add_counter(b, "rx_drop", n->rx_drop);
    vstats_json_add_counter(b, "tx_errs", n->tx_errs);
    vstats_json_add_counter(b, "tx_drop", n->tx_drop);
    json_builder_end_object(b);
}

static void
add_balloon(JsonBuilder *b, const VstatsBalloon *m)
{
    json_builder_set_member_name(b, "balloon");
    json_builder_begin_object(b);
    vstats_json_add_counter(b, "current_kib", m->current_kib);
    vstats_json_add_counter(b, "maximum_kib", m->maximum_kib);
    vstats_json_add_counter(b, "rss_kib", m->rss_kib);
    vstats_json_add_counter(b, "usable_kib", m->usable_kib);
    vstats_json_add_counter(b, "unused_kib", m->unused_kib);
    vstats_json_add_counter(b, "available_kib", m->available_kib);
    vstats_json_add_counter(b, "disk_caches_kib", m->disk_caches_kib);
    vstats_json_add_counter(b, "swap_in_kib", m->swap_in_kib);
    vstats_json_add_counter(b, "swap_out_kib", m->swap_out_kib);
    vstats_json_add_counter(b, "major_fault", m->major_fault);
    vstats_json_add_counter(b, "minor_fault", m->minor_fault);
    json_builder_end_object(b);
}

static void
add_vm(JsonBuilder *b, const VstatsVm *vm)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, vm->name);
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, vm->uuid);
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, vstats_state_to_string(vm->state));
    json_builder_set_member_name(b, "fresh");
    json_builder_add_boolean_value(b, vm->fresh);
    json_builder_set_member_name(b, "age_ms");
    json_builder_add_int_value(b, vm->age_ms);
    json_builder_set_member_name(b, "monitor_unresponsive_ms");
    json_builder_add_int_value(b, vm->monitor_unresponsive_ms);
    json_builder_set_member_name(b, "not_responding");
    json_builder_add_boolean_value(b, vm->not_responding);
    json_builder_set_member_name(b, "freshness_source");
    json_builder_add_string_value(b, vm->has_daemon_freshness ? "daemon" : "client");
    vstats_json_add_double(b, "interval_s", vm->interval_s);

    json_builder_set_member_name(b, "cpu");
    json_builder_begin_object(b);
    vstats_json_add_double(b, "user_pct", vm->cpu_user_pct);
    vstats_json_add_double(b, "system_pct", vm->cpu_system_pct);
    vstats_json_add_double(b, "total_pct", vm->cpu_total_pct);
    vstats_json_add_counter(b, "time_ns", vm->cpu_time_ns);
    vstats_json_add_counter(b, "user_ns", vm->cpu_user_ns);
    vstats_json_add_counter(b, "system_ns", vm->cpu_system_ns);
    vstats_json_add_counter(b, "vcpus", vm->vcpu_current);
    json_builder_end_object(b);

    add_balloon(b, &vm->balloon);

    json_builder_set_member_name(b, "disks");
    json_builder_begin_array(b);
    for (guint i = 0; i < vm->n_blocks; i++)
        add_block(b, &vm->blocks[i]);
    json_builder_end_array(b);

    json_builder_set_member_name(b, "nets");
    json_builder_begin_array(b);
    for (guint i = 0; i < vm->n_nets; i++)
        add_net(b, &vm->nets[i]);
    json_builder_end_array(b);
    json_builder_end_object(b);
}

char *
vstats_format_json(const VstatsReport *r)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autofree char *time = vstats_json_time(vstats_report_get_wall_time_us(r));

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "time");
    json_builder_add_string_value(b, time);
    json_builder_set_member_name(b, "strategy");
    json_builder_add_string_value(b, vstats_report_get_strategy(r));
    json_builder_set_member_name(b, "up");
    json_builder_add_boolean_value(b, vstats_report_get_up(r));
    json_builder_set_member_name(b, "error");
    if (vstats_report_get_error(r))
        json_builder_add_string_value(b, vstats_report_get_error(r));
    else
        json_builder_add_null_value(b);
    vstats_json_add_double(b, "cycle_ms", vstats_report_get_duration_us(r) / 1000.0);
    json_builder_set_member_name(b, "timeout_ms");
    json_builder_add_int_value(b, vstats_report_get_timeout_ms(r));
    json_builder_set_member_name(b, "timed_out");
    json_builder_add_boolean_value(b, vstats_report_get_timed_out(r));
    json_builder_set_member_name(b, "reconnect_gap_ms");
    json_builder_add_int_value(b, (gint64) vstats_report_get_reconnect_gap_ms(r));
    json_builder_set_member_name(b, "vms");
    json_builder_begin_array(b);
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++)
        add_vm(b, vstats_report_get_vm(r, i));
    json_builder_end_array(b);
    json_builder_end_object(b);
    return vstats_json_finish(b);
}
