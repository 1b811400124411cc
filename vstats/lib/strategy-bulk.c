/*
 * strategy-bulk.c: what VDSM does with upstream libvirt.  One bulk call
 * with NOWAIT (do not wait for a busy domain job), run in a watchdog thread
 * that is abandoned at the deadline.  When it overruns, the monitors of the
 * running VMs are probed with virDomainGetControlInfo (answered from the
 * daemon's own state, never from QEMU) and busy ones go on a skip list for
 * 40 s; meanwhile the others are sampled with virDomainListGetStats.
 *
 * The probe and the per-list calls run on the side connection (opened
 * once, like the main one, read-only where that is what we have): while
 * the abandoned call waits on the main connection for a reply that does
 * not come, libvirt's client can leave further calls on that same
 * connection waiting too (seen with 9.0.0), which would stall the very
 * fallback that is meant to get around the stuck VM.
 */
#include "strategy.h"
#include "errors.h"
#include "job.h"
#include "log.h"
#include "skip-list.h"

#define MAX_ABANDONED 2
/* Part of the budget kept for probing the monitors after an overrun. */
#define PROBE_SHARE 4

typedef struct {
    VstatsStrategy parent;
    VstatsAbandoned *abandoned;
    VstatsSkipList *skip;
} BulkStrategy;

static GHashTable *
uuid_set(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* ---- the statistics call ---- */

typedef struct {
    virConnectPtr conn; /* for every domain */
    VstatsSide *side;   /* or for @uuids only, on the side connection */
    GHashTable *uuids;
    unsigned int stats;
} Call;

static void
call_free(gpointer p)
{
    Call *call = p;
    if (call->uuids)
        g_hash_table_unref(call->uuids);
    vstats_side_unref(call->side);
    if (call->conn)
        virConnectClose(call->conn);
    g_free(call);
}

static gpointer
call_run(gpointer data, GError **error)
{
    Call *call = data;
    g_autoptr(VstatsRecords) r = g_new0(VstatsRecords, 1);
    unsigned int flags = VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT;

    if (call->side) {
        virDomainPtr *doms = vstats_side_domains(call->side, call->uuids, error);

        if (!doms)
            return NULL;
        r->n = doms[0] ? virDomainListGetStats(doms, call->stats, &r->recs, flags) : 0;
        if (r->n < 0)
            vstats_error_from_virt(error, NULL, "virDomainListGetStats");
        vstats_domains_free(doms);
    } else {
        r->n = virConnectGetAllDomainStats(call->conn, call->stats, &r->recs, flags);
        if (r->n < 0)
            vstats_error_from_virt(error, NULL, "virConnectGetAllDomainStats");
    }
    r->recv_us = g_get_monotonic_time();
    return r->n < 0 ? NULL : g_steal_pointer(&r);
}

/* ---- the monitor probe ---- */

typedef struct {
    char uuid[VSTATS_UUID_LEN];
    unsigned int state;
    gint64 state_ms;
} Probe;

typedef struct {
    VstatsSide *side;
    GHashTable *running; /* uuids of the domains with a QEMU process */
} ProbeCall;

static void
probe_call_free(gpointer p)
{
    ProbeCall *pc = p;
    g_hash_table_unref(pc->running);
    vstats_side_unref(pc->side);
    g_free(pc);
}

/* virDomainGetControlInfo is answered from the daemon's own state, never
 * from QEMU: it cannot hang on the stuck VM. */
static gpointer
probe_run(gpointer data, GError **error)
{
    ProbeCall *pc = data;
    virDomainPtr *doms = vstats_side_domains(pc->side, pc->running, error);
    GArray *out;

    if (!doms)
        return NULL;
    out = g_array_new(FALSE, TRUE, sizeof(Probe));
    for (virDomainPtr *d = doms; *d; d++) {
        virDomainControlInfo info;
        Probe p = { 0 };

        if (virDomainGetControlInfo(*d, &info, 0) < 0 ||
            virDomainGetUUIDString(*d, p.uuid) < 0) {
            virResetLastError();
            continue;
        }
        p.state = info.state;
        p.state_ms = (gint64) MIN(info.stateTime, (unsigned long long) G_MAXINT64);
        g_array_append_val(out, p);
    }
    vstats_domains_free(doms);
    return out;
}

static void
probe_monitors(BulkStrategy *s, const VstatsCollectArgs *args, VstatsSide *side,
               VstatsCycle *cycle)
{
    ProbeCall *pc = g_new0(ProbeCall, 1);
    g_autoptr(VstatsJob) job = NULL;
    g_autoptr(GError) error = NULL;
    GArray *probes;
    gint64 now = g_get_monotonic_time();

    pc->side = side;
    pc->running = uuid_set();
    for (guint i = 0; i < args->domains->len; i++) {
        VstatsTracked *d = args->domains->pdata[i];
        if (d->state == VIR_DOMAIN_RUNNING || d->state == VIR_DOMAIN_PAUSED)
            g_hash_table_add(pc->running, g_strdup(d->uuid));
    }

    job = vstats_job_start("vstats-probe", probe_run, pc, probe_call_free,
                           (GDestroyNotify) g_array_unref);
    if (!vstats_job_wait(job, args->deadline_us)) {
        vstats_abandoned_add(s->abandoned, g_steal_pointer(&job), FALSE);
        return;
    }
    probes = vstats_job_steal_result(job, &error);
    if (error)
        vstats_log(G_LOG_LEVEL_WARNING, "cannot probe the monitors: %s", error->message);
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
bulk_collect(VstatsStrategy *self, const VstatsCollectArgs *args,
             VstatsCycle *cycle, GError **error)
{
    BulkStrategy *s = (BulkStrategy *) self;
    gint64 now = g_get_monotonic_time();
    gint64 call_deadline = args->deadline_us - (args->deadline_us - now) / PROBE_SHARE;
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
    call->stats = cycle->stats;
    if (vstats_skip_list_size(s->skip) > 0) {
        call->side = vstats_connection_get_side(args->vconn);
        call->uuids = uuid_set();
        for (guint i = 0; i < args->domains->len; i++) {
            VstatsTracked *d = args->domains->pdata[i];
            if (!vstats_skip_list_contains(s->skip, d->uuid))
                g_hash_table_add(call->uuids, g_strdup(d->uuid));
        }
    }
    if (!call->side) {
        call->conn = args->conn;
        virConnectRef(args->conn);
    }

    job = vstats_job_start("vstats-bulk", call_run, call, call_free,
                           vstats_records_free);
    if (!vstats_job_wait(job, call_deadline)) {
        VstatsSide *side = vstats_connection_get_side(args->vconn);

        vstats_abandoned_add(s->abandoned, g_steal_pointer(&job), TRUE);
        cycle->timed_out = TRUE;
        if (side)
            probe_monitors(s, args, side, cycle);
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
