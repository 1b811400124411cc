/*
 * connection.c: one libvirt connection kept alive across daemon restarts,
 * and the set of domains kept up to date by lifecycle events rather than by
 * listing every domain every cycle (which costs an RPC per domain).
 */
#include "connection-private.h"
#include "errors.h"
#include "init.h"
#include "log.h"

#include <stdlib.h>

/* Shared with libvirt callbacks, which may run after the connection
 * object is gone: hence reference counted on its own. */
typedef struct {
    GMutex lock;
    GHashTable *domains;   /* uuid -> VstatsTracked */
    GHashTable *dirty;     /* uuids whose existence must be rechecked */
    gboolean closed;
} Tracker;

struct _VstatsConnection {
    gint refs;             /* the caller's, and each sampler's */
    GMutex lock;           /* serializes (re)connects */
    char *uri;
    unsigned int flags;    /* VstatsConnectFlags */
    gboolean read_only;    /* the last open ended read-only */
    virConnectPtr conn;    /* NULL while the daemon is unreachable */
    VstatsSide *side;      /* second connection, opened on demand */
    int lifecycle_id;
    gint64 down_since_us;
    Tracker *tracker;
};

void
vstats_tracked_free(VstatsTracked *t)
{
    if (!t)
        return;
    if (t->dom)
        virDomainFree(t->dom);
    g_free(t->name);
    g_free(t);
}

static void
tracker_clear(gpointer p)
{
    Tracker *t = p;
    g_hash_table_unref(t->domains);
    g_hash_table_unref(t->dirty);
    g_mutex_clear(&t->lock);
}

static void
tracker_release(void *p)
{
    g_atomic_rc_box_release_full(p, tracker_clear);
}

static Tracker *
tracker_new(void)
{
    Tracker *t = g_atomic_rc_box_new0(Tracker);
    g_mutex_init(&t->lock);
    t->domains = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) vstats_tracked_free);
    t->dirty = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return t;
}

/* Caller holds t->lock. */
static void
tracker_put(Tracker *t, virDomainPtr dom, int state)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    VstatsTracked *d;

    if (virDomainGetUUIDString(dom, uuid) < 0)
        return;
    d = g_hash_table_lookup(t->domains, uuid);
    if (!d) {
        d = g_new0(VstatsTracked, 1);
        virDomainRef(dom);
        d->dom = dom;
        d->name = g_strdup(virDomainGetName(dom));
        g_strlcpy(d->uuid, uuid, sizeof(d->uuid));
        d->state = state;
        g_hash_table_insert(t->domains, d->uuid, d);
    } else if (state >= 0) {
        d->state = state;
    }
}

static int
event_to_state(int event)
{
    switch (event) {
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED: return VIR_DOMAIN_RUNNING;
    case VIR_DOMAIN_EVENT_SUSPENDED: return VIR_DOMAIN_PAUSED;
    case VIR_DOMAIN_EVENT_STOPPED: return VIR_DOMAIN_SHUTOFF;
    case VIR_DOMAIN_EVENT_PMSUSPENDED: return VIR_DOMAIN_PMSUSPENDED;
    case VIR_DOMAIN_EVENT_CRASHED: return VIR_DOMAIN_CRASHED;
    default: return -1;
    }
}

/* Runs in the event loop thread: no RPC here, only bookkeeping.  Domains
 * that may have vanished (undefined, or a transient one stopped) are
 * marked dirty and rechecked by the sampler. */
static int
on_lifecycle(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int event,
             int detail G_GNUC_UNUSED, void *opaque)
{
    Tracker *t = opaque;
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (virDomainGetUUIDString(dom, uuid) < 0)
        return 0;
    g_mutex_lock(&t->lock);
    tracker_put(t, dom, event == VIR_DOMAIN_EVENT_DEFINED ? -1 : event_to_state(event));
    if (event == VIR_DOMAIN_EVENT_UNDEFINED || event == VIR_DOMAIN_EVENT_STOPPED)
        g_hash_table_add(t->dirty, g_strdup(uuid));
    g_mutex_unlock(&t->lock);
    return 0;
}

static void
on_close(virConnectPtr conn G_GNUC_UNUSED, int reason, void *opaque)
{
    Tracker *t = opaque;

    g_mutex_lock(&t->lock);
    t->closed = TRUE;
    g_mutex_unlock(&t->lock);
    vstats_log(G_LOG_LEVEL_MESSAGE, "connection to the daemon closed (reason %d)", reason);
}

static void
teardown(VstatsConnection *c)
{
    if (!c->conn)
        return;
    /* Errors are expected here: the daemon may already be gone. */
    if (c->lifecycle_id >= 0)
        virConnectDomainEventDeregisterAny(c->conn, c->lifecycle_id);
    virConnectUnregisterCloseCallback(c->conn, on_close);
    virConnectClose(c->conn);
    virResetLastError();
    c->conn = NULL;
    /* Jobs still using it keep their reference. */
    g_clear_pointer(&c->side, vstats_side_unref);
    c->lifecycle_id = -1;
}

