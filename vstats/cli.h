/* cli.h: the vstats command's subcommands. */
#pragma once
#include "vstats.h"

/* Exit codes: 0 ok, 1 failure, 2 usage error. */
enum { VSTATS_EXIT_OK = 0, VSTATS_EXIT_FAILURE = 1, VSTATS_EXIT_USAGE = 2 };

int vstats_cli_sample(int argc, char **argv);
int vstats_cli_serve(int argc, char **argv);
int vstats_cli_boot_storm(int argc, char **argv);

/* Shared by both: print library messages to stderr unless @quiet. */
void vstats_cli_setup_logging(gboolean quiet);
/* Opens the connection or prints why not. */
VstatsConnection *vstats_cli_connect(const char *uri);
