/* strategy.h: the three ways to collect one cycle, behind one interface. */
#pragma once
#include "connection-private.h"
#include "vstats-private.h"

/* virDomainStatsTypes for VstatsGroups.  Asking only for what is used
 * spares the daemon the QEMU queries of the others and the client their
 * decoding; per domain (9.0.0 with the series; stock in brackets):
 * state 0 QMP commands, cpu-total 1 (query-stats for halt-polling, shared
 * with vcpu) [1], vcpu 1 (query-stats) [1], balloon 1 (qom-get of the
 * guest stats) [2, with query-balloon], block 2 (query-blockstats,
 * query-named-block-nodes) [3], interface 0 (host counters). */
unsigned int vstats_groups_to_stats(unsigned int groups);

/* What one cycle brought back. */
typedef struct {
    GPtrArray *vms;         /* VstatsVm* that answered this cycle */
    GHashTable *control_ms; /* uuid -> gint64*: monitor busy time seen by
                               virDomainGetControlInfo (the probe, or the
                               state.control.* of a patched daemon's
                               records); -1: QEMU out of reach */
    GHashTable *partial;    /* uuids whose record lacked the groups that
                               need QEMU's monitor (busy: NOWAIT skipped it) */
    unsigned int stats;     /* virDomainStatsTypes asked for */
    gboolean timed_out;     /* some call overran the deadline */
    gboolean answered;      /* the daemon answered a statistics call in time */
} VstatsCycle;

/* What a strategy works with in one cycle. */
typedef struct {
    VstatsConnection *vconn;
    virConnectPtr conn;     /* the main connection */
    GPtrArray *domains;     /* VstatsTracked* as listed by the connection */
    gint64 deadline_us;     /* monotonic: return by then */
} VstatsCollectArgs;

void vstats_cycle_init(VstatsCycle *cycle, unsigned int stats);
void vstats_cycle_clear(VstatsCycle *cycle);
void vstats_cycle_set_control_ms(VstatsCycle *cycle, const char *uuid, gint64 ms);

typedef struct _VstatsStrategy VstatsStrategy;
struct _VstatsStrategy {
    const char *name;
    /* FALSE with VSTATS_ERROR_UNSUPPORTED means "use another strategy". */
    gboolean (*collect)(VstatsStrategy *self, const VstatsCollectArgs *args,
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
    /* Reads what the strategy's call adds to each record (of the groups
     * @stats), if anything; FALSE when that says the record is no full
     * answer (the VM keeps its last one). */
    gboolean (*annotate)(VstatsVm *vm, const virTypedParameter *params, int nparams,
                         unsigned int stats);
} VstatsRecords;


void vstats_records_free(gpointer p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsRecords, vstats_records_free)
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

/* ---- the series' calls and keys (strategy-deadline.c) ---- */

/* virDomainGetBlockInfo bounded by @timeout_ms (virDomainGetBlockInfoParams)
 * where the client library and the daemon have the series' call, else the
 * plain call. */
int vstats_block_info(virDomainPtr dom, const char *dev, virDomainBlockInfoPtr info,
                      int timeout_ms);

/* How long the monitor of a VM has not answered, from the state.control.*
 * keys that a patched daemon adds to the state group of an active domain in
 * every statistics call (virConnectGetAllDomainStats included): the time of
 * VIR_DOMAIN_CONTROL_OCCUPIED, 0 for OK or a background job, -1 for ERROR
 * (QEMU out of reach: unresponsive as long as it has been silent).  FALSE
 * without the keys (stock daemon, inactive domain). */
gboolean vstats_control_unresponsive_ms(const virTypedParameter *params, int nparams,
                                        gint64 *ms);

/* The deadline call's annotate: from the <group>.fresh and <group>.age keys
 * of the groups @stats, a VM is fresh when every group needing QEMU is; its
 * age is that of its oldest group, and its sample is dated back by it;
 * monitor_unresponsive_ms comes from state.control.*.  FALSE when a group
 * needing QEMU came without any values of it (not fresh, no age).  A record
 * without the keys is left as it is (has_daemon_freshness FALSE). */
gboolean vstats_deadline_annotate(VstatsVm *vm, const virTypedParameter *params,
                                  int nparams, unsigned int stats);
