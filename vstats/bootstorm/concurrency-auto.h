/*
 * concurrency-auto.h: chooses how many requests to keep in flight from
 * what completions show, with no tuning by the user (boot-storm's
 * "--concurrency auto").  Pure computation on timestamps: no threads, no
 * clock, no libvirt, so it can be tested on synthetic timings.
 */
#pragma once
#include <glib.h>

/* One change of the limit, for reports. */
typedef struct {
    gint64 time_us;     /* completion time that caused it (0: the start) */
    guint completed;    /* completions observed by then */
    guint limit;        /* the new limit */
    double throughput;  /* completions/s of the window behind it; 0 at start */
} VstatsConcurrencyStep;

typedef struct VstatsConcurrencyAuto VstatsConcurrencyAuto;

/* @max_limit: never allow more than this in flight (e.g. the VM count).
 * Starts from the online CPUs of this machine; use _new_for_cpus when the
 * work runs elsewhere (a remote daemon) or in tests. */
VstatsConcurrencyAuto *vstats_concurrency_auto_new(guint max_limit);
VstatsConcurrencyAuto *vstats_concurrency_auto_new_for_cpus(guint max_limit, guint n_cpus);

/* The limit it starts at on a host with @n_cpus CPUs (before @max_limit). */
guint vstats_concurrency_auto_initial_limit(guint n_cpus);
void vstats_concurrency_auto_free(VstatsConcurrencyAuto *ctl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsConcurrencyAuto, vstats_concurrency_auto_free)

guint vstats_concurrency_auto_get_limit(const VstatsConcurrencyAuto *ctl);

/* A request started at @start_us, when @inflight_at_start requests
 * (itself included) were in flight, finished at @end_us (same clock, any
 * origin; completions in order of @end_us).  Returns the limit to apply
 * from now on; requests already in flight are not affected. */
guint vstats_concurrency_auto_observe(VstatsConcurrencyAuto *ctl,
                                      gint64 start_us, gint64 end_us,
                                      guint inflight_at_start);

/* Every limit set so far, starting with the initial one:
 * VstatsConcurrencyStep. */
const GArray *vstats_concurrency_auto_get_trajectory(const VstatsConcurrencyAuto *ctl);
