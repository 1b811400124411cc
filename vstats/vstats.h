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
    VSTATS_MODE_DEADLINE,  /* virConnectGetAllDomainStatsTimeout */
    VSTATS_MODE_BULK,      /* NOWAIT bulk call in a watchdog + skip list */
    VSTATS_MODE_LEGACY,    /* one thread per VM, one call per statistic */
} VstatsMode;

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

    /* Rates over the last window (NAN when unknown). */
    double interval_s;
    double cpu_user_pct, cpu_system_pct, cpu_total_pct;

    /* Responsiveness.  has_daemon_freshness: the daemon reported
     * stats.fresh/age/monitor-unresponsive itself (deadline strategy);
     * otherwise they are derived from when the VM last answered. */
    gboolean has_daemon_freshness;
    gboolean fresh;
    gint64 age_ms;
    gint64 monitor_unresponsive_ms;
    gboolean not_responding;
} VstatsVm;

VstatsVm *vstats_vm_new(const char *name, const char *uuid);
VstatsVm *vstats_vm_copy(const VstatsVm *vm);
void vstats_vm_free(VstatsVm *vm);
/* Adds a device (or returns the existing one of that name).  The returned
 * pointer is valid until the next add on the same VM. */
VstatsBlock *vstats_vm_add_block(VstatsVm *vm, const char *name);
VstatsNet *vstats_vm_add_net(VstatsVm *vm, const char *name);
const VstatsBlock *vstats_vm_find_block(const VstatsVm *vm, const char *name);
const VstatsNet *vstats_vm_find_net(const VstatsVm *vm, const char *name);
const char *vstats_state_to_string(int state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsVm, vstats_vm_free)

/* ---- rates (pure, no libvirt) ----------------------------------------- */

/* Fills the rate fields of @cur from the counters of @prev and @cur.
 * @prev may be NULL (all rates unknown). */
void vstats_rates_compute(const VstatsVm *prev, VstatsVm *cur);

/* Two samples per VM, keyed by UUID. */
typedef struct _VstatsRateWindow VstatsRateWindow;
VstatsRateWindow *vstats_rate_window_new(void);
void vstats_rate_window_free(VstatsRateWindow *win);
/* Takes ownership of @sample.  A sample not newer than the newest one by at
 * least @min_interval_us is dropped (returns FALSE): late, out-of-order or
 * repeated samples never produce rates.  Otherwise the rates of @sample are
 * computed against the newest one, which becomes the previous. */
gboolean vstats_rate_window_push(VstatsRateWindow *win, VstatsVm *sample,
                                 gint64 min_interval_us);
const VstatsVm *vstats_rate_window_latest(VstatsRateWindow *win,
                                          const char *uuid);
/* Forgets every VM whose UUID is not a key of @keep. */
void vstats_rate_window_retain(VstatsRateWindow *win, GHashTable *keep);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsRateWindow, vstats_rate_window_free)

/* ---- connection ------------------------------------------------------- */

typedef struct _VstatsConnection VstatsConnection;

/* Opens @uri (NULL: libvirt's default), starts keepalive and the lifecycle
 * event tracking.  Reconnects by itself on later cycles if the daemon
 * restarts. */
VstatsConnection *vstats_connection_open(const char *uri, GError **error);
void vstats_connection_free(VstatsConnection *conn);
const char *vstats_connection_get_uri(VstatsConnection *conn);
guint vstats_connection_get_n_domains(VstatsConnection *conn);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsConnection, vstats_connection_free)

/* ---- report ----------------------------------------------------------- */

typedef struct _VstatsReport VstatsReport;

VstatsReport *vstats_report_ref(VstatsReport *report);
void vstats_report_unref(VstatsReport *report);
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

/* @timeout_ms is the deadline of one collection (0: 2000 ms). */
VstatsSampler *vstats_sampler_new(VstatsConnection *conn, VstatsMode mode,
                                  guint timeout_ms);
void vstats_sampler_free(VstatsSampler *sampler);
void vstats_sampler_set_not_responding_ms(VstatsSampler *sampler, guint ms);
guint vstats_sampler_get_timeout_ms(VstatsSampler *sampler);
/* Name of the strategy the last collection used ("deadline", "bulk",
 * "legacy"), NULL before the first one. */
const char *vstats_sampler_get_strategy(VstatsSampler *sampler);
/* One collection cycle.  Always returns a report; when the cycle failed the
 * report is "down" (no VMs) and @error is set as well. */
VstatsReport *vstats_sampler_collect(VstatsSampler *sampler, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsSampler, vstats_sampler_free)

/* ---- output formats (one string per cycle, newline-terminated) -------- */

char *vstats_format_json(const VstatsReport *report);
char *vstats_format_vdsm(const VstatsReport *report);
char *vstats_format_prometheus(const VstatsReport *report);
char *vstats_format_table(const VstatsReport *report);

/* ---- Prometheus HTTP endpoint ----------------------------------------- */

typedef struct _VstatsServer VstatsServer;

#define VSTATS_DEFAULT_LISTEN "127.0.0.1:9177"

/* Serves /metrics from @sampler (which must outlive the server).  Listens
 * on @listen (HOST:PORT, [IPV6]:PORT; NULL for VSTATS_DEFAULT_LISTEN; port
 * 0 picks a free one). */
VstatsServer *vstats_server_new(VstatsSampler *sampler, const char *listen,
                                GError **error);
/* Whether @listen is well-formed, before connecting to anything. */
gboolean vstats_server_check_listen(const char *listen, GError **error);
guint16 vstats_server_get_port(VstatsServer *server);
void vstats_server_free(VstatsServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsServer, vstats_server_free)

G_END_DECLS
