/* net-bridges.h: the bridge each interface is on (the exporter's
 * source_bridge label), read from domain definitions: once per interface
 * name, so a steady host costs no extra call. */
#pragma once
#include "connection-private.h"

typedef struct _VstatsBridges VstatsBridges;

VstatsBridges *vstats_bridges_new(void);
void vstats_bridges_free(VstatsBridges *b);
/* Sets the bridge of every interface of the VMs in @vms (VstatsVm*),
 * reading the definition (virDomainGetXMLDesc on @conn's side connection,
 * in a job bounded by @deadline_us) of those with an interface name not
 * seen before. */
void vstats_bridges_fill(VstatsBridges *b, VstatsConnection *conn, GPtrArray *vms,
                         gint64 deadline_us);
/* Forgets the domains whose UUID is not a key of @keep. */
void vstats_bridges_retain(VstatsBridges *b, GHashTable *keep);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsBridges, vstats_bridges_free)
