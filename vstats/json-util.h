/* json-util.h: json-glib helpers shared by the JSON and VDSM outputs. */
#pragma once
#include <json-glib/json-glib.h>

/* Unknown values become JSON null rather than a made-up number. */
void vstats_json_add_double(JsonBuilder *b, const char *key, double v);
void vstats_json_add_counter(JsonBuilder *b, const char *key, gint64 v);
/* The builder's root as one compact line, newline-terminated. */
char *vstats_json_finish(JsonBuilder *b);
/* RFC 3339 UTC time of a g_get_real_time() value. */
char *vstats_json_time(gint64 real_us);
