/*
 * domain-info.c: the per-domain call the exporter makes, for what it gives
 * without QEMU: virDomainGetInfo reads the CPU time from the cgroup and
 * the memory and vCPUs from the definition.  Asking the bulk call for the
 * cpu-total, balloon and vcpu groups instead costs each domain a
 * query-stats and a qom-get on its monitor.
 */
#include "domain-info.h"
#include "job.h"

#include <libvirt/virterror.h>

struct _VstatsDomainInfo {
    VstatsJobSlot slot;
};

typedef struct {
    gint64 cpu_time_ns, memory_kib, max_memory_kib, vcpus;
} Info;

typedef struct {
    VstatsSide *side;
    GHashTable *uuids; /* wanted */
} Fetch;

VstatsDomainInfo *
vstats_domain_info_new(void)
{
    return g_new0(VstatsDomainInfo, 1);
}

void
vstats_domain_info_free(VstatsDomainInfo *di)
{
    if (!di)
        return;
    vstats_job_slot_clear(&di->slot);
    g_free(di);
}

static void
fetch_free(gpointer p)
{
    Fetch *f = p;
    vstats_side_unref(f->side);
    g_hash_table_unref(f->uuids);
    g_free(f);
}

/* Job: uuid -> Info, on the side connection: the main one may be held by
 * a call the strategy abandoned. */
static gpointer
fetch_run(gpointer data, GError **error)
{
    Fetch *f = data;
    virDomainPtr *doms = vstats_side_domains(f->side, f->uuids, error);
    GHashTable *out;

    if (!doms)
        return NULL;
    out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (virDomainPtr *d = doms; *d; d++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        virDomainInfo info;

        if (virDomainGetUUIDString(*d, uuid) == 0 && virDomainGetInfo(*d, &info) == 0) {
            Info *in = g_new(Info, 1);
            in->cpu_time_ns = (gint64) MIN(info.cpuTime, (unsigned long long) G_MAXINT64);
            in->memory_kib = (gint64) info.memory;
            in->max_memory_kib = (gint64) info.maxMem;
            in->vcpus = info.nrVirtCpu;
            g_hash_table_insert(out, g_strdup(uuid), in);
        }
        virResetLastError();
    }
    vstats_domains_free(doms);
    return out;
}

static void
fill_missing(gint64 *field, gint64 value)
{
    if (*field < 0)
        *field = value;
}

void
vstats_domain_info_fill(VstatsDomainInfo *di, VstatsConnection *conn, GPtrArray *vms,
                        gint64 deadline_us)
{
    g_autoptr(GHashTable) got = NULL;
    Fetch *f;

    /* Late answers are for an earlier cycle's VMs: dropped. */
    if (!vstats_job_slot_ready(&di->slot, (gpointer *) &got))
        return;
    g_clear_pointer(&got, g_hash_table_unref);
    if (vms->len == 0)
        return;
    f = g_new0(Fetch, 1);
    f->side = vstats_connection_get_side(conn);
    if (!f->side) {
        g_free(f);
        return;
    }
    f->uuids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < vms->len; i++)
        g_hash_table_add(f->uuids, g_strdup(((VstatsVm *) vms->pdata[i])->uuid));
    got = vstats_job_slot_run(&di->slot, "vstats-info", fetch_run, f, fetch_free,
                              (GDestroyNotify) g_hash_table_unref, deadline_us);
    for (guint i = 0; got && i < vms->len; i++) {
        VstatsVm *vm = vms->pdata[i];
        const Info *in = g_hash_table_lookup(got, vm->uuid);

        if (!in)
            continue;
        fill_missing(&vm->cpu_time_ns, in->cpu_time_ns);
        fill_missing(&vm->balloon.current_kib, in->memory_kib);
        fill_missing(&vm->balloon.maximum_kib, in->max_memory_kib);
        fill_missing(&vm->vcpu_current, in->vcpus);
    }
}
