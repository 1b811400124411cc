/* strategy.h: the three ways to collect one cycle, behind one interface. */
#pragma once
#include "connection-private.h"

/* The statistics groups vstats reports. Asking for these only, rather than
 * for every group, spares the daemon the QEMU queries of the others (vm,
 * iothread, dirtyrate, perf, memory) and the client their decoding. */
#define VSTATS_STATS_GROUPS (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | \
                             VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU | \
                             VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK)

/* What one cycle brought back. */
typedef struct {
    GPtrArray *vms;         /* VstatsVm* that answered this cycle */
    GHashTable *control_ms; /* uuid -> gint64*: monitor busy time seen by
                               virDomainGetControlInfo */
    gboolean timed_out;     /* some call overran the deadline */
} VstatsCycle;

void vstats_cycle_init(VstatsCycle *cycle);
void vstats_cycle_clear(VstatsCycle *cycle);
void vstats_cycle_set_control_ms(VstatsCycle *cycle, const char *uuid, gint64 ms);

typedef struct _VstatsStrategy VstatsStrategy;
struct _VstatsStrategy {
    const char *name;
    /* @domains: VstatsTracked* as listed by the connection.  Must return
     * by @deadline_us.  FALSE with VSTATS_ERROR_UNSUPPORTED means "use
     * another strategy". */
    gboolean (*collect)(VstatsStrategy *self, virConnectPtr conn,
                        GPtrArray *domains, gint64 deadline_us,
                        VstatsCycle *cycle, GError **error);
    void (*free)(VstatsStrategy *self);
};

VstatsStrategy *vstats_strategy_deadline_new(void);
VstatsStrategy *vstats_strategy_bulk_new(void);
VstatsStrategy *vstats_strategy_legacy_new(void);

/* ---- helpers shared by the strategies ---- */

/* Result of one bulk statistics call, made in a job thread. */
typedef struct {
    virDomainStatsRecordPtr *recs;
    int n;
    gint64 recv_us;
} VstatsRecords;

void vstats_records_free(gpointer p);
/* Parses @records into cycle->vms. */
void vstats_cycle_add_records(VstatsCycle *cycle, const VstatsRecords *records);

/* Abandoned calls still running: bounded so a hung daemon cannot make us
 * pile up threads. */
typedef struct _VstatsAbandoned VstatsAbandoned;
VstatsAbandoned *vstats_abandoned_new(guint max);
void vstats_abandoned_free(VstatsAbandoned *a);
/* Takes the records of abandoned statistics calls that have finished
 * since: late, but real data, and the rate window keeps them in order. */
void vstats_abandoned_harvest(VstatsAbandoned *a, VstatsCycle *cycle);
/* Forgets the finished ones; TRUE if there is room for one more. */
gboolean vstats_abandoned_has_room(VstatsAbandoned *a);
/* @has_records: the job's result is a VstatsRecords worth harvesting. */
void vstats_abandoned_add(VstatsAbandoned *a, gpointer job, gboolean has_records);
guint vstats_abandoned_count(VstatsAbandoned *a);
