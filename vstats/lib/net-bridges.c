/*
 * net-bridges.c: interface -> bridge, per domain, from the definition.
 * The statistics records name the tap device but not its bridge; reading
 * the XML every cycle would cost a call per domain, so it is read when an
 * interface name is new (first sight, restart, hot-plug) and remembered.
 */
#include "net-bridges.h"
#include "domain-xml.h"
#include "job.h"

#include <libvirt/virterror.h>
#include <stdlib.h>

struct _VstatsBridges {
    GHashTable *domains; /* uuid -> GHashTable (dev -> bridge) */
    VstatsJobSlot slot;
};

VstatsBridges *
vstats_bridges_new(void)
{
    VstatsBridges *b = g_new0(VstatsBridges, 1);
    b->domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_hash_table_unref);
    return b;
}

void
vstats_bridges_free(VstatsBridges *b)
{
    if (!b)
        return;
    g_hash_table_unref(b->domains);
    vstats_job_slot_clear(&b->slot);
    g_free(b);
}

static GHashTable *
dev_map(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

/* TRUE when every interface of @vm got its bridge. */
static gboolean
apply(VstatsBridges *b, VstatsVm *vm)
{
    GHashTable *map = g_hash_table_lookup(b->domains, vm->uuid);
    gboolean all = TRUE;

    for (guint i = 0; i < vm->n_nets; i++) {
        const char *bridge = map ? g_hash_table_lookup(map, vm->nets[i].name) : NULL;
        if (bridge && !vm->nets[i].bridge)
            vm->nets[i].bridge = g_strdup(bridge);
        all &= bridge != NULL;
    }
    return all;
}

typedef struct {
    VstatsSide *side;
    GHashTable *uuids; /* wanted */
} Fetch;

static void
fetch_free(gpointer p)
{
    Fetch *f = p;
    vstats_side_unref(f->side);
    g_hash_table_unref(f->uuids);
    g_free(f);
}

/* Job: uuid -> dev map of each wanted domain whose definition could be
 * read, on the side connection: the main one may be held by a call the
 * strategy abandoned. */
static gpointer
fetch_run(gpointer data, GError **error)
{
    Fetch *f = data;
    virDomainPtr *doms = vstats_side_domains(f->side, f->uuids, error);
    GHashTable *out;

    if (!doms)
        return NULL;
    out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) g_hash_table_unref);
    for (virDomainPtr *d = doms; *d; d++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        char *xml = virDomainGetUUIDString(*d, uuid) == 0 ? virDomainGetXMLDesc(*d, 0) : NULL;
        GHashTable *map = dev_map();

        if (xml && vstats_domain_xml_bridges(xml, map))
            g_hash_table_insert(out, g_strdup(uuid), g_steal_pointer(&map));
        g_clear_pointer(&map, g_hash_table_unref);
        free(xml);
        virResetLastError();
    }
    vstats_domains_free(doms);
    return out;
}

static void
learn(VstatsBridges *b, GHashTable *got, GHashTable *by_uuid)
{
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, got);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        VstatsVm *vm = by_uuid ? g_hash_table_lookup(by_uuid, key) : NULL;
        GHashTable *map = value;

        /* An interface the definition does not name has no bridge we can
         * know: remember that too, or it would be asked for every cycle. */
        for (guint i = 0; vm && i < vm->n_nets; i++)
            if (!g_hash_table_contains(map, vm->nets[i].name))
                g_hash_table_insert(map, g_strdup(vm->nets[i].name), g_strdup(""));
        g_hash_table_iter_steal(&it);
        g_hash_table_replace(b->domains, key, map);
        if (vm)
            apply(b, vm);
    }
}

void
vstats_bridges_fill(VstatsBridges *b, VstatsConnection *conn, GPtrArray *vms,
                    gint64 deadline_us)
{
    g_autoptr(GHashTable) by_uuid = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) got = NULL;
    Fetch *f;

    /* A fetch of an earlier cycle: its result if it is done, else no new
     * one (one thread at most, whatever the daemon does). */
    if (!vstats_job_slot_ready(&b->slot, (gpointer *) &got))
        return;
    if (got)
        learn(b, got, NULL);
    g_clear_pointer(&got, g_hash_table_unref);
    for (guint i = 0; i < vms->len; i++) {
        VstatsVm *vm = vms->pdata[i];
        if (!apply(b, vm))
            g_hash_table_insert(by_uuid, vm->uuid, vm);
    }
    if (g_hash_table_size(by_uuid) == 0)
        return;
    f = g_new0(Fetch, 1);
    f->side = vstats_connection_get_side(conn);
    if (!f->side) {
        g_free(f);
        return;
    }
    f->uuids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < vms->len; i++) {
        VstatsVm *vm = vms->pdata[i];
        if (g_hash_table_contains(by_uuid, vm->uuid))
            g_hash_table_add(f->uuids, g_strdup(vm->uuid));
    }
    /* On overrun the labels stay unknown this cycle, learnt when it ends. */
    got = vstats_job_slot_run(&b->slot, "vstats-xml", fetch_run, f, fetch_free,
                              (GDestroyNotify) g_hash_table_unref, deadline_us);
    if (got)
        learn(b, got, by_uuid);
}

static gboolean
not_kept(gpointer key, gpointer value G_GNUC_UNUSED, gpointer keep)
{
    return !g_hash_table_contains(keep, key);
}

void
vstats_bridges_retain(VstatsBridges *b, GHashTable *keep)
{
    g_hash_table_foreach_remove(b->domains, not_kept, keep);
}
