/*
 * strategy-bulk.c: what VDSM does with upstream libvirt.  One bulk call
 * with NOWAIT (do not wait for a busy domain job), run in a watchdog thread
 * that is abandoned at the deadline.  When it overruns, the monitors of the
 * running VMs are probed with virDomainGetControlInfo (answered from the
 * daemon's own state, never from QEMU) and busy ones go on a skip list for
 * 40 s; meanwhile the others are sampled with virDomainListGetStats.
 *
 * The probe and the per-list calls run on a side connection of their own:
 * while the abandoned call waits on the main connection for a reply that
 * does not come, libvirt's client can leave further calls on that same
 * connection waiting too (seen with 9.0.0), which would stall the very
 * fallback that is meant to get around the stuck VM.
 */
#include "strategy.h"
#include "errors.h"
#include "job.h"
#include "skip-list.h"

#define MAX_ABANDONED 2
/* Part of the budget kept for probing the monitors after an overrun. */
#define PROBE_SHARE 4

typedef struct {
    VstatsStrategy parent;
    VstatsAbandoned *abandoned;
    VstatsSkipList *skip;
} BulkStrategy;

/* ---- the statistics call ---- */

typedef struct {
    virConnectPtr conn;
    char **uuids;       /* NULL for every domain, else a side connection */
    virDomainPtr *doms; /* looked up on the side connection */
} Call;

static void
call_free(gpointer p)
{
    Call *call = p;
    for (virDomainPtr *d = call->doms; d && *d; d++)
        virDomainFree(*d);
    g_free(call->doms);
    g_strfreev(call->uuids);
    if (call->conn)
        virConnectClose(call->conn);
    g_free(call);
}

/* A connection of its own to the daemon @conn talks to. */
static virConnectPtr
open_side_connection(virConnectPtr conn)
{
    g_autofree char *uri = virConnectGetURI(conn);

    return uri ? virConnectOpen(uri) : NULL;
}

static gpointer
call_run(gpointer data, GError **error)
{
    Call *call = data;
    VstatsRecords *r = g_new0(VstatsRecords, 1);
    unsigned int flags = VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT;

    if (call->uuids) {
        virConnectPtr side = open_side_connection(call->conn);
        GPtrArray *doms = g_ptr_array_new();

        if (!side) {
            vstats_error_from_virt(error, NULL, "virConnectOpen");
            g_ptr_array_free(doms, TRUE);
            vstats_records_free(r);
            return NULL;
        }
        for (char **u = call->uuids; *u; u++) {
            virDomainPtr dom = virDomainLookupByUUIDString(side, *u);
            if (dom)
                g_ptr_array_add(doms, dom);
            else
                virResetLastError(); /* gone meanwhile */
        }
        g_ptr_array_add(doms, NULL);
        call->doms = (virDomainPtr *) g_ptr_array_free(doms, FALSE);
        /* The domains keep the side connection open while they live. */
        virConnectClose(side);
        if (!call->doms[0]) {
            r->recv_us = g_get_monotonic_time();
            return r;
        }
    }

    if (call->doms)
        r->n = virDomainListGetStats(call->doms, VSTATS_STATS_GROUPS, &r->recs, flags);
    else
        r->n = virConnectGetAllDomainStats(call->conn, VSTATS_STATS_GROUPS, &r->recs, flags);
    r->recv_us = g_get_monotonic_time();
    if (r->n < 0) {
        vstats_error_from_virt(error, NULL, call->doms ? "virDomainListGetStats"
                                                       : "virConnectGetAllDomainStats");
        vstats_records_free(r);
        return NULL;
    }
    return r;
}

/* ---- the monitor probe ---- */

typedef struct {
    char uuid[VSTATS_UUID_LEN];
    unsigned int state;
    gint64 state_ms;
} Probe;

typedef struct {
    virConnectPtr conn;
    GPtrArray *all;     /* reference that keeps the entries below alive */
    GPtrArray *running; /* VstatsTracked* with a QEMU process */
} ProbeCall;

static void
probe_call_free(gpointer p)
{
    ProbeCall *pc = p;
    g_ptr_array_unref(pc->running);
    g_ptr_array_unref(pc->all);
    virConnectClose(pc->conn);
    g_free(pc);
}

static gpointer
probe_run(gpointer data, GError **error G_GNUC_UNUSED)
{
    ProbeCall *pc = data;
    GArray *out = g_array_new(FALSE, TRUE, sizeof(Probe));
    virConnectPtr side = open_side_connection(pc->conn);

    for (guint i = 0; side && i < pc->running->len; i++) {
        VstatsTracked *d = pc->running->pdata[i];
        virDomainControlInfo info;
        virDomainPtr dom = virDomainLookupByUUIDString(side, d->uuid);
        Probe p = { 0 };
        int rc = dom ? virDomainGetControlInfo(dom, &info, 0) : -1;

        if (dom)
            virDomainFree(dom);
        if (rc < 0) {
            virResetLastError();
            continue;
        }
        g_strlcpy(p.uuid, d->uuid, sizeof(p.uuid));
        p.state = info.state;
        p.state_ms = (gint64) MIN(info.stateTime, (unsigned long long) G_MAXINT64);
        g_array_append_val(out, p);
    }
    if (side)
        virConnectClose(side);
    return out;
}

