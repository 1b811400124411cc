/* listen.h: the --listen address: HOST:PORT or [IPV6]:PORT, HOST an IP
 * address or "localhost". */
#pragma once
#include <glib.h>
#include <sys/socket.h>

typedef struct {
    struct sockaddr_storage addr;
    socklen_t len;
    gboolean loopback;
} VstatsListen;

gboolean vstats_listen_parse(const char *listen, VstatsListen *out, GError **error);
