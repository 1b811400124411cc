/* http-request.h: parsing the head of an HTTP/1.x request.  Pure, so
 * garbage input is unit-tested without sockets. */
#pragma once
#include <glib.h>

#define VSTATS_HTTP_MAX_REQUEST 8192

typedef enum {
    VSTATS_HTTP_INCOMPLETE, /* no blank line yet: read more */
    VSTATS_HTTP_OK,         /* @method and @path are set */
    VSTATS_HTTP_BAD,        /* answer 400 */
    VSTATS_HTTP_TOO_LARGE,  /* no blank line in VSTATS_HTTP_MAX_REQUEST: 431 */
} VstatsHttpParse;

/* @path is the request target without its query string. */
VstatsHttpParse vstats_http_parse_request(const char *buf, gsize len,
                                          char **method, char **path);
