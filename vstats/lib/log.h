/* log.h: where library messages go (a user callback or g_log). */
#pragma once
#include <glib.h>

void vstats_log(GLogLevelFlags level, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
