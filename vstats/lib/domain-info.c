/*
 * domain-info.c: the per-domain call the exporter makes, for what it gives
 * without QEMU: virDomainGetInfo reads the CPU time from the cgroup and
 * the memory and vCPUs from the definition.  Asking the bulk call for the
 * cpu-total, balloon and vcpu groups instead costs each domain a
 * query-stats and a qom-get on its monitor.
 */
#include "domain-info.h"
#include "side-fetch.h"

struct _VstatsDomainInfo {
    VstatsJobSlot slot;
};

typedef struct {
    gint64 cpu_time_ns, memory_kib, max_memory_kib, vcpus;
} Info;

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

static gpointer
get_info(virDomainPtr dom)
{
    virDomainInfo info;
    Info *in;

    if (virDomainGetInfo(dom, &info) < 0)
        return NULL;
    in = g_new(Info, 1);
    in->cpu_time_ns = (gint64) MIN(info.cpuTime, (unsigned long long) G_MAXINT64);
    in->memory_kib = (gint64) info.memory;
    in->max_memory_kib = (gint64) info.maxMem;
    in->vcpus = info.nrVirtCpu;
    return in;
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
    g_autoptr(GHashTable) late = NULL;
    g_autoptr(GHashTable) got = NULL;
    GHashTable *uuids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < vms->len; i++)
        g_hash_table_add(uuids, g_strdup(((VstatsVm *) vms->pdata[i])->uuid));
    /* Late answers are for an earlier cycle's VMs: dropped. */
    got = vstats_side_fetch(&di->slot, conn, uuids, get_info, g_free, "vstats-info",
                            deadline_us, &late);
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
