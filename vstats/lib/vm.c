/*
 * vm.c: the per-VM value struct (VstatsVm) and its devices.  Pure GLib, so
 * the rate code and the formatters can be tested without libvirt.
 */
#include "vstats-private.h"

#include <math.h>
#include <string.h>

static void
block_init(VstatsBlock *b, const char *name)
{
    memset(b, 0, sizeof(*b));
    b->name = g_strdup(name);
    b->rd_reqs = b->rd_bytes = b->rd_times_ns = VSTATS_MISSING;
    b->wr_reqs = b->wr_bytes = b->wr_times_ns = VSTATS_MISSING;
    b->fl_reqs = b->fl_times_ns = VSTATS_MISSING;
    b->capacity = b->allocation = b->physical = VSTATS_MISSING;
    b->rd_bytes_rate = b->wr_bytes_rate = NAN;
    b->rd_iops = b->wr_iops = NAN;
    b->rd_latency_ns = b->wr_latency_ns = NAN;
}

static void
net_init(VstatsNet *n, const char *name)
{
    memset(n, 0, sizeof(*n));
    n->name = g_strdup(name);
    n->rx_bytes = n->rx_pkts = n->rx_errs = n->rx_drop = VSTATS_MISSING;
    n->tx_bytes = n->tx_pkts = n->tx_errs = n->tx_drop = VSTATS_MISSING;
    n->rx_bytes_rate = n->tx_bytes_rate = NAN;
    n->rx_pkts_rate = n->tx_pkts_rate = NAN;
}

VstatsVm *
vstats_vm_new(const char *name, const char *uuid)
{
    VstatsVm *vm = g_new0(VstatsVm, 1);
    VstatsBalloon *b = &vm->balloon;

    vm->name = g_strdup(name ? name : "");
    g_strlcpy(vm->uuid, uuid ? uuid : "", sizeof(vm->uuid));
    vm->state = -1;
    vm->reason = -1;
    vm->cpu_time_ns = vm->cpu_user_ns = vm->cpu_system_ns = VSTATS_MISSING;
    vm->vcpu_current = vm->vcpu_maximum = VSTATS_MISSING;
    b->current_kib = b->maximum_kib = b->rss_kib = b->usable_kib = VSTATS_MISSING;
    b->unused_kib = b->available_kib = b->disk_caches_kib = VSTATS_MISSING;
    b->swap_in_kib = b->swap_out_kib = VSTATS_MISSING;
    b->major_fault = b->minor_fault = b->last_update_s = VSTATS_MISSING;
    vm->interval_s = NAN;
    vm->cpu_user_pct = vm->cpu_system_pct = vm->cpu_total_pct = NAN;
    vm->fresh = TRUE;
    return vm;
}

VstatsVm *
vstats_vm_copy(const VstatsVm *vm)
{
    VstatsVm *copy = g_memdup2(vm, sizeof(*vm));
    guint i;

    copy->name = g_strdup(vm->name);
    copy->blocks = g_memdup2(vm->blocks, sizeof(VstatsBlock) * vm->n_blocks);
    copy->nets = g_memdup2(vm->nets, sizeof(VstatsNet) * vm->n_nets);
    copy->vcpus = g_memdup2(vm->vcpus, sizeof(VstatsVcpu) * vm->n_vcpus);
    for (i = 0; i < vm->n_blocks; i++) {
        copy->blocks[i].name = g_strdup(vm->blocks[i].name);
        copy->blocks[i].path = g_strdup(vm->blocks[i].path);
    }
    for (i = 0; i < vm->n_nets; i++) {
        copy->nets[i].name = g_strdup(vm->nets[i].name);
        copy->nets[i].bridge = g_strdup(vm->nets[i].bridge);
    }
    return copy;
}

void
vstats_vm_free(VstatsVm *vm)
{
    guint i;

    if (!vm)
        return;
    for (i = 0; i < vm->n_blocks; i++) {
        g_free(vm->blocks[i].name);
        g_free(vm->blocks[i].path);
    }
    for (i = 0; i < vm->n_nets; i++) {
        g_free(vm->nets[i].name);
        g_free(vm->nets[i].bridge);
    }
    g_free(vm->blocks);
    g_free(vm->nets);
    g_free(vm->vcpus);
    g_free(vm->name);
    g_free(vm);
}

const VstatsBlock *
vstats_vm_find_block(const VstatsVm *vm, const char *name)
{
    for (guint i = 0; i < vm->n_blocks; i++)
        if (g_strcmp0(vm->blocks[i].name, name) == 0)
            return &vm->blocks[i];
    return NULL;
}

const VstatsNet *
vstats_vm_find_net(const VstatsVm *vm, const char *name)
{
    for (guint i = 0; i < vm->n_nets; i++)
        if (g_strcmp0(vm->nets[i].name, name) == 0)
            return &vm->nets[i];
    return NULL;
}

VstatsBlock *
vstats_vm_add_block(VstatsVm *vm, const char *name)
{
    const VstatsBlock *found = vstats_vm_find_block(vm, name);

    if (found)
        return (VstatsBlock *) found;
    vm->blocks = g_renew(VstatsBlock, vm->blocks, vm->n_blocks + 1);
    block_init(&vm->blocks[vm->n_blocks], name);
    return &vm->blocks[vm->n_blocks++];
}

VstatsNet *
vstats_vm_add_net(VstatsVm *vm, const char *name)
{
    const VstatsNet *found = vstats_vm_find_net(vm, name);

    if (found)
        return (VstatsNet *) found;
    vm->nets = g_renew(VstatsNet, vm->nets, vm->n_nets + 1);
    net_init(&vm->nets[vm->n_nets], name);
    return &vm->nets[vm->n_nets++];
}

VstatsVcpu *
vstats_vm_add_vcpu(VstatsVm *vm, guint id)
{
    VstatsVcpu *c;

    for (guint i = 0; i < vm->n_vcpus; i++)
        if (vm->vcpus[i].id == id)
            return &vm->vcpus[i];
    vm->vcpus = g_renew(VstatsVcpu, vm->vcpus, vm->n_vcpus + 1);
    c = &vm->vcpus[vm->n_vcpus++];
    c->id = id;
    c->state = -1;
    c->time_ns = c->wait_ns = c->delay_ns = VSTATS_MISSING;
    return c;
}

/* Names follow virsh, indexed by virDomainState (kept numeric here so this
 * file needs no libvirt header). */
const char *
vstats_state_to_string(int state)
{
    static const char *const names[] = {
        "nostate", "running", "blocked", "paused",
        "shutdown", "shutoff", "crashed", "pmsuspended",
    };

    if (state < 0 || state >= (int) G_N_ELEMENTS(names))
        return "unknown";
    return names[state];
}
