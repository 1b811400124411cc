/*
 * test-parse.c: parsers: bulk-stats typed parameters, domain XML device
 * names, and HTTP request heads.
 */
#include "vstats.h"
#include "typed-params.h"
#include "domain-xml.h"
#include "http-request.h"

#include <string.h>

static void
set_ull(virTypedParameter *p, const char *name, unsigned long long v)
{
    g_strlcpy(p->field, name, VIR_TYPED_PARAM_FIELD_LENGTH);
    p->type = VIR_TYPED_PARAM_ULLONG;
    p->value.ul = v;
}

static void
set_int(virTypedParameter *p, const char *name, int v)
{
    g_strlcpy(p->field, name, VIR_TYPED_PARAM_FIELD_LENGTH);
    p->type = VIR_TYPED_PARAM_INT;
    p->value.i = v;
}

static void
set_str(virTypedParameter *p, const char *name, char *v)
{
    g_strlcpy(p->field, name, VIR_TYPED_PARAM_FIELD_LENGTH);
    p->type = VIR_TYPED_PARAM_STRING;
    p->value.s = v;
}

static void
set_bool(virTypedParameter *p, const char *name, gboolean v)
{
    g_strlcpy(p->field, name, VIR_TYPED_PARAM_FIELD_LENGTH);
    p->type = VIR_TYPED_PARAM_BOOLEAN;
    p->value.b = v ? 1 : 0;
}

static void
test_params_basic(void)
{
    virTypedParameter p[32];
    char vda[] = "vda", sdb[] = "sdb", vnet[] = "vnet7";
    int n = 0;
    g_autoptr(VstatsVm) vm = vstats_vm_new("x", "u");

    memset(p, 0, sizeof(p));
    set_int(&p[n++], "state.state", 1);
    set_int(&p[n++], "state.reason", 2);
    set_ull(&p[n++], "cpu.time", 123456789);
    set_ull(&p[n++], "cpu.user", 1000);
    set_ull(&p[n++], "cpu.system", 2000);
    set_ull(&p[n++], "balloon.current", 1024);
    set_ull(&p[n++], "balloon.maximum", 2048);
    set_ull(&p[n++], "balloon.rss", 512);
    set_int(&p[n++], "vcpu.current", 2);
    set_ull(&p[n++], "block.count", 2);
    /* Counters before the name, and names out of order: keyed by name. */
    set_ull(&p[n++], "block.1.rd.bytes", 77);
    set_str(&p[n++], "block.1.name", sdb);
    set_str(&p[n++], "block.0.name", vda);
    set_ull(&p[n++], "block.0.rd.bytes", 11);
    set_ull(&p[n++], "block.0.wr.times", 99);
    set_ull(&p[n++], "block.0.capacity", 1 << 20);
    set_ull(&p[n++], "net.count", 1);
    set_str(&p[n++], "net.0.name", vnet);
    set_ull(&p[n++], "net.0.rx.bytes", 5);
    set_ull(&p[n++], "net.0.tx.pkts", 6);
    set_ull(&p[n++], "unknown.field", 1);
    set_bool(&p[n++], "stats.fresh", FALSE);
    set_ull(&p[n++], "stats.age", 1500);
    set_ull(&p[n++], "stats.monitor-unresponsive", 4000);

    vstats_vm_fill_from_params(vm, p, n);
    g_assert_cmpint(vm->state, ==, 1);
    g_assert_cmpint(vm->reason, ==, 2);
    g_assert_cmpint(vm->cpu_time_ns, ==, 123456789);
    g_assert_cmpint(vm->cpu_user_ns, ==, 1000);
    g_assert_cmpint(vm->cpu_system_ns, ==, 2000);
    g_assert_cmpint(vm->balloon.current_kib, ==, 1024);
    g_assert_cmpint(vm->balloon.maximum_kib, ==, 2048);
    g_assert_cmpint(vm->balloon.rss_kib, ==, 512);
    g_assert_cmpint(vm->balloon.usable_kib, ==, VSTATS_MISSING);
    g_assert_cmpint(vm->vcpu_current, ==, 2);
    g_assert_cmpuint(vm->n_blocks, ==, 2);
    g_assert_cmpint(vstats_vm_find_block(vm, "vda")->rd_bytes, ==, 11);
    g_assert_cmpint(vstats_vm_find_block(vm, "vda")->wr_times_ns, ==, 99);
    g_assert_cmpint(vstats_vm_find_block(vm, "vda")->capacity, ==, 1 << 20);
    g_assert_cmpint(vstats_vm_find_block(vm, "vda")->wr_bytes, ==, VSTATS_MISSING);
    g_assert_cmpint(vstats_vm_find_block(vm, "sdb")->rd_bytes, ==, 77);
    g_assert_cmpuint(vm->n_nets, ==, 1);
    g_assert_cmpint(vstats_vm_find_net(vm, "vnet7")->rx_bytes, ==, 5);
    g_assert_cmpint(vstats_vm_find_net(vm, "vnet7")->tx_pkts, ==, 6);
    g_assert_true(vm->has_daemon_freshness);
    g_assert_false(vm->fresh);
    g_assert_cmpint(vm->age_ms, ==, 1500);
    g_assert_cmpint(vm->monitor_unresponsive_ms, ==, 4000);
}

