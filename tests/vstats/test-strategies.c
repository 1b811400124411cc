/*
 * test-strategies.c: the sampler against libvirt's in-process test driver
 * (test:///default).  The stock test driver lacks the deadline call, so
 * auto must fall back to bulk (the patched one has it); every mode must
 * report the same domains; domains that come and go are followed through
 * events; records of a patched daemon (fixtures on the test driver's
 * domains) are turned into a cycle's answers.
 */
#include "config.h"
#include "vstats.h"
#include "connection-private.h"
#include "strategy.h"

#include <libvirt/virterror.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define URI "test:///default"

static GPtrArray *log_lines;

static void
capture_log(GLogLevelFlags level G_GNUC_UNUSED, const char *msg, gpointer data G_GNUC_UNUSED)
{
    g_ptr_array_add(log_lines, g_strdup(msg));
}

static guint
count_logs(const char *needle)
{
    guint n = 0;
    for (guint i = 0; i < log_lines->len; i++)
        if (strstr(log_lines->pdata[i], needle))
            n++;
    return n;
}

static char *
uuid_set(const VstatsReport *r)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < vstats_report_get_n_vms(r); i++)
        g_string_append_printf(s, "%s ", vstats_report_get_vm(r, i)->uuid);
    return g_string_free(s, FALSE);
}

static VstatsReport *
collect_once(VstatsMode mode, GError **error)
{
    g_autoptr(VstatsConnection) conn = vstats_connection_open(URI, error);
    g_autoptr(VstatsSampler) s = NULL;

    g_assert_nonnull(conn);
    s = vstats_sampler_new(conn, mode, 2000);
    return vstats_sampler_collect(s, error);
}

static void
test_auto_falls_back(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsConnection) conn = vstats_connection_open(URI, &error);
    g_autoptr(VstatsSampler) s = NULL;

    g_assert_no_error(error);
    s = vstats_sampler_new(conn, VSTATS_MODE_AUTO, 2000);
    g_ptr_array_set_size(log_lines, 0);
    for (int i = 0; i < 3; i++) {
        g_autoptr(VstatsReport) r = vstats_sampler_collect(s, &error);
        g_assert_no_error(error);
        g_assert_true(vstats_report_get_up(r));
        g_assert_cmpuint(vstats_report_get_n_vms(r), >=, 1);
#ifdef HAVE_VIR_CONNECT_GET_ALL_DOMAIN_STATS_PARAMS
        /* The patched test driver implements the *Params call. */
        g_assert_cmpstr(vstats_report_get_strategy(r), ==, "deadline");
        g_assert_true(vstats_report_get_vm(r, 0)->has_daemon_freshness);
        g_assert_true(vstats_report_get_vm(r, 0)->fresh);
#else
        g_assert_cmpstr(vstats_report_get_strategy(r), ==, "bulk");
#endif
    }
    /* The choice is logged once, not every cycle. */
    g_assert_cmpuint(count_logs("collecting statistics with"), ==, 1);
    if (g_strcmp0(vstats_sampler_get_strategy(s), "bulk") == 0)
        g_assert_cmpuint(count_logs("falling back"), ==, 1);
}

static void
test_modes_agree(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsReport) ref = collect_once(VSTATS_MODE_AUTO, &error);
    g_autofree char *expect = uuid_set(ref);
    const VstatsMode modes[] = { VSTATS_MODE_BULK, VSTATS_MODE_LEGACY, VSTATS_MODE_DEADLINE };

    g_assert_no_error(error);
    g_assert_cmpstr(expect, !=, "");
    for (gsize i = 0; i < G_N_ELEMENTS(modes); i++) {
        g_autoptr(GError) merr = NULL;
        g_autoptr(VstatsReport) r = collect_once(modes[i], &merr);
        g_autofree char *got = uuid_set(r);

        g_test_message("mode %s", vstats_mode_to_string(modes[i]));
        if (modes[i] == VSTATS_MODE_DEADLINE && merr) {
            /* Forced deadline on a driver without it: a clear error. */
            g_assert_error(merr, VSTATS_ERROR, VSTATS_ERROR_UNSUPPORTED);
            g_assert_false(vstats_report_get_up(r));
            continue;
        }
        g_assert_no_error(merr);
        g_assert_cmpstr(vstats_report_get_strategy(r), ==, vstats_mode_to_string(modes[i]));
        g_assert_cmpstr(got, ==, expect);
    }
}

