/*
 * test-formats.c: every output format is well-formed for a report with
 * awkward content (quotes in names, unknown rates, no devices, a VM not
 * responding), and for a "down" report.
 */
#include "vstats-private.h"
#include "report-private.h"
#include "metrics.h"
#include "prom-lint.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

static VstatsReport *
make_report(void)
{
    VstatsReport *r = vstats_report_new("bulk", 2000);
    VstatsVm *a = vstats_vm_new("web-1", "aaaaaaaa-0000-0000-0000-000000000001");
    VstatsVm *b = vstats_vm_new("we\"ird\\name\n", "aaaaaaaa-0000-0000-0000-000000000002");
    VstatsBlock *d;
    VstatsNet *n;

    a->state = 1;
    a->cpu_time_ns = 1500000000;
    a->cpu_user_ns = 1000000000;
    a->cpu_system_ns = 200000000;
    a->cpu_total_pct = 12.5;
    a->cpu_user_pct = 10;
    a->cpu_system_pct = 2.5;
    a->balloon.current_kib = 1024;
    a->balloon.maximum_kib = 2048;
    d = vstats_vm_add_block(a, "vda");
    d->rd_bytes = 4096; d->wr_bytes = 0; d->rd_reqs = 1; d->wr_reqs = 0;
    d->rd_times_ns = 1000; d->rd_bytes_rate = 100; d->rd_latency_ns = 1000;
    d->path = g_strdup("/img/web-1.raw");
    n = vstats_vm_add_net(a, "vnet0");
    n->rx_bytes = 10; n->tx_bytes = 20; n->rx_bytes_rate = 1.5;
    n->bridge = g_strdup("br0");
    a->vcpu_current = 2;
    vstats_vm_add_vcpu(a, 0)->time_ns = 2500000000;

    b->state = 3;
    b->fresh = FALSE;
    b->age_ms = 61000;
    b->monitor_unresponsive_ms = 61000;
    b->not_responding = TRUE;

    vstats_report_add_vm(r, a);
    vstats_report_add_vm(r, b);
    vstats_report_finish(r, 1234, FALSE, 0, NULL);
    return r;
}

static JsonNode *
parse_line(const char *text)
{
    g_autoptr(JsonParser) p = json_parser_new();
    g_autoptr(GError) error = NULL;

    g_assert_true(g_str_has_suffix(text, "\n"));
    g_assert_null(strchr(text, '\n') == text + strlen(text) - 1 ? NULL : "newline inside");
    json_parser_load_from_data(p, text, -1, &error);
    g_assert_no_error(error);
    return json_node_copy(json_parser_get_root(p));
}

static void
test_json(void)
{
    g_autoptr(VstatsReport) r = make_report();
    g_autofree char *text = vstats_format_json(r);
    g_autoptr(JsonNode) root = parse_line(text);
    JsonObject *o = json_node_get_object(root);
    JsonArray *vms = json_object_get_array_member(o, "vms");
    JsonObject *a, *b, *cpu, *disk;

    g_assert_cmpstr(json_object_get_string_member(o, "strategy"), ==, "bulk");
    g_assert_true(json_object_get_boolean_member(o, "up"));
    g_assert_true(json_object_has_member(o, "cycle_ms"));
    g_assert_cmpuint(json_array_get_length(vms), ==, 2);
    a = json_array_get_object_element(vms, 0);
    b = json_array_get_object_element(vms, 1);
    g_assert_cmpstr(json_object_get_string_member(a, "name"), ==, "web-1");
    g_assert_cmpstr(json_object_get_string_member(a, "state"), ==, "running");
    g_assert_true(json_object_get_boolean_member(a, "fresh"));
    cpu = json_object_get_object_member(a, "cpu");
    g_assert_cmpfloat(json_object_get_double_member(cpu, "total_pct"), ==, 12.5);
    disk = json_array_get_object_element(json_object_get_array_member(a, "disks"), 0);
    g_assert_cmpstr(json_object_get_string_member(disk, "name"), ==, "vda");
    g_assert_cmpfloat(json_object_get_double_member(disk, "read_bytes_per_s"), ==, 100);
    /* Unknown is null, never a made-up number. */
    g_assert_true(json_object_get_null_member(disk, "write_bytes_per_s"));
    g_assert_cmpstr(json_object_get_string_member(b, "name"), ==, "we\"ird\\name\n");
    g_assert_true(json_object_get_boolean_member(b, "not_responding"));
    g_assert_cmpint(json_object_get_int_member(b, "age_ms"), ==, 61000);
    g_assert_true(json_object_get_null_member(json_object_get_object_member(b, "cpu"), "total_pct"));
}

