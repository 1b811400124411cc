/*
 * event-loop.c: libvirt requires the event implementation to be registered
 * before the first connection is opened, and only once per process.
 */
#include "event-loop.h"
#include "errors.h"
#include "log.h"

#include <glib.h>
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

static gpointer
start_once(gpointer data G_GNUC_UNUSED)
{
    vstats_errors_init();
    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
        vstats_log(G_LOG_LEVEL_WARNING, "cannot set up the libvirt event loop: "
                   "no keepalive or domain events");
        return NULL;
    }
    g_thread_unref(g_thread_new("vstats-events", event_thread, NULL));
    return NULL;
}

void
vstats_event_loop_ensure(void)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, start_once, NULL);
}
