/*
 * log.c: library messages.  An agent embedding the library wants them in
 * its own log, hence the callback; the default is GLib's logging.
 */
#include "vstats.h"
#include "log.h"

#include <stdarg.h>

static GMutex log_lock;
static VstatsLogFunc log_func;
static gpointer log_data;

void
vstats_set_log_func(VstatsLogFunc func, gpointer user_data)
{
    g_mutex_lock(&log_lock);
    log_func = func;
    log_data = user_data;
    g_mutex_unlock(&log_lock);
}

void
vstats_log(GLogLevelFlags level, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    VstatsLogFunc func;
    gpointer data;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    g_mutex_lock(&log_lock);
    func = log_func;
    data = log_data;
    g_mutex_unlock(&log_lock);

    if (func)
        func(level, msg, data);
    else
        g_log("vstats", level, "%s", msg);
}