static void
test_params_odd(void)
{
    virTypedParameter p[8];
    char vda[] = "vda";
    int n = 0;
    g_autoptr(VstatsVm) vm = vstats_vm_new("x", "u");

    memset(p, 0, sizeof(p));
    /* A device without a name, a bogus index, a huge ullong. */
    set_ull(&p[n++], "block.3.rd.bytes", 1);
    set_ull(&p[n++], "block.x.rd.bytes", 2);
    set_ull(&p[n++], "cpu.time", G_MAXUINT64);
    set_str(&p[n++], "block.0.name", vda);
    vstats_vm_fill_from_params(vm, p, n);
    g_assert_nonnull(vstats_vm_find_block(vm, "#3"));
    g_assert_cmpint(vstats_vm_find_block(vm, "#3")->rd_bytes, ==, 1);
    g_assert_nonnull(vstats_vm_find_block(vm, "vda"));
    g_assert_cmpint(vm->cpu_time_ns, ==, VSTATS_MISSING);
    g_assert_false(vm->has_daemon_freshness);
    g_assert_true(vm->fresh);
}

static void
test_param_to_int64(void)
{
    virTypedParameter p;
    gint64 v;

    memset(&p, 0, sizeof(p));
    p.type = VIR_TYPED_PARAM_DOUBLE;
    p.value.d = 2.9;
    g_assert_true(vstats_param_to_int64(&p, &v));
    g_assert_cmpint(v, ==, 2);
    p.type = VIR_TYPED_PARAM_LLONG;
    p.value.l = -5;
    g_assert_true(vstats_param_to_int64(&p, &v));
    g_assert_cmpint(v, ==, -5);
    p.type = VIR_TYPED_PARAM_STRING;
    g_assert_false(vstats_param_to_int64(&p, &v));
}

static void
test_domain_xml(void)
{
    const char *xml =
        "<domain type='kvm'><name>x</name><devices>"
        "<disk type='file' device='disk'><source file='/a'/><target dev='vda' bus='virtio'/></disk>"
        "<disk type='file' device='cdrom'><target dev='sdb' bus='sata'/></disk>"
        "<interface type='bridge'><mac address='52:54:00:00:00:01'/><target dev='vnet3'/></interface>"
        "<graphics type='vnc'/></devices>"
        "<seclabel><target dev='nope'/></seclabel></domain>";
    g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) nets = g_ptr_array_new_with_free_func(g_free);

    g_assert_true(vstats_domain_xml_devices(xml, disks, nets));
    g_assert_cmpuint(disks->len, ==, 2);
    g_assert_cmpstr(disks->pdata[0], ==, "vda");
    g_assert_cmpstr(disks->pdata[1], ==, "sdb");
    g_assert_cmpuint(nets->len, ==, 1);
    g_assert_cmpstr(nets->pdata[0], ==, "vnet3");
    g_assert_false(vstats_domain_xml_devices("<domain><devices>", disks, nets));
}

static VstatsHttpParse
parse(const char *req, char **method, char **path)
{
    return vstats_http_parse_request(req, strlen(req), method, path);
}

static void
test_http_parse(void)
{
    static const char *const bad[] = {
        "garbage\r\n\r\n",
        "GET /metrics\r\n\r\n",
        "GET metrics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/2.0\r\n\r\n",
        "GET /met rics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nNoColonHere\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nX: a\nb\r\n\r\n",
        "\r\n\r\n",
    };
    char *method, *path;

    g_assert_cmpint(parse("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n",
                          &method, &path), ==, VSTATS_HTTP_OK);
    g_assert_cmpstr(method, ==, "GET");
    g_assert_cmpstr(path, ==, "/metrics");
    g_free(method);
    g_free(path);

    g_assert_cmpint(parse("GET /metrics HTTP/1.1\r\nHost:", &method, &path), ==,
                    VSTATS_HTTP_INCOMPLETE);
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("bad request %" G_GSIZE_FORMAT, i);
        g_assert_cmpint(parse(bad[i], &method, &path), ==, VSTATS_HTTP_BAD);
        g_assert_null(method);
    }
    /* Embedded NUL and oversize heads are rejected, not waited for. */
    g_assert_cmpint(vstats_http_parse_request("GET /\0 HTTP/1.1\r\n\r\n", 20, &method, &path),
                    ==, VSTATS_HTTP_BAD);
    {
        g_autofree char *big = g_strnfill(VSTATS_HTTP_MAX_REQUEST, 'a');
        g_assert_cmpint(parse(big, &method, &path), ==, VSTATS_HTTP_TOO_LARGE);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/typed-params/basic", test_params_basic);
    g_test_add_func("/typed-params/odd", test_params_odd);
    g_test_add_func("/typed-params/to-int64", test_param_to_int64);
    g_test_add_func("/domain-xml/devices", test_domain_xml);
    g_test_add_func("/http/parse", test_http_parse);
    return g_test_run();
}
