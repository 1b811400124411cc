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

/* At most one job of a kind at a time, across cycles: a job that overran
 * its cycle is not followed by another until it ends, so a hung daemon
 * costs one thread, not one per cycle. */
typedef struct {
    VstatsJob *job;
} VstatsJobSlot;

/* FALSE while the slot's job runs; else TRUE, with the result of a job
 * that ended late in *@late (NULL if none). */
gboolean vstats_job_slot_ready(VstatsJobSlot *slot, gpointer *late);
/* Runs a job in the slot (which must be ready) until @deadline_us: its
 * result, or NULL when it overran (it stays in the slot). */
gpointer vstats_job_slot_run(VstatsJobSlot *slot, const char *name, VstatsJobFunc func,
                             gpointer data, GDestroyNotify data_free,
                             GDestroyNotify result_free, gint64 deadline_us);
void vstats_job_slot_clear(VstatsJobSlot *slot);
