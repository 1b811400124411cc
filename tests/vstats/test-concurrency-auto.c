/*
 * test-concurrency-auto.c: the "--concurrency auto" controller on
 * synthetic, deterministic completion timings.  A small discrete-event
 * simulation plays a host whose creation latency depends on how many
 * creations are in flight; the controller must find a good limit, and the
 * makespan it gets must be close to the best fixed limit's.
 */
#include "concurrency-auto.h"

#include <math.h>

/* The CPU count the latency models below assume (model_cores' 4 cores),
 * so that the start does not depend on the machine running the tests. */
#define SIM_CPUS 4

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
    g_autoptr(VstatsConcurrencyAuto) ctl = limit ? NULL : vstats_concurrency_auto_new_for_cpus(n, SIM_CPUS);
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
    /* Finding the limit from 8 costs a few latencies; over 300 requests
     * that is about 5% here, over 1000 it is paid back. */
    check_model(model_cores, 300, 0.08, 12, 64);
    check_model(model_cores, 1000, 0.05, 12, 64);
}

static void
test_serialising_daemon(void)
{
    check_model(model_serialised, 300, 0.05, 2, 8);
}

/*
 * Processor sharing: a host with @cores CPUs where each creation first
 * waits @wait_s (no CPU: RPC, disk, the monitor handshake) and then needs
 * @work_s CPU-seconds (QEMU start-up), the CPUs being shared equally among
 * the creations that want them.  Every creation in flight slows the CPU
 * work of all by @contention (locks, caches), which makes very large
 * limits a little worse.  Creation i's sizes are drawn once per seed, so
 * fixed limits and auto face the same storm.
 */
typedef struct {
    const char *name;
    guint cores;
    double work_s;
    double wait_s;
    double contention;
    double noise;       /* each size times 1 ± up to this; 0: none */
    guint32 seed;
} Host;

typedef struct {
    double wait_left, work_left;
    gint64 start_us;
    guint inflight;
} PsJob;

#define PS_N 100
#define PS_EPS 1e-12

/* The CPU-seconds a creation in the CPU phase gets per second. */
static double
ps_rate(const Host *h, const GArray *jobs)
{
    guint on_cpu = 0;

    for (guint i = 0; i < jobs->len; i++)
        on_cpu += g_array_index(jobs, PsJob, i).wait_left <= 0;
    if (on_cpu == 0)
        return 1;
    return MIN(1.0, (double) h->cores / on_cpu) / (1 + h->contention * (jobs->len - 1));
}

/* Time to the next phase change or completion, at @rate. */
static double
ps_next_event(const GArray *jobs, double rate)
{
    double dt = G_MAXDOUBLE;

    for (guint i = 0; i < jobs->len; i++) {
        const PsJob *j = &g_array_index(jobs, PsJob, i);
        dt = MIN(dt, j->wait_left > 0 ? j->wait_left : j->work_left / rate);
    }
    return dt;
}

static void
ps_advance(GArray *jobs, double dt, double rate)
{
    for (guint i = 0; i < jobs->len; i++) {
        PsJob *j = &g_array_index(jobs, PsJob, i);
        if (j->wait_left > 0)
            j->wait_left = j->wait_left - dt > PS_EPS ? j->wait_left - dt : 0;
        else
            j->work_left = j->work_left - dt * rate > PS_EPS ? j->work_left - dt * rate : 0;
    }
}

/* Index of a finished job, or -1. */
static gint
ps_finished(const GArray *jobs)
{
    for (guint i = 0; i < jobs->len; i++) {
        const PsJob *j = &g_array_index(jobs, PsJob, i);
        if (j->wait_left <= 0 && j->work_left <= 0)
            return (gint) i;
    }
    return -1;
}

typedef struct {
    double makespan_s;
    guint final_limit;
    GString *limits;    /* auto: the trajectory, "8 16 8" */
} PsResult;

