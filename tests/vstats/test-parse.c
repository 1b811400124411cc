/*
 * test-parse.c: parsers: bulk-stats typed parameters, domain XML device
 * names, and HTTP request heads.
 */
#include "vstats-private.h"
#include "typed-params.h"
#include "domain-xml.h"

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
    char vda[] = "vda", sdb[] = "sdb", vnet[] = "vnet7", path[] = "/img/x.raw";
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
    set_str(&p[n++], "block.0.path", path);
    set_int(&p[n++], "vcpu.1.state", 1);
    set_ull(&p[n++], "vcpu.1.time", 700);
    set_ull(&p[n++], "vcpu.1.wait", 70);
    set_ull(&p[n++], "vcpu.1.delay", 7);
    set_ull(&p[n++], "vcpu.1.halt_wakeup.sum", 3);
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
    g_assert_cmpstr(vstats_vm_find_block(vm, "vda")->path, ==, "/img/x.raw");
    g_assert_null(vstats_vm_find_block(vm, "sdb")->path);
    g_assert_cmpuint(vm->n_vcpus, ==, 1);
    g_assert_cmpuint(vm->vcpus[0].id, ==, 1);
    g_assert_cmpint(vm->vcpus[0].state, ==, 1);
    g_assert_cmpint(vm->vcpus[0].time_ns, ==, 700);
    g_assert_cmpint(vm->vcpus[0].wait_ns, ==, 70);
    g_assert_cmpint(vm->vcpus[0].delay_ns, ==, 7);
    g_assert_cmpuint(vm->n_nets, ==, 1);
    g_assert_cmpint(vstats_vm_find_net(vm, "vnet7")->rx_bytes, ==, 5);
    g_assert_cmpint(vstats_vm_find_net(vm, "vnet7")->tx_pkts, ==, 6);
    /* The series' freshness fields are the deadline strategy's to read
     * (strategy-deadline.c), not the generic parser's. */
    g_assert_false(vm->has_daemon_freshness);
    g_assert_true(vm->fresh);
    g_assert_cmpint(vm->age_ms, ==, 0);
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

static void
test_domain_xml_bridges(void)
{
    const char *xml =
        "<domain type='kvm'><name>x</name><devices>"
        "<interface type='bridge'><source bridge='br0'/><target dev='vnet3'/></interface>"
        "<interface type='ethernet'><target dev='tap9'/><model type='virtio'/></interface>"
        "<interface type='network'><source network='default' bridge='virbr0'/>"
        "<target dev='vnet4'/></interface>"
        "<disk type='file'><source file='/a' bridge='no'/><target dev='vda'/></disk>"
        "</devices></domain>";
    g_autoptr(GHashTable) map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    g_assert_true(vstats_domain_xml_bridges(xml, map));
    g_assert_cmpuint(g_hash_table_size(map), ==, 3);
    g_assert_cmpstr(g_hash_table_lookup(map, "vnet3"), ==, "br0");
    g_assert_cmpstr(g_hash_table_lookup(map, "tap9"), ==, "");
    g_assert_cmpstr(g_hash_table_lookup(map, "vnet4"), ==, "virbr0");
    g_assert_false(vstats_domain_xml_bridges("<domain><devices><interface>", map));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/typed-params/basic", test_params_basic);
    g_test_add_func("/typed-params/odd", test_params_odd);
    g_test_add_func("/typed-params/to-int64", test_param_to_int64);
    g_test_add_func("/domain-xml/devices", test_domain_xml);
    g_test_add_func("/parse/domain-xml-bridges", test_domain_xml_bridges);
    return g_test_run();
}
