/*
 * collector.c: one thread that runs collections when scrapes ask, and
 * answers every waiting scrape with the result (see collector.h).
 */
#include "collector.h"
#include "log.h"
#include "vstats-private.h"

typedef struct {
    VstatsScrapeFunc func;
    gpointer data;
} Waiter;

/* A collection in its own thread, so that the collector can stop waiting
 * for it; the last reference frees it. */
typedef struct {
    gint refs;
    GMutex lock;
    GCond cond;
    gboolean done;
    VstatsReport *report;
    VstatsSampler *sampler;
} Run;

struct _VstatsCollector {
    VstatsSampler *sampler;
    gint64 min_interval_us;
    gint64 wait_us;          /* sampler timeout + grace */
    GThread *thread;

    GMutex lock;
    GCond wake;
    gint stopping;           /* atomic as well: run_wait reads it */
    GArray *waiting;         /* Waiter: want the next collection */
    Run *running;            /* the collection in flight, or NULL */
    VstatsReport *latest;
    gint64 latest_start_us;  /* when the latest collection started */
    guint64 collections;
};

void
vstats_scrape_clear(VstatsScrape *scrape)
{
    g_clear_pointer(&scrape->report, vstats_report_unref);
}

static void
run_unref(Run *run)
{
    if (!g_atomic_int_dec_and_test(&run->refs))
        return;
    if (run->report)
        vstats_report_unref(run->report);
    vstats_sampler_free(run->sampler);
    g_mutex_clear(&run->lock);
    g_cond_clear(&run->cond);
    g_free(run);
}

static gpointer
run_thread(gpointer data)
{
    Run *run = data;
    VstatsReport *report = vstats_sampler_collect(run->sampler, NULL);

    g_mutex_lock(&run->lock);
    run->report = report;
    run->done = TRUE;
    g_cond_broadcast(&run->cond);
    g_mutex_unlock(&run->lock);
    run_unref(run);
    return NULL;
}

/* Waits for @run until @until or until the collector stops; the report
 * if it ended (a new reference). */
static VstatsReport *
run_wait(Run *run, gint64 until, gint *stopping)
{
    VstatsReport *report = NULL;

    g_mutex_lock(&run->lock);
    while (!run->done && !g_atomic_int_get(stopping) &&
           g_cond_wait_until(&run->cond, &run->lock, until))
        ;
    if (run->done && run->report)
        report = vstats_report_ref(run->report);
    g_mutex_unlock(&run->lock);
    return report;
}

static void
answer_all(GArray *waiters, VstatsReport *report, gboolean late, guint64 collections)
{
    for (guint i = 0; i < waiters->len; i++) {
        Waiter *w = &g_array_index(waiters, Waiter, i);
        VstatsScrape scrape = { report ? vstats_report_ref(report) : NULL, late, FALSE,
                                collections };
        w->func(&scrape, w->data);
        vstats_scrape_clear(&scrape);
    }
}

static gpointer
collector_thread(gpointer data)
{
    VstatsCollector *c = data;

    g_mutex_lock(&c->lock);
    for (;;) {
        g_autoptr(GArray) waiters = NULL;
        VstatsReport *report;
        gboolean late;
        gint64 start;
        Run *run;

        while (!c->stopping && c->waiting->len == 0)
            g_cond_wait(&c->wake, &c->lock);
        if (c->stopping)
            break;
        waiters = c->waiting;
        c->waiting = g_array_new(FALSE, FALSE, sizeof(Waiter));
        start = g_get_monotonic_time();
        if (!c->running) {
            /* A new collection, unless the one that overran is still on. */
            run = g_new0(Run, 1);
            run->refs = 2;
            g_mutex_init(&run->lock);
            g_cond_init(&run->cond);
            run->sampler = vstats_sampler_ref(c->sampler);
            c->running = run;
            c->collections++;
            g_thread_unref(g_thread_new("vstats-collect", run_thread, run));
        }
        run = c->running;
        g_mutex_unlock(&c->lock);

        report = run_wait(run, start + c->wait_us, &c->stopping);

        g_mutex_lock(&c->lock);
        late = report == NULL;
        if (!late) {
            g_clear_pointer(&c->latest, vstats_report_unref);
            c->latest = vstats_report_ref(report);
            c->latest_start_us = start;
            c->running = NULL;
            run_unref(run);
        } else {
            report = c->latest ? vstats_report_ref(c->latest) : NULL;
        }
        /* Scrapes that arrived while it ran share it too. */
        g_array_append_vals(waiters, c->waiting->data, c->waiting->len);
        g_array_set_size(c->waiting, 0);
        g_mutex_unlock(&c->lock);
        answer_all(waiters, report, late, c->collections);
        if (report)
            vstats_report_unref(report);
        g_mutex_lock(&c->lock);
    }
    g_mutex_unlock(&c->lock);
    return NULL;
}

VstatsCollector *
vstats_collector_new(VstatsSampler *sampler, guint min_interval_ms, guint grace_ms)
{
    VstatsCollector *c = g_new0(VstatsCollector, 1);

    c->sampler = vstats_sampler_ref(sampler);
    c->min_interval_us = (gint64) min_interval_ms * 1000;
    c->wait_us = ((gint64) vstats_sampler_get_timeout_ms(sampler) + grace_ms) * 1000;
    g_mutex_init(&c->lock);
    g_cond_init(&c->wake);
    c->waiting = g_array_new(FALSE, FALSE, sizeof(Waiter));
    c->thread = g_thread_new("vstats-collector", collector_thread, c);
    return c;
}

gboolean
vstats_collector_request(VstatsCollector *c, VstatsScrapeFunc func, gpointer data)
{
    VstatsScrape scrape = { NULL, FALSE, TRUE, 0 };
    Waiter w = { func, data };

    g_mutex_lock(&c->lock);
    if (c->latest && !c->running && !c->stopping &&
        g_get_monotonic_time() - c->latest_start_us < c->min_interval_us) {
        scrape.report = vstats_report_ref(c->latest);
        scrape.collections = c->collections;
        g_mutex_unlock(&c->lock);
        func(&scrape, data);
        vstats_scrape_clear(&scrape);
        return TRUE;
    }
    g_array_append_val(c->waiting, w);
    g_cond_signal(&c->wake);
    g_mutex_unlock(&c->lock);
    return FALSE;
}

void
vstats_collector_free(VstatsCollector *c)
{
    g_autoptr(GArray) left = NULL;

    if (!c)
        return;
    g_mutex_lock(&c->lock);
    g_atomic_int_set(&c->stopping, TRUE);
    g_cond_signal(&c->wake);
    if (c->running) {
        g_mutex_lock(&c->running->lock);
        g_cond_broadcast(&c->running->cond);
        g_mutex_unlock(&c->running->lock);
    }
    g_mutex_unlock(&c->lock);
    g_thread_join(c->thread);
    left = c->waiting;
    answer_all(left, c->latest, TRUE, c->collections);
    if (c->running) {
        /* A collection ends by its deadline unless the daemon hangs: wait
         * that long, then leave it running with its own references. */
        gint never = FALSE;
        VstatsReport *report = run_wait(c->running, g_get_monotonic_time() + c->wait_us, &never);
        if (report)
            vstats_report_unref(report);
        else
            vstats_log(G_LOG_LEVEL_WARNING, "a collection is stuck in the daemon; not waiting for it");
        run_unref(c->running);
    }
    g_clear_pointer(&c->latest, vstats_report_unref);
    vstats_sampler_free(c->sampler);
    g_mutex_clear(&c->lock);
    g_cond_clear(&c->wake);
    g_free(c);
}