static void
test_legacy_rates(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsConnection) conn = vstats_connection_open(URI, &error);
    g_autoptr(VstatsSampler) s = vstats_sampler_new(conn, VSTATS_MODE_LEGACY, 1000);
    g_autoptr(VstatsReport) r1 = vstats_sampler_collect(s, &error);
    g_autoptr(VstatsReport) r2 = NULL;
    const VstatsVm *vm;

    g_assert_no_error(error);
    g_usleep(50000);
    r2 = vstats_sampler_collect(s, &error);
    g_assert_no_error(error);
    vm = vstats_report_get_vm(r2, 0);
    g_assert_nonnull(vm);
    g_assert_true(vm->fresh);
    g_assert_cmpint(vm->cpu_time_ns, >, 0);
    g_assert_true(isfinite(vm->cpu_total_pct));
    g_assert_true(isfinite(vm->interval_s));
    /* The test driver's disk and NIC counters grow with time. */
    g_assert_cmpuint(vm->n_blocks, >=, 1);
    g_assert_true(isfinite(vm->blocks[0].rd_bytes_rate));
    g_assert_cmpuint(vm->n_nets, >=, 1);
    g_assert_true(isfinite(vm->nets[0].rx_bytes_rate));
}

static gboolean
wait_domains(VstatsConnection *conn, guint n)
{
    for (int i = 0; i < 200; i++) {
        if (vstats_connection_get_n_domains(conn) == n)
            return TRUE;
        g_usleep(10000);
    }
    return FALSE;
}

static void
test_lifecycle_events(void)
{
    static const char *xml =
        "<domain type='test'><name>vstats-extra</name><memory>8192</memory>"
        "<os><type>hvm</type></os></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsConnection) conn = vstats_connection_open(URI, &error);
    g_autoptr(VstatsSampler) s = vstats_sampler_new(conn, VSTATS_MODE_BULK, 2000);
    virConnectPtr vc = vstats_connection_ref_virconn(conn);
    guint base = vstats_connection_get_n_domains(conn);
    guint n = 0;
    virDomainPtr dom;

    g_assert_no_error(error);
    /* A second client defines and starts a domain on the same host. */
    dom = virDomainDefineXML(vc, xml);
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_true(wait_domains(conn, base + 1));
    {
        g_autoptr(VstatsReport) r = vstats_sampler_collect(s, &error);
        gboolean seen = FALSE;
        g_assert_no_error(error);
        for (guint i = 0; i < vstats_report_get_n_vms(r); i++)
            seen |= strcmp(vstats_report_get_vm(r, i)->name, "vstats-extra") == 0;
        g_assert_true(seen);
    }

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    /* The events arrive in the event thread: poll, with a generous bound. */
    for (int i = 0; i < 500; i++) {
        g_autoptr(VstatsReport) r = vstats_sampler_collect(s, &error);
        g_assert_no_error(error);
        n = vstats_report_get_n_vms(r);
        if (n == base)
            break;
        g_usleep(10000);
    }
    g_assert_cmpuint(n, ==, base);
    virConnectClose(vc);
}

/* A read-only connection, asked for: every strategy works on it. */
static void
test_read_only(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsConnection) conn = vstats_connection_open_full(URI, VSTATS_CONNECT_READ_ONLY,
                                                                   &error);
    const VstatsMode modes[] = { VSTATS_MODE_AUTO, VSTATS_MODE_BULK, VSTATS_MODE_LEGACY };

    g_assert_no_error(error);
    g_assert_true(vstats_connection_is_read_only(conn));
    for (gsize i = 0; i < G_N_ELEMENTS(modes); i++) {
        g_autoptr(VstatsSampler) s = vstats_sampler_new(conn, modes[i], 2000);
        g_autoptr(VstatsReport) r = vstats_sampler_collect(s, &error);
        g_assert_no_error(error);
        g_assert_true(vstats_report_get_up(r));
        g_assert_cmpuint(vstats_report_get_n_vms(r), >=, 1);
    }
    /* The side connection is opened like the main one: read-only. */
    {
        g_autoptr(VstatsSide) side = vstats_connection_get_side(conn);
        virConnectPtr vc = vstats_side_connect(side, &error);
        g_assert_no_error(error);
        /* A change is refused on it. */
        g_assert_null(virDomainDefineXML(vc, "<domain type='test'><name>ro</name>"
                                             "<memory>8192</memory><os><type>hvm</type></os></domain>"));
        g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OPERATION_DENIED);
        virResetLastError();
        /* And it is one connection, kept. */
        {
            virConnectPtr again = vstats_side_connect(side, &error);
            g_assert_true(again == vc);
            virConnectClose(again);
        }
        virConnectClose(vc);
    }
}

