/*
 * vstats.h: public API of libvstats, a client library showing how a host
 * agent (in the style of oVirt VDSM) consumes libvirt domain statistics.
 *
 * Objects (connection, sampler, report, server) are opaque and thread-safe.
 * The per-VM values of a report are plain read-only structs, so output code
 * and tests can read them without an accessor per field.
 *
 * Conventions: raw counters are gint64 and VSTATS_MISSING (-1) when libvirt
 * did not report them; rates are double and NAN when unknown (first sample,
 * counter reset, missing field).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What this header declares is the shared library's ABI; the library is
 * built with hidden visibility, so private headers export nothing. */
#pragma GCC visibility push(default)

#define VSTATS_MISSING ((gint64) -1)
#define VSTATS_UUID_LEN 37 /* 36 characters + NUL, as VIR_UUID_STRING_BUFLEN */

/* Default age after which a VM is flagged "not responding" (as VDSM). */
#define VSTATS_DEFAULT_NOT_RESPONDING_MS 60000

#define VSTATS_ERROR (vstats_error_quark())
GQuark vstats_error_quark(void);

typedef enum {
    VSTATS_ERROR_FAILED,        /* anything else */
    VSTATS_ERROR_CONNECT,       /* cannot open the URI / reach the daemon */
    VSTATS_ERROR_PERMISSION,    /* authentication or access denied */
    VSTATS_ERROR_DISCONNECTED,  /* the daemon went away; retried next cycle */
    VSTATS_ERROR_UNSUPPORTED,   /* client library or daemon lacks a call */
    VSTATS_ERROR_INVALID,       /* bad argument */
} VstatsErrorCode;

/* How a sampler collects: see docs/vstats.md for the trade-offs. */
typedef enum {
    VSTATS_MODE_AUTO,      /* deadline if available, else bulk */
    VSTATS_MODE_DEADLINE,  /* virConnectGetAllDomainStatsParams, a timeout */
    VSTATS_MODE_BULK,      /* NOWAIT bulk call in a watchdog + skip list */
    VSTATS_MODE_LEGACY,    /* one thread per VM, one call per statistic */
} VstatsMode;

/* ---- initialisation ---------------------------------------------------- */

/* What vstats may do to the process.  libvirt has one event
 * implementation and one error callback per process: an agent that runs
 * its own (VDSM calls virEventRunDefaultImpl itself) passes 0. */
typedef enum {
    /* Register libvirt's default event implementation and run it in a
     * thread of vstats: keepalive, close callbacks and domain events need
     * it.  That implementation iterates GLib's global default context. */
    VSTATS_INIT_EVENT_LOOP = 1 << 0,
    /* Silence libvirt's default printing of errors to stderr
     * (virSetErrorFunc); vstats reports them with context. */
    VSTATS_INIT_ERROR_HANDLER = 1 << 1,
} VstatsInitFlags;

#define VSTATS_INIT_DEFAULT (VSTATS_INIT_EVENT_LOOP | VSTATS_INIT_ERROR_HANDLER)

/* Must be called once before the first vstats_connection_open(); later
 * calls return TRUE and change nothing.  Without VSTATS_INIT_EVENT_LOOP
 * the caller registers and runs an event implementation before opening,
 * or vstats relists the domains every cycle. */
gboolean vstats_init(unsigned int flags, GError **error);

const char *vstats_mode_to_string(VstatsMode mode);
gboolean vstats_mode_from_string(const char *str, VstatsMode *mode);

/* Library messages (strategy choice, reconnects) go here; by default they
 * go to g_log() with the "vstats" domain. */
typedef void (*VstatsLogFunc)(GLogLevelFlags level, const char *message,
                              gpointer user_data);
void vstats_set_log_func(VstatsLogFunc func, gpointer user_data);

/* ---- per-VM values ---------------------------------------------------- */

typedef struct {
    char *name;                 /* target name ("vda"), the device key */
    char *path;                 /* source file or device, NULL unknown */
    gint64 rd_reqs, rd_bytes, rd_times_ns;
    gint64 wr_reqs, wr_bytes, wr_times_ns;
    gint64 fl_reqs, fl_times_ns;
    gint64 capacity, allocation, physical;  /* bytes */
    double rd_bytes_rate, wr_bytes_rate;     /* bytes/s */
    double rd_iops, wr_iops;                 /* requests/s */
    double rd_latency_ns, wr_latency_ns;     /* mean ns per request */
} VstatsBlock;

