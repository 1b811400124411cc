/* report-private.h: building a report (the sampler does it). */
#pragma once
#include "vstats.h"

VstatsReport *vstats_report_new(const char *strategy, guint timeout_ms);
/* Takes ownership of @vm. */
void vstats_report_add_vm(VstatsReport *report, VstatsVm *vm);
void vstats_report_finish(VstatsReport *report, gint64 duration_us,
                          gboolean timed_out, guint64 reconnect_gap_ms,
                          const char *error);
/* The cycle listed the VMs (their last values, stale) but the daemon did
 * not answer in time: the report is down, with @why as its error. */
void vstats_report_set_unanswered(VstatsReport *report, const char *why);
