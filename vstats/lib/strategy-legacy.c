/*
 * strategy-legacy.c: the 2014 VDSM way, kept for comparison.  One thread
 * per VM, each issuing one call per statistic (info, CPU, memory, each
 * disk, each NIC).  A VM whose thread is still stuck from an earlier cycle
 * gets no new thread, which bounds the threads to one per VM; its late
 * result is picked up by the next cycle, where the rate window sorts out
 * ordering.
 */
#include "config.h"
#include "strategy.h"
#include "domain-xml.h"
#include "job.h"

#include <libvirt/virterror.h>

#include <stdlib.h>
#include <string.h>

typedef struct {
    VstatsStrategy parent;
    GHashTable *inflight; /* uuid -> VstatsJob */
} LegacyStrategy;

typedef struct {
    virDomainPtr dom;
    char *name;
    char uuid[VSTATS_UUID_LEN];
} Call;

static void
call_free(gpointer p)
{
    Call *call = p;
    virDomainFree(call->dom);
    g_free(call->name);
    g_free(call);
}

static gboolean
param_ll(const virTypedParameter *params, int n, const char *name, gint64 *out)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(params[i].field, name) != 0)
            continue;
        switch (params[i].type) {
        case VIR_TYPED_PARAM_LLONG: *out = params[i].value.l; return TRUE;
        case VIR_TYPED_PARAM_ULLONG: *out = (gint64) params[i].value.ul; return TRUE;
        case VIR_TYPED_PARAM_INT: *out = params[i].value.i; return TRUE;
        case VIR_TYPED_PARAM_UINT: *out = params[i].value.ui; return TRUE;
        default: return FALSE;
        }
    }
    return FALSE;
}

static void
sample_cpu(virDomainPtr dom, VstatsVm *vm)
{
    virTypedParameter params[8];
    int n = virDomainGetCPUStats(dom, params, G_N_ELEMENTS(params), -1, 1, 0);

    if (n < 0) {
        virResetLastError();
        return;
    }
    param_ll(params, n, VIR_DOMAIN_CPU_STATS_CPUTIME, &vm->cpu_time_ns);
    param_ll(params, n, VIR_DOMAIN_CPU_STATS_USERTIME, &vm->cpu_user_ns);
    param_ll(params, n, VIR_DOMAIN_CPU_STATS_SYSTEMTIME, &vm->cpu_system_ns);
    virTypedParamsClear(params, n);
}

static void
sample_memory(virDomainPtr dom, VstatsVm *vm)
{
    virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
    int n = virDomainMemoryStats(dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
    VstatsBalloon *b = &vm->balloon;

    if (n < 0) {
        virResetLastError();
        return;
    }
    for (int i = 0; i < n; i++) {
        gint64 v = (gint64) st[i].val;
        switch (st[i].tag) {
        case VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON: b->current_kib = v; break;
        case VIR_DOMAIN_MEMORY_STAT_RSS: b->rss_kib = v; break;
        case VIR_DOMAIN_MEMORY_STAT_USABLE: b->usable_kib = v; break;
        case VIR_DOMAIN_MEMORY_STAT_UNUSED: b->unused_kib = v; break;
        case VIR_DOMAIN_MEMORY_STAT_AVAILABLE: b->available_kib = v; break;
        case VIR_DOMAIN_MEMORY_STAT_DISK_CACHES: b->disk_caches_kib = v; break;
        case VIR_DOMAIN_MEMORY_STAT_SWAP_IN: b->swap_in_kib = v; break;
        case VIR_DOMAIN_MEMORY_STAT_SWAP_OUT: b->swap_out_kib = v; break;
        case VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT: b->major_fault = v; break;
        case VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT: b->minor_fault = v; break;
        case VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE: b->last_update_s = v; break;
        default: break;
        }
    }
}

static void
sample_block_info(virDomainPtr dom, const char *dev, VstatsBlock *b)
{
    virDomainBlockInfo info;

    if (vstats_block_info(dom, dev, &info, 1000) < 0) {
        virResetLastError();
        return;
    }
    b->capacity = (gint64) info.capacity;
    b->allocation = (gint64) info.allocation;
    b->physical = (gint64) info.physical;
}

static void
sample_block(virDomainPtr dom, const char *dev, VstatsVm *vm)
{
    VstatsBlock *b = vstats_vm_add_block(vm, dev);
    virTypedParameter params[16];
    int n = G_N_ELEMENTS(params);

    /* The flags variant has the times needed for latency. */
    if (virDomainBlockStatsFlags(dom, dev, params, &n, 0) == 0) {
        param_ll(params, n, VIR_DOMAIN_BLOCK_STATS_READ_REQ, &b->rd_reqs);
        param_ll(params, n, VIR_DOMAIN_BLOCK_STATS_READ_BYTES, &b->rd_bytes);
        param_ll(params, n, VIR_DOMAIN_BLOCK_STATS_READ_TOTAL_TIMES, &b->rd_times_ns);
        param_ll(params, n, VIR_DOMAIN_BLOCK_STATS_WRITE_REQ, &b->wr_reqs);
        param_ll(params, n, VIR_DOMAIN_BLOCK_STATS_WRITE_BYTES, &b->wr_bytes);
        param_ll(params, n, VIR_DOMAIN_BLOCK_STATS_WRITE_TOTAL_TIMES, &b->wr_times_ns);
        param_ll(params, n, VIR_DOMAIN_BLOCK_STATS_FLUSH_REQ, &b->fl_reqs);
        param_ll(params, n, VIR_DOMAIN_BLOCK_STATS_FLUSH_TOTAL_TIMES, &b->fl_times_ns);
    } else {
        virDomainBlockStatsStruct st;
        virResetLastError();
        if (virDomainBlockStats(dom, dev, &st, sizeof(st)) == 0) {
            b->rd_reqs = st.rd_req;
            b->rd_bytes = st.rd_bytes;
            b->wr_reqs = st.wr_req;
            b->wr_bytes = st.wr_bytes;
        } else {
            virResetLastError();
        }
    }
    sample_block_info(dom, dev, b);
}

static void
sample_net(virDomainPtr dom, const char *dev, VstatsVm *vm)
{
    VstatsNet *n = vstats_vm_add_net(vm, dev);
    virDomainInterfaceStatsStruct st;

    if (virDomainInterfaceStats(dom, dev, &st, sizeof(st)) < 0) {
        virResetLastError();
        return;
    }
    n->rx_bytes = st.rx_bytes; n->rx_pkts = st.rx_packets;
    n->rx_errs = st.rx_errs; n->rx_drop = st.rx_drop;
    n->tx_bytes = st.tx_bytes; n->tx_pkts = st.tx_packets;
    n->tx_errs = st.tx_errs; n->tx_drop = st.tx_drop;
}

static gpointer
call_run(gpointer data, GError **error G_GNUC_UNUSED)
{
    Call *call = data;
    g_autoptr(VstatsVm) vm = vstats_vm_new(call->name, call->uuid);
    g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) nets = g_ptr_array_new_with_free_func(g_free);
    virDomainInfo info;
    char *xml;

    if (virDomainGetInfo(call->dom, &info) < 0) {
        virResetLastError();
        return NULL; /* gone or broken: no answer this cycle */
    }
    vm->state = info.state;
    vm->balloon.maximum_kib = (gint64) info.maxMem;
    vm->balloon.current_kib = (gint64) info.memory;
    vm->vcpu_current = info.nrVirtCpu;
    vm->cpu_time_ns = (gint64) info.cpuTime;
    if (info.state == VIR_DOMAIN_SHUTOFF) {
        vm->sample_time_us = g_get_monotonic_time();
        return g_steal_pointer(&vm);
    }
    sample_cpu(call->dom, vm);
    vm->sample_time_us = g_get_monotonic_time();
    sample_memory(call->dom, vm);

    xml = virDomainGetXMLDesc(call->dom, 0);
    if (xml && vstats_domain_xml_devices(xml, disks, nets)) {
        for (guint i = 0; i < disks->len; i++)
            sample_block(call->dom, disks->pdata[i], vm);
        for (guint i = 0; i < nets->len; i++)
            sample_net(call->dom, nets->pdata[i], vm);
    }
    free(xml);
    virResetLastError();
    return g_steal_pointer(&vm);
}