typedef struct {
    char *name;                 /* host-side interface name ("vnet0") */
    char *bridge;               /* source bridge from the definition, NULL
                                   until known, "" when there is none */
    gint64 rx_bytes, rx_pkts, rx_errs, rx_drop;
    gint64 tx_bytes, tx_pkts, tx_errs, tx_drop;
    double rx_bytes_rate, tx_bytes_rate;     /* bytes/s */
    double rx_pkts_rate, tx_pkts_rate;       /* packets/s */
} VstatsNet;

typedef struct {
    gint64 current_kib, maximum_kib, rss_kib, usable_kib, unused_kib;
    gint64 available_kib, disk_caches_kib, swap_in_kib, swap_out_kib;
    gint64 major_fault, minor_fault, last_update_s;
} VstatsBalloon;

typedef struct {
    guint id;
    int state;                  /* virVcpuState, -1 unknown */
    gint64 time_ns;             /* CPU time of the vCPU thread */
    gint64 wait_ns;             /* time it waited on I/O */
    gint64 delay_ns;            /* time it was runnable but not running */
} VstatsVcpu;

typedef struct {
    char *name;
    char uuid[VSTATS_UUID_LEN];
    int state;                  /* virDomainState, -1 unknown */
    int reason;
    gint64 sample_time_us;      /* monotonic time the counters describe */
    gint64 cpu_time_ns, cpu_user_ns, cpu_system_ns;
    gint64 vcpu_current, vcpu_maximum;
    VstatsBalloon balloon;
    VstatsBlock *blocks;
    guint n_blocks;
    VstatsNet *nets;
    guint n_nets;
    VstatsVcpu *vcpus;
    guint n_vcpus;

    /* Rates over the last window (NAN when unknown). */
    double interval_s;
    double cpu_user_pct, cpu_system_pct, cpu_total_pct;

    /* Responsiveness.  has_daemon_freshness: the daemon reported the
     * freshness and age of each group itself (deadline strategy): fresh
     * when every group needing QEMU was collected during the call, age
     * that of the oldest group; otherwise they are derived from when the
     * VM last answered.  monitor_unresponsive_ms: how long a command to
     * QEMU has been under way (virDomainGetControlInfo, in the records of
     * a patched daemon), else an estimate from the silence. */
    gboolean has_daemon_freshness;
    gboolean fresh;
    gint64 age_ms;
    gint64 monitor_unresponsive_ms;
    gboolean not_responding;
} VstatsVm;

/* A VM outlives its report only as a copy. */
VstatsVm *vstats_vm_copy(const VstatsVm *vm);
void vstats_vm_free(VstatsVm *vm);
const VstatsBlock *vstats_vm_find_block(const VstatsVm *vm, const char *name);
const VstatsNet *vstats_vm_find_net(const VstatsVm *vm, const char *name);
const char *vstats_state_to_string(int state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsVm, vstats_vm_free)

/* ---- connection ------------------------------------------------------- */

typedef struct _VstatsConnection VstatsConnection;

/* Opens @uri (NULL: libvirt's default), starts keepalive and the lifecycle
 * event tracking.  Reconnects by itself on later cycles if the daemon
 * restarts. */
VstatsConnection *vstats_connection_open(const char *uri, GError **error);

typedef enum {
    /* Open read-only from the start (statistics need nothing more).
     * Without it a read-write open that is denied falls back to
     * read-only by itself. */
    VSTATS_CONNECT_READ_ONLY = 1 << 0,
} VstatsConnectFlags;
VstatsConnection *vstats_connection_open_full(const char *uri, unsigned int flags,
                                              GError **error);
/* Whether the connection (re)opened read-only. */
gboolean vstats_connection_is_read_only(VstatsConnection *conn);
void vstats_connection_free(VstatsConnection *conn);
const char *vstats_connection_get_uri(VstatsConnection *conn);
guint vstats_connection_get_n_domains(VstatsConnection *conn);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsConnection, vstats_connection_free)

/* ---- report ----------------------------------------------------------- */

typedef struct _VstatsReport VstatsReport;