static void
probe_monitors(BulkStrategy *s, virConnectPtr conn, GPtrArray *domains,
               gint64 deadline_us, VstatsCycle *cycle)
{
    ProbeCall *pc = g_new0(ProbeCall, 1);
    g_autoptr(VstatsJob) job = NULL;
    GArray *probes;
    gint64 now = g_get_monotonic_time();

    /* The job may outlive this cycle: it keeps the domain list alive. */
    pc->conn = conn;
    virConnectRef(conn);
    pc->all = g_ptr_array_ref(domains);
    pc->running = g_ptr_array_new();
    for (guint i = 0; i < domains->len; i++) {
        VstatsTracked *d = domains->pdata[i];
        if (d->state == VIR_DOMAIN_RUNNING || d->state == VIR_DOMAIN_PAUSED)
            g_ptr_array_add(pc->running, d);
    }

    job = vstats_job_start("vstats-probe", probe_run, pc, probe_call_free,
                           (GDestroyNotify) g_array_unref);
    if (!vstats_job_wait(job, deadline_us)) {
        vstats_abandoned_add(s->abandoned, g_steal_pointer(&job), FALSE);
        return;
    }
    probes = vstats_job_steal_result(job, NULL);
    for (guint i = 0; probes && i < probes->len; i++) {
        Probe *p = &g_array_index(probes, Probe, i);
        if (p->state == VIR_DOMAIN_CONTROL_OK)
            continue;
        vstats_skip_list_add(s->skip, p->uuid, now);
        vstats_cycle_set_control_ms(cycle, p->uuid, p->state_ms);
    }
    if (probes)
        g_array_unref(probes);
}

static gboolean
bulk_collect(VstatsStrategy *self, virConnectPtr conn, GPtrArray *domains,
             gint64 deadline_us, VstatsCycle *cycle, GError **error)
{
    BulkStrategy *s = (BulkStrategy *) self;
    gint64 now = g_get_monotonic_time();
    gint64 call_deadline = deadline_us - (deadline_us - now) / PROBE_SHARE;
    g_auto(GStrv) expired = vstats_skip_list_expire(s->skip, now);
    g_autoptr(VstatsJob) job = NULL;
    VstatsRecords *r;
    Call *call;

    vstats_abandoned_harvest(s->abandoned, cycle);
    if (!vstats_abandoned_has_room(s->abandoned)) {
        cycle->timed_out = TRUE;
        return TRUE;
    }

    call = g_new0(Call, 1);
    call->conn = conn;
    virConnectRef(conn);
    if (vstats_skip_list_size(s->skip) > 0) {
        GPtrArray *uuids = g_ptr_array_new();
        for (guint i = 0; i < domains->len; i++) {
            VstatsTracked *d = domains->pdata[i];
            if (vstats_skip_list_contains(s->skip, d->uuid))
                continue;
            g_ptr_array_add(uuids, g_strdup(d->uuid));
        }
        g_ptr_array_add(uuids, NULL);
        call->uuids = (char **) g_ptr_array_free(uuids, FALSE);
    }

    job = vstats_job_start("vstats-bulk", call_run, call, call_free,
                           vstats_records_free);
    if (!vstats_job_wait(job, call_deadline)) {
        vstats_abandoned_add(s->abandoned, g_steal_pointer(&job), TRUE);
        cycle->timed_out = TRUE;
        probe_monitors(s, conn, domains, deadline_us, cycle);
        return TRUE;
    }
    r = vstats_job_steal_result(job, error);
    if (!r)
        return FALSE;
    vstats_cycle_add_records(cycle, r);
    vstats_records_free(r);
    return TRUE;
}

static void
bulk_free(VstatsStrategy *self)
{
    BulkStrategy *s = (BulkStrategy *) self;
    vstats_abandoned_free(s->abandoned);
    vstats_skip_list_free(s->skip);
    g_free(s);
}

VstatsStrategy *
vstats_strategy_bulk_new(void)
{
    BulkStrategy *s = g_new0(BulkStrategy, 1);

    s->parent.name = "bulk";
    s->parent.collect = bulk_collect;
    s->parent.free = bulk_free;
    s->abandoned = vstats_abandoned_new(MAX_ABANDONED);
    s->skip = vstats_skip_list_new(VSTATS_SKIP_TTL_MS);
    return &s->parent;
}
