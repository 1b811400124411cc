/*
 * test-concurrency-auto.c: the "--concurrency auto" controller on
 * synthetic, deterministic completion timings.  A small discrete-event
 * simulation plays a host whose creation latency depends on how many
 * creations are in flight; the controller must find a good limit, and the
 * makespan it gets must be close to the best fixed limit's.
 */
#include "concurrency-auto.h"

#include <math.h>

/* Latency in µs of a request started with @inflight in flight (itself
 * included). */
typedef gint64 (*LatencyModel)(guint inflight);

/* CPU-bound host: 200 ms of waiting plus 100 ms of work on 4 cores, with
 * lock contention growing with the crowd.  Best around 30. */
static gint64
model_cores(guint k)
{
    double work = 100e3 * MAX(1.0, k / 4.0) * (1 + 0.01 * k);
    return (gint64) (200e3 + work);
}

/* A daemon serialising creations behind one lock, with a cost per waiter:
 * parallelism hurts beyond a handful.  Best around 4. */
static gint64
model_serialised(guint k)
{
    return (gint64) (50e3 + 40e3 * k * (1 + 0.05 * k));
}

/* Plenty of capacity: latency does not depend on k; more is always better. */
static gint64
model_unlimited(guint k G_GNUC_UNUSED)
{
    return 300e3;
}

typedef struct {
    gint64 start, end;
    guint inflight;
} Job;

static gint
job_by_end(gconstpointer a, gconstpointer b, gpointer data G_GNUC_UNUSED)
{
    const Job *x = a, *y = b;
    return x->end < y->end ? -1 : x->end > y->end;
}

typedef struct {
    gint64 makespan_us;
    guint max_inflight;
    guint final_limit;
} SimResult;

/* Runs @n requests: a fixed @limit, or the controller when @limit is 0.
 * Latencies get a deterministic ±10% jitter. */
static SimResult
simulate(LatencyModel model, guint n, guint limit)
{
    g_autoptr(VstatsConcurrencyAuto) ctl = limit ? NULL : vstats_concurrency_auto_new(n);
    g_autoptr(GRand) rand = g_rand_new_with_seed(42);
    g_autoptr(GSequence) pending = g_sequence_new(g_free);
    SimResult res = { 0, 0, 0 };
    guint started = 0, inflight = 0, cur = limit ? limit : vstats_concurrency_auto_get_limit(ctl);
    gint64 now = 0;

    while (started < n || inflight > 0) {
        while (inflight < cur && started < n) {
            Job *job = g_new(Job, 1);
            inflight++;
            started++;
            job->start = now;
            job->inflight = inflight;
            job->end = now + (gint64) (model(inflight) * g_rand_double_range(rand, 0.9, 1.1));
            g_sequence_insert_sorted(pending, job, job_by_end, NULL);
            res.max_inflight = MAX(res.max_inflight, inflight);
        }
        GSequenceIter *first = g_sequence_get_begin_iter(pending);
        Job job = *(Job *) g_sequence_get(first);
        g_sequence_remove(first);
        inflight--;
        now = job.end;
        if (ctl)
            cur = vstats_concurrency_auto_observe(ctl, job.start, job.end, job.inflight);
        g_assert_cmpuint(cur, >=, 1);
        g_assert_cmpuint(cur, <=, n);
    }
    res.makespan_us = now;
    res.final_limit = cur;
    if (ctl && g_getenv("TRACE")) {
        const GArray *tr = vstats_concurrency_auto_get_trajectory(ctl);
        for (guint i = 0; i < tr->len; i++) {
            VstatsConcurrencyStep *s = &g_array_index(tr, VstatsConcurrencyStep, i);
            g_printerr("  t=%.2fs done=%u k=%u tput=%.1f\n", s->time_us / 1e6, s->completed, s->limit, s->throughput);
        }
        g_printerr("  makespan %.2fs\n", now / 1e6);
    }
    return res;
}

/* Makespan of auto against the best fixed limit, as a ratio. */
static double
auto_vs_best(LatencyModel model, guint n, guint *best_k, guint *final_limit)
{
    gint64 best = G_MAXINT64;
    SimResult a;

    for (guint k = 1; k <= n; k++) {
        SimResult r = simulate(model, n, k);
        if (r.makespan_us < best) {
            best = r.makespan_us;
            *best_k = k;
        }
    }
    a = simulate(model, n, 0);
    *final_limit = a.final_limit;
    return (double) a.makespan_us / best;
}

