/*
 * options.c: the collection options shared by `sample` and `serve`, and
 * what both do with them: check, connect, make the sampler.
 */
#include "cli.h"

#include <stdio.h>

void
vstats_cli_collect_add(GOptionContext *ctx, VstatsCliCollect *o)
{
    const GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &o->uri, "libvirt URI (default: libvirt's default)", "URI" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &o->timeout_ms, "deadline of one collection in ms", "MS" },
        { "mode", 'm', 0, G_OPTION_ARG_STRING, &o->mode_name, "auto, deadline, bulk or legacy (default auto)", "MODE" },
        { "groups", 'g', 0, G_OPTION_ARG_STRING, &o->groups_list, "statistics to ask libvirt for: cpu,balloon,vcpu,net,block,info, all (default: all; serve: net,block,info)", "LIST" },
        { "not-responding-ms", 0, 0, G_OPTION_ARG_INT, &o->not_responding_ms, "age after which a VM is not responding (default 60000)", "MS" },
        { "read-only", 'r', 0, G_OPTION_ARG_NONE, &o->read_only, "open the connection read-only", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, "only warnings on stderr", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionGroup *group = g_option_group_new("collect", "Collection options",
                                             "Show the collection options", NULL, NULL);

    o->timeout_ms = VSTATS_CLI_UNSET;
    o->not_responding_ms = VSTATS_DEFAULT_NOT_RESPONDING_MS;
    o->mode = VSTATS_MODE_AUTO;
    o->groups = VSTATS_GROUPS_ALL;
    g_option_group_add_entries(group, entries);
    g_option_context_set_main_group(ctx, group);
}

gboolean
vstats_cli_collect_check(const char *cmd, VstatsCliCollect *o, int default_timeout_ms)
{
    if (o->mode_name && !vstats_mode_from_string(o->mode_name, &o->mode)) {
        fprintf(stderr, "vstats %s: unknown mode '%s' (auto, deadline, bulk, legacy)\n",
                cmd, o->mode_name);
        return FALSE;
    }
    if (o->groups_list && !vstats_groups_from_string(o->groups_list, &o->groups)) {
        fprintf(stderr, "vstats %s: bad --groups '%s' (a comma-separated list of "
                "cpu, balloon, vcpu, net, block, info, all)\n", cmd, o->groups_list);
        return FALSE;
    }
    if (o->timeout_ms == VSTATS_CLI_UNSET) {
        o->timeout_ms = default_timeout_ms;
    } else if (o->timeout_ms <= 0 || o->timeout_ms > VSTATS_CLI_MAX_TIMEOUT_MS) {
        fprintf(stderr, "vstats %s: --timeout must be 1..%d ms, not %d\n", cmd,
                VSTATS_CLI_MAX_TIMEOUT_MS, o->timeout_ms);
        return FALSE;
    }
    if (o->not_responding_ms <= 0) {
        fprintf(stderr, "vstats %s: --not-responding-ms must be positive, not %d\n",
                cmd, o->not_responding_ms);
        return FALSE;
    }
    /* Most likely an unset variable: libvirt would silently use its
     * default URI instead. */
    if (o->uri && !*o->uri) {
        fprintf(stderr, "vstats %s: empty --connect URI (leave the option out "
                "for libvirt's default)\n", cmd);
        return FALSE;
    }
    return TRUE;
}

VstatsSampler *
vstats_cli_collect_start(const char *cmd, VstatsCliCollect *o, VstatsConnection **conn)
{
    g_autoptr(GError) error = NULL;
    VstatsSampler *sampler;

    vstats_cli_setup_logging(o->quiet);
    if (!vstats_init(VSTATS_INIT_DEFAULT, &error)) {
        fprintf(stderr, "vstats %s: %s\n", cmd, error->message);
        return NULL;
    }
    *conn = vstats_connection_open_full(o->uri, o->read_only ? VSTATS_CONNECT_READ_ONLY : 0,
                                        &error);
    if (!*conn) {
        fprintf(stderr, "vstats: %s\n", error->message);
        return NULL;
    }
    sampler = vstats_sampler_new(*conn, o->mode, (guint) o->timeout_ms);
    vstats_sampler_set_not_responding_ms(sampler, (guint) o->not_responding_ms);
    vstats_sampler_set_groups(sampler, o->groups);
    return sampler;
}

void
vstats_cli_collect_clear(VstatsCliCollect *o)
{
    g_clear_pointer(&o->uri, g_free);
    g_clear_pointer(&o->mode_name, g_free);
    g_clear_pointer(&o->groups_list, g_free);
}
