/*
 * cli-boot-storm.c: 'vstats boot-storm': start many transient domains at
 * once and report how long they took and what they cost the host.
 */
#include "cli.h"
#include "boot-report.h"
#include "boot-storm.h"
#include "boot-template.h"
#include "errors.h"
#include "process-cpu.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_COUNT 100000

static const char summary[] =
    "Creates N transient domains (virDomainCreateXML) with at most K creations\n"
    "in flight and reports per-VM request-to-running time (mean, p50, p95, max),\n"
    "makespan, throughput and the CPU time of the daemon and of the new QEMUs.\n"
    "Every domain created is destroyed at the end (unless --keep and all came\n"
    "up), on failure, and on SIGINT/SIGTERM.\n"
    "\n"
    "--template FILE: domain XML with @NAME@, @UUID@, @INDEX@ substituted.\n"
    "--testhost DIR: like tools/testhost's domains (32 MiB, KVM if usable else\n"
    "TCG, NIC, balloon), each booting a 1 MiB image made under DIR.\n"
    "--concurrency auto: finds the limit from observed throughput.\n"
    "Exit status: 0 all VMs up, 1 a VM failed or interrupted, 2 usage error.";

static VstatsBootStorm *signalled_storm;

static void
on_signal(int sig G_GNUC_UNUSED)
{
    if (signalled_storm)
        vstats_boot_storm_cancel(signalled_storm);
}

static void
set_signal_handlers(void (*handler)(int))
{
    struct sigaction sa = { 0 };

    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* "auto" is 0, "unbounded" the VM count. */
static gboolean
parse_concurrency(const char *text, guint count, guint *out)
{
    char *end;
    unsigned long k;

    if (strcmp(text, "auto") == 0) {
        *out = 0;
        return TRUE;
    }
    if (strcmp(text, "unbounded") == 0) {
        *out = count;
        return TRUE;
    }
    errno = 0;
    k = strtoul(text, &end, 10);
    if (errno || *end || end == text || k == 0 || text[0] == '-')
        return FALSE;
    *out = (guint) MIN(k, count);
    return TRUE;
}

static char *
image_path(const char *dir, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".img", NULL);
    return g_build_filename(dir, file, NULL);
}

static void
remove_images(const char *dir, VstatsBootStorm *storm)
{
    for (guint i = 0; i < vstats_boot_storm_get_n_vms(storm); i++) {
        g_autofree char *path = image_path(dir, vstats_boot_storm_get_vm(storm, i)->name);
        unlink(path);
    }
}

static gboolean
make_images(const char *dir, VstatsBootStorm *storm)
{
    for (guint i = 0; i < vstats_boot_storm_get_n_vms(storm); i++) {
        g_autofree char *path = image_path(dir, vstats_boot_storm_get_vm(storm, i)->name);
        g_autoptr(GError) error = NULL;
        if (!vstats_boot_image_write(path, &error)) {
            fprintf(stderr, "vstats boot-storm: %s\n", error->message);
            return FALSE;
        }
    }
    return TRUE;
}

/* Sums the CPU time of the QEMUs of the VMs that came up.  They started
 * during the storm, so their whole CPU time is the storm's. */
static double
guest_cpu_seconds(VstatsBootStorm *storm, guint *n_processes)
{
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GArray) pids = NULL;
    double total = 0;

    for (guint i = 0; i < vstats_boot_storm_get_n_vms(storm); i++) {
        const VstatsBootVm *vm = vstats_boot_storm_get_vm(storm, i);
        if (vm->dom)
            g_hash_table_add(names, vm->name);
    }
    pids = vstats_find_guest_pids(names);
    *n_processes = 0;
    for (guint i = 0; i < pids->len; i++) {
        double s = vstats_process_cpu_seconds(g_array_index(pids, int, i));
        if (s >= 0) {
            total += s;
            (*n_processes)++;
        }
    }
    return *n_processes ? total : NAN;
}

