/*
 * test-rates.c: the pure parts: rates, the two-sample window, the
 * responsiveness tracker and the skip list.  No libvirt involved.
 */
#include "vstats-private.h"
#include "responsiveness.h"
#include "skip-list.h"

#include <math.h>

#define UUID "11111111-2222-3333-4444-555555555555"
#define SEC G_USEC_PER_SEC

static VstatsVm *
sample(gint64 t_us, gint64 cpu_ns)
{
    VstatsVm *vm = vstats_vm_new("vm1", UUID);
    vm->sample_time_us = t_us;
    vm->cpu_time_ns = cpu_ns;
    vm->cpu_user_ns = cpu_ns / 2;
    vm->cpu_system_ns = cpu_ns / 4;
    return vm;
}

static void
test_cpu_percent(void)
{
    g_autoptr(VstatsVm) a = sample(10 * SEC, 0);
    g_autoptr(VstatsVm) b = sample(12 * SEC, 1000000000); /* 1 s CPU in 2 s */

    vstats_rates_compute(a, b);
    g_assert_cmpfloat_with_epsilon(b->interval_s, 2.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(b->cpu_total_pct, 50.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(b->cpu_user_pct, 25.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(b->cpu_system_pct, 12.5, 1e-9);

    /* No previous sample: unknown, not zero. */
    vstats_rates_compute(NULL, b);
    g_assert_true(isnan(b->cpu_total_pct));
}

static void
test_disk_and_net(void)
{
    g_autoptr(VstatsVm) a = sample(1 * SEC, 0);
    g_autoptr(VstatsVm) b = sample(3 * SEC, 0);
    VstatsBlock *d;
    VstatsNet *n;

    d = vstats_vm_add_block(a, "vda");
    d->rd_bytes = 1000; d->rd_reqs = 10; d->rd_times_ns = 1000;
    d->wr_bytes = 0; d->wr_reqs = 5; d->wr_times_ns = 500;
    n = vstats_vm_add_net(a, "vnet0");
    n->rx_bytes = 100; n->tx_bytes = 100; n->rx_pkts = 1; n->tx_pkts = 1;

    d = vstats_vm_add_block(b, "vda");
    d->rd_bytes = 5000; d->rd_reqs = 30; d->rd_times_ns = 5000;
    d->wr_bytes = 2000; d->wr_reqs = 5; d->wr_times_ns = 500;
    n = vstats_vm_add_net(b, "vnet0");
    n->rx_bytes = 300; n->tx_bytes = 100; n->rx_pkts = 5; n->tx_pkts = 1;

    vstats_rates_compute(a, b);
    d = &b->blocks[0];
    g_assert_cmpfloat_with_epsilon(d->rd_bytes_rate, 2000, 1e-9);
    g_assert_cmpfloat_with_epsilon(d->wr_bytes_rate, 1000, 1e-9);
    g_assert_cmpfloat_with_epsilon(d->rd_iops, 10, 1e-9);
    g_assert_cmpfloat_with_epsilon(d->wr_iops, 0, 1e-9);
    g_assert_cmpfloat_with_epsilon(d->rd_latency_ns, 200, 1e-9); /* 4000 ns / 20 reqs */
    g_assert_cmpfloat_with_epsilon(d->wr_latency_ns, 0, 1e-9);   /* idle: 0, not NaN */
    n = &b->nets[0];
    g_assert_cmpfloat_with_epsilon(n->rx_bytes_rate, 100, 1e-9);
    g_assert_cmpfloat_with_epsilon(n->tx_bytes_rate, 0, 1e-9);
    g_assert_cmpfloat_with_epsilon(n->rx_pkts_rate, 2, 1e-9);
}

static void
test_counter_reset(void)
{
    g_autoptr(VstatsVm) a = sample(1 * SEC, 5000000000);
    g_autoptr(VstatsVm) b = sample(2 * SEC, 1000); /* guest restarted */
    VstatsBlock *d;

    vstats_vm_add_block(a, "vda")->rd_bytes = 1 << 20;
    d = vstats_vm_add_block(b, "vda");
    d->rd_bytes = 10;
    vstats_rates_compute(a, b);
    /* A counter that went back gives an unknown rate, never a negative
     * or huge one; the latency over that window is unknown too. */
    g_assert_true(isnan(b->cpu_total_pct));
    g_assert_true(isnan(b->blocks[0].rd_bytes_rate));
    g_assert_true(isnan(b->blocks[0].rd_latency_ns));
    /* The next window, from the reset counter on, has rates again. */
    {
        g_autoptr(VstatsVm) c = sample(3 * SEC, 1000 + 500000000);
        vstats_vm_add_block(c, "vda")->rd_bytes = 10 + 4096;
        vstats_rates_compute(b, c);
        g_assert_cmpfloat_with_epsilon(c->cpu_total_pct, 50.0, 1e-9);
        g_assert_cmpfloat_with_epsilon(c->blocks[0].rd_bytes_rate, 4096.0, 1e-9);
    }
}

static void
test_missing_fields(void)
{
    g_autoptr(VstatsVm) a = sample(1 * SEC, 100);
    g_autoptr(VstatsVm) b = sample(2 * SEC, 200);
    VstatsBlock *d;

    a->cpu_system_ns = VSTATS_MISSING;
    vstats_vm_add_block(a, "vda"); /* no counters at all */
    d = vstats_vm_add_block(b, "vda");
    d->rd_bytes = 100;
    vstats_vm_add_block(b, "vdb")->rd_bytes = 5; /* hot-plugged */
    vstats_rates_compute(a, b);
    g_assert_false(isnan(b->cpu_total_pct));
    g_assert_true(isnan(b->cpu_system_pct));
    g_assert_true(isnan(b->blocks[0].rd_bytes_rate));
    g_assert_true(isnan(b->blocks[1].rd_bytes_rate));
    g_assert_true(isnan(b->blocks[0].rd_latency_ns));
}

static void
test_devices_keyed_by_name(void)
{
    g_autoptr(VstatsVm) a = sample(1 * SEC, 0);
    g_autoptr(VstatsVm) b = sample(2 * SEC, 0);

    /* vda was unplugged: vdb is now first, and must not be compared
     * with vda's counters. */
    vstats_vm_add_block(a, "vda")->rd_bytes = 1000000;
    vstats_vm_add_block(a, "vdb")->rd_bytes = 100;
    vstats_vm_add_block(b, "vdb")->rd_bytes = 300;
    vstats_rates_compute(a, b);
    g_assert_cmpstr(b->blocks[0].name, ==, "vdb");
    g_assert_cmpfloat_with_epsilon(b->blocks[0].rd_bytes_rate, 200, 1e-9);
}

static void
test_window_order(void)
{
    g_autoptr(VstatsRateWindow) win = vstats_rate_window_new();
    const VstatsVm *latest;

    g_assert_true(vstats_rate_window_push(win, sample(10 * SEC, 0), 0));
    latest = vstats_rate_window_latest(win, UUID);
    g_assert_true(isnan(latest->cpu_total_pct));

    g_assert_true(vstats_rate_window_push(win, sample(11 * SEC, 100000000), 0));
    latest = vstats_rate_window_latest(win, UUID);
    g_assert_cmpfloat_with_epsilon(latest->cpu_total_pct, 10, 1e-9);

    /* Late (older than the newest) and duplicate samples are dropped. */
    g_assert_false(vstats_rate_window_push(win, sample(10 * SEC + 500000, 50), 0));
    g_assert_false(vstats_rate_window_push(win, sample(11 * SEC, 100000000), 0));
    latest = vstats_rate_window_latest(win, UUID);
    g_assert_cmpint(latest->sample_time_us, ==, 11 * SEC);
    g_assert_cmpfloat_with_epsilon(latest->cpu_total_pct, 10, 1e-9);

    /* A repeat of cached values must be newer by the minimum interval. */
    g_assert_false(vstats_rate_window_push(win, sample(11 * SEC + 1000, 100000000), SEC));
    g_assert_true(vstats_rate_window_push(win, sample(13 * SEC, 300000000), SEC));
    latest = vstats_rate_window_latest(win, UUID);
    g_assert_cmpfloat_with_epsilon(latest->cpu_total_pct, 10, 1e-9);
}

static void
test_window_retain(void)
{
    g_autoptr(VstatsRateWindow) win = vstats_rate_window_new();
    g_autoptr(GHashTable) keep = g_hash_table_new(g_str_hash, g_str_equal);

    vstats_rate_window_push(win, sample(SEC, 0), 0);
    vstats_rate_window_retain(win, keep);
    g_assert_null(vstats_rate_window_latest(win, UUID));
}

static void
test_vm_copy(void)
{
    g_autoptr(VstatsVm) a = sample(SEC, 1);
    g_autoptr(VstatsVm) b = NULL;

    vstats_vm_add_block(a, "vda")->rd_bytes = 7;
    vstats_vm_add_net(a, "vnet0")->tx_pkts = 9;
    b = vstats_vm_copy(a);
    g_assert_cmpint(vstats_vm_find_block(b, "vda")->rd_bytes, ==, 7);
    g_assert_cmpint(vstats_vm_find_net(b, "vnet0")->tx_pkts, ==, 9);
    g_assert_true(b->blocks[0].name != a->blocks[0].name);
    g_assert_null(vstats_vm_find_block(b, "vdz"));
}

static void
test_responsiveness(void)
{
    VstatsResponsiveness *r = vstats_responsiveness_new(60000);
    VstatsAnswer yes = { TRUE, -1 }, no = { FALSE, -1 }, busy = { FALSE, 7000 };
    g_autoptr(VstatsVm) vm = vstats_vm_new("vm1", UUID);

    vstats_responsiveness_update(r, vm, &yes, 100 * SEC);
    g_assert_true(vm->fresh);
    g_assert_cmpint(vm->age_ms, ==, 0);
    g_assert_false(vm->not_responding);

    vstats_responsiveness_update(r, vm, &no, 110 * SEC);
    g_assert_false(vm->fresh);
    g_assert_cmpint(vm->age_ms, ==, 10000);
    g_assert_cmpint(vm->monitor_unresponsive_ms, ==, 10000);

    vstats_responsiveness_update(r, vm, &busy, 130 * SEC);
    g_assert_cmpint(vm->age_ms, ==, 30000);
    g_assert_cmpint(vm->monitor_unresponsive_ms, ==, 7000);
    g_assert_false(vm->not_responding);

    vstats_responsiveness_update(r, vm, &no, 161 * SEC);
    g_assert_true(vm->not_responding);

    /* The daemon's own view wins when it answers with cached values. */
    vm->has_daemon_freshness = TRUE;
    vm->fresh = FALSE;
    vm->age_ms = 3000;
    vm->monitor_unresponsive_ms = 61000;
    vstats_responsiveness_update(r, vm, &yes, 170 * SEC);
    g_assert_false(vm->fresh);
    g_assert_cmpint(vm->age_ms, ==, 3000);
    g_assert_true(vm->not_responding);

    /* Never answered: age counts from when it was first seen. */
    {
        g_autoptr(VstatsVm) other = vstats_vm_new("vm2", "other");
        vstats_responsiveness_update(r, other, &no, 200 * SEC);
        vstats_responsiveness_update(r, other, &no, 205 * SEC);
        g_assert_cmpint(other->age_ms, ==, 5000);
    }
    vstats_responsiveness_free(r);
}

static void
test_skip_list(void)
{
    VstatsSkipList *s = vstats_skip_list_new(40000);
    g_auto(GStrv) none = NULL;
    g_auto(GStrv) expired = NULL;

    vstats_skip_list_add(s, "a", 0);
    vstats_skip_list_add(s, "b", 30 * SEC);
    g_assert_true(vstats_skip_list_contains(s, "a"));
    none = vstats_skip_list_expire(s, 39 * SEC);
    g_assert_cmpuint(g_strv_length(none), ==, 0);
    expired = vstats_skip_list_expire(s, 40 * SEC);
    g_assert_cmpuint(g_strv_length(expired), ==, 1);
    g_assert_cmpstr(expired[0], ==, "a");
    g_assert_false(vstats_skip_list_contains(s, "a"));
    g_assert_true(vstats_skip_list_contains(s, "b"));
    g_assert_cmpuint(vstats_skip_list_size(s), ==, 1);
    vstats_skip_list_free(s);
}

static void
test_modes(void)
{
    VstatsMode m;

    g_assert_true(vstats_mode_from_string("legacy", &m));
    g_assert_cmpint(m, ==, VSTATS_MODE_LEGACY);
    g_assert_false(vstats_mode_from_string("fast", &m));
    g_assert_cmpstr(vstats_mode_to_string(VSTATS_MODE_DEADLINE), ==, "deadline");
    g_assert_cmpstr(vstats_state_to_string(1), ==, "running");
    g_assert_cmpstr(vstats_state_to_string(99), ==, "unknown");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rates/cpu-percent", test_cpu_percent);
    g_test_add_func("/rates/disk-and-net", test_disk_and_net);
    g_test_add_func("/rates/counter-reset", test_counter_reset);
    g_test_add_func("/rates/missing-fields", test_missing_fields);
    g_test_add_func("/rates/devices-keyed-by-name", test_devices_keyed_by_name);
    g_test_add_func("/rates/window-order", test_window_order);
    g_test_add_func("/rates/window-retain", test_window_retain);
    g_test_add_func("/rates/vm-copy", test_vm_copy);
    g_test_add_func("/responsiveness/age", test_responsiveness);
    g_test_add_func("/skip-list/expire", test_skip_list);
    g_test_add_func("/misc/modes", test_modes);
    return g_test_run();
}
