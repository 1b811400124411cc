/*
 * collector.h: collections on behalf of scrapes.  One collection at a
 * time, shared by every scrape that arrives while it runs; a scrape less
 * than the minimum interval after the last collection gets that one.  A
 * collection that overruns its deadline (a hung daemon: reconnecting or
 * listing can block) is not waited for: its scrapes get the last report,
 * marked down, and the next scrape waits for the same collection rather
 * than starting another thread.
 */
#pragma once
#include "vstats.h"

typedef struct _VstatsCollector VstatsCollector;

/* What a scrape is answered with. */
typedef struct {
    VstatsReport *report;   /* may be NULL before any collection ended */
    gboolean late;          /* the collection overran: report is the last
                               one, and the answer is down */
    gboolean cached;        /* shared from an earlier scrape */
    guint64 collections;    /* collections started so far */
} VstatsScrape;

void vstats_scrape_clear(VstatsScrape *scrape);

/* Called once per request, from the collector's thread or the caller's. */
typedef void (*VstatsScrapeFunc)(VstatsScrape *scrape, gpointer data);

/* @grace_ms: how long past the sampler's timeout a collection may run
 * before its scrapes are answered without it. */
VstatsCollector *vstats_collector_new(VstatsSampler *sampler, guint min_interval_ms,
                                      guint grace_ms);
/* Answers at once (in this thread) when the last collection is recent
 * enough, else when the collection ends or overruns.  Returns TRUE when
 * @func was already called. */
gboolean vstats_collector_request(VstatsCollector *c, VstatsScrapeFunc func,
                                  gpointer data);
/* Requests not yet answered are answered (late) before this returns. */
void vstats_collector_free(VstatsCollector *c);
