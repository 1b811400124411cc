/*
 * main.c: the vstats command: dispatches to a subcommand.
 */
#include "config.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
    fputs("Usage: vstats COMMAND [OPTION...]\n"
          "\n"
          "Collect libvirt domain statistics the way a host agent does.\n"
          "\n"
          "Commands:\n"
          "  sample   collect periodically and print (table, JSON lines, VDSM)\n"
          "  serve    expose Prometheus metrics over HTTP\n"
          "  boot-storm  start many VMs at once and time them\n"
          "\n"
          "Run 'vstats COMMAND --help' for the options of a command.\n"
          "See docs/vstats.md for details.\n", out);
}

static void
log_to_stderr(GLogLevelFlags level, const char *message, gpointer quiet)
{
    if (GPOINTER_TO_INT(quiet) && !(level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL)))
        return;
    fprintf(stderr, "vstats: %s\n", message);
}

void
vstats_cli_setup_logging(gboolean quiet)
{
    vstats_set_log_func(log_to_stderr, GINT_TO_POINTER(quiet));
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return VSTATS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return VSTATS_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("vstats %s\n", VSTATS_VERSION);
        return VSTATS_EXIT_OK;
    }
    if (strcmp(argv[1], "sample") == 0)
        return vstats_cli_sample(argc - 1, argv + 1);
    if (strcmp(argv[1], "serve") == 0)
        return vstats_cli_serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "boot-storm") == 0)
        return vstats_cli_boot_storm(argc - 1, argv + 1);
    fprintf(stderr, "vstats: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return VSTATS_EXIT_USAGE;
}
