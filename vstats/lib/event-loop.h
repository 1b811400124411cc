/* event-loop.h: libvirt's default event loop in a thread of its own;
 * keepalive, close callbacks and domain events need one. */
#pragma once
#include <glib.h>

/* Once per process, before the first connection. */
gboolean vstats_event_loop_start(GError **error);
