/* json-util.c: see json-util.h. */
#include "json-util.h"

void
vstats_json_member_counter(VstatsJsonWriter *w, const char *key, gint64 v)
{
    vstats_json_key(w, key);
    if (v >= 0)
        vstats_json_int(w, v);
    else
        vstats_json_null(w);
}

char *
vstats_json_time(gint64 real_us)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(real_us / G_USEC_PER_SEC);
    return dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("");
}
