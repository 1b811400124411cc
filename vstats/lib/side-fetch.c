/*
 * side-fetch.c: what the bulk statistics do not give, fetched per domain:
 * the domains from one list call on the side connection, then one call
 * each, in a job that the cycle's deadline bounds and that never has a
 * second one beside it.
 */
#include "side-fetch.h"

#include <libvirt/virterror.h>

typedef struct {
    VstatsSide *side;
    GHashTable *uuids;
    VstatsDomainCall call;
    GDestroyNotify value_free;
} Fetch;

static void
fetch_free(gpointer p)
{
    Fetch *f = p;
    vstats_side_unref(f->side);
    g_hash_table_unref(f->uuids);
    g_free(f);
}

static gpointer
fetch_run(gpointer data, GError **error)
{
    Fetch *f = data;
    virDomainPtr *doms = vstats_side_domains(f->side, f->uuids, error);
    GHashTable *out;

    if (!doms)
        return NULL;
    out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, f->value_free);
    for (virDomainPtr *d = doms; *d; d++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        gpointer value = virDomainGetUUIDString(*d, uuid) == 0 ? f->call(*d) : NULL;

        if (value)
            g_hash_table_insert(out, g_strdup(uuid), value);
        virResetLastError();
    }
    vstats_domains_free(doms);
    return out;
}

GHashTable *
vstats_side_fetch(VstatsJobSlot *slot, VstatsConnection *conn, GHashTable *uuids,
                  VstatsDomainCall call, GDestroyNotify value_free,
                  const char *name, gint64 deadline_us, GHashTable **late)
{
    VstatsSide *side;
    Fetch *f;

    *late = NULL;
    if (!vstats_job_slot_ready(slot, (gpointer *) late) || g_hash_table_size(uuids) == 0 ||
        !(side = vstats_connection_get_side(conn))) {
        g_hash_table_unref(uuids);
        return NULL;
    }
    f = g_new0(Fetch, 1);
    f->side = side;
    f->uuids = uuids;
    f->call = call;
    f->value_free = value_free;
    return vstats_job_slot_run(slot, name, fetch_run, f, fetch_free,
                               (GDestroyNotify) g_hash_table_unref, deadline_us);
}
