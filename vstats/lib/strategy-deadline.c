/*
 * strategy-deadline.c: the patched call, virConnectGetAllDomainStatsTimeout.
 * The daemon itself bounds the call and fills in cached values for VMs
 * whose monitor is busy, so one request covers every VM.  We still run it
 * under a watchdog: a hung daemon must not hang the agent.
 *
 * Every use of the series' API (its three calls, the stats.* fields)
 * lives in this file, so that a change of that API is ported here alone.
 */
#include "config.h"
#include "strategy.h"
#include "errors.h"
#include "job.h"
#include "typed-params.h"

#include <string.h>

#define MAX_ABANDONED 2

typedef struct {
    VstatsStrategy parent;
    VstatsAbandoned *abandoned;
} DeadlineStrategy;

int
vstats_block_info(virDomainPtr dom, const char *dev, virDomainBlockInfoPtr info,
                  int timeout_ms)
{
#ifdef HAVE_VIR_DOMAIN_GET_BLOCK_INFO_TIMEOUT
    /* Bounded on a patched daemon; an unpatched one says "no support". */
    int rc = virDomainGetBlockInfoTimeout(dom, dev, info, timeout_ms, 0);
    if (rc == 0 || virGetLastErrorCode() != VIR_ERR_NO_SUPPORT)
        return rc;
    virResetLastError();
#else
    (void) timeout_ms;
#endif
    return virDomainGetBlockInfo(dom, dev, info, 0);
}

#ifdef HAVE_VIR_CONNECT_GET_ALL_DOMAIN_STATS_TIMEOUT
/* The daemon's freshness fields: stats.fresh (the values were collected
 * in this call), stats.age (ms since they were) and
 * stats.monitor-unresponsive (ms the monitor has been busy). */
static void
annotate_freshness(VstatsVm *vm, virDomainStatsRecordPtr rec)
{
    gint64 v;

    for (int i = 0; i < rec->nparams; i++) {
        const virTypedParameter *p = &rec->params[i];

        if (strncmp(p->field, "stats.", 6) != 0 || !vstats_param_to_int64(p, &v))
            continue;
        if (strcmp(p->field, "stats.fresh") == 0) {
            vm->fresh = v != 0;
            vm->has_daemon_freshness = TRUE;
        } else if (strcmp(p->field, "stats.age") == 0) {
            vm->age_ms = MAX(v, 0);
        } else if (strcmp(p->field, "stats.monitor-unresponsive") == 0) {
            vm->monitor_unresponsive_ms = MAX(v, 0);
        }
    }
    /* Cached values describe an older moment: date them accordingly so
     * rates are computed over the right interval. */
    if (vm->has_daemon_freshness)
        vm->sample_time_us -= vm->age_ms * 1000;
}

typedef struct {
    virConnectPtr conn;
    unsigned int stats;
    int timeout_ms;
} Call;

static void
call_free(gpointer p)
{
    Call *call = p;
    virConnectClose(call->conn);
    g_free(call);
}

static gpointer
call_run(gpointer data, GError **error)
{
    Call *call = data;
    VstatsRecords *r = g_new0(VstatsRecords, 1);

    r->n = virConnectGetAllDomainStatsTimeout(call->conn, call->stats, call->timeout_ms,
                                              &r->recs, 0);
    r->recv_us = g_get_monotonic_time();
    r->annotate = annotate_freshness;
    if (r->n < 0) {
        vstats_error_from_virt(error, NULL, "virConnectGetAllDomainStatsTimeout");
        vstats_records_free(r);
        return NULL;
    }
    return r;
}

static gboolean
deadline_collect(VstatsStrategy *self, const VstatsCollectArgs *args,
                 VstatsCycle *cycle, GError **error)
{
    DeadlineStrategy *s = (DeadlineStrategy *) self;
    gint64 deadline_us = args->deadline_us;
    gint64 budget_us = deadline_us - g_get_monotonic_time();
    g_autoptr(VstatsJob) job = NULL;
    VstatsRecords *r;
    Call *call;

    vstats_abandoned_harvest(s->abandoned, cycle);
    if (!vstats_abandoned_has_room(s->abandoned)) {
        cycle->timed_out = TRUE;
        return TRUE; /* every VM reported stale, no new thread */
    }
    /* Leave the daemon a fifth of the budget for the reply to travel. */
    call = g_new0(Call, 1);
    call->conn = args->conn;
    virConnectRef(args->conn);
    call->stats = cycle->stats;
    call->timeout_ms = (int) MAX(budget_us * 4 / 5 / 1000, 0);
    job = vstats_job_start("vstats-deadline", call_run, call, call_free,
                           vstats_records_free);
    if (!vstats_job_wait(job, deadline_us)) {
        vstats_abandoned_add(s->abandoned, g_steal_pointer(&job), TRUE);
        cycle->timed_out = TRUE;
        return TRUE;
    }
    r = vstats_job_steal_result(job, error);
    if (!r)
        return FALSE;
    cycle->answered = TRUE;
    vstats_cycle_add_records(cycle, r);
    vstats_records_free(r);
    return TRUE;
}
#else
static gboolean
deadline_collect(VstatsStrategy *self G_GNUC_UNUSED, const VstatsCollectArgs *args G_GNUC_UNUSED,
                 VstatsCycle *cycle G_GNUC_UNUSED, GError **error)
{
    g_set_error_literal(error, VSTATS_ERROR, VSTATS_ERROR_UNSUPPORTED,
                        "built against a libvirt without "
                        "virConnectGetAllDomainStatsTimeout");
    return FALSE;
}
#endif

static void
deadline_free(VstatsStrategy *self)
{
    DeadlineStrategy *s = (DeadlineStrategy *) self;
    vstats_abandoned_free(s->abandoned);
    g_free(s);
}

VstatsStrategy *
vstats_strategy_deadline_new(void)
{
    DeadlineStrategy *s = g_new0(DeadlineStrategy, 1);

    s->parent.name = "deadline";
    s->parent.collect = deadline_collect;
    s->parent.free = deadline_free;
    s->abandoned = vstats_abandoned_new(MAX_ABANDONED);
    return &s->parent;
}
