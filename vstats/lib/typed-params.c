/*
 * typed-params.c: parsing the bulk statistics records.  Field names are
 * those documented for virConnectGetAllDomainStats; the freshness fields
 * of the series' deadline call are strategy-deadline.c's business.
 */
#include "typed-params.h"

#include <stdlib.h>
#include <string.h>

gboolean
vstats_param_to_int64(const virTypedParameter *p, gint64 *out)
{
    switch (p->type) {
    case VIR_TYPED_PARAM_INT: *out = p->value.i; return TRUE;
    case VIR_TYPED_PARAM_UINT: *out = p->value.ui; return TRUE;
    case VIR_TYPED_PARAM_LLONG: *out = p->value.l; return TRUE;
    case VIR_TYPED_PARAM_ULLONG:
        /* Larger than gint64 means garbage for a counter: treat as missing. */
        if (p->value.ul > G_MAXINT64)
            return FALSE;
        *out = (gint64) p->value.ul;
        return TRUE;
    case VIR_TYPED_PARAM_DOUBLE: *out = (gint64) p->value.d; return TRUE;
    case VIR_TYPED_PARAM_BOOLEAN: *out = p->value.b ? 1 : 0; return TRUE;
    default: return FALSE;
    }
}

typedef struct {
    const char *name;
    gsize offset;
} Field;

#define VM_FIELD(n, f) { n, G_STRUCT_OFFSET(VstatsVm, f) }
static const Field vm_fields[] = {
    VM_FIELD("state.state", state), /* int, handled specially */
    VM_FIELD("cpu.time", cpu_time_ns),
    VM_FIELD("cpu.user", cpu_user_ns),
    VM_FIELD("cpu.system", cpu_system_ns),
    VM_FIELD("vcpu.current", vcpu_current),
    VM_FIELD("vcpu.maximum", vcpu_maximum),
    VM_FIELD("balloon.current", balloon.current_kib),
    VM_FIELD("balloon.maximum", balloon.maximum_kib),
    VM_FIELD("balloon.rss", balloon.rss_kib),
    VM_FIELD("balloon.usable", balloon.usable_kib),
    VM_FIELD("balloon.unused", balloon.unused_kib),
    VM_FIELD("balloon.available", balloon.available_kib),
    VM_FIELD("balloon.disk_caches", balloon.disk_caches_kib),
    VM_FIELD("balloon.swap_in", balloon.swap_in_kib),
    VM_FIELD("balloon.swap_out", balloon.swap_out_kib),
    VM_FIELD("balloon.major_fault", balloon.major_fault),
    VM_FIELD("balloon.minor_fault", balloon.minor_fault),
    VM_FIELD("balloon.last-update", balloon.last_update_s),
};

#define BLOCK_FIELD(n, f) { n, G_STRUCT_OFFSET(VstatsBlock, f) }
static const Field block_fields[] = {
    BLOCK_FIELD("rd.reqs", rd_reqs), BLOCK_FIELD("rd.bytes", rd_bytes),
    BLOCK_FIELD("rd.times", rd_times_ns), BLOCK_FIELD("wr.reqs", wr_reqs),
    BLOCK_FIELD("wr.bytes", wr_bytes), BLOCK_FIELD("wr.times", wr_times_ns),
    BLOCK_FIELD("fl.reqs", fl_reqs), BLOCK_FIELD("fl.times", fl_times_ns),
    BLOCK_FIELD("capacity", capacity), BLOCK_FIELD("allocation", allocation),
    BLOCK_FIELD("physical", physical),
};

#define VCPU_FIELD(n, f) { n, G_STRUCT_OFFSET(VstatsVcpu, f) }
static const Field vcpu_fields[] = {
    VCPU_FIELD("time", time_ns), VCPU_FIELD("wait", wait_ns), VCPU_FIELD("delay", delay_ns),
};

#define NET_FIELD(n, f) { n, G_STRUCT_OFFSET(VstatsNet, f) }
static const Field net_fields[] = {
    NET_FIELD("rx.bytes", rx_bytes), NET_FIELD("rx.pkts", rx_pkts),
    NET_FIELD("rx.errs", rx_errs), NET_FIELD("rx.drop", rx_drop),
    NET_FIELD("tx.bytes", tx_bytes), NET_FIELD("tx.pkts", tx_pkts),
    NET_FIELD("tx.errs", tx_errs), NET_FIELD("tx.drop", tx_drop),
};

static gboolean
set_field(const Field *fields, gsize n, const char *name, gpointer base,
          const virTypedParameter *p)
{
    gint64 v;

    for (gsize i = 0; i < n; i++) {
        if (strcmp(fields[i].name, name) != 0)
            continue;
        if (vstats_param_to_int64(p, &v))
            G_STRUCT_MEMBER(gint64, base, fields[i].offset) = v;
        return TRUE;
    }
    return FALSE;
}

