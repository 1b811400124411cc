/* job.h: a call run in its own thread that the caller can stop waiting for.
 * libvirt calls cannot be cancelled, so a call that overruns its deadline
 * is abandoned: its thread finishes in the background and frees the
 * result itself. */
#pragma once
#include <glib.h>

typedef gpointer (*VstatsJobFunc)(gpointer data, GError **error);
typedef struct _VstatsJob VstatsJob;

VstatsJob *vstats_job_start(const char *name, VstatsJobFunc func,
                            gpointer data, GDestroyNotify data_free,
                            GDestroyNotify result_free);
/* TRUE if the job finished before @deadline_us (monotonic). */
gboolean vstats_job_wait(VstatsJob *job, gint64 deadline_us);
gboolean vstats_job_is_done(VstatsJob *job);
/* Only after the job is done: takes its result (and error). */
gpointer vstats_job_steal_result(VstatsJob *job, GError **error);
/* Drops the caller's reference; a running job is thereby abandoned. */
void vstats_job_unref(VstatsJob *job);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsJob, vstats_job_unref)
