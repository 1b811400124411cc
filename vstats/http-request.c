/*
 * http-request.c: a strict reading of the request line and header syntax
 * (RFC 9112).  We only serve GET, so the body is never read; anything that
 * does not look like HTTP gets a 400 rather than a guess.
 */
#include "http-request.h"

#include <string.h>

static gboolean
is_token_char(char c)
{
    return g_ascii_isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static gboolean
valid_header_line(const char *line)
{
    const char *colon = strchr(line, ':');

    if (!colon || colon == line)
        return FALSE;
    for (const char *p = line; p < colon; p++)
        if (!is_token_char(*p))
            return FALSE;
    for (const char *p = colon + 1; *p; p++)
        if ((guchar) *p < 0x20 && *p != '\t')
            return FALSE;
    return TRUE;
}

static gboolean
valid_request_line(const char *line, char **method, char **path)
{
    g_auto(GStrv) parts = g_strsplit(line, " ", -1);
    const char *m, *target, *version;
    gsize qlen;

    if (g_strv_length(parts) != 3)
        return FALSE;
    m = parts[0];
    target = parts[1];
    version = parts[2];
    if (!*m || strlen(m) > 16)
        return FALSE;
    for (const char *p = m; *p; p++)
        if (!is_token_char(*p))
            return FALSE;
    if (target[0] != '/')
        return FALSE;
    for (const char *p = target; *p; p++)
        if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f)
            return FALSE;
    if (strcmp(version, "HTTP/1.0") != 0 && strcmp(version, "HTTP/1.1") != 0)
        return FALSE;
    qlen = strcspn(target, "?#");
    *method = g_strdup(m);
    *path = g_strndup(target, qlen);
    return TRUE;
}

VstatsHttpParse
vstats_http_parse_request(const char *buf, gsize len, char **method, char **path)
{
    g_autofree char *head = NULL;
    g_auto(GStrv) lines = NULL;
    const char *end;
    guint n;

    *method = *path = NULL;
    if (memchr(buf, '\0', len))
        return VSTATS_HTTP_BAD;
    head = g_strndup(buf, len);
    end = strstr(head, "\r\n\r\n");
    if (!end)
        return len >= VSTATS_HTTP_MAX_REQUEST ? VSTATS_HTTP_TOO_LARGE : VSTATS_HTTP_INCOMPLETE;
    head[end - head] = '\0';

    lines = g_strsplit(head, "\r\n", -1);
    n = g_strv_length(lines);
    if (n == 0 || !valid_request_line(lines[0], method, path))
        goto bad;
    for (guint i = 1; i < n; i++)
        if (strchr(lines[i], '\n') || strchr(lines[i], '\r') || !valid_header_line(lines[i]))
            goto bad;
    if (strchr(lines[0], '\n') || strchr(lines[0], '\r'))
        goto bad;
    return VSTATS_HTTP_OK;

 bad:
    g_clear_pointer(method, g_free);
    g_clear_pointer(path, g_free);
    return VSTATS_HTTP_BAD;
}
