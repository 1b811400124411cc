/*
 * sampler.c: one collection per call, under a deadline.  Picks the
 * strategy at run time (the daemon may or may not have the deadline call,
 * and may change on a restart), feeds the rate window and the
 * responsiveness tracker, and assembles the report.
 */
#include "config.h"
#include "connection-private.h"
#include "log.h"
#include "domain-info.h"
#include "net-bridges.h"
#include "report-private.h"
#include "vstats-private.h"
#include "responsiveness.h"
#include "strategy.h"

#include <string.h>

#define DEFAULT_TIMEOUT_MS 2000

struct _VstatsSampler {
    gint refs;                   /* the caller's, and a collection's */
    GMutex lock;                 /* one cycle at a time */
    VstatsConnection *conn;
    VstatsMode mode;
    guint timeout_ms;
    unsigned int groups;         /* VstatsGroups */
    unsigned int stats;          /* virDomainStatsTypes for them */
    VstatsStrategy *deadline, *bulk, *legacy;
    gboolean deadline_unsupported;
    const char *last_strategy;
    VstatsRateWindow *window;
    VstatsResponsiveness *resp;
    VstatsBridges *bridges;
    VstatsDomainInfo *info;
};

static const char *const mode_names[] = { "auto", "deadline", "bulk", "legacy" };

const char *
vstats_mode_to_string(VstatsMode mode)
{
    return (guint) mode < G_N_ELEMENTS(mode_names) ? mode_names[mode] : "unknown";
}

gboolean
vstats_mode_from_string(const char *str, VstatsMode *mode)
{
    for (guint i = 0; str && i < G_N_ELEMENTS(mode_names); i++) {
        if (strcmp(str, mode_names[i]) == 0) {
            *mode = (VstatsMode) i;
            return TRUE;
        }
    }
    return FALSE;
}

VstatsSampler *
vstats_sampler_new(VstatsConnection *conn, VstatsMode mode, guint timeout_ms)
{
    VstatsSampler *s = g_new0(VstatsSampler, 1);

    s->refs = 1;
    g_mutex_init(&s->lock);
    s->conn = vstats_connection_ref(conn);
    s->mode = mode;
    s->timeout_ms = timeout_ms ? timeout_ms : DEFAULT_TIMEOUT_MS;
    s->groups = VSTATS_GROUPS_ALL;
    s->stats = vstats_groups_to_stats(s->groups);
    s->deadline = vstats_strategy_deadline_new();
    s->bulk = vstats_strategy_bulk_new();
    s->legacy = vstats_strategy_legacy_new();
    s->window = vstats_rate_window_new();
    s->resp = vstats_responsiveness_new(VSTATS_DEFAULT_NOT_RESPONDING_MS);
    s->bridges = vstats_bridges_new();
    s->info = vstats_domain_info_new();
    return s;
}

VstatsSampler *
vstats_sampler_ref(VstatsSampler *s)
{
    g_atomic_int_inc(&s->refs);
    return s;
}

void
vstats_sampler_free(VstatsSampler *s)
{
    if (!s || !g_atomic_int_dec_and_test(&s->refs))
        return;
    s->deadline->free(s->deadline);
    s->bulk->free(s->bulk);
    s->legacy->free(s->legacy);
    vstats_rate_window_free(s->window);
    vstats_responsiveness_free(s->resp);
    vstats_bridges_free(s->bridges);
    vstats_domain_info_free(s->info);
    vstats_connection_free(s->conn);
    g_mutex_clear(&s->lock);
    g_free(s);
}

void
vstats_sampler_set_not_responding_ms(VstatsSampler *s, guint ms)
{
    g_mutex_lock(&s->lock);
    vstats_responsiveness_set_threshold(s->resp, ms);
    g_mutex_unlock(&s->lock);
}

void
vstats_sampler_set_groups(VstatsSampler *s, unsigned int groups)
{
    g_mutex_lock(&s->lock);
    s->groups = groups;
    s->stats = vstats_groups_to_stats(groups);
    g_mutex_unlock(&s->lock);
}

unsigned int
vstats_sampler_get_groups(VstatsSampler *s)
{
    unsigned int groups;

    g_mutex_lock(&s->lock);
    groups = s->groups;
    g_mutex_unlock(&s->lock);
    return groups;
}