static void
take_result(VstatsJob *job, VstatsCycle *cycle)
{
    VstatsVm *vm = vstats_job_steal_result(job, NULL);
    if (vm)
        g_ptr_array_add(cycle->vms, vm);
}

static gboolean
legacy_collect(VstatsStrategy *self, const VstatsCollectArgs *args,
               VstatsCycle *cycle, GError **error G_GNUC_UNUSED)
{
    LegacyStrategy *s = (LegacyStrategy *) self;
    GPtrArray *domains = args->domains;
    gint64 deadline_us = args->deadline_us;
    guint done = 0;
    g_autoptr(GPtrArray) started = g_ptr_array_new();

    for (guint i = 0; i < domains->len; i++) {
        VstatsTracked *d = domains->pdata[i];
        VstatsJob *job = g_hash_table_lookup(s->inflight, d->uuid);
        Call *call;

        if (job) {
            if (!vstats_job_is_done(job))
                continue; /* still stuck: at most one thread per VM */
            take_result(job, cycle); /* a late answer from an earlier cycle */
            g_hash_table_remove(s->inflight, d->uuid);
        }
        call = g_new0(Call, 1);
        call->dom = d->dom;
        virDomainRef(d->dom);
        call->name = g_strdup(d->name);
        g_strlcpy(call->uuid, d->uuid, sizeof(call->uuid));
        job = vstats_job_start("vstats-vm", call_run, call, call_free,
                               (GDestroyNotify) vstats_vm_free);
        g_hash_table_insert(s->inflight, g_strdup(d->uuid), job);
        g_ptr_array_add(started, job);
    }

    for (guint i = 0; i < started->len; i++) {
        if (vstats_job_wait(started->pdata[i], deadline_us))
            done++;
        else
            cycle->timed_out = TRUE;
    }
    /* The daemon answered if any call of this cycle came back in time. */
    cycle->answered = done > 0 || started->len == 0;

    for (guint i = 0; i < domains->len; i++) {
        VstatsTracked *d = domains->pdata[i];
        VstatsJob *job = g_hash_table_lookup(s->inflight, d->uuid);
        if (job && vstats_job_is_done(job)) {
            take_result(job, cycle);
            g_hash_table_remove(s->inflight, d->uuid);
        }
    }
    return TRUE;
}

static void
legacy_free(VstatsStrategy *self)
{
    LegacyStrategy *s = (LegacyStrategy *) self;
    g_hash_table_unref(s->inflight); /* running jobs are abandoned */
    g_free(s);
}

VstatsStrategy *
vstats_strategy_legacy_new(void)
{
    LegacyStrategy *s = g_new0(LegacyStrategy, 1);

    s->parent.name = "legacy";
    s->parent.collect = legacy_collect;
    s->parent.free = legacy_free;
    s->inflight = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) vstats_job_unref);
    return &s->parent;
}
