/*
 * strategy-deadline.c: the patched call, virConnectGetAllDomainStatsParams
 * with a timeout (VIR_DOMAIN_STATS_PARAM_TIMEOUT) and
 * VIR_CONNECT_GET_ALL_DOMAINS_STATS_CACHED.  The daemon itself bounds the
 * call and reports each group of a VM whose QEMU did not answer in time as
 * its last complete collection left it, so one request covers every VM.
 * We still run it under a watchdog: a hung daemon must not hang the agent.
 *
 * Every use of the series' API (its calls, their typed parameters and
 * flag, the <group>.fresh, <group>.age and state.control.* keys) lives in
 * this file, so that a change of that API is ported here alone.
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

/* ---- the keys of the series ------------------------------------------ */

/* The groups vstats asks for, by the prefix of their keys.  @qemu: some of
 * the group's values come from QEMU, so the daemon may have had to report
 * them from an earlier collection, or without them. */
static const struct {
    unsigned int stats;
    const char *prefix;
    gboolean qemu;
} groups[] = {
    { VIR_DOMAIN_STATS_STATE, "state", FALSE },
    { VIR_DOMAIN_STATS_CPU_TOTAL, "cpu", TRUE },
    { VIR_DOMAIN_STATS_BALLOON, "balloon", TRUE },
    { VIR_DOMAIN_STATS_VCPU, "vcpu", TRUE },
    { VIR_DOMAIN_STATS_INTERFACE, "net", FALSE },
    { VIR_DOMAIN_STATS_BLOCK, "block", TRUE },
};

/* What one record says of one group: -1 where the key is absent. */
typedef struct {
    gint64 fresh;   /* <prefix>.fresh: 1 collected in full during the call */
    gint64 age_ms;  /* <prefix>.age: ms between collection and reply */
} GroupFreshness;

static void
read_freshness(const virTypedParameter *params, int nparams,
               GroupFreshness seen[G_N_ELEMENTS(groups)])
{
    for (gsize g = 0; g < G_N_ELEMENTS(groups); g++)
        seen[g].fresh = seen[g].age_ms = -1;

    for (int i = 0; i < nparams; i++) {
        const char *dot = strchr(params[i].field, '.');
        gint64 v;

        if (!dot || !vstats_param_to_int64(&params[i], &v) || v < 0)
            continue;
        for (gsize g = 0; g < G_N_ELEMENTS(groups); g++) {
            if (strlen(groups[g].prefix) != (gsize) (dot - params[i].field) ||
                strncmp(params[i].field, groups[g].prefix, dot - params[i].field) != 0)
                continue;
            if (strcmp(dot + 1, "fresh") == 0)
                seen[g].fresh = v;
            else if (strcmp(dot + 1, "age") == 0)
                seen[g].age_ms = v;
        }
    }
}

/* state.control.* (an active domain on a patched daemon, in every
 * statistics call): what virDomainGetControlInfo says.  FALSE without. */
static gboolean
read_control(const virTypedParameter *params, int nparams, gint64 *state,
             gint64 *time_ms)
{
    gboolean has_state = FALSE;

    *time_ms = 0;
    for (int i = 0; i < nparams; i++) {
        if (strcmp(params[i].field, "state.control.state") == 0)
            has_state = vstats_param_to_int64(&params[i], state);
        else if (strcmp(params[i].field, "state.control.time") == 0 &&
                 !vstats_param_to_int64(&params[i], time_ms))
            *time_ms = 0;
    }
    *time_ms = MAX(*time_ms, 0);
    return has_state;
}

gboolean
vstats_control_unresponsive_ms(const virTypedParameter *params, int nparams,
                               gint64 *ms)
{
    gint64 state, time_ms;

    if (!read_control(params, nparams, &state, &time_ms))
        return FALSE;
    switch (state) {
    case VIR_DOMAIN_CONTROL_OCCUPIED:
        *ms = time_ms; /* a command to QEMU under way that long */
        break;
    case VIR_DOMAIN_CONTROL_ERROR:
        *ms = -1; /* no talking to QEMU: unresponsive, for as long as silent */
        break;
    default:
        *ms = 0; /* OK, or a background job (migration) with a live monitor */
        break;
    }
    return TRUE;
}