/* The member names of @o, in order, joined by commas. */
static char *
member_names(JsonObject *o)
{
    g_autoptr(GList) names = json_object_get_members(o);
    g_autoptr(GString) joined = g_string_new(NULL);

    for (GList *l = names; l; l = l->next)
        g_string_append_printf(joined, "%s%s", joined->len ? "," : "", (char *) l->data);
    return g_strdup(joined->str);
}

static void
test_json_round_trip(void)
{
    g_autoptr(VstatsReport) r = vstats_report_new("deadline", 1500);
    VstatsVm *vm = vstats_vm_new("ctl\x1f\x7f caf\xc3\xa9", "aaaaaaaa-0000-0000-0000-000000000003");
    VstatsBlock *d = vstats_vm_add_block(vm, "vda");
    g_autofree char *text = NULL;
    g_autofree char *top_keys = NULL;
    g_autofree char *vm_keys = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonObject *o, *v, *cpu, *disk;

    /* Values whose shortest text needs all 17 digits, or an exponent. */
    vm->cpu_total_pct = 0.1 + 0.2;
    vm->cpu_user_pct = 1.0 / 3;
    vm->interval_s = 1e21;
    vm->cpu_time_ns = G_MAXINT64;
    d->rd_iops = 5e-324;
    d->rd_bytes = VSTATS_MISSING;
    d->wr_bytes_rate = INFINITY;
    vstats_report_add_vm(r, vm);
    vstats_report_finish(r, 1, FALSE, 0, NULL);

    text = vstats_format_json(r);
    root = parse_line(text);
    o = json_node_get_object(root);
    v = json_array_get_object_element(json_object_get_array_member(o, "vms"), 0);
    cpu = json_object_get_object_member(v, "cpu");
    disk = json_array_get_object_element(json_object_get_array_member(v, "disks"), 0);

    g_assert_cmpstr(json_object_get_string_member(v, "name"), ==, "ctl\x1f\x7f caf\xc3\xa9");
    g_assert_cmpfloat(json_object_get_double_member(cpu, "total_pct"), ==, 0.1 + 0.2);
    g_assert_cmpfloat(json_object_get_double_member(cpu, "user_pct"), ==, 1.0 / 3);
    g_assert_cmpfloat(json_object_get_double_member(v, "interval_s"), ==, 1e21);
    g_assert_cmpint(json_object_get_int_member(cpu, "time_ns"), ==, G_MAXINT64);
    g_assert_cmpfloat(json_object_get_double_member(disk, "read_iops"), ==, 5e-324);
    g_assert_true(json_object_get_null_member(disk, "read_bytes"));
    g_assert_true(json_object_get_null_member(disk, "write_bytes_per_s"));

    /* Consumers may rely on the order of members: it is part of the format. */
    top_keys = member_names(o);
    vm_keys = member_names(v);
    g_assert_cmpstr(top_keys, ==, "time,strategy,up,error,cycle_ms,timeout_ms,timed_out,"
                    "reconnect_gap_ms,vms");
    g_assert_cmpstr(vm_keys, ==, "name,uuid,state,fresh,age_ms,monitor_unresponsive_ms,"
                    "not_responding,freshness_source,interval_s,cpu,balloon,disks,nets");
}

static void
test_vdsm(void)
{
    g_autoptr(VstatsReport) r = make_report();
    g_autofree char *text = vstats_format_vdsm(r);
    g_autoptr(JsonNode) root = parse_line(text);
    JsonObject *o = json_node_get_object(root);
    JsonArray *list = json_object_get_array_member(o, "statsList");
    JsonObject *a, *b, *net, *disk;

    g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(o, "status"), "code"), ==, 0);
    g_assert_cmpuint(json_array_get_length(list), ==, 2);
    a = json_array_get_object_element(list, 0);
    b = json_array_get_object_element(list, 1);
    g_assert_cmpstr(json_object_get_string_member(a, "vmId"), ==, "aaaaaaaa-0000-0000-0000-000000000001");
    g_assert_cmpstr(json_object_get_string_member(a, "status"), ==, "Up");
    g_assert_cmpstr(json_object_get_string_member(a, "monitorResponse"), ==, "0");
    g_assert_cmpstr(json_object_get_string_member(a, "cpuUser"), ==, "10.00");
    g_assert_cmpstr(json_object_get_string_member(a, "cpuSys"), ==, "2.50");
    g_assert_cmpstr(json_object_get_string_member(a, "cpuUsage"), ==, "1500000000");
    g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(a, "balloonInfo"),
                                                  "balloon_cur"), ==, "1024");
    net = json_object_get_object_member(json_object_get_object_member(a, "network"), "vnet0");
    g_assert_cmpstr(json_object_get_string_member(net, "rxRate"), ==, "1.50");
    disk = json_object_get_object_member(json_object_get_object_member(a, "disks"), "vda");
    g_assert_cmpstr(json_object_get_string_member(disk, "readRate"), ==, "100.00");
    g_assert_cmpstr(json_object_get_string_member(disk, "readLatency"), ==, "1000.00");
    g_assert_cmpstr(json_object_get_string_member(b, "status"), ==, "Paused");
    g_assert_cmpstr(json_object_get_string_member(b, "monitorResponse"), ==, "-1");
    g_assert_cmpstr(json_object_get_string_member(b, "statsAge"), ==, "61.00");
}