/* The storm of PS_N creations at a fixed @limit, or auto when 0. */
static PsResult
ps_simulate(const Host *h, guint limit)
{
    g_autoptr(VstatsConcurrencyAuto) ctl =
        limit ? NULL : vstats_concurrency_auto_new_for_cpus(PS_N, h->cores);
    g_autoptr(GArray) jobs = g_array_new(FALSE, FALSE, sizeof(PsJob));
    g_autoptr(GRand) rand = g_rand_new_with_seed(h->seed);
    double work[PS_N], wait[PS_N], now = 0;
    guint started = 0, cur = limit ? limit : vstats_concurrency_auto_get_limit(ctl);
    PsResult res = { 0, 0, NULL };

    for (guint i = 0; i < PS_N; i++) {
        work[i] = h->work_s * (1 + h->noise * g_rand_double_range(rand, -1, 1));
        wait[i] = h->wait_s * (1 + h->noise * g_rand_double_range(rand, -1, 1));
    }
    while (started < PS_N || jobs->len > 0) {
        gint done;

        while (jobs->len < cur && started < PS_N) {
            PsJob j = { wait[started], work[started], (gint64) (now * 1e6), jobs->len + 1 };
            g_array_append_val(jobs, j);
            started++;
        }
        double rate = ps_rate(h, jobs);
        double dt = ps_next_event(jobs, rate);
        ps_advance(jobs, dt, rate);
        now += dt;
        /* One at a time, refilling after each, as the engine does. */
        while ((done = ps_finished(jobs)) >= 0) {
            PsJob j = g_array_index(jobs, PsJob, done);
            g_array_remove_index_fast(jobs, done);
            if (ctl)
                cur = vstats_concurrency_auto_observe(ctl, j.start_us, (gint64) (now * 1e6),
                                                      j.inflight);
            while (jobs->len < cur && started < PS_N) {
                PsJob n = { wait[started], work[started], (gint64) (now * 1e6), jobs->len + 1 };
                g_array_append_val(jobs, n);
                started++;
            }
        }
    }
    res.makespan_s = now;
    res.final_limit = cur;
    if (ctl) {
        const GArray *tr = vstats_concurrency_auto_get_trajectory(ctl);
        res.limits = g_string_new(NULL);
        for (guint i = 0; i < tr->len; i++)
            g_string_append_printf(res.limits, "%s%u", i ? " " : "",
                                   g_array_index(tr, VstatsConcurrencyStep, i).limit);
        if (g_getenv("TRACE"))
            for (guint i = 0; i < tr->len; i++) {
                VstatsConcurrencyStep *s = &g_array_index(tr, VstatsConcurrencyStep, i);
                g_printerr("  t=%.2fs done=%u k=%u tput=%.2f\n", s->time_us / 1e6,
                           s->completed, s->limit, s->throughput);
            }
    }
    return res;
}

/* Auto's makespan must be within @tolerance (issue #7: 5%) of the best
 * of the fixed limits a benchmark would try. */
static void
check_ps_host(const Host *h, double tolerance)
{
    const guint ks[] = { 1, 2, 4, 8, 10, 16, 32, PS_N };
    g_autoptr(GString) fixed = g_string_new(NULL);
    double best = G_MAXDOUBLE;
    guint best_k = 0;
    PsResult a;

    for (guint i = 0; i < G_N_ELEMENTS(ks); i++) {
        PsResult r = ps_simulate(h, ks[i]);
        g_string_append_printf(fixed, " K=%u %.2f", ks[i], r.makespan_s);
        if (r.makespan_s < best) {
            best = r.makespan_s;
            best_k = ks[i];
        }
    }
    a = ps_simulate(h, 0);
    g_test_message("%s: fixed:%s", h->name, fixed->str);
    g_test_message("%s: best fixed K=%u %.2f s, auto %.2f s, ratio %.3f, limits %s",
                   h->name, best_k, best, a.makespan_s, a.makespan_s / best, a.limits->str);
    g_assert_cmpfloat(a.makespan_s / best, <=, 1 + tolerance);
    g_string_free(a.limits, TRUE);
}

/* 2 cores as measured: K=1 0.42 s a VM, K=2 about 0.21 s, and from K=4
 * to 16 0.155-0.16 s with noise; very large limits a little worse.
 * Without noise identical creations run in lock-step (they wait at the
 * same time, leaving the CPUs idle), which makes small limits worse than
 * measured: a harder case for a controller that starts at 4. */
static const Host host_2_cores = { "2 cores", 2, 0.31, 0.11, 0.002, 0, 1 };
/* The same creations on 8 cores: the plateau starts near 11. */
static const Host host_8_cores = { "8 cores", 8, 0.31, 0.11, 0.002, 0, 1 };
/* One core, little waiting, heavy contention: best at 2, below the
 * initial 4, so auto has to come down. */
static const Host host_best_at_2 = { "best at 2", 1, 0.30, 0.03, 0.02, 0, 1 };

static void
test_ps_2_cores(void)
{
    check_ps_host(&host_2_cores, 0.05);
}

static void
test_ps_8_cores(void)
{
    check_ps_host(&host_8_cores, 0.05);
}

static void
test_ps_best_at_2(void)
{
    check_ps_host(&host_best_at_2, 0.05);
}

/* Each host with every creation's sizes +-20%, five storms each.  On the
 * host best at 2 a third of a 100-VM storm goes by before auto gets
 * there (a window at 4, a try at 8, the way down, a look at 1): with this
 * noise that costs 4-6%, hence 6% there. */
