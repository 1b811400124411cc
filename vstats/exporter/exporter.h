/*
 * exporter.h: `vstats serve`'s HTTP endpoint, a library of its own so that
 * libvstats does not pull in an HTTP server.  libmicrohttpd runs one
 * polling thread for every connection: an idle or slow client costs a
 * descriptor, never a worker; scrapes wait for their collection
 * suspended, and collections run in threads of their own.
 */
#pragma once
#include "vstats.h"

#define VSTATS_DEFAULT_LISTEN "127.0.0.1:9177"
#define VSTATS_DEFAULT_MIN_INTERVAL_MS 1000
#define VSTATS_DEFAULT_MAX_CONNECTIONS 512
#define VSTATS_DEFAULT_MAX_CONNECTIONS_PER_IP 64
#define VSTATS_DEFAULT_IDLE_TIMEOUT_S 10
/* What `vstats serve` asks libvirt for unless told: every family of
 * prometheus-libvirt-exporter (CPU time, memory and vCPUs from
 * virDomainGetInfo) and vstats' freshness and disk additions, at two QEMU
 * commands per domain; the cpu, balloon and vcpu groups would add two
 * more (docs/vstats.md). */
#define VSTATS_EXPORTER_DEFAULT_GROUPS (VSTATS_GROUP_NET | VSTATS_GROUP_BLOCK | VSTATS_GROUP_INFO)

typedef struct {
    const char *listen;          /* HOST:PORT, [IPV6]:PORT; NULL default;
                                    port 0 picks a free one */
    guint min_interval_ms;       /* scrapes closer than this to the last
                                    collection's start share it */
    guint max_connections;       /* 0: default; further ones are closed */
    guint max_connections_per_ip;
    guint idle_timeout_s;        /* a connection idle this long is closed */
} VstatsServerConfig;

/* Defaults for every field. */
void vstats_server_config_init(VstatsServerConfig *config);

typedef struct _VstatsServer VstatsServer;

/* Serves /metrics from @sampler (the server keeps a reference). */
VstatsServer *vstats_server_new(VstatsSampler *sampler, const VstatsServerConfig *config,
                                GError **error);
/* Whether @listen is well-formed, before connecting to anything. */
gboolean vstats_server_check_listen(const char *listen, GError **error);
guint16 vstats_server_get_port(VstatsServer *server);
/* Never blocks on a client or on a collection stuck in the daemon. */
void vstats_server_free(VstatsServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsServer, vstats_server_free)
