/*
 * vstats-private.h: building VMs and rates.  The sampler does this; a
 * user of the library only reads reports, so none of it is exported from
 * the shared library (the tests link the static one).
 */
#pragma once
#include "vstats.h"

VstatsVm *vstats_vm_new(const char *name, const char *uuid);
/* Adds a device (or returns the existing one of that name).  The returned
 * pointer is valid until the next add on the same VM. */
VstatsBlock *vstats_vm_add_block(VstatsVm *vm, const char *name);
VstatsNet *vstats_vm_add_net(VstatsVm *vm, const char *name);
VstatsVcpu *vstats_vm_add_vcpu(VstatsVm *vm, guint id);

/* Fills the rate fields of @cur from the counters of @prev and @cur.
 * @prev may be NULL (all rates unknown).  Pure: no libvirt, no clock. */
void vstats_rates_compute(const VstatsVm *prev, VstatsVm *cur);

/* Two samples per VM, keyed by UUID. */
typedef struct _VstatsRateWindow VstatsRateWindow;
VstatsRateWindow *vstats_rate_window_new(void);
void vstats_rate_window_free(VstatsRateWindow *win);
/* Takes ownership of @sample.  A sample not newer than the newest one by at
 * least @min_interval_us is dropped (returns FALSE): late, out-of-order or
 * repeated samples never produce rates.  Otherwise the rates of @sample are
 * computed against the newest one, which becomes the previous. */
gboolean vstats_rate_window_push(VstatsRateWindow *win, VstatsVm *sample,
                                 gint64 min_interval_us);
const VstatsVm *vstats_rate_window_latest(VstatsRateWindow *win,
                                          const char *uuid);
/* Forgets every VM whose UUID is not a key of @keep. */
void vstats_rate_window_retain(VstatsRateWindow *win, GHashTable *keep);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsRateWindow, vstats_rate_window_free)

/* vstats_sampler_free() drops a reference: a collection running in a
 * thread of its own (the exporter's) holds one, so that the caller may let
 * go of the sampler while a collection is stuck in the daemon. */
VstatsSampler *vstats_sampler_ref(VstatsSampler *sampler);
