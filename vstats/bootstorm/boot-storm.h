/*
 * boot-storm.h: create many transient domains at once with a bound on how
 * many creations are in flight, and time each one.
 *
 * Every domain a storm created is its own until released: freeing the
 * storm (or vstats_boot_storm_destroy_all()) destroys them, so a failed or
 * interrupted storm leaves nothing behind.
 */
#pragma once
#include <glib.h>
#include <libvirt/libvirt.h>

#include "concurrency-auto.h"

/* How to create one domain: virDomainCreateXML by default; tests wrap it
 * to observe concurrency. */
typedef virDomainPtr (*VstatsBootCreateFunc)(virConnectPtr conn, const char *xml,
                                             unsigned int flags, gpointer data);

typedef struct {
    guint count;
    guint concurrency;          /* at most this many in flight; 0: auto */
    gboolean paused;            /* VIR_DOMAIN_START_PAUSED */
    const char *prefix;         /* names: prefix + 4-digit index from 1 */
    const char *template_xml;   /* see vstats_boot_template_expand() */
    VstatsBootCreateFunc create;
    gpointer create_data;
} VstatsBootStormConfig;

typedef struct {
    char *name;
    char uuid[VIR_UUID_STRING_BUFLEN];
    guint index;                /* 1-based */
    gboolean attempted;         /* its create call was made */
    gboolean ok;
    char *error;                /* libvirt's message when !ok */
    gint64 start_us, end_us;    /* of the create call, from the storm's start */
    guint inflight_at_start;    /* itself included */
    virDomainPtr dom;           /* while the storm owns the domain */
} VstatsBootVm;

typedef struct {
    guint requested, attempted, succeeded, failed;
    /* Request-to-running of the VMs that came up; NAN when none did. */
    double mean_ms, p50_ms, p95_ms, max_ms;
    double makespan_ms;         /* first request to last VM up */
    double throughput;          /* VMs up per second of makespan */
    guint max_in_flight;
    gboolean cancelled;
} VstatsBootStats;

typedef struct VstatsBootStorm VstatsBootStorm;

VstatsBootStorm *vstats_boot_storm_new(virConnectPtr conn,
                                       const VstatsBootStormConfig *config);
/* Destroys whatever domains the storm still owns. */
void vstats_boot_storm_free(VstatsBootStorm *storm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsBootStorm, vstats_boot_storm_free)

/* Runs the storm to its end (or cancellation); TRUE if every VM came up. */
gboolean vstats_boot_storm_run(VstatsBootStorm *storm);
/* Starts no further creations; those in flight finish.  Async-signal-safe. */
void vstats_boot_storm_cancel(VstatsBootStorm *storm);

/* Destroys every domain the storm owns; returns how many could not be
 * destroyed (their names are logged as warnings). */
guint vstats_boot_storm_destroy_all(VstatsBootStorm *storm);
/* Gives up ownership: the domains outlive the storm (--keep). */
void vstats_boot_storm_release(VstatsBootStorm *storm);

const VstatsBootStats *vstats_boot_storm_get_stats(VstatsBootStorm *storm);
guint vstats_boot_storm_get_n_vms(VstatsBootStorm *storm);
const VstatsBootVm *vstats_boot_storm_get_vm(VstatsBootStorm *storm, guint i);
/* Limits chosen by --concurrency auto (VstatsConcurrencyStep), else NULL. */
const GArray *vstats_boot_storm_get_trajectory(VstatsBootStorm *storm);