static char *
prometheus(VstatsReport *r, gboolean late, gint64 now_us)
{
    VstatsScrape scrape = { r, late, FALSE, 7 };
    return vstats_metrics_format(&scrape, now_us);
}

static void
test_prometheus(void)
{
    g_autoptr(VstatsReport) r = make_report();
    g_autofree char *text = prometheus(r, FALSE, vstats_report_get_wall_time_us(r));
    g_autofree char *why = NULL;
#define WEB_UUID "uuid=\"aaaaaaaa-0000-0000-0000-000000000001\""
#define WEB "domain=\"web-1\"," WEB_UUID
#define WEIRD "domain=\"we\\\"ird\\\\name\\n\",uuid=\"aaaaaaaa-0000-0000-0000-000000000002\""

    if (!prom_lint(text, &why))
        g_error("%s\n%s", why, text);
    /* prometheus-libvirt-exporter's families, labels and types. */
    g_assert_nonnull(strstr(text, "# TYPE libvirt_up gauge\nlibvirt_up 1\n"));
    g_assert_nonnull(strstr(text, "# TYPE libvirt_domain_info_cpu_time_seconds_total counter\n"));
    g_assert_nonnull(strstr(text, "libvirt_domain_info_cpu_time_seconds_total{" WEB "} 1.5\n"));
    g_assert_nonnull(strstr(text, "libvirt_domain_info_memory_usage_bytes{" WEB "} 1048576\n"));
    g_assert_nonnull(strstr(text, "libvirt_domain_info_maximum_memory_bytes{" WEB "} 2097152\n"));
    g_assert_nonnull(strstr(text, "libvirt_domain_info_virtual_cpus{" WEB "} 2\n"));
    g_assert_nonnull(strstr(text, "libvirt_domain_block_stats_read_bytes_total{domain=\"web-1\","
                            "source_file=\"/img/web-1.raw\",target_device=\"vda\"," WEB_UUID "} 4096\n"));
    g_assert_nonnull(strstr(text, "libvirt_domain_interface_stats_transmit_bytes_total{domain=\"web-1\","
                            "source_bridge=\"br0\",target_device=\"vnet0\"," WEB_UUID "} 20\n"));
    g_assert_nonnull(strstr(text, "libvirt_domain_state_code{" WEB "} 1\n"));
    g_assert_nonnull(strstr(text, "libvirt_domains_number 2\n"));
    /* vstats' own, under a prefix of their own. */
    g_assert_nonnull(strstr(text, "vstats_domain_stats_age_seconds{" WEIRD "} 61\n"));
    g_assert_nonnull(strstr(text, "vstats_domain_not_responding{" WEIRD "} 1\n"));
    g_assert_nonnull(strstr(text, "vstats_domain_stats_fresh{" WEB "} 1\n"));
    g_assert_nonnull(strstr(text, "vstats_domain_stats_fresh{" WEIRD "} 0\n"));
    g_assert_nonnull(strstr(text, "vstats_domain_vcpu_time_seconds_total{" WEB ",vcpu=\"0\"} 2.5\n"));
    g_assert_nonnull(strstr(text, "vstats_domain_block_read_time_seconds_total{domain=\"web-1\","
                            "source_file=\"/img/web-1.raw\",target_device=\"vda\"," WEB_UUID "} 1e-06\n"));
    g_assert_nonnull(strstr(text, "vstats_collection_duration_seconds 0.001234\n"));
    g_assert_nonnull(strstr(text, "vstats_collections_total 7\n"));
    /* No label that changes with the state: a state change is no new series. */
    g_assert_null(strstr(text, "state=\""));
    /* Missing counters are left out, not reported as 0. */
    g_assert_null(strstr(text, "vstats_domain_block_flush_requests_total"));
    g_assert_null(strstr(text, "libvirt_domain_info_cpu_time_seconds_total{" WEIRD));
}

