/*
 * gzip.c: zlib with a gzip header, at the fastest level: the exposition is
 * repetitive text, so level 1 already shrinks it several times, and the
 * CPU of a scrape matters more than the last few percent.
 */
#include "gzip.h"

#include <string.h>
#include <zlib.h>

gboolean
vstats_gzip_accepted(const char *accept_encoding)
{
    g_auto(GStrv) codings = NULL;

    if (!accept_encoding)
        return FALSE;
    codings = g_strsplit(accept_encoding, ",", -1);
    for (char **c = codings; *c; c++) {
        g_auto(GStrv) parts = g_strsplit(*c, ";", -1);
        const char *name = g_strstrip(parts[0]);

        if (g_ascii_strcasecmp(name, "gzip") != 0 && strcmp(name, "*") != 0)
            continue;
        /* q=0 (0.0, 0.000) means "not acceptable". */
        for (char **p = parts + 1; *p; p++) {
            const char *param = g_strstrip(*p);
            if (g_ascii_strncasecmp(param, "q=", 2) == 0 && g_ascii_strtod(param + 2, NULL) <= 0)
                return FALSE;
        }
        return TRUE;
    }
    return FALSE;
}

GBytes *
vstats_gzip(const char *data, gsize len)
{
    z_stream z = { 0 };
    gsize cap;
    guint8 *out;
    int rc;

    /* 15 + 16: a gzip wrapper rather than zlib's own. */
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    cap = deflateBound(&z, len);
    out = g_malloc(cap);
    z.next_in = (Bytef *) data;
    z.avail_in = (uInt) len;
    z.next_out = out;
    z.avail_out = (uInt) cap;
    rc = deflate(&z, Z_FINISH);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        g_free(out);
        return NULL;
    }
    return g_bytes_new_take(g_realloc(out, z.total_out), z.total_out);
}