guint
vstats_sampler_get_timeout_ms(VstatsSampler *s)
{
    return s->timeout_ms;
}

const char *
vstats_sampler_get_strategy(VstatsSampler *s)
{
    const char *name;

    g_mutex_lock(&s->lock);
    name = s->last_strategy;
    g_mutex_unlock(&s->lock);
    return name;
}

static VstatsStrategy *
pick_strategy(VstatsSampler *s)
{
    switch (s->mode) {
    case VSTATS_MODE_DEADLINE: return s->deadline;
    case VSTATS_MODE_BULK: return s->bulk;
    case VSTATS_MODE_LEGACY: return s->legacy;
    case VSTATS_MODE_AUTO:
    default:
        return s->deadline_unsupported ? s->bulk : s->deadline;
    }
}

/* Runs the chosen strategy; in auto mode a daemon (or client library)
 * without the deadline call sends us to the bulk strategy for good, or
 * until the next reconnect. */
static VstatsStrategy *
run_strategy(VstatsSampler *s, const VstatsCollectArgs *args, VstatsCycle *cycle,
             GError **error)
{
    VstatsStrategy *strategy = pick_strategy(s);
    g_autoptr(GError) local = NULL;

    if (strategy->collect(strategy, args, cycle, &local))
        return strategy;
    if (s->mode == VSTATS_MODE_AUTO && strategy == s->deadline &&
        g_error_matches(local, VSTATS_ERROR, VSTATS_ERROR_UNSUPPORTED)) {
        vstats_log(G_LOG_LEVEL_MESSAGE, "deadline statistics unavailable (%s); "
                   "falling back to the bulk NOWAIT strategy", local->message);
        s->deadline_unsupported = TRUE;
        g_clear_error(&local);
        strategy = s->bulk;
        if (strategy->collect(strategy, args, cycle, &local))
            return strategy;
    }
    g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
}

typedef struct {
    gboolean answered;
    int state;
} Seen;

static gint
vm_by_name(gconstpointer a, gconstpointer b)
{
    return g_strcmp0((*(VstatsVm *const *) a)->name, (*(VstatsVm *const *) b)->name);
}

/* Turns what the cycle brought back into the report's VMs. */
static void
merge_cycle(VstatsSampler *s, GPtrArray *domains, VstatsCycle *cycle,
            VstatsReport *report, gint64 now_us)
{
    g_autoptr(GHashTable) keep = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) answers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) daemon = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) vstats_vm_free);
    g_autoptr(GPtrArray) out = g_ptr_array_new();
    gint64 stale_min_us = (gint64) s->timeout_ms * 1000 / 2;
    GHashTableIter it;
    gpointer key, value;

    for (guint i = 0; i < domains->len; i++) {
        VstatsTracked *d = domains->pdata[i];
        Seen *seen = g_new0(Seen, 1);
        seen->state = d->state;
        g_hash_table_add(keep, g_strdup(d->uuid));
        g_hash_table_insert(answers, g_strdup(d->uuid), seen);
        g_hash_table_insert(names, g_strdup(d->uuid), g_strdup(d->name));
    }

    /* Answered VMs enter the rate window; a record repeating cached values
     * must be newer by half a period, so it cannot fake a zero rate. */
    for (guint i = 0; i < cycle->vms->len; i++) {
        VstatsVm *vm = g_ptr_array_steal_index(cycle->vms, i--);
        Seen *seen = g_hash_table_lookup(answers, vm->uuid);

        if (!seen) { /* a domain newer than our event stream */
            seen = g_new0(Seen, 1);
            g_hash_table_add(keep, g_strdup(vm->uuid));
            g_hash_table_insert(answers, g_strdup(vm->uuid), seen);
            g_hash_table_insert(names, g_strdup(vm->uuid), g_strdup(vm->name));
        }
        seen->answered = TRUE;
        if (vm->state >= 0)
            seen->state = vm->state;
        g_hash_table_insert(daemon, g_strdup(vm->uuid), vstats_vm_copy(vm));
        vstats_rate_window_push(s->window, vm,
                                vm->has_daemon_freshness && !vm->fresh ? stale_min_us : 0);
    }

    g_hash_table_iter_init(&it, answers);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        Seen *seen = value;
        const VstatsVm *latest = vstats_rate_window_latest(s->window, key);
        const VstatsVm *answer = g_hash_table_lookup(daemon, key);
        const gint64 *control = g_hash_table_lookup(cycle->control_ms, key);
        /* A record without the monitor's groups is no fresh answer. */
        VstatsAnswer a = { seen->answered && !g_hash_table_contains(cycle->partial, key),
                           control ? *control : -1 };
        VstatsVm *vm = latest ? vstats_vm_copy(latest)
                              : vstats_vm_new(g_hash_table_lookup(names, key), key);

        vm->state = seen->state;
        vm->has_daemon_freshness = answer && answer->has_daemon_freshness;
        if (answer) {
            vm->fresh = answer->fresh;
            vm->age_ms = answer->age_ms;
            vm->monitor_unresponsive_ms = answer->monitor_unresponsive_ms;
        }
        vstats_responsiveness_update(s->resp, vm, &a, now_us);
        g_ptr_array_add(out, vm);
    }
    g_ptr_array_sort(out, vm_by_name);
    for (guint i = 0; i < out->len; i++)
        vstats_report_add_vm(report, out->pdata[i]);

    /* VMs that went away are forgotten, so a returning UUID starts over. */
    vstats_rate_window_retain(s->window, keep);
    vstats_responsiveness_retain(s->resp, keep);
    vstats_bridges_retain(s->bridges, keep);
}