/* Splits "block.3.rd.bytes" into index 3 and "rd.bytes". */
static gboolean
split_device_param(const char *name, const char *prefix, guint *index,
                   const char **rest)
{
    gsize plen = strlen(prefix);
    char *end;
    guint64 idx;

    if (strncmp(name, prefix, plen) != 0 || !g_ascii_isdigit(name[plen]))
        return FALSE;
    idx = g_ascii_strtoull(name + plen, &end, 10);
    if (*end != '.' || idx > 4096)
        return FALSE;
    *index = (guint) idx;
    *rest = end + 1;
    return TRUE;
}

/* Device names first: the counters of "block.N" are filed under its name,
 * wherever in the array the name appears. */
static char **
device_names(const virTypedParameter *params, int nparams, const char *prefix)
{
    GPtrArray *names = g_ptr_array_new();
    guint index;
    const char *rest;

    for (int i = 0; i < nparams; i++) {
        if (!split_device_param(params[i].field, prefix, &index, &rest) ||
            strcmp(rest, "name") != 0 || params[i].type != VIR_TYPED_PARAM_STRING)
            continue;
        while (names->len <= index)
            g_ptr_array_add(names, NULL);
        g_free(names->pdata[index]);
        names->pdata[index] = g_strdup(params[i].value.s);
    }
    for (guint i = 0; i < names->len; i++)
        if (!names->pdata[i])
            names->pdata[i] = g_strdup_printf("#%u", i);
    g_ptr_array_add(names, NULL);
    return (char **) g_ptr_array_free(names, FALSE);
}

static const char *
name_at(char **names, guint index, char **fallback)
{
    if (index < g_strv_length(names))
        return names[index];
    g_free(*fallback);
    *fallback = g_strdup_printf("#%u", index);
    return *fallback;
}

void
vstats_vm_fill_from_params(VstatsVm *vm, const virTypedParameter *params,
                           int nparams)
{
    g_auto(GStrv) blocks = device_names(params, nparams, "block.");
    g_auto(GStrv) nets = device_names(params, nparams, "net.");
    g_autofree char *fallback = NULL;
    guint index;
    const char *rest;

    for (int i = 0; i < nparams; i++) {
        const virTypedParameter *p = &params[i];
        gint64 v;

        if (strcmp(p->field, "state.state") == 0) {
            if (vstats_param_to_int64(p, &v))
                vm->state = (int) v;
        } else if (strcmp(p->field, "state.reason") == 0) {
            if (vstats_param_to_int64(p, &v))
                vm->reason = (int) v;
        } else if (split_device_param(p->field, "block.", &index, &rest)) {
            VstatsBlock *b;
            if (strcmp(rest, "name") == 0)
                continue;
            b = vstats_vm_add_block(vm, name_at(blocks, index, &fallback));
            if (strcmp(rest, "path") == 0) {
                if (p->type == VIR_TYPED_PARAM_STRING && !b->path)
                    b->path = g_strdup(p->value.s);
                continue;
            }
            set_field(block_fields, G_N_ELEMENTS(block_fields), rest, b, p);
        } else if (split_device_param(p->field, "vcpu.", &index, &rest)) {
            VstatsVcpu *c = vstats_vm_add_vcpu(vm, index);
            if (strcmp(rest, "state") == 0) {
                if (vstats_param_to_int64(p, &v))
                    c->state = (int) v;
                continue;
            }
            set_field(vcpu_fields, G_N_ELEMENTS(vcpu_fields), rest, c, p);
        } else if (split_device_param(p->field, "net.", &index, &rest)) {
            if (strcmp(rest, "name") == 0)
                continue;
            set_field(net_fields, G_N_ELEMENTS(net_fields), rest,
                      vstats_vm_add_net(vm, name_at(nets, index, &fallback)), p);
        } else {
            set_field(vm_fields, G_N_ELEMENTS(vm_fields), p->field, vm, p);
        }
    }
    /* Make sure named devices without counters still show up. */
    for (guint i = 0; blocks[i]; i++)
        vstats_vm_add_block(vm, blocks[i]);
    for (guint i = 0; nets[i]; i++)
        vstats_vm_add_net(vm, nets[i]);
}

VstatsVm *
vstats_vm_from_record(virDomainStatsRecordPtr rec, gint64 recv_us)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    VstatsVm *vm;

    virDomainGetUUIDString(rec->dom, uuid);
    vm = vstats_vm_new(virDomainGetName(rec->dom), uuid);
    vstats_vm_fill_from_params(vm, rec->params, rec->nparams);
    vm->sample_time_us = recv_us;
    return vm;
}
