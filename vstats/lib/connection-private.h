/* connection-private.h: what the sampler needs from a connection. */
#pragma once
#include "vstats.h"
#include <libvirt/libvirt.h>

/* One domain as tracked through lifecycle events. */
typedef struct {
    virDomainPtr dom;   /* own reference */
    char *name;
    char uuid[VSTATS_UUID_LEN];
    int state;          /* virDomainState */
} VstatsTracked;

void vstats_tracked_free(VstatsTracked *t);

/* vstats_connection_free() drops a reference: a sampler keeps its
 * connection, so that a collection stuck in the daemon when the caller
 * lets go does not use freed memory. */
VstatsConnection *vstats_connection_ref(VstatsConnection *c);

/* Reopens the connection if the daemon went away.  @gap_ms: how long it
 * was down when this call reconnected, else 0. */
gboolean vstats_connection_ensure(VstatsConnection *c, guint64 *gap_ms,
                                  GError **error);
/* A new reference to the libvirt connection (virConnectClose it), or NULL
 * while disconnected. */
virConnectPtr vstats_connection_ref_virconn(VstatsConnection *c);
/* Snapshot of the tracked domains, sorted by name: VstatsTracked*. */
GPtrArray *vstats_connection_list(VstatsConnection *c);
/* A second connection to the same daemon, opened like the main one (same
 * URI, read-only when that one is), on first use, and kept until the main
 * one is reopened: calls that must not queue behind a stuck call on the
 * main connection go there.  Reference counted, so a job abandoned at
 * its deadline can keep using it. */
typedef struct _VstatsSide VstatsSide;
VstatsSide *vstats_connection_get_side(VstatsConnection *c); /* NULL while down */
void vstats_side_unref(VstatsSide *side);
/* Opens it if needed (may block: call it in a job); a new reference
 * (virConnectClose it), or NULL with @error set. */
virConnectPtr vstats_side_connect(VstatsSide *side, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsSide, vstats_side_unref)
/* The domains of the side connection whose UUID is a key of @uuids, from
 * one list call rather than a lookup each (in a job: it may block).
 * NULL-terminated; free with vstats_domains_free(). */
virDomainPtr *vstats_side_domains(VstatsSide *side, GHashTable *uuids, GError **error);
void vstats_domains_free(virDomainPtr *doms);
/* A call failed in a way that says the connection is dead. */
void vstats_connection_mark_broken(VstatsConnection *c);
