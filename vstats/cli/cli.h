/* cli.h: the vstats command's subcommands and what they share. */
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

/* Print library messages to stderr unless @quiet. */
void vstats_cli_setup_logging(gboolean quiet);

/* The options of `sample` and `serve` that drive the collection: one
 * group, so both read them alike. */
typedef struct {
    char *uri;
    int timeout_ms;          /* VSTATS_CLI_UNSET: the command's default */
    char *mode_name;
    char *groups_list;
    int not_responding_ms;
    gboolean read_only;
    gboolean quiet;
    VstatsMode mode;         /* from mode_name, by vstats_cli_collect_check */
    unsigned int groups;     /* from groups_list, likewise */
} VstatsCliCollect;

/* The group's entries point into @o, which must outlive @ctx; it becomes
 * the main group, to which the command adds its own entries. */
void vstats_cli_collect_add(GOptionContext *ctx, VstatsCliCollect *o);
/* Checks the values after parsing (the timeout defaults to
 * @default_timeout_ms); FALSE after saying why on stderr. */
gboolean vstats_cli_collect_check(const char *cmd, VstatsCliCollect *o,
                                  int default_timeout_ms);
/* Initialises vstats, connects and makes the sampler; NULL after saying
 * why on stderr.  *@conn must outlive the sampler. */
VstatsSampler *vstats_cli_collect_start(const char *cmd, VstatsCliCollect *o,
                                        VstatsConnection **conn);
void vstats_cli_collect_clear(VstatsCliCollect *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VstatsCliCollect, vstats_cli_collect_clear)