/* Opens @uri read-only when @read_only is set, else read-write, falling
 * back to read-only when that is denied (statistics only need read
 * access, and a monitoring user often has no more); @read_only says
 * which it became. */
static virConnectPtr
open_uri(const char *uri, gboolean *read_only, gboolean quiet, GError **error)
{
    virConnectPtr conn = NULL;
    g_autoptr(GError) rw_error = NULL;
    g_autofree char *context = g_strdup_printf("cannot open '%s'",
                                               uri ? uri : "(default URI)");

    if (!*read_only) {
        conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0);
        if (conn)
            return conn;
        vstats_error_from_virt(&rw_error, NULL, context);
        if (!g_error_matches(rw_error, VSTATS_ERROR, VSTATS_ERROR_PERMISSION)) {
            g_propagate_error(error, g_steal_pointer(&rw_error));
            return NULL;
        }
    }
    conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, VIR_CONNECT_RO);
    if (!conn) {
        if (rw_error)
            g_propagate_error(error, g_steal_pointer(&rw_error));
        else
            vstats_error_from_virt(error, NULL, context);
        return NULL;
    }
    if (rw_error && !quiet)
        vstats_log(G_LOG_LEVEL_MESSAGE, "read-write access denied, using a "
                   "read-only connection");
    *read_only = TRUE;
    return conn;
}

/* ---- the side connection ---- */

struct _VstatsSide {
    GMutex lock;
    char *uri;
    gboolean read_only;
    virConnectPtr conn;
};

static void
side_clear(gpointer p)
{
    VstatsSide *side = p;
    if (side->conn) {
        virConnectClose(side->conn);
        virResetLastError();
    }
    g_free(side->uri);
    g_mutex_clear(&side->lock);
}

static VstatsSide *
side_new(const char *uri, gboolean read_only)
{
    VstatsSide *side = g_atomic_rc_box_new0(VstatsSide);
    g_mutex_init(&side->lock);
    side->uri = g_strdup(uri);
    side->read_only = read_only;
    return side;
}

void
vstats_side_unref(VstatsSide *side)
{
    if (side)
        g_atomic_rc_box_release_full(side, side_clear);
}

virConnectPtr
vstats_side_connect(VstatsSide *side, GError **error)
{
    virConnectPtr conn;

    g_mutex_lock(&side->lock);
    if (side->conn && virConnectIsAlive(side->conn) != 1) {
        virConnectClose(side->conn);
        side->conn = NULL;
    }
    if (!side->conn) {
        side->conn = open_uri(side->uri, &side->read_only, TRUE, error);
        if (side->conn && virConnectSetKeepAlive(side->conn, 5, 3) < 0)
            virResetLastError();
    }
    conn = side->conn;
    if (conn)
        virConnectRef(conn);
    g_mutex_unlock(&side->lock);
    return conn;
}

virDomainPtr *
vstats_side_domains(VstatsSide *side, GHashTable *uuids, GError **error)
{
    virConnectPtr conn = vstats_side_connect(side, error);
    virDomainPtr *all = NULL;
    GPtrArray *out;
    int n;

    if (!conn)
        return NULL;
    n = virConnectListAllDomains(conn, &all, 0);
    virConnectClose(conn); /* the domains keep it open */
    if (n < 0) {
        vstats_error_from_virt(error, NULL, "virConnectListAllDomains");
        return NULL;
    }
    out = g_ptr_array_new();
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        if (virDomainGetUUIDString(all[i], uuid) == 0 && g_hash_table_contains(uuids, uuid))
            g_ptr_array_add(out, all[i]);
        else
            virDomainFree(all[i]);
    }
    free(all);
    g_ptr_array_add(out, NULL);
    return (virDomainPtr *) g_ptr_array_free(out, FALSE);
}

void
vstats_domains_free(virDomainPtr *doms)
{
    for (virDomainPtr *d = doms; d && *d; d++)
        virDomainFree(*d);
    g_free(doms);
}

VstatsSide *
vstats_connection_get_side(VstatsConnection *c)
{
    VstatsSide *side;

    g_mutex_lock(&c->lock);
    side = c->side ? g_atomic_rc_box_acquire(c->side) : NULL;
    g_mutex_unlock(&c->lock);
    return side;
}

/* Fills the tracker from a full listing: at connect time, or every cycle
 * when the driver has no domain events. Caller holds c->lock. */
