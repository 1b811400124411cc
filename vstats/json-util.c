/* json-util.c: see json-util.h. */
#include "json-util.h"

#include <math.h>

void
vstats_json_add_double(JsonBuilder *b, const char *key, double v)
{
    json_builder_set_member_name(b, key);
    if (isfinite(v))
        json_builder_add_double_value(b, v);
    else
        json_builder_add_null_value(b);
}

void
vstats_json_add_counter(JsonBuilder *b, const char *key, gint64 v)
{
    json_builder_set_member_name(b, key);
    if (v >= 0)
        json_builder_add_int_value(b, v);
    else
        json_builder_add_null_value(b);
}

char *
vstats_json_finish(JsonBuilder *b)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autofree char *text = NULL;

    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    return g_strconcat(text, "\n", NULL);
}

char *
vstats_json_time(gint64 real_us)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(real_us / G_USEC_PER_SEC);
    return dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("");
}