/* The info group fills CPU time, memory and vCPUs from virDomainGetInfo
 * where the bulk groups did not ask (the test driver's bulk call has
 * none of them anyway). */
static void
test_info_group(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VstatsConnection) conn = vstats_connection_open(URI, &error);
    g_autoptr(VstatsSampler) s = vstats_sampler_new(conn, VSTATS_MODE_BULK, 2000);
    g_autoptr(VstatsReport) plain = NULL;
    g_autoptr(VstatsReport) info = NULL;
    unsigned int groups = 0;

    g_assert_true(vstats_groups_from_string("net, block,info", &groups));
    g_assert_cmpuint(groups, ==, VSTATS_GROUP_NET | VSTATS_GROUP_BLOCK | VSTATS_GROUP_INFO);
    g_assert_false(vstats_groups_from_string("net,disk", &groups));
    g_assert_false(vstats_groups_from_string("", &groups));

    vstats_sampler_set_groups(s, VSTATS_GROUP_NET);
    plain = vstats_sampler_collect(s, &error);
    g_assert_no_error(error);
    g_assert_cmpint(vstats_report_get_vm(plain, 0)->cpu_time_ns, ==, VSTATS_MISSING);
    vstats_sampler_set_groups(s, VSTATS_GROUP_NET | VSTATS_GROUP_INFO);
    g_assert_cmpuint(vstats_sampler_get_groups(s), ==, VSTATS_GROUP_NET | VSTATS_GROUP_INFO);
    g_usleep(20000); /* the rate window wants a newer sample */
    info = vstats_sampler_collect(s, &error);
    g_assert_no_error(error);
    g_assert_cmpint(vstats_report_get_vm(info, 0)->cpu_time_ns, >, 0);
    g_assert_cmpint(vstats_report_get_vm(info, 0)->balloon.maximum_kib, >, 0);
    g_assert_cmpint(vstats_report_get_vm(info, 0)->balloon.current_kib, >, 0);
    g_assert_cmpint(vstats_report_get_vm(info, 0)->vcpu_current, >, 0);
}

/* A record of @dom with the keys @spec ("name=value" ints, "name=Nu" ullongs). */
static virDomainStatsRecordPtr
fixture_record(virDomainPtr dom, const char *const *spec)
{
    virDomainStatsRecordPtr rec = g_new0(virDomainStatsRecord, 1);
    int maxparams = 0;

    virDomainRef(dom);
    rec->dom = dom;
    for (; *spec; spec++) {
        g_auto(GStrv) kv = g_strsplit(*spec, "=", 2);
        int rc;

        if (g_str_has_suffix(kv[1], "u"))
            rc = virTypedParamsAddULLong(&rec->params, &rec->nparams, &maxparams, kv[0],
                                         g_ascii_strtoull(kv[1], NULL, 10));
        else
            rc = virTypedParamsAddInt(&rec->params, &rec->nparams, &maxparams, kv[0],
                                      atoi(kv[1]));
        g_assert_cmpint(rc, ==, 0);
    }
    return rec;
}

static const gint64 *
control_of(VstatsCycle *cycle, virDomainPtr dom)
{
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    return g_hash_table_lookup(cycle->control_ms, uuid);
}

/* The records of a patched daemon: a deadline record not fresh but with
 * earlier values is an answer (stale), one without any values of a group
 * needing QEMU is not (the VM keeps its last full answer); the control
 * keys reach the cycle, in the bulk fallback's records too. */
