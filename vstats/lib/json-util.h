/* json-util.h: vstats conventions on top of the JSON writer, shared by the
 * JSON and VDSM outputs. */
#pragma once
#include "json-writer.h"

/* A missing counter (VSTATS_MISSING, any negative) is null rather than a
 * made-up number.  Unknown rates (NAN) need no helper: the writer turns
 * every non-finite double into null. */
void vstats_json_member_counter(VstatsJsonWriter *w, const char *key, gint64 v);
/* RFC 3339 UTC time of a g_get_real_time() value. */
char *vstats_json_time(gint64 real_us);
