/*
 * listen.c: parsing the listen address before anything is opened, so a
 * typo is a usage error and not a failure after connecting to libvirt.
 */
#include "listen.h"
#include "vstats.h"

#include <gio/gio.h>
#include <string.h>

gboolean
vstats_listen_parse(const char *listen, VstatsListen *out, GError **error)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    g_autofree char *host = NULL;
    g_autoptr(GInetAddress) addr = NULL;
    g_autoptr(GSocketAddress) sa = NULL;
    guint64 port;

    if (!colon || !g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL)) {
        g_set_error(error, VSTATS_ERROR, VSTATS_ERROR_INVALID,
                    "bad listen address '%s': expected HOST:PORT", listen ? listen : "");
        return FALSE;
    }
    host = g_strndup(listen, colon - listen);
    if (host[0] == '[' && strlen(host) >= 2 && host[strlen(host) - 1] == ']') {
        char *inner = g_strndup(host + 1, strlen(host) - 2);
        g_free(host);
        host = inner;
    }
    addr = strcmp(host, "localhost") == 0 ? g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4)
                                          : g_inet_address_new_from_string(host);
    if (!addr) {
        g_set_error(error, VSTATS_ERROR, VSTATS_ERROR_INVALID,
                    "bad listen address '%s': the host must be an IP address", listen);
        return FALSE;
    }
    sa = g_inet_socket_address_new(addr, (guint16) port);
    out->len = (socklen_t) g_socket_address_get_native_size(sa);
    if (!g_socket_address_to_native(sa, &out->addr, sizeof(out->addr), error))
        return FALSE;
    out->loopback = g_inet_address_get_is_loopback(addr);
    return TRUE;
}