static void
test_ps_noisy(void)
{
    const Host *hosts[] = { &host_2_cores, &host_8_cores, &host_best_at_2 };
    const double tolerance[] = { 0.05, 0.05, 0.06 };

    for (guint i = 0; i < G_N_ELEMENTS(hosts); i++) {
        for (guint32 seed = 1; seed <= 5; seed++) {
            g_autofree char *name = g_strdup_printf("%s +-20%% seed %u", hosts[i]->name, seed);
            Host h = *hosts[i];
            h.name = name;
            h.noise = 0.20;
            h.seed = seed;
            check_ps_host(&h, tolerance[i]);
        }
    }
}

/* A steady stream from *@t: @inflight in flight completing at @rate per
 * second, each having started with @inflight in flight, the first at *@t
 * (after the last change).  Stops after @max completions or when the
 * limit changes; returns how many it fed. */
static guint
feed(VstatsConcurrencyAuto *ctl, gint64 *t, guint inflight, double rate, guint max)
{
    gint64 gap = (gint64) (G_USEC_PER_SEC / rate), latency = inflight * gap;
    guint limit = vstats_concurrency_auto_get_limit(ctl), i;
    gint64 first_end = *t + latency;

    for (i = 0; i < max && vstats_concurrency_auto_get_limit(ctl) == limit; i++) {
        *t = first_end + i * gap;
        vstats_concurrency_auto_observe(ctl, *t - latency, *t, inflight);
    }
    return i;
}

/* Twice the CPUs, at least 4, at most the maximum. */
static void
test_initial_limit(void)
{
    const guint cases[][3] = { /* max, cpus, initial */
        { 64, 1, 4 }, { 64, 2, 4 }, { 64, 3, 6 }, { 64, 8, 16 }, { 10, 8, 10 }, { 1, 8, 1 },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(VstatsConcurrencyAuto) ctl =
            vstats_concurrency_auto_new_for_cpus(cases[i][0], cases[i][1]);
        g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, cases[i][2]);
    }
    g_assert_cmpuint(vstats_concurrency_auto_initial_limit(0), ==, 4);
}

static void
assert_trajectory(const VstatsConcurrencyAuto *ctl, const guint *want, guint n)
{
    const GArray *traj = vstats_concurrency_auto_get_trajectory(ctl);

    g_assert_cmpuint(traj->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpuint(g_array_index(traj, VstatsConcurrencyStep, i).limit, ==, want[i]);
}

/* Completions started under an older limit are ignored; a doubling that
 * does not pay goes back to the smaller limit (same throughput, less
 * latency); after a while the hold tries a quarter more, and goes back
 * again when that does not pay either. */
static void
test_flat_goes_back(void)
{
    g_autoptr(VstatsConcurrencyAuto) ctl = vstats_concurrency_auto_new_for_cpus(64, 2);
    const guint want[] = { 4, 8, 4, 5, 4 };
    gint64 t = 0;

    /* Half a round skipped, then a window of 10. */
    g_assert_cmpuint(feed(ctl, &t, 4, 20, 100), ==, 2 + 10);
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 8);
    vstats_concurrency_auto_observe(ctl, 0, t + 1, 8); /* started before: skipped */
    g_assert_cmpuint(feed(ctl, &t, 8, 20.4, 100), ==, 4 + 10); /* no real gain */
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 4);
    /* Six windows back to back. */
    g_assert_cmpuint(feed(ctl, &t, 4, 20, 100), ==, 2 + 6 * 10);
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 5);
    feed(ctl, &t, 5, 20, 100);
    assert_trajectory(ctl, want, G_N_ELEMENTS(want));
    g_assert_cmpfloat(fabs(g_array_index(vstats_concurrency_auto_get_trajectory(ctl),
                                         VstatsConcurrencyStep, 1).throughput - 20), <, 0.01);
}

/* A doubling that gains a little (3-10%) is kept, but ends the climb. */
static void
test_small_gain_kept(void)
{
    g_autoptr(VstatsConcurrencyAuto) ctl = vstats_concurrency_auto_new_for_cpus(64, 2);
    const guint want[] = { 4, 8 };
    gint64 t = 0;

    feed(ctl, &t, 4, 20, 100);
    g_assert_cmpuint(feed(ctl, &t, 8, 21, 40), ==, 40);
    assert_trajectory(ctl, want, G_N_ELEMENTS(want));
}

/* A doubling that loses: the best limit is below the start, so it comes
 * down, half the first time, a quarter after that, while that does not
 * lose, then returns to the last good one.  A try far behind is given up
 * after half a window. */
static void
test_descends_one_step_at_a_time(void)
{
    g_autoptr(VstatsConcurrencyAuto) ctl = vstats_concurrency_auto_new_for_cpus(64, 1);
    const guint want[] = { 4, 8, 2, 1, 2 };
    gint64 t = 0;

    feed(ctl, &t, 4, 20, 100);
    g_assert_cmpuint(feed(ctl, &t, 8, 16, 100), ==, 4 + 5);
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 2);
    feed(ctl, &t, 2, 20, 100);                    /* as good, and smaller */
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 1);
    feed(ctl, &t, 1, 18.8, 100);                  /* 6% slower */
    assert_trajectory(ctl, want, G_N_ELEMENTS(want));
}

