/* side-fetch.h: one call per domain, for a set of domains, on the side
 * connection (the main one may be held by a call a strategy abandoned),
 * in a job slot bounded by a deadline. */
#pragma once
#include "connection-private.h"
#include "job.h"

/* The value of one domain, or NULL when there is none. */
typedef gpointer (*VstatsDomainCall)(virDomainPtr dom);

/* uuid -> value, for the domains of @uuids (a set; taken) that @call
 * answered; NULL when the slot is busy, the side connection down or
 * @deadline_us passed (the job then stays in the slot).  *@late gets the
 * map of a job that overran an earlier cycle and has ended since, else
 * NULL.  Maps free their values with @value_free. */
GHashTable *vstats_side_fetch(VstatsJobSlot *slot, VstatsConnection *conn, GHashTable *uuids,
                              VstatsDomainCall call, GDestroyNotify value_free,
                              const char *name, gint64 deadline_us, GHashTable **late);
