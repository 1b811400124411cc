/*
 * strategy-common.c: bookkeeping every strategy needs: the cycle result,
 * turning bulk records into VstatsVm, and the bound on abandoned calls.
 */
#include "strategy.h"
#include "job.h"
#include "typed-params.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned int group;
} group_names[] = {
    { "cpu", VSTATS_GROUP_CPU }, { "balloon", VSTATS_GROUP_BALLOON },
    { "vcpu", VSTATS_GROUP_VCPU }, { "net", VSTATS_GROUP_NET },
    { "block", VSTATS_GROUP_BLOCK }, { "info", VSTATS_GROUP_INFO },
    { "all", VSTATS_GROUPS_ALL },
};

gboolean
vstats_groups_from_string(const char *list, unsigned int *groups)
{
    g_auto(GStrv) names = g_strsplit(list ? list : "", ",", -1);
    unsigned int out = 0;

    for (char **n = names; *n; n++) {
        gsize i;
        for (i = 0; i < G_N_ELEMENTS(group_names); i++)
            if (strcmp(g_strstrip(*n), group_names[i].name) == 0)
                break;
        if (i == G_N_ELEMENTS(group_names))
            return FALSE;
        out |= group_names[i].group;
    }
    if (!names[0])
        return FALSE;
    *groups = out;
    return TRUE;
}

unsigned int
vstats_groups_to_stats(unsigned int groups)
{
    unsigned int stats = VIR_DOMAIN_STATS_STATE;

    if (groups & VSTATS_GROUP_CPU)
        stats |= VIR_DOMAIN_STATS_CPU_TOTAL;
    if (groups & VSTATS_GROUP_BALLOON)
        stats |= VIR_DOMAIN_STATS_BALLOON;
    if (groups & VSTATS_GROUP_VCPU)
        stats |= VIR_DOMAIN_STATS_VCPU;
    if (groups & VSTATS_GROUP_NET)
        stats |= VIR_DOMAIN_STATS_INTERFACE;
    if (groups & VSTATS_GROUP_BLOCK)
        stats |= VIR_DOMAIN_STATS_BLOCK;
    return stats;
}

void
vstats_cycle_init(VstatsCycle *cycle, unsigned int stats)
{
    cycle->vms = g_ptr_array_new_with_free_func((GDestroyNotify) vstats_vm_free);
    cycle->control_ms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    cycle->partial = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    cycle->stats = stats;
    cycle->timed_out = FALSE;
    cycle->answered = FALSE;
}

void
vstats_cycle_clear(VstatsCycle *cycle)
{
    g_clear_pointer(&cycle->vms, g_ptr_array_unref);
    g_clear_pointer(&cycle->control_ms, g_hash_table_unref);
    g_clear_pointer(&cycle->partial, g_hash_table_unref);
}

/* With NOWAIT a domain whose job is busy (its QEMU stuck) still gets a
 * record, without what the monitor provides: disk counters, the guest's
 * memory stats.  Such a record is not a fresh answer. */
static gboolean
monitor_skipped(const VstatsVm *vm, unsigned int stats)
{
    gboolean counters = FALSE;

    if (vm->has_daemon_freshness)
        return FALSE; /* the daemon says itself */
    if (vm->state != VIR_DOMAIN_RUNNING && vm->state != VIR_DOMAIN_PAUSED)
        return FALSE;
    if ((stats & VIR_DOMAIN_STATS_BLOCK) && vm->n_blocks > 0) {
        for (guint i = 0; i < vm->n_blocks; i++)
            counters |= vm->blocks[i].rd_reqs >= 0 || vm->blocks[i].capacity >= 0;
        if (!counters)
            return TRUE;
    }
    /* The resident set size comes with the memory stats of every active
     * domain, balloon driver or not; the sizes before it come from the
     * definition (a driver without the group reports neither). */
    return (stats & VIR_DOMAIN_STATS_BALLOON) && vm->balloon.maximum_kib >= 0 &&
           vm->balloon.rss_kib < 0;
}

void
vstats_cycle_set_control_ms(VstatsCycle *cycle, const char *uuid, gint64 ms)
{
    g_hash_table_insert(cycle->control_ms, g_strdup(uuid), g_memdup2(&ms, sizeof(ms)));
}

void
vstats_records_free(gpointer p)
{
    VstatsRecords *r = p;

    if (!r)
        return;
    if (r->recs)
        virDomainStatsRecordListFree(r->recs);
    g_free(r);
}

void
vstats_cycle_add_records(VstatsCycle *cycle, const VstatsRecords *records)
{
    for (int i = 0; i < records->n; i++) {
        virDomainStatsRecordPtr rec = records->recs[i];
        VstatsVm *vm = vstats_vm_from_record(rec, records->recv_us);
        gboolean full = TRUE;
        gint64 control;

        /* A patched daemon says in every call whether the monitor is busy:
         * the bulk fallback's records too. */
        if (vstats_control_unresponsive_ms(rec->params, rec->nparams, &control))
            vstats_cycle_set_control_ms(cycle, vm->uuid, control);
        if (records->annotate)
            full = records->annotate(vm, rec->params, rec->nparams, cycle->stats);
        if (!full || monitor_skipped(vm, cycle->stats)) {
            g_hash_table_add(cycle->partial, g_strdup(vm->uuid));
            vstats_vm_free(vm); /* the last full answer stays in use */
            continue;
        }
        g_ptr_array_add(cycle->vms, vm);
    }
}

struct _VstatsAbandoned {
    guint max;
    GPtrArray *jobs;
    GHashTable *with_records; /* jobs whose result is VstatsRecords */
};

VstatsAbandoned *
vstats_abandoned_new(guint max)
{
    VstatsAbandoned *a = g_new0(VstatsAbandoned, 1);
    a->max = max;
    a->jobs = g_ptr_array_new_with_free_func((GDestroyNotify) vstats_job_unref);
    a->with_records = g_hash_table_new(NULL, NULL);
    return a;
}

void
vstats_abandoned_free(VstatsAbandoned *a)
{
    if (!a)
        return;
    g_hash_table_unref(a->with_records);
    g_ptr_array_unref(a->jobs);
    g_free(a);
}

gboolean
vstats_abandoned_has_room(VstatsAbandoned *a)
{
    for (guint i = a->jobs->len; i > 0; i--) {
        if (vstats_job_is_done(a->jobs->pdata[i - 1])) {
            g_hash_table_remove(a->with_records, a->jobs->pdata[i - 1]);
            g_ptr_array_remove_index_fast(a->jobs, i - 1);
        }
    }
    return a->jobs->len < a->max;
}

void
vstats_abandoned_harvest(VstatsAbandoned *a, VstatsCycle *cycle)
{
    for (guint i = 0; i < a->jobs->len; i++) {
        VstatsJob *job = a->jobs->pdata[i];
        VstatsRecords *r;

        if (!g_hash_table_contains(a->with_records, job) || !vstats_job_is_done(job))
            continue;
        g_hash_table_remove(a->with_records, job);
        r = vstats_job_steal_result(job, NULL);
        if (r)
            vstats_cycle_add_records(cycle, r);
        vstats_records_free(r);
    }
}

void
vstats_abandoned_add(VstatsAbandoned *a, gpointer job, gboolean has_records)
{
    g_ptr_array_add(a->jobs, job);
    if (has_records)
        g_hash_table_add(a->with_records, job);
}

guint
vstats_abandoned_count(VstatsAbandoned *a)
{
    return a->jobs->len;
}
