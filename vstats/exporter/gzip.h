/* gzip.h: gzip encoding of a response body, for scrapers that accept it
 * (Prometheus does; an exposition is ~900 KB at 300 domains). */
#pragma once
#include <glib.h>

/* Whether an Accept-Encoding header value accepts gzip (not "gzip;q=0"). */
gboolean vstats_gzip_accepted(const char *accept_encoding);
/* @data compressed; NULL if zlib failed. */
GBytes *vstats_gzip(const char *data, gsize len);
