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

/* Reopens the connection if the daemon went away.  @gap_ms: how long it
 * was down when this call reconnected, else 0. */
gboolean vstats_connection_ensure(VstatsConnection *c, guint64 *gap_ms,
                                  GError **error);
/* A new reference to the libvirt connection (virConnectClose it), or NULL
 * while disconnected. */
virConnectPtr vstats_connection_ref_virconn(VstatsConnection *c);
/* Snapshot of the tracked domains, sorted by name: VstatsTracked*. */
GPtrArray *vstats_connection_list(VstatsConnection *c);
/* A call failed in a way that says the connection is dead. */
void vstats_connection_mark_broken(VstatsConnection *c);
