/*
 * report.c: the immutable result of one collection cycle.  Reference
 * counted so the HTTP server can hand one report to concurrent scrapes.
 */
#include "report-private.h"

struct _VstatsReport {
    gint refs;
    char *strategy;
    char *error;
    gboolean unanswered;   /* VMs listed, but the daemon did not answer */
    gint64 wall_time_us;
    gint64 duration_us;
    gboolean timed_out;
    guint timeout_ms;
    guint64 reconnect_gap_ms;
    GPtrArray *vms;
};

VstatsReport *
vstats_report_new(const char *strategy, guint timeout_ms)
{
    VstatsReport *r = g_new0(VstatsReport, 1);

    r->refs = 1;
    r->strategy = g_strdup(strategy ? strategy : "none");
    r->wall_time_us = g_get_real_time();
    r->timeout_ms = timeout_ms;
    r->vms = g_ptr_array_new_with_free_func((GDestroyNotify) vstats_vm_free);
    return r;
}

void
vstats_report_add_vm(VstatsReport *r, VstatsVm *vm)
{
    g_ptr_array_add(r->vms, vm);
}

void
vstats_report_finish(VstatsReport *r, gint64 duration_us, gboolean timed_out,
                     guint64 reconnect_gap_ms, const char *error)
{
    r->duration_us = duration_us;
    r->timed_out = timed_out;
    r->reconnect_gap_ms = reconnect_gap_ms;
    g_free(r->error);
    r->error = g_strdup(error);
}

void
vstats_report_set_unanswered(VstatsReport *r, const char *why)
{
    r->unanswered = TRUE;
    g_free(r->error);
    r->error = g_strdup(why);
}

VstatsReport *
vstats_report_ref(VstatsReport *r)
{
    g_atomic_int_inc(&r->refs);
    return r;
}

void
vstats_report_unref(VstatsReport *r)
{
    if (!r || !g_atomic_int_dec_and_test(&r->refs))
        return;
    g_ptr_array_unref(r->vms);
    g_free(r->strategy);
    g_free(r->error);
    g_free(r);
}

gboolean vstats_report_get_up(const VstatsReport *r) { return r->error == NULL && !r->unanswered; }
const char *vstats_report_get_error(const VstatsReport *r) { return r->error; }
const char *vstats_report_get_strategy(const VstatsReport *r) { return r->strategy; }
gint64 vstats_report_get_wall_time_us(const VstatsReport *r) { return r->wall_time_us; }
gint64 vstats_report_get_duration_us(const VstatsReport *r) { return r->duration_us; }
gboolean vstats_report_get_timed_out(const VstatsReport *r) { return r->timed_out; }
guint vstats_report_get_timeout_ms(const VstatsReport *r) { return r->timeout_ms; }
guint64 vstats_report_get_reconnect_gap_ms(const VstatsReport *r) { return r->reconnect_gap_ms; }
guint vstats_report_get_n_vms(const VstatsReport *r) { return r->vms->len; }

const VstatsVm *
vstats_report_get_vm(const VstatsReport *r, guint i)
{
    return i < r->vms->len ? r->vms->pdata[i] : NULL;
}