/* A climb 4 -> 8 that paid, then a doubling to 16 that loses: back to 8,
 * never down to 4, which the climb already measured as worse (seen in a
 * real boot storm, where draining 16 to 4 cost 15% of the makespan). */
static void
test_loss_after_climb_returns_to_best(void)
{
    g_autoptr(VstatsConcurrencyAuto) ctl = vstats_concurrency_auto_new_for_cpus(64, 2);
    const guint want[] = { 4, 8, 16, 8 };
    gint64 t = 0;

    feed(ctl, &t, 4, 20, 100);
    feed(ctl, &t, 8, 24, 100);                    /* 20% better: climb */
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 16);
    feed(ctl, &t, 16, 21, 100);                   /* 12% worse */
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(ctl), ==, 8);
    feed(ctl, &t, 8, 24, 30);
    assert_trajectory(ctl, want, G_N_ELEMENTS(want));
}

/* No best fixed limit short of all at once: the limit must keep doubling. */
static void
test_grows_while_it_pays(void)
{
    g_autoptr(VstatsConcurrencyAuto) ctl = vstats_concurrency_auto_new_for_cpus(1000, 2);
    const GArray *traj;
    SimResult r = simulate(model_unlimited, 1000, 0);
    gint64 t = 0;

    /* Each level skips half a round before its window of a round, so
     * 1000 requests reach 256 and the try at 512. */
    g_assert_cmpuint(r.final_limit, >=, 256);
    for (guint k = 4; k < 1000; k = vstats_concurrency_auto_get_limit(ctl))
        feed(ctl, &t, k, k / 0.3, 10000);
    traj = vstats_concurrency_auto_get_trajectory(ctl);
    for (guint i = 1; i < traj->len; i++)
        g_assert_cmpuint(g_array_index(traj, VstatsConcurrencyStep, i).limit, ==,
                         MIN(g_array_index(traj, VstatsConcurrencyStep, i - 1).limit * 2, 1000));
}

static void
test_limit_bounds(void)
{
    g_autoptr(VstatsConcurrencyAuto) one = vstats_concurrency_auto_new(1);
    g_autoptr(VstatsConcurrencyAuto) six = vstats_concurrency_auto_new_for_cpus(6, 1);
    guint reached = 0;
    gint64 t = 0;

    g_assert_cmpuint(vstats_concurrency_auto_get_limit(one), ==, 1);
    for (gint64 i = 1; i < 100; i++)
        g_assert_cmpuint(vstats_concurrency_auto_observe(one, i - 1, i, 1), ==, 1);

    /* Throughput that grows with every limit makes the controller want to
     * double past its maximum: it must stop at 6, and get there. */
    g_assert_cmpuint(vstats_concurrency_auto_get_limit(six), <, 6);
    for (int i = 0; i < 400; i++) {
        guint k = vstats_concurrency_auto_get_limit(six);
        gint64 latency = 100000;

        t += latency / k; /* k in flight, each 100 ms: k per 100 ms */
        k = vstats_concurrency_auto_observe(six, t - latency, t, k);
        g_assert_cmpuint(k, >=, 1);
        g_assert_cmpuint(k, <=, 6);
        reached = MAX(reached, k);
    }
    g_assert_cmpuint(reached, ==, 6);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/concurrency-auto/initial-limit", test_initial_limit);
    g_test_add_func("/concurrency-auto/flat-goes-back", test_flat_goes_back);
    g_test_add_func("/concurrency-auto/small-gain-kept", test_small_gain_kept);
    g_test_add_func("/concurrency-auto/descends-one-step-at-a-time", test_descends_one_step_at_a_time);
    g_test_add_func("/concurrency-auto/loss-after-climb-returns-to-best", test_loss_after_climb_returns_to_best);
    g_test_add_func("/concurrency-auto/limit-bounds", test_limit_bounds);
    g_test_add_func("/concurrency-auto/cpu-bound-host", test_cpu_bound_host);
    g_test_add_func("/concurrency-auto/serialising-daemon", test_serialising_daemon);
    g_test_add_func("/concurrency-auto/grows-while-it-pays", test_grows_while_it_pays);
    g_test_add_func("/concurrency-auto/ps-2-cores", test_ps_2_cores);
    g_test_add_func("/concurrency-auto/ps-8-cores", test_ps_8_cores);
    g_test_add_func("/concurrency-auto/ps-best-at-2", test_ps_best_at_2);
    g_test_add_func("/concurrency-auto/ps-noisy", test_ps_noisy);
    return g_test_run();
}
