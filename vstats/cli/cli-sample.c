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
    g_auto(VstatsCliCollect) opts = { 0 };
    g_autofree char *format = NULL;
    double period = 2.0;
    int count = VSTATS_CLI_UNSET;
    GOptionEntry entries[] = {
        { "period", 'p', 0, G_OPTION_ARG_DOUBLE, &period, "seconds between cycles (default 2)", "S" },
        { "count", 'n', 0, G_OPTION_ARG_INT, &count, "stop after N cycles (default: run until interrupted)", "N" },
        { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "table, json or vdsm (default table)", "FORMAT" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- collect and print domain statistics");
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsConnection) conn = NULL;
    g_autoptr(VstatsSampler) sampler = NULL;
    Formatter formatter = vstats_format_table;
    gboolean last_ok = TRUE;

    vstats_cli_collect_add(ctx, &opts);
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, "The deadline of a cycle (--timeout) defaults "
                                     "to the period, at most 2000 ms.");
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
    /* Written so that NaN fails too. */
    if (!(period >= MIN_PERIOD_S && period <= MAX_PERIOD_S)) {
        fprintf(stderr, "vstats sample: --period must be %g..%g seconds, not %g\n",
                MIN_PERIOD_S, MAX_PERIOD_S, period);
        return VSTATS_EXIT_USAGE;
    }
    if (count == VSTATS_CLI_UNSET) {
        count = 0; /* until interrupted */
    } else if (count <= 0) {
        fprintf(stderr, "vstats sample: --count must be positive, not %d "
                "(leave it out to run until interrupted)\n", count);
        return VSTATS_EXIT_USAGE;
    }
    if (!vstats_cli_collect_check("sample", &opts, (int) MAX(MIN(period * 1000, 2000), 1)))
        return VSTATS_EXIT_USAGE;

    sampler = vstats_cli_collect_start("sample", &opts, &conn);
    if (!sampler)
        return VSTATS_EXIT_FAILURE;

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