gboolean
vstats_deadline_annotate(VstatsVm *vm, const virTypedParameter *params, int nparams,
                         unsigned int stats)
{
    GroupFreshness seen[G_N_ELEMENTS(groups)];
    /* A VM without a QEMU process has nothing to wait for. */
    gboolean has_qemu = vm->state != VIR_DOMAIN_SHUTOFF;
    gboolean partial = FALSE;
    gint64 control;

    read_freshness(params, nparams, seen);
    vm->has_daemon_freshness = FALSE;
    vm->fresh = TRUE;
    vm->age_ms = 0;
    for (gsize g = 0; g < G_N_ELEMENTS(groups); g++) {
        if (!(stats & groups[g].stats) || seen[g].fresh < 0)
            continue;
        vm->has_daemon_freshness = TRUE;
        /* The values of the VM are as old as its oldest group. */
        if (seen[g].age_ms >= 0)
            vm->age_ms = MAX(vm->age_ms, seen[g].age_ms);
        if (!groups[g].qemu || seen[g].fresh || !has_qemu)
            continue;
        vm->fresh = FALSE;
        /* Not fresh and no age: not even an earlier collection, only the
         * part of the group that needs no QEMU (no disk counters, say). */
        if (seen[g].age_ms < 0)
            partial = TRUE;
    }
    if (!vm->has_daemon_freshness)
        return TRUE; /* no *Params record: judged as the bulk call's */

    if (!vstats_control_unresponsive_ms(params, nparams, &control))
        control = 0;
    /* QEMU out of reach: as long as its values have not been renewed. */
    vm->monitor_unresponsive_ms = control >= 0 ? control : vm->age_ms;
    /* Earlier values describe an earlier moment: date them accordingly so
     * rates are computed over the right interval.  One time per VM (the
     * oldest group's): a VM with a group not fresh is stale, and the rate
     * window keeps its last fresh sample unless this one is newer. */
    vm->sample_time_us -= vm->age_ms * 1000;
    return !partial;
}

/* ---- the calls ----------------------------------------------------- */

#if defined(HAVE_VIR_CONNECT_GET_ALL_DOMAIN_STATS_PARAMS) || \
    defined(HAVE_VIR_DOMAIN_GET_BLOCK_INFO_PARAMS)
/* The "timeout" typed parameter of the series' calls, in milliseconds. */
static void
timeout_param(virTypedParameter *p, const char *name, guint64 timeout_ms)
{
    memset(p, 0, sizeof(*p));
    g_strlcpy(p->field, name, sizeof(p->field));
    p->type = VIR_TYPED_PARAM_ULLONG;
    p->value.ul = timeout_ms;
}
#endif

int
vstats_block_info(virDomainPtr dom, const char *dev, virDomainBlockInfoPtr info,
                  int timeout_ms)
{
#ifdef HAVE_VIR_DOMAIN_GET_BLOCK_INFO_PARAMS
    /* Bounded on a patched daemon; an unpatched one says "no support". */
    virTypedParameter timeout;
    int rc;

    timeout_param(&timeout, VIR_DOMAIN_BLOCK_INFO_PARAM_TIMEOUT, MAX(timeout_ms, 0));
    rc = virDomainGetBlockInfoParams(dom, dev, &timeout, 1, info, 0);
    if (rc == 0 || virGetLastErrorCode() != VIR_ERR_NO_SUPPORT)
        return rc;
    virResetLastError();
#else
    (void) timeout_ms;
#endif
    return virDomainGetBlockInfo(dom, dev, info, 0);
}

#ifdef HAVE_VIR_CONNECT_GET_ALL_DOMAIN_STATS_PARAMS
typedef struct {
    virConnectPtr conn;
    unsigned int stats;
    guint64 timeout_ms;
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
    virTypedParameter timeout;

    timeout_param(&timeout, VIR_DOMAIN_STATS_PARAM_TIMEOUT, call->timeout_ms);
    /* CACHED: a group not collected by the deadline comes as its last
     * complete collection left it, with its age, rather than not at all. */
    r->n = virConnectGetAllDomainStatsParams(call->conn, call->stats, &timeout, 1,
                                             &r->recs,
                                             VIR_CONNECT_GET_ALL_DOMAINS_STATS_CACHED);
    r->recv_us = g_get_monotonic_time();
    r->annotate = vstats_deadline_annotate;
    if (r->n < 0) {
        vstats_error_from_virt(error, NULL, "virConnectGetAllDomainStatsParams");
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
    call->timeout_ms = (guint64) MAX(budget_us * 4 / 5 / 1000, 0);
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
                        "virConnectGetAllDomainStatsParams");
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
