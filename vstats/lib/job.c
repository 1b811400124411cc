/*
 * job.c: the watchdog around blocking libvirt calls.  Two references: the
 * caller's and the thread's; whoever drops the last one frees everything,
 * so abandoning a stuck call is just an unref.
 */
#include "job.h"

struct _VstatsJob {
    gint refs;
    GMutex lock;
    GCond done_cond;
    gboolean done;
    VstatsJobFunc func;
    gpointer data;
    GDestroyNotify data_free;
    gpointer result;
    GDestroyNotify result_free;
    GError *error;
};

void
vstats_job_unref(VstatsJob *job)
{
    if (!job || !g_atomic_int_dec_and_test(&job->refs))
        return;
    if (job->result && job->result_free)
        job->result_free(job->result);
    if (job->data_free)
        job->data_free(job->data);
    g_clear_error(&job->error);
    g_mutex_clear(&job->lock);
    g_cond_clear(&job->done_cond);
    g_free(job);
}

static gpointer
job_thread(gpointer p)
{
    VstatsJob *job = p;
    GError *error = NULL;
    gpointer result = job->func(job->data, &error);

    g_mutex_lock(&job->lock);
    job->result = result;
    job->error = error;
    job->done = TRUE;
    g_cond_broadcast(&job->done_cond);
    g_mutex_unlock(&job->lock);
    vstats_job_unref(job);
    return NULL;
}

VstatsJob *
vstats_job_start(const char *name, VstatsJobFunc func, gpointer data,
                 GDestroyNotify data_free, GDestroyNotify result_free)
{
    VstatsJob *job = g_new0(VstatsJob, 1);
    GThread *thread;

    job->refs = 2;
    g_mutex_init(&job->lock);
    g_cond_init(&job->done_cond);
    job->func = func;
    job->data = data;
    job->data_free = data_free;
    job->result_free = result_free;
    thread = g_thread_new(name, job_thread, job);
    g_thread_unref(thread); /* detached: nobody joins an abandoned call */
    return job;
}

gboolean
vstats_job_wait(VstatsJob *job, gint64 deadline_us)
{
    gboolean done;

    g_mutex_lock(&job->lock);
    while (!job->done)
        if (!g_cond_wait_until(&job->done_cond, &job->lock, deadline_us))
            break;
    done = job->done;
    g_mutex_unlock(&job->lock);
    return done;
}

gboolean
vstats_job_is_done(VstatsJob *job)
{
    gboolean done;

    g_mutex_lock(&job->lock);
    done = job->done;
    g_mutex_unlock(&job->lock);
    return done;
}

gpointer
vstats_job_steal_result(VstatsJob *job, GError **error)
{
    gpointer result;

    g_mutex_lock(&job->lock);
    g_assert(job->done);
    result = g_steal_pointer(&job->result);
    if (job->error)
        g_propagate_error(error, g_steal_pointer(&job->error));
    g_mutex_unlock(&job->lock);
    return result;
}

gboolean
vstats_job_slot_ready(VstatsJobSlot *slot, gpointer *late)
{
    *late = NULL;
    if (!slot->job)
        return TRUE;
    if (!vstats_job_is_done(slot->job))
        return FALSE;
    *late = vstats_job_steal_result(slot->job, NULL);
    vstats_job_slot_clear(slot);
    return TRUE;
}

gpointer
vstats_job_slot_run(VstatsJobSlot *slot, const char *name, VstatsJobFunc func,
                    gpointer data, GDestroyNotify data_free,
                    GDestroyNotify result_free, gint64 deadline_us)
{
    gpointer result;

    g_assert(!slot->job);
    slot->job = vstats_job_start(name, func, data, data_free, result_free);
    if (!vstats_job_wait(slot->job, deadline_us))
        return NULL;
    result = vstats_job_steal_result(slot->job, NULL);
    vstats_job_slot_clear(slot);
    return result;
}

void
vstats_job_slot_clear(VstatsJobSlot *slot)
{
    g_clear_pointer(&slot->job, vstats_job_unref);
}
