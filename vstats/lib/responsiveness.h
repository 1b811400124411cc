/* responsiveness.h: how old a VM's statistics are, and whether the VM
 * counts as "not responding".  Pure: time is passed in. */
#pragma once
#include "vstats.h"

typedef struct _VstatsResponsiveness VstatsResponsiveness;

/* What one cycle learned about one VM. */
typedef struct {
    gboolean answered;            /* a record for it arrived this cycle */
    gint64 control_unresponsive_ms; /* from virDomainGetControlInfo, -1 unknown */
} VstatsAnswer;

VstatsResponsiveness *vstats_responsiveness_new(gint64 not_responding_ms);
void vstats_responsiveness_free(VstatsResponsiveness *r);
void vstats_responsiveness_set_threshold(VstatsResponsiveness *r, gint64 ms);

/* Fills vm->fresh, age_ms, monitor_unresponsive_ms and not_responding.
 * When vm->has_daemon_freshness and the VM answered, the daemon's view is
 * used; otherwise age is derived from when the VM last answered. */
void vstats_responsiveness_update(VstatsResponsiveness *r, VstatsVm *vm,
                                  const VstatsAnswer *answer, gint64 now_us);
void vstats_responsiveness_retain(VstatsResponsiveness *r, GHashTable *keep);
