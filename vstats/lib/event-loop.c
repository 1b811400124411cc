/*
 * event-loop.c: libvirt's default event implementation, run in a thread
 * of ours when the agent lets vstats own it (VSTATS_INIT_EVENT_LOOP).
 * libvirt takes the registration once per process, before the first
 * connection is opened.
 */
#include "event-loop.h"
#include "errors.h"
#include "log.h"

#include <libvirt/libvirt.h>

static gpointer
event_thread(gpointer data G_GNUC_UNUSED)
{
    for (;;) {
        if (virEventRunDefaultImpl() < 0) {
            vstats_log(G_LOG_LEVEL_WARNING, "libvirt event loop failed; retrying");
            g_usleep(G_USEC_PER_SEC);
        }
    }
    return NULL;
}

gboolean
vstats_event_loop_start(GError **error)
{
    if (virEventRegisterDefaultImpl() < 0) {
        vstats_error_from_virt(error, NULL, "cannot register libvirt's event loop");
        return FALSE;
    }
    g_thread_unref(g_thread_new("vstats-events", event_thread, NULL));
    return TRUE;
}
