/* domain-xml.h: device names from a domain's XML, for per-device calls. */
#pragma once
#include <glib.h>

/* Fills @disks with the target dev of each <disk> and @nets with the
 * target dev of each <interface> (arrays of char*).  FALSE on bad XML. */
gboolean vstats_domain_xml_devices(const char *xml, GPtrArray *disks,
                                   GPtrArray *nets);

/* Fills @bridges (char* -> char*, owned) with the source bridge of each
 * <interface>, keyed by its target dev; "" for one without a bridge. */
gboolean vstats_domain_xml_bridges(const char *xml, GHashTable *bridges);