static void
test_series_records(void)
{
    static const char *const fresh[] = {
        "state.state=1", "state.control.state=0", "state.control.time=0u",
        "state.fresh=1", "state.age=0u", "block.count=0",
        "block.fresh=1", "block.age=2u", NULL };
    static const char *const cached[] = {
        "state.state=1", "state.control.state=2", "state.control.time=4210u",
        "state.fresh=1", "state.age=0u", "block.count=0",
        "block.fresh=0", "block.age=15170u", NULL };
    static const char *const partial[] = {
        "state.state=1", "state.control.state=2", "state.control.time=900u",
        "state.fresh=1", "state.age=0u", "block.count=0", "block.fresh=0", NULL };
    const char *const *specs[] = { fresh, cached, partial };
    unsigned int stats = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_BLOCK;
    virConnectPtr conn = virConnectOpen(URI);
    virDomainPtr doms[3];
    static const char *xml =
        "<domain type='test'><name>vstats-fixture-%d</name><memory>8192</memory>"
        "<os><type>hvm</type></os></domain>";

    g_assert_nonnull(conn);
    for (int i = 0; i < 3; i++) {
        g_autofree char *x = g_strdup_printf(xml, i);
        doms[i] = virDomainCreateXML(conn, x, 0);
        g_assert_nonnull(doms[i]);
    }

    for (int annotated = 0; annotated < 2; annotated++) {
        g_autoptr(VstatsRecords) r = g_new0(VstatsRecords, 1);
        VstatsCycle cycle;

        r->n = 3;
        r->recs = g_new0(virDomainStatsRecordPtr, r->n + 1);
        for (int i = 0; i < r->n; i++)
            r->recs[i] = fixture_record(doms[i], specs[i]);
        r->recv_us = g_get_monotonic_time();
        /* As the deadline strategy reads them, or as the bulk one does. */
        r->annotate = annotated ? vstats_deadline_annotate : NULL;
        vstats_cycle_init(&cycle, stats);
        vstats_cycle_add_records(&cycle, r);

        g_assert_cmpint(*control_of(&cycle, doms[0]), ==, 0);
        g_assert_cmpint(*control_of(&cycle, doms[1]), ==, 4210);
        g_assert_cmpint(*control_of(&cycle, doms[2]), ==, 900);
        if (annotated) {
            const VstatsVm *vm;

            g_assert_cmpuint(cycle.vms->len, ==, 2);
            g_assert_cmpuint(g_hash_table_size(cycle.partial), ==, 1);
            vm = cycle.vms->pdata[0];
            g_assert_true(vm->fresh);
            g_assert_cmpint(vm->age_ms, ==, 2);
            vm = cycle.vms->pdata[1];
            g_assert_false(vm->fresh);
            g_assert_cmpint(vm->age_ms, ==, 15170);
            g_assert_cmpint(vm->monitor_unresponsive_ms, ==, 4210);
            g_assert_cmpint(vm->sample_time_us, ==, r->recv_us - 15170 * 1000);
        } else {
            /* Without the keys read, the test driver's records have no
             * disks: nothing tells them apart. */
            g_assert_cmpuint(cycle.vms->len, ==, 3);
            for (guint i = 0; i < cycle.vms->len; i++)
                g_assert_false(((VstatsVm *) cycle.vms->pdata[i])->has_daemon_freshness);
        }
        vstats_cycle_clear(&cycle);
    }

    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(virDomainDestroy(doms[i]), ==, 0);
        virDomainFree(doms[i]);
    }
    virConnectClose(conn);
}

static void
test_bad_flags(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_false(vstats_init(1 << 7, &error));
    g_assert_error(error, VSTATS_ERROR, VSTATS_ERROR_INVALID);
    g_clear_error(&error);
    g_assert_null(vstats_connection_open_full(URI, 1 << 5, &error));
    g_assert_error(error, VSTATS_ERROR, VSTATS_ERROR_INVALID);
}

static void
test_bad_uri(void)
{
    g_autoptr(GError) error = NULL;
    VstatsConnection *conn = vstats_connection_open("bogus:///nowhere", &error);

    g_assert_null(conn);
    g_assert_error(error, VSTATS_ERROR, VSTATS_ERROR_CONNECT);
    g_assert_nonnull(strstr(error->message, "bogus:///nowhere"));
}

static void
test_missing_socket(void)
{
    g_autoptr(GError) error = NULL;
    VstatsConnection *conn = vstats_connection_open(
        "qemu:///system?socket=/nonexistent/vstats-test-sock", &error);

    g_assert_null(conn);
    g_assert_error(error, VSTATS_ERROR, VSTATS_ERROR_CONNECT);
    g_assert_nonnull(strstr(error->message, "running"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_true(vstats_init(VSTATS_INIT_DEFAULT, NULL));
    log_lines = g_ptr_array_new_with_free_func(g_free);
    vstats_set_log_func(capture_log, NULL);
    g_test_add_func("/strategy/auto-falls-back", test_auto_falls_back);
    g_test_add_func("/strategy/modes-agree", test_modes_agree);
    g_test_add_func("/strategy/legacy-rates", test_legacy_rates);
    g_test_add_func("/connection/lifecycle-events", test_lifecycle_events);
    g_test_add_func("/connection/read-only", test_read_only);
    g_test_add_func("/connection/bad-flags", test_bad_flags);
    g_test_add_func("/strategy/info-group", test_info_group);
    g_test_add_func("/strategy/series-records", test_series_records);
    g_test_add_func("/connection/bad-uri", test_bad_uri);
    g_test_add_func("/connection/missing-socket", test_missing_socket);
    return g_test_run();
}
