/*
 * cli-sample.c: 'vstats sample': collect every period and print each cycle.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define MIN_PERIOD_S 0.01
#define MAX_PERIOD_S 86400.0

typedef char *(*Formatter)(const VstatsReport *report);

static gboolean
pick_format(const char *name, Formatter *out)
{
    if (strcmp(name, "table") == 0)
        *out = vstats_format_table;
    else if (strcmp(name, "json") == 0)
        *out = vstats_format_json;
    else if (strcmp(name, "vdsm") == 0)
        *out = vstats_format_vdsm;
    else
        return FALSE;
    return TRUE;
}

int
vstats_cli_sample(int argc, char **argv)
{
    g_autofree char *uri = NULL, *format = NULL, *mode_name = NULL;
    double period = 2.0;
    int timeout_ms = VSTATS_CLI_UNSET, count = VSTATS_CLI_UNSET;
    int not_responding_ms = VSTATS_DEFAULT_NOT_RESPONDING_MS;
    gboolean quiet = FALSE;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, "libvirt URI (default: libvirt's default)", "URI" },
        { "period", 'p', 0, G_OPTION_ARG_DOUBLE, &period, "seconds between cycles (default 2)", "S" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout_ms, "deadline of one cycle in ms (default: min(period, 2 s))", "MS" },
        { "count", 'n', 0, G_OPTION_ARG_INT, &count, "stop after N cycles (default: run until interrupted)", "N" },
        { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "table, json or vdsm (default table)", "FORMAT" },
        { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode_name, "auto, deadline, bulk or legacy (default auto)", "MODE" },
        { "not-responding-ms", 0, 0, G_OPTION_ARG_INT, &not_responding_ms, "age after which a VM is not responding (default 60000)", "MS" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "only warnings on stderr", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- collect and print domain statistics");
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsConnection) conn = NULL;
    g_autoptr(VstatsSampler) sampler = NULL;
    VstatsMode mode = VSTATS_MODE_AUTO;
    Formatter formatter = vstats_format_table;
    gboolean last_ok = TRUE;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "vstats sample: %s (see --help)\n", error->message);
        return VSTATS_EXIT_USAGE;
    }
    if (argc > 1) {
        fprintf(stderr, "vstats sample: unexpected argument '%s'\n", argv[1]);
        return VSTATS_EXIT_USAGE;
    }
    if (format && !pick_format(format, &formatter)) {
        fprintf(stderr, "vstats sample: unknown format '%s' (table, json, vdsm)\n", format);
        return VSTATS_EXIT_USAGE;
    }
    if (mode_name && !vstats_mode_from_string(mode_name, &mode)) {
        fprintf(stderr, "vstats sample: unknown mode '%s' (auto, deadline, bulk, legacy)\n", mode_name);
        return VSTATS_EXIT_USAGE;
    }
    /* Written so that NaN fails too. */
    if (!(period >= MIN_PERIOD_S && period <= MAX_PERIOD_S)) {
        fprintf(stderr, "vstats sample: --period must be %g..%g seconds, not %g\n",
                MIN_PERIOD_S, MAX_PERIOD_S, period);
        return VSTATS_EXIT_USAGE;
    }
    if (timeout_ms == VSTATS_CLI_UNSET) {
        timeout_ms = (int) MAX(MIN(period * 1000, 2000), 1);
    } else if (timeout_ms <= 0 || timeout_ms > VSTATS_CLI_MAX_TIMEOUT_MS) {
        fprintf(stderr, "vstats sample: --timeout must be 1..%d ms, not %d\n",
                VSTATS_CLI_MAX_TIMEOUT_MS, timeout_ms);
        return VSTATS_EXIT_USAGE;
    }
    if (count == VSTATS_CLI_UNSET) {
        count = 0; /* until interrupted */
    } else if (count <= 0) {
        fprintf(stderr, "vstats sample: --count must be positive, not %d "
                "(leave it out to run until interrupted)\n", count);
        return VSTATS_EXIT_USAGE;
    }
    if (not_responding_ms <= 0) {
        fprintf(stderr, "vstats sample: --not-responding-ms must be positive, not %d\n",
                not_responding_ms);
        return VSTATS_EXIT_USAGE;
    }
    if (!vstats_cli_check_uri("sample", uri))
        return VSTATS_EXIT_USAGE;

    vstats_cli_setup_logging(quiet);
    conn = vstats_cli_connect(uri);
    if (!conn)
        return VSTATS_EXIT_FAILURE;
    sampler = vstats_sampler_new(conn, mode, (guint) timeout_ms);
    vstats_sampler_set_not_responding_ms(sampler, (guint) not_responding_ms);

    for (int cycle = 0; count == 0 || cycle < count; cycle++) {
        gint64 next = g_get_monotonic_time() + (gint64) (period * G_USEC_PER_SEC);
        g_autoptr(GError) cycle_error = NULL;
        g_autoptr(VstatsReport) report = vstats_sampler_collect(sampler, &cycle_error);
        g_autofree char *text = NULL;

        last_ok = cycle_error == NULL;
        if (cycle_error)
            fprintf(stderr, "vstats: %s\n", cycle_error->message);
        /* A forced strategy that cannot work will not start working. */
        if (g_error_matches(cycle_error, VSTATS_ERROR, VSTATS_ERROR_UNSUPPORTED))
            return VSTATS_EXIT_FAILURE;
        text = formatter(report);
        fputs(text, stdout);
        fflush(stdout);
        if (count == 0 || cycle + 1 < count) {
            gint64 wait = next - g_get_monotonic_time();
            if (wait > 0)
                g_usleep((gulong) wait);
        }
    }
    return last_ok ? VSTATS_EXIT_OK : VSTATS_EXIT_FAILURE;
}