static gboolean
relist(VstatsConnection *c, GError **error)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c->conn, &doms, 0);

    if (n < 0) {
        vstats_error_from_virt(error, NULL, "cannot list domains");
        return FALSE;
    }
    g_mutex_lock(&c->tracker->lock);
    if (c->lifecycle_id < 0)
        g_hash_table_remove_all(c->tracker->domains);
    for (int i = 0; i < n; i++) {
        int state = -1, reason;
        if (virDomainGetState(doms[i], &state, &reason, 0) < 0) {
            state = -1;
            virResetLastError();
        }
        tracker_put(c->tracker, doms[i], state);
        virDomainFree(doms[i]);
    }
    g_mutex_unlock(&c->tracker->lock);
    free(doms);
    return TRUE;
}

/* Caller holds c->lock. */
static gboolean
connect_and_track(VstatsConnection *c, GError **error)
{
    c->read_only = (c->flags & VSTATS_CONNECT_READ_ONLY) != 0 || c->read_only;
    c->conn = open_uri(c->uri, &c->read_only, c->read_only, error);
    if (!c->conn)
        return FALSE;
    c->side = side_new(c->uri, c->read_only);

    g_mutex_lock(&c->tracker->lock);
    c->tracker->closed = FALSE;
    g_hash_table_remove_all(c->tracker->domains);
    g_hash_table_remove_all(c->tracker->dirty);
    g_mutex_unlock(&c->tracker->lock);

    /* Dead peers are noticed within ~20 s even when idle; local drivers
     * do not support keepalive, which is fine. */
    if (virConnectSetKeepAlive(c->conn, 5, 3) < 0)
        virResetLastError();
    /* Borrows our own reference, no free callback: drivers without close
     * callbacks (test:, local ones) accept the call but never free its
     * data, and libvirt never calls the callback once unregistered
     * (teardown), as both run under one lock. */
    if (virConnectRegisterCloseCallback(c->conn, on_close, c->tracker, NULL) < 0)
        virResetLastError();
    c->lifecycle_id = virConnectDomainEventRegisterAny(
        c->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        /* Via void (*)(void): the documented cast, without -Wcast-function-type. */
        (virConnectDomainEventGenericCallback) (void (*)(void)) on_lifecycle,
        g_atomic_rc_box_acquire(c->tracker), tracker_release);
    if (c->lifecycle_id < 0) {
        tracker_release(c->tracker);
        vstats_log(G_LOG_LEVEL_WARNING, "no domain events: domains are "
                   "relisted every cycle");
        virResetLastError();
    }

    /* Registered before listing, so no domain falls in between. */
    if (!relist(c, error)) {
        teardown(c);
        return FALSE;
    }
    return TRUE;
}

VstatsConnection *
vstats_connection_open_full(const char *uri, unsigned int flags, GError **error)
{
    VstatsConnection *c;

    if (!vstats_initialized()) {
        g_set_error_literal(error, VSTATS_ERROR, VSTATS_ERROR_INVALID,
                            "vstats_init() must be called before opening a connection");
        return NULL;
    }
    if (flags & ~(unsigned int) VSTATS_CONNECT_READ_ONLY) {
        g_set_error(error, VSTATS_ERROR, VSTATS_ERROR_INVALID,
                    "unknown connection flags 0x%x", flags);
        return NULL;
    }
    c = g_new0(VstatsConnection, 1);
    c->refs = 1;
    g_mutex_init(&c->lock);
    c->uri = g_strdup(uri);
    c->flags = flags;
    c->lifecycle_id = -1;
    c->tracker = tracker_new();
    if (!connect_and_track(c, error)) {
        vstats_connection_free(c);
        return NULL;
    }
    return c;
}

VstatsConnection *
vstats_connection_open(const char *uri, GError **error)
{
    return vstats_connection_open_full(uri, 0, error);
}

gboolean
vstats_connection_is_read_only(VstatsConnection *c)
{
    gboolean ro;

    g_mutex_lock(&c->lock);
    ro = c->read_only;
    g_mutex_unlock(&c->lock);
    return ro;
}

VstatsConnection *
vstats_connection_ref(VstatsConnection *c)
{
    g_atomic_int_inc(&c->refs);
    return c;
}

void
vstats_connection_free(VstatsConnection *c)
{
    if (!c || !g_atomic_int_dec_and_test(&c->refs))
        return;
    teardown(c);
    tracker_release(c->tracker);
    g_mutex_clear(&c->lock);
    g_free(c->uri);
    g_free(c);
}

const char *
vstats_connection_get_uri(VstatsConnection *c)
{
    return c->uri;
}

guint
vstats_connection_get_n_domains(VstatsConnection *c)
{
    guint n;

    g_mutex_lock(&c->tracker->lock);
    n = g_hash_table_size(c->tracker->domains);
    g_mutex_unlock(&c->tracker->lock);
    return n;
}

