/*
 * rates.c: rates from two samples of cumulative counters, and the per-VM
 * two-sample window.  Pure: no libvirt, no clock, so every corner case
 * (resets, missing fields, late samples) is unit-tested.
 */
#include "vstats-private.h"

#include <math.h>

/* Per-second rate of a counter, NAN when it cannot be trusted: missing on
 * either side, or going backwards (the guest rebooted, the device was
 * re-plugged, the daemon restarted...). */
static double
counter_rate(gint64 prev, gint64 cur, double dt)
{
    if (prev < 0 || cur < 0 || dt <= 0 || cur < prev)
        return NAN;
    return (double) (cur - prev) / dt;
}

/* Mean time per request over the window; 0 when there were no requests,
 * as an idle disk has no latency rather than an unknown one. */
static double
mean_latency(gint64 prev_times, gint64 cur_times,
             gint64 prev_reqs, gint64 cur_reqs)
{
    gint64 dtimes, dreqs;

    if (prev_times < 0 || cur_times < 0 || prev_reqs < 0 || cur_reqs < 0)
        return NAN;
    dtimes = cur_times - prev_times;
    dreqs = cur_reqs - prev_reqs;
    if (dtimes < 0 || dreqs < 0)
        return NAN;
    if (dreqs == 0)
        return 0;
    return (double) dtimes / (double) dreqs;
}

static void
block_rates(const VstatsBlock *p, VstatsBlock *c, double dt)
{
    c->rd_bytes_rate = counter_rate(p->rd_bytes, c->rd_bytes, dt);
    c->wr_bytes_rate = counter_rate(p->wr_bytes, c->wr_bytes, dt);
    c->rd_iops = counter_rate(p->rd_reqs, c->rd_reqs, dt);
    c->wr_iops = counter_rate(p->wr_reqs, c->wr_reqs, dt);
    c->rd_latency_ns = mean_latency(p->rd_times_ns, c->rd_times_ns,
                                    p->rd_reqs, c->rd_reqs);
    c->wr_latency_ns = mean_latency(p->wr_times_ns, c->wr_times_ns,
                                    p->wr_reqs, c->wr_reqs);
}

static void
net_rates(const VstatsNet *p, VstatsNet *c, double dt)
{
    c->rx_bytes_rate = counter_rate(p->rx_bytes, c->rx_bytes, dt);
    c->tx_bytes_rate = counter_rate(p->tx_bytes, c->tx_bytes, dt);
    c->rx_pkts_rate = counter_rate(p->rx_pkts, c->rx_pkts, dt);
    c->tx_pkts_rate = counter_rate(p->tx_pkts, c->tx_pkts, dt);
}

static void
clear_rates(VstatsVm *vm)
{
    vm->interval_s = NAN;
    vm->cpu_user_pct = vm->cpu_system_pct = vm->cpu_total_pct = NAN;
    for (guint i = 0; i < vm->n_blocks; i++) {
        VstatsBlock *b = &vm->blocks[i];
        b->rd_bytes_rate = b->wr_bytes_rate = b->rd_iops = b->wr_iops = NAN;
        b->rd_latency_ns = b->wr_latency_ns = NAN;
    }
    for (guint i = 0; i < vm->n_nets; i++) {
        VstatsNet *n = &vm->nets[i];
        n->rx_bytes_rate = n->tx_bytes_rate = NAN;
        n->rx_pkts_rate = n->tx_pkts_rate = NAN;
    }
}

void
vstats_rates_compute(const VstatsVm *prev, VstatsVm *cur)
{
    double dt;

    clear_rates(cur);
    if (!prev || prev->sample_time_us <= 0 || cur->sample_time_us <= 0)
        return;
    dt = (double) (cur->sample_time_us - prev->sample_time_us) / 1e6;
    if (dt <= 0)
        return;
    cur->interval_s = dt;

    /* CPU nanoseconds per wall nanosecond, in percent of one host CPU. */
    cur->cpu_total_pct = counter_rate(prev->cpu_time_ns, cur->cpu_time_ns, dt) / 1e7;
    cur->cpu_user_pct = counter_rate(prev->cpu_user_ns, cur->cpu_user_ns, dt) / 1e7;
    cur->cpu_system_pct = counter_rate(prev->cpu_system_ns, cur->cpu_system_ns, dt) / 1e7;

    /* Devices are matched by name: indexes shift on hot-plug. */
    for (guint i = 0; i < cur->n_blocks; i++) {
        const VstatsBlock *p = vstats_vm_find_block(prev, cur->blocks[i].name);
        if (p)
            block_rates(p, &cur->blocks[i], dt);
    }
    for (guint i = 0; i < cur->n_nets; i++) {
        const VstatsNet *p = vstats_vm_find_net(prev, cur->nets[i].name);
        if (p)
            net_rates(p, &cur->nets[i], dt);
    }
}

/* ---- the window ------------------------------------------------------ */

typedef struct {
    VstatsVm *prev;
    VstatsVm *newest;
} Slot;

struct _VstatsRateWindow {
    GHashTable *slots; /* uuid -> Slot */
};

static void
slot_free(gpointer p)
{
    Slot *s = p;
    vstats_vm_free(s->prev);
    vstats_vm_free(s->newest);
    g_free(s);
}

VstatsRateWindow *
vstats_rate_window_new(void)
{
    VstatsRateWindow *win = g_new0(VstatsRateWindow, 1);
    win->slots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, slot_free);
    return win;
}

void
vstats_rate_window_free(VstatsRateWindow *win)
{
    if (!win)
        return;
    g_hash_table_unref(win->slots);
    g_free(win);
}

gboolean
vstats_rate_window_push(VstatsRateWindow *win, VstatsVm *sample,
                        gint64 min_interval_us)
{
    Slot *s = g_hash_table_lookup(win->slots, sample->uuid);

    if (!s) {
        s = g_new0(Slot, 1);
        g_hash_table_insert(win->slots, g_strdup(sample->uuid), s);
    } else if (sample->sample_time_us <=
               s->newest->sample_time_us + MAX(min_interval_us, 0)) {
        vstats_vm_free(sample);
        return FALSE;
    }
    vstats_rates_compute(s->newest, sample);
    vstats_vm_free(s->prev);
    s->prev = s->newest;
    s->newest = sample;
    return TRUE;
}

const VstatsVm *
vstats_rate_window_latest(VstatsRateWindow *win, const char *uuid)
{
    Slot *s = g_hash_table_lookup(win->slots, uuid);
    return s ? s->newest : NULL;
}

static gboolean
not_kept(gpointer key, gpointer value G_GNUC_UNUSED, gpointer keep)
{
    return !g_hash_table_contains(keep, key);
}

void
vstats_rate_window_retain(VstatsRateWindow *win, GHashTable *keep)
{
    g_hash_table_foreach_remove(win->slots, not_kept, keep);
}