VstatsReport *
vstats_sampler_collect(VstatsSampler *s, GError **error)
{
    gint64 start = g_get_monotonic_time();
    gint64 deadline = start + (gint64) s->timeout_ms * 1000;
    g_autoptr(GError) local = NULL;
    g_autoptr(GPtrArray) domains = NULL;
    VstatsStrategy *strategy = NULL;
    virConnectPtr conn = NULL;
    VstatsReport *report;
    VstatsCollectArgs args;
    VstatsCycle cycle;
    guint64 gap = 0;

    g_mutex_lock(&s->lock);
    vstats_cycle_init(&cycle, s->stats);

    if (!vstats_connection_ensure(s->conn, &gap, &local))
        goto done;
    if (gap > 0)
        s->deadline_unsupported = FALSE; /* the new daemon may have it */
    conn = vstats_connection_ref_virconn(s->conn);
    if (!conn) {
        g_set_error_literal(&local, VSTATS_ERROR, VSTATS_ERROR_DISCONNECTED,
                            "not connected");
        goto done;
    }
    domains = vstats_connection_list(s->conn);
    args = (VstatsCollectArgs) { s->conn, conn, domains, deadline };
    strategy = run_strategy(s, &args, &cycle, &local);
    if (!strategy) {
        if (virConnectIsAlive(conn) != 1 ||
            g_error_matches(local, VSTATS_ERROR, VSTATS_ERROR_DISCONNECTED))
            vstats_connection_mark_broken(s->conn);
        goto done;
    }
    if (cycle.stats & VIR_DOMAIN_STATS_INTERFACE)
        vstats_bridges_fill(s->bridges, s->conn, cycle.vms, deadline);
    if (s->groups & VSTATS_GROUP_INFO)
        vstats_domain_info_fill(s->info, s->conn, cycle.vms, deadline);
    if (s->last_strategy != strategy->name)
        vstats_log(G_LOG_LEVEL_MESSAGE, "collecting statistics with the %s strategy",
                   strategy->name);
    s->last_strategy = strategy->name;

 done:
    report = vstats_report_new(strategy ? strategy->name : s->last_strategy, s->timeout_ms);
    if (!local)
        merge_cycle(s, domains, &cycle, report, g_get_monotonic_time());
    vstats_report_finish(report, g_get_monotonic_time() - start, cycle.timed_out,
                         gap, local ? local->message : NULL);
    /* Late values are still served, marked stale, but the collection
     * itself is down: the daemon did not answer. */
    if (!local && !cycle.answered) {
        g_autofree char *msg = g_strdup_printf("the daemon did not answer within %u ms",
                                               s->timeout_ms);
        vstats_report_set_unanswered(report, msg);
    }
    vstats_cycle_clear(&cycle);
    if (conn)
        virConnectClose(conn);
    g_mutex_unlock(&s->lock);
    if (local)
        g_propagate_error(error, g_steal_pointer(&local));
    return report;
}