void
vstats_connection_mark_broken(VstatsConnection *c)
{
    g_mutex_lock(&c->tracker->lock);
    c->tracker->closed = TRUE;
    g_mutex_unlock(&c->tracker->lock);
}

/* Rechecks domains an event said may be gone. Caller holds c->lock. */
static void
reconcile_dirty(VstatsConnection *c)
{
    g_autoptr(GPtrArray) check = g_ptr_array_new_with_free_func((GDestroyNotify) vstats_tracked_free);
    GHashTableIter it;
    gpointer key;

    g_mutex_lock(&c->tracker->lock);
    g_hash_table_iter_init(&it, c->tracker->dirty);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        VstatsTracked *d = g_hash_table_lookup(c->tracker->domains, key);
        if (d) {
            VstatsTracked *copy = g_new0(VstatsTracked, 1);
            copy->dom = d->dom;
            virDomainRef(d->dom);
            g_strlcpy(copy->uuid, d->uuid, sizeof(copy->uuid));
            g_ptr_array_add(check, copy);
        }
    }
    g_hash_table_remove_all(c->tracker->dirty);
    g_mutex_unlock(&c->tracker->lock);

    for (guint i = 0; i < check->len; i++) {
        VstatsTracked *d = check->pdata[i];
        int state, reason;
        int rc = virDomainGetState(d->dom, &state, &reason, 0);
        virErrorPtr err = rc < 0 ? virGetLastError() : NULL;

        g_mutex_lock(&c->tracker->lock);
        if (rc < 0 && err && err->code == VIR_ERR_NO_DOMAIN) {
            g_hash_table_remove(c->tracker->domains, d->uuid);
        } else if (rc == 0) {
            VstatsTracked *cur = g_hash_table_lookup(c->tracker->domains, d->uuid);
            if (cur)
                cur->state = state;
        }
        g_mutex_unlock(&c->tracker->lock);
        virResetLastError();
    }
}

gboolean
vstats_connection_ensure(VstatsConnection *c, guint64 *gap_ms, GError **error)
{
    gboolean closed;
    gboolean ok = TRUE;

    *gap_ms = 0;
    g_mutex_lock(&c->lock);
    g_mutex_lock(&c->tracker->lock);
    closed = c->tracker->closed;
    g_mutex_unlock(&c->tracker->lock);

    if (c->conn && (closed || virConnectIsAlive(c->conn) != 1)) {
        vstats_log(G_LOG_LEVEL_WARNING, "lost the connection to %s; will reconnect",
                   c->uri ? c->uri : "the default URI");
        teardown(c);
        c->down_since_us = g_get_monotonic_time();
    }
    if (!c->conn) {
        g_autoptr(GError) local = NULL;
        if (connect_and_track(c, &local)) {
            *gap_ms = (guint64) MAX(g_get_monotonic_time() - c->down_since_us, 1000) / 1000;
            vstats_log(G_LOG_LEVEL_MESSAGE, "reconnected to %s after %" G_GUINT64_FORMAT
                       " ms without statistics", c->uri ? c->uri : "the default URI", *gap_ms);
        } else {
            g_set_error(error, VSTATS_ERROR, VSTATS_ERROR_DISCONNECTED,
                        "daemon unreachable, retrying next cycle: %s", local->message);
            ok = FALSE;
        }
    }
    if (ok && c->lifecycle_id < 0 && !relist(c, error))
        ok = FALSE;
    if (ok)
        reconcile_dirty(c);
    g_mutex_unlock(&c->lock);
    return ok;
}

virConnectPtr
vstats_connection_ref_virconn(VstatsConnection *c)
{
    virConnectPtr conn;

    g_mutex_lock(&c->lock);
    conn = c->conn;
    if (conn)
        virConnectRef(conn);
    g_mutex_unlock(&c->lock);
    return conn;
}

static gint
by_name(gconstpointer a, gconstpointer b)
{
    const VstatsTracked *x = *(VstatsTracked *const *) a;
    const VstatsTracked *y = *(VstatsTracked *const *) b;
    return g_strcmp0(x->name, y->name);
}

GPtrArray *
vstats_connection_list(VstatsConnection *c)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) vstats_tracked_free);
    GHashTableIter it;
    gpointer value;

    g_mutex_lock(&c->tracker->lock);
    g_hash_table_iter_init(&it, c->tracker->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        VstatsTracked *d = value, *copy = g_new0(VstatsTracked, 1);
        copy->dom = d->dom;
        virDomainRef(d->dom);
        copy->name = g_strdup(d->name);
        g_strlcpy(copy->uuid, d->uuid, sizeof(copy->uuid));
        copy->state = d->state;
        g_ptr_array_add(out, copy);
    }
    g_mutex_unlock(&c->tracker->lock);
    g_ptr_array_sort(out, by_name);
    return out;
}
