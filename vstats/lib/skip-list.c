/*
 * skip-list.c: VDSM keeps VMs whose monitor is stuck out of the bulk call,
 * otherwise a single hung QEMU blocks the statistics of every VM.  The
 * entry expires after 40 s so a recovered VM comes back by itself.
 */
#include "skip-list.h"

struct _VstatsSkipList {
    gint64 ttl_us;
    GHashTable *since; /* uuid -> gint64* added at */
};

VstatsSkipList *
vstats_skip_list_new(gint64 ttl_ms)
{
    VstatsSkipList *s = g_new0(VstatsSkipList, 1);
    s->ttl_us = (ttl_ms > 0 ? ttl_ms : VSTATS_SKIP_TTL_MS) * 1000;
    s->since = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return s;
}

void
vstats_skip_list_free(VstatsSkipList *s)
{
    if (!s)
        return;
    g_hash_table_unref(s->since);
    g_free(s);
}

void
vstats_skip_list_add(VstatsSkipList *s, const char *uuid, gint64 now_us)
{
    g_hash_table_insert(s->since, g_strdup(uuid), g_memdup2(&now_us, sizeof(now_us)));
}

gboolean
vstats_skip_list_contains(VstatsSkipList *s, const char *uuid)
{
    return g_hash_table_contains(s->since, uuid);
}

guint
vstats_skip_list_size(VstatsSkipList *s)
{
    return g_hash_table_size(s->since);
}

char **
vstats_skip_list_expire(VstatsSkipList *s, gint64 now_us)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, s->since);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (now_us - *(gint64 *) value >= s->ttl_us) {
            g_ptr_array_add(out, g_strdup(key));
            g_hash_table_iter_remove(&it);
        }
    }
    g_ptr_array_add(out, NULL);
    return (char **) g_ptr_array_free(out, FALSE);
}
