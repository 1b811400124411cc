/* cli.h: the vstats command's subcommands. */
#pragma once
#include "vstats.h"

/* Exit codes: 0 ok, 1 failure, 2 usage error. */
enum { VSTATS_EXIT_OK = 0, VSTATS_EXIT_FAILURE = 1, VSTATS_EXIT_USAGE = 2 };

/* Initial value of an integer option, to tell "not given" from an explicit
 * 0, which is an error. */
#define VSTATS_CLI_UNSET G_MININT
/* A cycle or scrape deadline beyond an hour is a typo, not a choice. */
#define VSTATS_CLI_MAX_TIMEOUT_MS (3600 * 1000)

int vstats_cli_sample(int argc, char **argv);
int vstats_cli_serve(int argc, char **argv);
int vstats_cli_boot_storm(int argc, char **argv);

/* Shared by both: print library messages to stderr unless @quiet. */
void vstats_cli_setup_logging(gboolean quiet);
/* FALSE, after saying so on stderr for @cmd, if @uri was given empty:
 * most likely an unset variable, and libvirt would silently use its
 * default URI instead. */
gboolean vstats_cli_check_uri(const char *cmd, const char *uri);
/* Opens the connection or prints why not. */
VstatsConnection *vstats_cli_connect(const char *uri);
