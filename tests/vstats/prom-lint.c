/*
 * prom-lint.c: checks what a Prometheus server would reject or misread:
 * line syntax, metric and label names, label escaping, numbers, one TYPE
 * per family before its samples, families not split, no duplicate series,
 * counters named *_total.
 */
#include "prom-lint.h"

#include <string.h>

#define NAME "[a-zA-Z_:][a-zA-Z0-9_:]*"
#define LABEL "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
#define VALUE "(?:[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf)"

static gboolean
fail(char **why, int line, const char *msg, const char *text)
{
    *why = g_strdup_printf("line %d: %s: %s", line, msg, text);
    return FALSE;
}

gboolean
prom_lint(const char *text, char **why)
{
    g_autoptr(GRegex) sample = g_regex_new("^(" NAME ")(?:\\{(?:" LABEL "(?:," LABEL ")*)?\\})? "
                                           VALUE "(?: -?[0-9]+)?$", 0, 0, NULL);
    g_autoptr(GRegex) help = g_regex_new("^# HELP (" NAME ") .*$", 0, 0, NULL);
    g_autoptr(GRegex) type = g_regex_new("^# TYPE (" NAME ") (counter|gauge|untyped|summary|histogram)$",
                                         0, 0, NULL);
    g_autoptr(GHashTable) typed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) closed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) series = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *current = NULL;
    g_auto(GStrv) lines = NULL;
    guint n;

    *why = NULL;
    if (!*text || text[strlen(text) - 1] != '\n')
        return fail(why, 0, "does not end with a newline", "");
    lines = g_strsplit(text, "\n", -1);
    n = g_strv_length(lines) - 1; /* after the final newline */
    for (guint i = 0; i < n; i++) {
        const char *l = lines[i];
        g_autoptr(GMatchInfo) m = NULL;
        g_autofree char *name = NULL;
        g_autofree char *kind = NULL;
        const char *family_type;

        if (!*l)
            continue;
        if (g_regex_match(type, l, 0, &m)) {
            name = g_match_info_fetch(m, 1);
            if (g_hash_table_contains(typed, name))
                return fail(why, i + 1, "second TYPE", l);
            if (g_hash_table_contains(series, name) || g_hash_table_contains(closed, name))
                return fail(why, i + 1, "TYPE after samples", l);
            kind = g_match_info_fetch(m, 2);
            if (strcmp(kind, "counter") == 0 && !g_str_has_suffix(name, "_total"))
                return fail(why, i + 1, "counter not named *_total", l);
            g_hash_table_insert(typed, g_strdup(name), g_steal_pointer(&kind));
            continue;
        }
        g_clear_pointer(&m, g_match_info_unref);
        if (g_regex_match(help, l, 0, NULL) || g_str_has_prefix(l, "# "))
            continue;
        if (l[0] == '#')
            return fail(why, i + 1, "bad comment", l);
        if (!g_regex_match(sample, l, 0, &m))
            return fail(why, i + 1, "bad sample line", l);
        name = g_match_info_fetch(m, 1);
        family_type = g_hash_table_lookup(typed, name);
        if (!family_type)
            return fail(why, i + 1, "sample without TYPE", l);
        if (g_strcmp0(current, name) != 0) {
            if (g_hash_table_contains(closed, name))
                return fail(why, i + 1, "family split in two groups", l);
            if (current)
                g_hash_table_add(closed, g_steal_pointer(&current));
            current = g_strdup(name);
        }
        {
            g_autofree char *key = g_strndup(l, strrchr(l, ' ') - l);
            if (g_hash_table_contains(series, key))
                return fail(why, i + 1, "duplicate series", l);
            g_hash_table_add(series, g_steal_pointer(&key));
        }
    }
    return TRUE;
}
