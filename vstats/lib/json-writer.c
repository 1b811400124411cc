/* json-writer.c: see json-writer.h. */
#include "json-writer.h"

#include <math.h>
#include <string.h>

/* Our outputs nest five deep; the limit only guards against misuse. */
#define MAX_DEPTH 32

typedef struct {
    gboolean is_object;
    gboolean has_items;     /* a comma goes before the next element */
} Level;

struct _VstatsJsonWriter {
    GString *out;
    /* levels[0] is the top level, outside any container. */
    Level levels[MAX_DEPTH];
    guint depth;
    gboolean after_key;     /* the next value completes a member */
};

VstatsJsonWriter *
vstats_json_writer_new(void)
{
    VstatsJsonWriter *w = g_new0(VstatsJsonWriter, 1);

    w->out = g_string_sized_new(1024);
    return w;
}

void
vstats_json_writer_free(VstatsJsonWriter *w)
{
    if (!w)
        return;
    g_string_free(w->out, TRUE);
    g_free(w);
}

char *
vstats_json_writer_finish(VstatsJsonWriter *w)
{
    GString *done = w->out;

    g_return_val_if_fail(w->depth == 0 && !w->after_key, NULL);
    g_string_append_c(done, '\n');
    w->out = g_string_new(NULL);
    memset(w->levels, 0, sizeof(w->levels));
    return g_string_free(done, FALSE);
}

/* Places the comma, if any, before a value. */
static void
begin_value(VstatsJsonWriter *w)
{
    Level *level = &w->levels[w->depth];

    if (w->after_key) {
        w->after_key = FALSE;
        return;
    }
    if (level->is_object)
        g_critical("json-writer: object member without a key");
    if (level->has_items)
        g_string_append_c(w->out, ',');
    level->has_items = TRUE;
}

static void
begin_container(VstatsJsonWriter *w, gboolean is_object)
{
    g_return_if_fail(w->depth + 1 < MAX_DEPTH);
    begin_value(w);
    g_string_append_c(w->out, is_object ? '{' : '[');
    w->depth++;
    w->levels[w->depth] = (Level) { .is_object = is_object };
}

static void
end_container(VstatsJsonWriter *w, gboolean is_object)
{
    g_return_if_fail(w->depth > 0 && !w->after_key &&
                     w->levels[w->depth].is_object == is_object);
    g_string_append_c(w->out, is_object ? '}' : ']');
    w->depth--;
}

void vstats_json_begin_object(VstatsJsonWriter *w) { begin_container(w, TRUE); }
void vstats_json_end_object(VstatsJsonWriter *w) { end_container(w, TRUE); }
void vstats_json_begin_array(VstatsJsonWriter *w) { begin_container(w, FALSE); }
void vstats_json_end_array(VstatsJsonWriter *w) { end_container(w, FALSE); }

/* JSON must escape '"', '\\' and U+0000..U+001F; DEL is escaped as well so
 * that a terminal showing the output is not confused. */
static gboolean
needs_escape(guchar c)
{
    return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

static void
append_escape(GString *out, guchar c)
{
    static const char hex[] = "0123456789abcdef";

    switch (c) {
    case '"': g_string_append(out, "\\\""); break;
    case '\\': g_string_append(out, "\\\\"); break;
    case '\b': g_string_append(out, "\\b"); break;
    case '\f': g_string_append(out, "\\f"); break;
    case '\n': g_string_append(out, "\\n"); break;
    case '\r': g_string_append(out, "\\r"); break;
    case '\t': g_string_append(out, "\\t"); break;
    default:
        g_string_append(out, "\\u00");
        g_string_append_c(out, hex[c >> 4]);
        g_string_append_c(out, hex[c & 0xf]);
    }
}

static void
append_quoted(GString *out, const char *s)
{
    g_autofree char *repaired = NULL;
    const char *run = s;
    const char *p;

    /* Readers reject invalid UTF-8; names from a guest or a file might
     * carry some. */
    if (!g_utf8_validate(s, -1, NULL))
        run = s = repaired = g_utf8_make_valid(s, -1);

    g_string_append_c(out, '"');
    for (p = s; *p; p++) {
        if (!needs_escape((guchar) *p))
            continue;
        g_string_append_len(out, run, p - run);
        append_escape(out, (guchar) *p);
        run = p + 1;
    }
    g_string_append_len(out, run, p - run);
    g_string_append_c(out, '"');
}

void
vstats_json_key(VstatsJsonWriter *w, const char *key)
{
    Level *level = &w->levels[w->depth];

    g_return_if_fail(level->is_object && !w->after_key);
    if (level->has_items)
        g_string_append_c(w->out, ',');
    level->has_items = TRUE;
    append_quoted(w->out, key);
    g_string_append_c(w->out, ':');
    w->after_key = TRUE;
}

void
vstats_json_string(VstatsJsonWriter *w, const char *s)
{
    if (!s) {
        vstats_json_null(w);
        return;
    }
    begin_value(w);
    append_quoted(w->out, s);
}

void
vstats_json_int(VstatsJsonWriter *w, gint64 v)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    char *p = end;
    /* The magnitude as unsigned: -G_MININT64 does not fit a gint64. */
    guint64 mag = v < 0 ? -(guint64) v : (guint64) v;

    /* By hand: printf costs more than the rest of a counter's output. */
    do {
        *--p = (char) ('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (v < 0)
        *--p = '-';
    begin_value(w);
    g_string_append_len(w->out, p, end - p);
}

void
vstats_json_double(VstatsJsonWriter *w, double v)
{
    /* 17 digits always read back exactly but turn 0.1 into
     * 0.10000000000000001; the first precision that reads back is the
     * short form, and 15 digits are enough for most rates. */
    static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    if (!isfinite(v)) {
        vstats_json_null(w);
        return;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++) {
        g_ascii_formatd(buf, sizeof(buf), formats[i], v);
        if (g_ascii_strtod(buf, NULL) == v)
            break;
    }
    begin_value(w);
    g_string_append(w->out, buf);
    /* "100.0", not "100": readers that tell integers from reals keep
     * seeing a real, as they did with json-glib's output. */
    if (buf[strspn(buf, "-0123456789")] == '\0')
        g_string_append(w->out, ".0");
}

void
vstats_json_bool(VstatsJsonWriter *w, gboolean v)
{
    begin_value(w);
    g_string_append(w->out, v ? "true" : "false");
}

void
vstats_json_null(VstatsJsonWriter *w)
{
    begin_value(w);
    g_string_append(w->out, "null");
}

void
vstats_json_member_string(VstatsJsonWriter *w, const char *key, const char *s)
{
    vstats_json_key(w, key);
    vstats_json_string(w, s);
}

void
vstats_json_member_int(VstatsJsonWriter *w, const char *key, gint64 v)
{
    vstats_json_key(w, key);
    vstats_json_int(w, v);
}

void
vstats_json_member_double(VstatsJsonWriter *w, const char *key, double v)
{
    vstats_json_key(w, key);
    vstats_json_double(w, v);
}

void
vstats_json_member_bool(VstatsJsonWriter *w, const char *key, gboolean v)
{
    vstats_json_key(w, key);
    vstats_json_bool(w, v);
}
