/*
 * init.c: vstats_init(), the one place where vstats touches process-wide
 * libvirt state, and only what the caller's flags allow.
 */
#include "vstats.h"
#include "errors.h"
#include "event-loop.h"
#include "init.h"

#include <libvirt/libvirt.h>

static GMutex init_lock;
static gboolean initialized;

gboolean
vstats_init(unsigned int flags, GError **error)
{
    gboolean ok = TRUE;

    if (flags & ~(unsigned int) VSTATS_INIT_DEFAULT) {
        g_set_error(error, VSTATS_ERROR, VSTATS_ERROR_INVALID,
                    "vstats_init: unknown flags 0x%x", flags & ~(unsigned int) VSTATS_INIT_DEFAULT);
        return FALSE;
    }
    g_mutex_lock(&init_lock);
    if (!initialized) {
        if (flags & VSTATS_INIT_ERROR_HANDLER)
            vstats_errors_silence_default();
        if (virInitialize() < 0) {
            vstats_error_from_virt(error, NULL, "cannot initialise libvirt");
            ok = FALSE;
        } else if (flags & VSTATS_INIT_EVENT_LOOP) {
            ok = vstats_event_loop_start(error);
        }
        initialized = ok;
    }
    g_mutex_unlock(&init_lock);
    return ok;
}

gboolean
vstats_initialized(void)
{
    gboolean done;

    g_mutex_lock(&init_lock);
    done = initialized;
    g_mutex_unlock(&init_lock);
    return done;
}
