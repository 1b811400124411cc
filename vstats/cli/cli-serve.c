/*
 * cli-serve.c: 'vstats serve': Prometheus metrics over HTTP.  Collection
 * happens on scrape, so the scraper's interval is the sampling period.
 */
#include "cli.h"
#include "exporter.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

static gboolean
on_signal(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

/* A limit option: 1..@max, VSTATS_CLI_UNSET keeps @def. */
static gboolean
limit(const char *name, int value, int max, guint *out)
{
    if (value == VSTATS_CLI_UNSET)
        return TRUE;
    if (value < 1 || value > max) {
        fprintf(stderr, "vstats serve: --%s must be 1..%d, not %d\n", name, max, value);
        return FALSE;
    }
    *out = (guint) value;
    return TRUE;
}

int
vstats_cli_serve(int argc, char **argv)
{
    g_auto(VstatsCliCollect) opts = { 0 };
    g_autofree char *listen = NULL;
    int min_interval_ms = VSTATS_CLI_UNSET, max_conn = VSTATS_CLI_UNSET;
    int max_per_ip = VSTATS_CLI_UNSET, idle_s = VSTATS_CLI_UNSET;
    GOptionEntry entries[] = {
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "address to listen on (default " VSTATS_DEFAULT_LISTEN ")", "HOST:PORT" },
        { "min-interval", 0, 0, G_OPTION_ARG_INT, &min_interval_ms, "scrapes closer than this share one collection (default 1000; 0: none)", "MS" },
        { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_conn, "connections at once (default 512)", "N" },
        { "max-connections-per-ip", 0, 0, G_OPTION_ARG_INT, &max_per_ip, "connections at once from one address (default 64)", "N" },
        { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_s, "close a connection idle this long (default 10)", "S" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- serve Prometheus metrics");
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsConnection) conn = NULL;
    g_autoptr(VstatsSampler) sampler = NULL;
    g_autoptr(VstatsServer) server = NULL;
    g_autoptr(GMainContext) context = NULL;
    g_autoptr(GMainLoop) loop = NULL;
    const int signals[] = { SIGINT, SIGTERM };
    VstatsServerConfig config;

    vstats_server_config_init(&config);
    vstats_cli_collect_add(ctx, &opts);
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, "The deadline of a scrape (--timeout) defaults "
                                     "to 2000 ms; keep it below the scraper's timeout.\n"
                                     "--groups defaults to net,block,info here: the "
                                     "exporter's families at 2 QEMU commands per domain;\n"
                                     "'all,info' adds balloon and per-vCPU figures at 4.");
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "vstats serve: %s (see --help)\n", error->message);
        return VSTATS_EXIT_USAGE;
    }
    if (argc > 1) {
        fprintf(stderr, "vstats serve: unexpected argument '%s'\n", argv[1]);
        return VSTATS_EXIT_USAGE;
    }
    if (!vstats_cli_collect_check("serve", &opts, 2000))
        return VSTATS_EXIT_USAGE;
    if (!opts.groups_list)
        opts.groups = VSTATS_EXPORTER_DEFAULT_GROUPS;
    if (min_interval_ms != VSTATS_CLI_UNSET) {
        if (min_interval_ms < 0 || min_interval_ms > VSTATS_CLI_MAX_TIMEOUT_MS) {
            fprintf(stderr, "vstats serve: --min-interval must be 0..%d ms, not %d\n",
                    VSTATS_CLI_MAX_TIMEOUT_MS, min_interval_ms);
            return VSTATS_EXIT_USAGE;
        }
        config.min_interval_ms = (guint) min_interval_ms;
    }
    if (!limit("max-connections", max_conn, 65536, &config.max_connections) ||
        !limit("max-connections-per-ip", max_per_ip, 65536, &config.max_connections_per_ip) ||
        !limit("idle-timeout", idle_s, 3600, &config.idle_timeout_s))
        return VSTATS_EXIT_USAGE;
    /* Before connecting: a typo should not cost a daemon round trip. */
    if (!vstats_server_check_listen(listen, &error)) {
        fprintf(stderr, "vstats serve: %s\n", error->message);
        return VSTATS_EXIT_USAGE;
    }
    config.listen = listen;

    sampler = vstats_cli_collect_start("serve", &opts, &conn);
    if (!sampler)
        return VSTATS_EXIT_FAILURE;
    server = vstats_server_new(sampler, &config, &error);
    if (!server) {
        fprintf(stderr, "vstats serve: %s\n", error->message);
        return VSTATS_EXIT_FAILURE;
    }
    if (!opts.quiet)
        fprintf(stderr, "vstats: serving /metrics on %s (port %u)\n",
                listen ? listen : VSTATS_DEFAULT_LISTEN, vstats_server_get_port(server));

    /* A private context: libvirt's event thread iterates the default one. */
    context = g_main_context_new();
    loop = g_main_loop_new(context, FALSE);
    for (gsize i = 0; i < G_N_ELEMENTS(signals); i++) {
        g_autoptr(GSource) src = g_unix_signal_source_new(signals[i]);
        g_source_set_callback(src, on_signal, loop, NULL);
        g_source_attach(src, context);
    }
    g_main_loop_run(loop);
    /* Server first: a collection in progress ends (or is left running). */
    g_clear_pointer(&server, vstats_server_free);
    if (!opts.quiet)
        fprintf(stderr, "vstats: stopped\n");
    return VSTATS_EXIT_OK;
}