VstatsReport *vstats_report_ref(VstatsReport *report);
void vstats_report_unref(VstatsReport *report);
/* FALSE when the cycle failed (no VMs then) or the daemon did not answer
 * within the deadline (the VMs are listed with their last values, marked
 * stale, and the error says so). */
gboolean vstats_report_get_up(const VstatsReport *report);
const char *vstats_report_get_error(const VstatsReport *report);
const char *vstats_report_get_strategy(const VstatsReport *report);
gint64 vstats_report_get_wall_time_us(const VstatsReport *report);
gint64 vstats_report_get_duration_us(const VstatsReport *report);
gboolean vstats_report_get_timed_out(const VstatsReport *report);
guint vstats_report_get_timeout_ms(const VstatsReport *report);
/* Milliseconds the connection was down before this cycle reconnected, or
 * 0 when no reconnect happened. */
guint64 vstats_report_get_reconnect_gap_ms(const VstatsReport *report);
guint vstats_report_get_n_vms(const VstatsReport *report);
const VstatsVm *vstats_report_get_vm(const VstatsReport *report, guint i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsReport, vstats_report_unref)

/* ---- sampler ---------------------------------------------------------- */

typedef struct _VstatsSampler VstatsSampler;

/* @timeout_ms is the deadline of one collection (0: 2000 ms).  The
 * sampler keeps a reference to @conn: either may be freed first. */
VstatsSampler *vstats_sampler_new(VstatsConnection *conn, VstatsMode mode,
                                  guint timeout_ms);
void vstats_sampler_free(VstatsSampler *sampler);
void vstats_sampler_set_not_responding_ms(VstatsSampler *sampler, guint ms);

/* Statistics groups to ask libvirt for; each costs the daemon, and most
 * cost QEMU a monitor command per domain (docs/vstats.md has the figures),
 * so ask only for what is used.  The state is always collected. */
typedef enum {
    VSTATS_GROUP_CPU = 1 << 0,      /* cpu.*: CPU time (query-stats) */
    VSTATS_GROUP_BALLOON = 1 << 1,  /* balloon.*: memory, guest stats (qom-get) */
    VSTATS_GROUP_VCPU = 1 << 2,     /* vcpu.*: per-vCPU time, wait, delay (query-stats) */
    VSTATS_GROUP_NET = 1 << 3,      /* net.*: host-side tap counters */
    VSTATS_GROUP_BLOCK = 1 << 4,    /* block.*: disk counters, sizes (2 commands) */
    /* virDomainGetInfo per domain, one call each but no QEMU command: CPU
     * time, memory and vCPUs, where the groups above did not give them. */
    VSTATS_GROUP_INFO = 1 << 5,
} VstatsGroups;
#define VSTATS_GROUPS_ALL (VSTATS_GROUP_CPU | VSTATS_GROUP_BALLOON | VSTATS_GROUP_VCPU | \
                           VSTATS_GROUP_NET | VSTATS_GROUP_BLOCK)
/* "cpu,net,..." (names as above, lower case; "all") to groups; FALSE on an
 * unknown name. */
gboolean vstats_groups_from_string(const char *list, unsigned int *groups);
/* Default: VSTATS_GROUPS_ALL. */
void vstats_sampler_set_groups(VstatsSampler *sampler, unsigned int groups);
unsigned int vstats_sampler_get_groups(VstatsSampler *sampler);
guint vstats_sampler_get_timeout_ms(VstatsSampler *sampler);
/* Name of the strategy the last collection used ("deadline", "bulk",
 * "legacy"), NULL before the first one. */
const char *vstats_sampler_get_strategy(VstatsSampler *sampler);
/* One collection cycle.  Always returns a report; when the cycle failed the
 * report is "down" (no VMs) and @error is set as well.  When the daemon did
 * not answer in time the report is down too, but lists the VMs, stale, and
 * @error is not set: the next cycle may well succeed. */
VstatsReport *vstats_sampler_collect(VstatsSampler *sampler, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsSampler, vstats_sampler_free)

/* ---- output formats (one string per cycle, newline-terminated) -------- */

char *vstats_format_json(const VstatsReport *report);
char *vstats_format_vdsm(const VstatsReport *report);
char *vstats_format_table(const VstatsReport *report);

#pragma GCC visibility pop

G_END_DECLS
