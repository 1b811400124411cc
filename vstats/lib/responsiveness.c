/*
 * responsiveness.c: per-VM freshness bookkeeping.  With the deadline call
 * the daemon tells us the age of the values; in the fallback strategies we
 * only know when the VM last answered, which is what VDSM does too.
 */
#include "responsiveness.h"

typedef struct {
    gint64 first_seen_us;
    gint64 last_answer_us; /* 0: never answered */
} Track;

struct _VstatsResponsiveness {
    gint64 threshold_ms;
    GHashTable *tracks; /* uuid -> Track */
};

VstatsResponsiveness *
vstats_responsiveness_new(gint64 not_responding_ms)
{
    VstatsResponsiveness *r = g_new0(VstatsResponsiveness, 1);
    r->threshold_ms = not_responding_ms > 0 ? not_responding_ms
                                            : VSTATS_DEFAULT_NOT_RESPONDING_MS;
    r->tracks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return r;
}

void
vstats_responsiveness_free(VstatsResponsiveness *r)
{
    if (!r)
        return;
    g_hash_table_unref(r->tracks);
    g_free(r);
}

void
vstats_responsiveness_set_threshold(VstatsResponsiveness *r, gint64 ms)
{
    if (ms > 0)
        r->threshold_ms = ms;
}

void
vstats_responsiveness_update(VstatsResponsiveness *r, VstatsVm *vm,
                             const VstatsAnswer *answer, gint64 now_us)
{
    Track *t = g_hash_table_lookup(r->tracks, vm->uuid);
    gint64 control = answer->control_unresponsive_ms;

    if (!t) {
        t = g_new0(Track, 1);
        t->first_seen_us = now_us;
        g_hash_table_insert(r->tracks, g_strdup(vm->uuid), t);
    }

    if (answer->answered && vm->has_daemon_freshness) {
        /* The daemon knows best: it may answer on time with cached values. */
        t->last_answer_us = now_us - vm->age_ms * 1000;
    } else if (answer->answered) {
        t->last_answer_us = now_us;
        vm->fresh = TRUE;
        vm->age_ms = 0;
        vm->monitor_unresponsive_ms = MAX(control, 0);
    } else {
        gint64 since = t->last_answer_us ? t->last_answer_us : t->first_seen_us;
        vm->has_daemon_freshness = FALSE;
        vm->fresh = FALSE;
        vm->age_ms = MAX(now_us - since, 0) / 1000;
        /* Without a control-info probe, silence is our best estimate. */
        vm->monitor_unresponsive_ms = control >= 0 ? control : vm->age_ms;
    }
    vm->not_responding = vm->age_ms >= r->threshold_ms ||
                         vm->monitor_unresponsive_ms >= r->threshold_ms;
}

static gboolean
not_kept(gpointer key, gpointer value G_GNUC_UNUSED, gpointer keep)
{
    return !g_hash_table_contains(keep, key);
}

void
vstats_responsiveness_retain(VstatsResponsiveness *r, GHashTable *keep)
{
    g_hash_table_foreach_remove(r->tracks, not_kept, keep);
}
