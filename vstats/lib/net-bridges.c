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
    GPtrArray *doms;  /* virDomainPtr, own references */
    GPtrArray *uuids; /* char*, same order */
} Fetch;

static void
domain_free(gpointer dom)
{
    virDomainFree(dom);
}

static void
fetch_free(gpointer p)
{
    Fetch *f = p;
    g_ptr_array_unref(f->doms);
    g_ptr_array_unref(f->uuids);
    g_free(f);
}

/* Job: uuid -> dev map of each domain whose definition could be read. */
static gpointer
fetch_run(gpointer data, GError **error G_GNUC_UNUSED)
{
    Fetch *f = data;
    GHashTable *out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_hash_table_unref);

    for (guint i = 0; i < f->doms->len; i++) {
        char *xml = virDomainGetXMLDesc(f->doms->pdata[i], 0);
        GHashTable *map = dev_map();

        if (xml && vstats_domain_xml_bridges(xml, map))
            g_hash_table_insert(out, g_strdup(f->uuids->pdata[i]), map);
        else
            g_hash_table_unref(map);
        free(xml);
        virResetLastError();
    }
    return out;
}

void
vstats_bridges_fill(VstatsBridges *b, GPtrArray *domains, GPtrArray *vms,
                    gint64 deadline_us)
{
    g_autoptr(GHashTable) by_uuid = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(VstatsJob) job = NULL;
    g_autoptr(GHashTable) got = NULL;
    Fetch *f = NULL;
    GHashTableIter it;
    gpointer key, value;

    for (guint i = 0; i < vms->len; i++) {
        VstatsVm *vm = vms->pdata[i];
        if (!apply(b, vm))
            g_hash_table_insert(by_uuid, vm->uuid, vm);
    }
    if (g_hash_table_size(by_uuid) == 0)
        return;
    f = g_new0(Fetch, 1);
    f->doms = g_ptr_array_new_with_free_func(domain_free);
    f->uuids = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < domains->len; i++) {
        VstatsTracked *d = domains->pdata[i];
        if (!g_hash_table_contains(by_uuid, d->uuid))
            continue;
        virDomainRef(d->dom);
        g_ptr_array_add(f->doms, d->dom);
        g_ptr_array_add(f->uuids, g_strdup(d->uuid));
    }
    job = vstats_job_start("vstats-xml", fetch_run, f, fetch_free,
                           (GDestroyNotify) g_hash_table_unref);
    if (!vstats_job_wait(job, deadline_us))
        return; /* labels stay unknown this cycle: asked again next one */
    got = vstats_job_steal_result(job, NULL);
    g_hash_table_iter_init(&it, got);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        VstatsVm *vm = g_hash_table_lookup(by_uuid, key);
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
