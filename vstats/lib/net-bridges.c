/*
 * net-bridges.c: interface -> bridge, per domain, from the definition.
 * The statistics records name the tap device but not its bridge; reading
 * the XML every cycle would cost a call per domain, so it is read when an
 * interface name is new (first sight, restart, hot-plug) and remembered.
 */
#include "net-bridges.h"
#include "domain-xml.h"
#include "side-fetch.h"

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

static gpointer
read_bridges(virDomainPtr dom)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    GHashTable *map = dev_map();

    if (!xml || !vstats_domain_xml_bridges(xml, map))
        g_clear_pointer(&map, g_hash_table_unref);
    free(xml);
    return map;
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
    g_autoptr(GHashTable) late = NULL;
    g_autoptr(GHashTable) got = NULL;
    GHashTable *uuids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < vms->len; i++) {
        VstatsVm *vm = vms->pdata[i];
        if (!apply(b, vm)) {
            g_hash_table_insert(by_uuid, vm->uuid, vm);
            g_hash_table_add(uuids, g_strdup(vm->uuid));
        }
    }
    /* On overrun the labels stay unknown this cycle, learnt when it ends. */
    got = vstats_side_fetch(&b->slot, conn, uuids, read_bridges,
                            (GDestroyNotify) g_hash_table_unref, "vstats-xml", deadline_us, &late);
    if (late)
        learn(b, late, NULL);
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