/* A scrape that could only get an old report: down, every domain stale,
 * the ages grown by the time since. */
static void
test_prometheus_late(void)
{
    g_autoptr(VstatsReport) r = make_report();
    g_autofree char *text = prometheus(r, TRUE, vstats_report_get_wall_time_us(r) + 5 * G_USEC_PER_SEC);
    g_autofree char *why = NULL;

    if (!prom_lint(text, &why))
        g_error("%s\n%s", why, text);
    g_assert_nonnull(strstr(text, "libvirt_up 0\n"));
    g_assert_nonnull(strstr(text, "vstats_domain_stats_fresh{" WEB "} 0\n"));
    g_assert_nonnull(strstr(text, "vstats_domain_stats_age_seconds{" WEB "} 5\n"));
    g_assert_nonnull(strstr(text, "vstats_domain_stats_age_seconds{" WEIRD "} 66\n"));
    /* The stale values are still served. */
    g_assert_nonnull(strstr(text, "libvirt_domain_info_cpu_time_seconds_total{" WEB "} 1.5\n"));
}

/* The daemon did not answer: the last values are listed, up is 0. */
static void
test_prometheus_unanswered(void)
{
    g_autoptr(VstatsReport) r = make_report();
    g_autofree char *text = NULL;

    vstats_report_set_unanswered(r, "the daemon did not answer within 2000 ms");
    text = prometheus(r, FALSE, vstats_report_get_wall_time_us(r));
    g_assert_false(vstats_report_get_up(r));
    g_assert_nonnull(strstr(text, "libvirt_up 0\n"));
    g_assert_nonnull(strstr(text, "libvirt_domains_number 2\n"));
}

static void
test_prom_lint_catches(void)
{
    static const char *const bad[] = {
        "x 1",                                           /* no newline */
        "x 1\n",                                         /* no TYPE */
        "# TYPE x gauge\nx{a=\"b} 1\n",                  /* bad quoting */
        "# TYPE x gauge\nx one\n",                       /* bad value */
        "# TYPE x counter\nx 1\n",                       /* counter name */
        "# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a=\"1\"} 2\n", /* split */
        "# TYPE x gauge\nx 1\nx 2\n",                    /* duplicate */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *why = NULL;
        g_assert_false(prom_lint(bad[i], &why));
    }
}

static void
test_down_report(void)
{
    g_autoptr(VstatsReport) r = vstats_report_new(NULL, 500);
    g_autofree char *prom = NULL, *json = NULL, *vdsm = NULL, *table = NULL;
    g_autofree char *why = NULL;
    g_autoptr(JsonNode) j = NULL;
    g_autoptr(JsonNode) v = NULL;

    vstats_report_finish(r, 10, FALSE, 0, "daemon unreachable");
    prom = prometheus(r, FALSE, 0);
    g_assert_true(prom_lint(prom, &why));
    g_assert_nonnull(strstr(prom, "libvirt_up 0\n"));
    json = vstats_format_json(r);
    j = parse_line(json);
    g_assert_false(json_object_get_boolean_member(json_node_get_object(j), "up"));
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(j), "error"), ==,
                    "daemon unreachable");
    vdsm = vstats_format_vdsm(r);
    v = parse_line(vdsm);
    g_assert_cmpint(json_object_get_int_member(
        json_object_get_object_member(json_node_get_object(v), "status"), "code"), !=, 0);
    table = vstats_format_table(r);
    g_assert_nonnull(strstr(table, "DOWN"));
}

static void
test_table(void)
{
    g_autoptr(VstatsReport) r = make_report();
    g_autofree char *table = vstats_format_table(r);

    g_assert_nonnull(strstr(table, "web-1"));
    g_assert_nonnull(strstr(table, "NOT RESPONDING"));
    g_assert_nonnull(strstr(table, "strategy bulk"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/format/json", test_json);
    g_test_add_func("/format/json-round-trip", test_json_round_trip);
    g_test_add_func("/format/vdsm", test_vdsm);
    g_test_add_func("/format/prometheus", test_prometheus);
    g_test_add_func("/format/prometheus-late", test_prometheus_late);
    g_test_add_func("/format/prometheus-unanswered", test_prometheus_unanswered);
    g_test_add_func("/format/prom-lint-catches", test_prom_lint_catches);
    g_test_add_func("/format/down-report", test_down_report);
    g_test_add_func("/format/table", test_table);
    return g_test_run();
}