int
vstats_cli_boot_storm(int argc, char **argv)
{
    g_autofree char *uri = NULL, *template_path = NULL, *testhost_dir = NULL;
    g_autofree char *concurrency = NULL, *prefix = NULL, *format = NULL;
    int count = 0, daemon_pid = 0;
    gboolean paused = FALSE, keep = FALSE;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, "libvirt URI (default: libvirt's default)", "URI" },
        { "count", 'n', 0, G_OPTION_ARG_INT, &count, "number of VMs to start (required)", "N" },
        { "template", 0, 0, G_OPTION_ARG_FILENAME, &template_path, "domain XML with @NAME@, @UUID@, @INDEX@", "FILE" },
        { "testhost", 0, 0, G_OPTION_ARG_FILENAME, &testhost_dir, "built-in testhost-like domains, boot images in DIR", "DIR" },
        { "concurrency", 'k', 0, G_OPTION_ARG_STRING, &concurrency, "creations in flight: a number, unbounded or auto (required)", "K" },
        { "paused", 0, 0, G_OPTION_ARG_NONE, &paused, "start paused (VIR_DOMAIN_START_PAUSED)", NULL },
        { "prefix", 0, 0, G_OPTION_ARG_STRING, &prefix, "domain name prefix (default bs-)", "NAME" },
        { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "leave the domains (and images) when all came up", NULL },
        { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "table or json (default table)", "FORMAT" },
        { "daemon-pid", 0, 0, G_OPTION_ARG_INT, &daemon_pid, "daemon to charge CPU to (default: the one libvirtd/virtqemud)", "PID" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- start many VMs at once and time them");
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsBootStorm) storm = NULL;
    g_autofree char *template_xml = NULL, *source = NULL, *text = NULL;
    VstatsBootStormConfig config = { 0 };
    VstatsBootReportContext report = { 0 };
    g_autofree char *conn_uri = NULL;
    virConnectPtr conn;
    double daemon_cpu_start = NAN;
    guint limit = 0, undestroyed = 0;
    gboolean json = FALSE, all_up, destroyed;

    g_option_context_set_summary(ctx, summary);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "vstats boot-storm: %s (see --help)\n", error->message);
        return VSTATS_EXIT_USAGE;
    }
    if (argc > 1) {
        fprintf(stderr, "vstats boot-storm: unexpected argument '%s'\n", argv[1]);
        return VSTATS_EXIT_USAGE;
    }
    if (count <= 0 || count > MAX_COUNT) {
        fprintf(stderr, "vstats boot-storm: --count must be 1..%d\n", MAX_COUNT);
        return VSTATS_EXIT_USAGE;
    }
    if (!template_path == !testhost_dir) {
        fprintf(stderr, "vstats boot-storm: give exactly one of --template FILE and --testhost DIR\n");
        return VSTATS_EXIT_USAGE;
    }
    if (!concurrency || !parse_concurrency(concurrency, (guint) count, &limit)) {
        fprintf(stderr, "vstats boot-storm: --concurrency must be a positive number, unbounded or auto\n");
        return VSTATS_EXIT_USAGE;
    }
    if (format && strcmp(format, "json") == 0) {
        json = TRUE;
    } else if (format && strcmp(format, "table") != 0) {
        fprintf(stderr, "vstats boot-storm: unknown format '%s' (table, json)\n", format);
        return VSTATS_EXIT_USAGE;
    }
    if (daemon_pid < 0) {
        fprintf(stderr, "vstats boot-storm: --daemon-pid must be positive\n");
        return VSTATS_EXIT_USAGE;
    }

    if (template_path) {
        template_xml = vstats_boot_template_load(template_path, &error);
        if (!template_xml) {
            fprintf(stderr, "vstats boot-storm: %s\n", error->message);
            return VSTATS_EXIT_FAILURE;
        }
        if (!strstr(template_xml, "@NAME@") && count > 1)
            fprintf(stderr, "vstats boot-storm: warning: %s has no @NAME@: "
                    "all VMs get the same name\n", template_path);
        source = g_strdup(template_path);
    } else {
        /* The daemon resolves image paths, not us: hand it absolute ones. */
        char *absolute = g_canonicalize_filename(testhost_dir, NULL);

        g_free(testhost_dir);
        testhost_dir = absolute;
        if (g_mkdir_with_parents(testhost_dir, 0755) != 0) {
            fprintf(stderr, "vstats boot-storm: cannot create %s: %s\n",
                    testhost_dir, g_strerror(errno));
            return VSTATS_EXIT_FAILURE;
        }
        template_xml = vstats_boot_template_testhost(testhost_dir, vstats_kvm_usable());
        source = g_strconcat("testhost:", testhost_dir, NULL);
    }

    vstats_cli_setup_logging(FALSE);
    /* No event loop: the storm needs no events or keepalive. */
    if (!vstats_init(VSTATS_INIT_ERROR_HANDLER, &error)) {
        fprintf(stderr, "vstats boot-storm: %s\n", error->message);
        return VSTATS_EXIT_FAILURE;
    }
    conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0);
    if (!conn) {
        vstats_error_from_virt(&error, NULL, uri ? uri : "default URI");
        fprintf(stderr, "vstats boot-storm: %s\n", error->message);
        return VSTATS_EXIT_FAILURE;
    }
    config = (VstatsBootStormConfig) {
        .count = (guint) count, .concurrency = limit, .paused = paused,
        .prefix = prefix ? prefix : "bs-", .template_xml = template_xml,
    };
    storm = vstats_boot_storm_new(conn, &config);
    conn_uri = virConnectGetURI(conn);
    report.uri = conn_uri ? conn_uri : (uri ? uri : "?");
    virConnectClose(conn);   /* the storm holds its own reference */

    if (testhost_dir && !make_images(testhost_dir, storm)) {
        remove_images(testhost_dir, storm);
        return VSTATS_EXIT_FAILURE;
    }

    /* An in-process driver (test://) has no daemon to charge. */
    if (daemon_pid == 0 && !g_str_has_prefix(report.uri, "test:"))
        daemon_pid = vstats_find_daemon_pid();
    if (daemon_pid > 0)
        daemon_cpu_start = vstats_process_cpu_seconds(daemon_pid);

    signalled_storm = storm;
    set_signal_handlers(on_signal);
    all_up = vstats_boot_storm_run(storm);

    report.concurrency = concurrency;
    report.source = source;
    report.prefix = config.prefix;
    report.paused = paused;
    report.daemon_pid = daemon_pid;
    report.daemon_cpu_s = NAN;
    if (daemon_pid > 0 && daemon_cpu_start >= 0) {
        double end = vstats_process_cpu_seconds(daemon_pid);
        if (end >= 0)
            report.daemon_cpu_s = end - daemon_cpu_start;
    }
    report.qemu_cpu_s = guest_cpu_seconds(storm, &report.qemu_processes);

    /* A storm that did not fully come up is not worth keeping. */
    destroyed = !(keep && all_up);
    if (destroyed)
        undestroyed = vstats_boot_storm_destroy_all(storm);
    else
        vstats_boot_storm_release(storm);
    set_signal_handlers(SIG_DFL);
    signalled_storm = NULL;
    if (testhost_dir && destroyed && undestroyed == 0)
        remove_images(testhost_dir, storm);

    text = json ? vstats_boot_report_json(storm, &report)
                : vstats_boot_report_table(storm, &report);
    fputs(text, stdout);
    fflush(stdout);
    for (guint i = 0; json && i < vstats_boot_storm_get_n_vms(storm); i++) {
        const VstatsBootVm *vm = vstats_boot_storm_get_vm(storm, i);
        if (vm->attempted && !vm->ok)
            fprintf(stderr, "vstats boot-storm: %s failed: %s\n", vm->name, vm->error);
    }
    if (vstats_boot_storm_get_stats(storm)->cancelled)
        fprintf(stderr, "vstats boot-storm: interrupted; the domains created were destroyed\n");
    if (undestroyed)
        fprintf(stderr, "vstats boot-storm: %u domains could not be destroyed\n", undestroyed);
    return all_up && undestroyed == 0 ? VSTATS_EXIT_OK : VSTATS_EXIT_FAILURE;
}