static void
check_model(LatencyModel model, guint n, double tolerance, guint lo, guint hi)
{
    guint best_k = 0, final = 0;
    double ratio = auto_vs_best(model, n, &best_k, &final);

    g_test_message("n=%u: best fixed k=%u, auto ends at %u, makespan ratio %.3f",
                   n, best_k, final, ratio);
    g_assert_cmpfloat(ratio, <=, 1 + tolerance);
    g_assert_cmpuint(final, >=, lo);
    g_assert_cmpuint(final, <=, hi);
}

static void
test_cpu_bound_host(void)
{
    /* Finding the limit costs a few latencies; over 300 requests that
     * is about 6% here, over 1000 it is paid back. */
    check_model(model_cores, 300, 0.08, 12, 64);
    check_model(model_cores, 1000, 0.05, 12, 64);
}

static void
test_serialising_daemon(void)
{
    check_model(model_serialised, 300, 0.05, 2, 8);
}

/* Feeds @n completions that each saw @inflight in flight and took
 * @latency_us, one after the other from *@t. */
static void
feed(VstatsConcurrencyAuto *ctl, gint64 *t, guint n, guint inflight, gint64 latency_us)
{
    for (guint i = 0; i < n; i++, *t += 1000)
        vstats_concurrency_auto_observe(ctl, *t, *t + latency_us, inflight);
    *t += latency_us;
}

/* Completions started under an older limit are ignored; a doubling that
 * does not pay is bisected back down to the best limit. */
static void
test_grow_then_back_off(void)
{
    g_autoptr(VstatsConcurrencyAuto) ctl = vstats_concurrency_auto_new(64);
    const guint want[] = { 4, 8, 6, 5, 4 };
    const GArray *traj;
    gint64 t = 0;

    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 4);
    feed(ctl, &t, 4, 4, 200000);                  /* 20/s */
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 8);
    vstats_concurrency_auto_observe(ctl, 0, t, 8); /* started before: skipped */
    feed(ctl, &t, 3, 8, 400000);
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 8);
    feed(ctl, &t, 1, 8, 400000);                  /* still 20/s: no gain */
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 6);
    feed(ctl, &t, 4, 6, 300000);
    feed(ctl, &t, 4, 5, 250000);
    traj = vstats_concurrency_auto_get_trajectory(ctl);
    g_assert_cmpuint(traj->len, ==, G_N_ELEMENTS(want));
    for (guint i = 0; i < traj->len; i++)
        g_assert_cmpuint(g_array_index(traj, VstatsConcurrencyStep, i).limit, ==, want[i]);
    g_assert_cmpfloat(fabs(g_array_index(traj, VstatsConcurrencyStep, 1).throughput - 20), <, 0.01);
}

/* No best fixed limit short of all at once: the limit must keep doubling. */
static void
test_grows_while_it_pays(void)
{
    g_autoptr(VstatsConcurrencyAuto) ctl = vstats_concurrency_auto_new(1000);
    const GArray *traj;
    SimResult r = simulate(model_unlimited, 1000, 0);
    gint64 t = 0;

    g_assert_cmpuint(r.final_limit, >=, 512);
    for (guint k = 4; k < 1000; k = vstats_concurrency_auto_get_limit(ctl))
        feed(ctl, &t, MAX(k / 2, 4), k, 300000);
    traj = vstats_concurrency_auto_get_trajectory(ctl);
    for (guint i = 1; i < traj->len; i++)
        g_assert_cmpuint(g_array_index(traj, VstatsConcurrencyStep, i).limit, ==,
                         MIN(g_array_index(traj, VstatsConcurrencyStep, i - 1).limit * 2, 1000));
}

static void
test_limit_bounds(void)
{
    g_autoptr(VstatsConcurrencyAuto) one = vstats_concurrency_auto_new(1);
    SimResult r = simulate(model_unlimited, 10, 0);

    g_assert_cmpuint(vstats_concurrency_auto_get_limit(one), ==, 1);
    for (gint64 t = 1; t < 100; t++)
        g_assert_cmpuint(vstats_concurrency_auto_observe(one, t - 1, t, 1), ==, 1);
    g_assert_cmpuint(r.max_inflight, <=, 10);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/concurrency-auto/grow-then-back-off", test_grow_then_back_off);
    g_test_add_func("/concurrency-auto/limit-bounds", test_limit_bounds);
    g_test_add_func("/concurrency-auto/cpu-bound-host", test_cpu_bound_host);
    g_test_add_func("/concurrency-auto/serialising-daemon", test_serialising_daemon);
    g_test_add_func("/concurrency-auto/grows-while-it-pays", test_grows_while_it_pays);
    return g_test_run();
}
