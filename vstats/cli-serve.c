/*
 * cli-serve.c: 'vstats serve': Prometheus metrics over HTTP.  Collection
 * happens on scrape, so the scraper's interval is the sampling period.
 */
#include "cli.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

static gboolean
on_signal(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int
vstats_cli_serve(int argc, char **argv)
{
    g_autofree char *uri = NULL, *listen = NULL, *mode_name = NULL;
    int timeout_ms = 2000;
    gboolean quiet = FALSE;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, "libvirt URI", "URI" },
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "address to listen on (default " VSTATS_DEFAULT_LISTEN ")", "HOST:PORT" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout_ms, "deadline of one scrape in ms (default 2000)", "MS" },
        { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode_name, "auto, deadline, bulk or legacy", "MODE" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "only warnings on stderr", NULL },
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
    VstatsMode mode = VSTATS_MODE_AUTO;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "vstats serve: %s (see --help)\n", error->message);
        return VSTATS_EXIT_USAGE;
    }
    if (argc > 1) {
        fprintf(stderr, "vstats serve: unexpected argument '%s'\n", argv[1]);
        return VSTATS_EXIT_USAGE;
    }
    if (mode_name && !vstats_mode_from_string(mode_name, &mode)) {
        fprintf(stderr, "vstats serve: unknown mode '%s' (auto, deadline, bulk, legacy)\n", mode_name);
        return VSTATS_EXIT_USAGE;
    }
    if (timeout_ms <= 0 || timeout_ms > VSTATS_CLI_MAX_TIMEOUT_MS) {
        fprintf(stderr, "vstats serve: --timeout must be 1..%d ms, not %d\n",
                VSTATS_CLI_MAX_TIMEOUT_MS, timeout_ms);
        return VSTATS_EXIT_USAGE;
    }
    if (!vstats_cli_check_uri("serve", uri))
        return VSTATS_EXIT_USAGE;
    /* Before connecting: a typo should not cost a daemon round trip. */
    if (!vstats_server_check_listen(listen, &error)) {
        fprintf(stderr, "vstats serve: %s\n", error->message);
        return VSTATS_EXIT_USAGE;
    }

    vstats_cli_setup_logging(quiet);
    conn = vstats_cli_connect(uri);
    if (!conn)
        return VSTATS_EXIT_FAILURE;
    sampler = vstats_sampler_new(conn, mode, (guint) timeout_ms);
    server = vstats_server_new(sampler, listen, &error);
    if (!server) {
        fprintf(stderr, "vstats serve: %s\n", error->message);
        return VSTATS_EXIT_FAILURE;
    }
    if (!quiet)
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
    /* Server first: it borrows the sampler. */
    g_clear_pointer(&server, vstats_server_free);
    if (!quiet)
        fprintf(stderr, "vstats: stopped\n");
    return VSTATS_EXIT_OK;
}
