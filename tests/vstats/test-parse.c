/*
 * test-parse.c: parsers: bulk-stats typed parameters, the keys the series
 * adds to them (per-group freshness, the control state), domain XML
 * device names, and HTTP request heads.
 */
#include "vstats-private.h"
#include "typed-params.h"
#include "domain-xml.h"
#include "strategy.h"

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
test_params_basic(void)
{
    virTypedParameter p[40];
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
    /* The keys of the series' *Params calls. */
    set_int(&p[n++], "state.control.state", 2);
    set_int(&p[n++], "state.control.details", 0);
    set_ull(&p[n++], "state.control.time", 4000);
    set_int(&p[n++], "block.fresh", 0);
    set_ull(&p[n++], "block.age", 1500);
    set_int(&p[n++], "net.fresh", 1);

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
    /* The series' keys are the deadline strategy's to read
     * (strategy-deadline.c), not the generic parser's: no device named
     * "fresh", no state from state.control.state. */
    g_assert_cmpuint(vm->n_blocks, ==, 2);
    g_assert_cmpuint(vm->n_nets, ==, 1);
    g_assert_false(vm->has_daemon_freshness);
    g_assert_true(vm->fresh);
    g_assert_cmpint(vm->age_ms, ==, 0);
    g_assert_cmpint(vm->monitor_unresponsive_ms, ==, 0);
}

/* ---- the series' keys: fixtures of records of a patched daemon ---- */

typedef struct {
    const char *name;
    int type;               /* VIR_TYPED_PARAM_INT or _ULLONG */
    unsigned long long value;
} Key;

#define STATS_USED (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | \
                    VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU | \
                    VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK)
#define RECV_US (1000 * G_USEC_PER_SEC)

static int
fixture(virTypedParameter *p, const Key *keys)
{
    int n = 0;

    for (; keys[n].name; n++) {
        if (keys[n].type == VIR_TYPED_PARAM_INT)
            set_int(&p[n], keys[n].name, (int) keys[n].value);
        else
            set_ull(&p[n], keys[n].name, keys[n].value);
    }
    return n;
}

/* A VstatsVm of the fixture as the deadline strategy sees it: filled by
 * the generic parser, stamped with RECV_US, then annotated. */
static VstatsVm *
annotated(const Key *keys, unsigned int stats, gboolean *full)
{
    virTypedParameter p[64];
    int n;
    VstatsVm *vm = vstats_vm_new("x", "u");

    memset(p, 0, sizeof(p));
    n = fixture(p, keys);
    vstats_vm_fill_from_params(vm, p, n);
    vm->sample_time_us = RECV_US;
    *full = vstats_deadline_annotate(vm, p, n, stats);
    return vm;
}

#define I(n, v) { n, VIR_TYPED_PARAM_INT, v }
#define U(n, v) { n, VIR_TYPED_PARAM_ULLONG, v }

static void
test_deadline_all_fresh(void)
{
    const Key keys[] = {
        I("state.state", 1), I("state.reason", 1),
        I("state.control.state", 0), I("state.control.details", 0),
        U("state.control.time", 0),
        I("state.fresh", 1), U("state.age", 0),
        U("cpu.time", 5000), I("cpu.fresh", 1), U("cpu.age", 2),
        U("balloon.rss", 100), I("balloon.fresh", 1), U("balloon.age", 3),
        I("vcpu.current", 1), I("vcpu.fresh", 1), U("vcpu.age", 2),
        I("net.count", 0), I("net.fresh", 1), U("net.age", 1),
        I("block.count", 0), I("block.fresh", 1), U("block.age", 4),
        { NULL, 0, 0 },
    };
    gboolean full = FALSE;
    g_autoptr(VstatsVm) vm = annotated(keys, STATS_USED, &full);

    g_assert_true(full);
    g_assert_true(vm->has_daemon_freshness);
    g_assert_true(vm->fresh);
    /* The oldest group's age, and the sample dated by it. */
    g_assert_cmpint(vm->age_ms, ==, 4);
    g_assert_cmpint(vm->sample_time_us, ==, RECV_US - 4000);
    g_assert_cmpint(vm->monitor_unresponsive_ms, ==, 0);
    g_assert_cmpint(vm->cpu_time_ns, ==, 5000);
}

/* The example of the series' documentation: QEMU did not answer within
 * the deadline, CACHED gave the last complete collection of each group
 * that needs it; state and net (host counters) are fresh. */
static void
test_deadline_cached(void)
{
    const Key keys[] = {
        I("state.state", 1), I("state.reason", 1),
        I("state.control.state", 2), I("state.control.details", 0),
        U("state.control.time", 4210),
        I("state.fresh", 1), U("state.age", 0),
        U("cpu.time", 5000), I("cpu.fresh", 0), U("cpu.age", 15100),
        I("net.count", 0), I("net.fresh", 1), U("net.age", 0),
        I("block.count", 1), U("block.0.rd.bytes", 123456789),
        I("block.fresh", 0), U("block.age", 15170),
        { NULL, 0, 0 },
    };
    unsigned int stats = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
                         VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
    gboolean full = FALSE;
    g_autoptr(VstatsVm) vm = annotated(keys, stats, &full);

    g_assert_true(full); /* earlier values, but values */
    g_assert_true(vm->has_daemon_freshness);
    g_assert_false(vm->fresh);
    g_assert_cmpint(vm->age_ms, ==, 15170);
    g_assert_cmpint(vm->sample_time_us, ==, RECV_US - 15170 * 1000);
    /* VIR_DOMAIN_CONTROL_OCCUPIED for 4210 ms: the monitor's silence. */
    g_assert_cmpint(vm->monitor_unresponsive_ms, ==, 4210);
    g_assert_cmpint(vm->blocks[0].rd_bytes, ==, 123456789);
}

/* A group needing QEMU that was never collected in full: only its
 * job-free part (no counters), not fresh, no age.  No full answer. */
static void
test_deadline_partial(void)
{
    const Key keys[] = {
        I("state.state", 3), I("state.fresh", 1), U("state.age", 0),
        I("state.control.state", 2), U("state.control.time", 800),
        I("block.count", 1), I("block.fresh", 0),
        I("cpu.fresh", 1), U("cpu.age", 7),
        { NULL, 0, 0 },
    };
    gboolean full = TRUE;
    g_autoptr(VstatsVm) vm = annotated(keys, STATS_USED, &full);
    g_autoptr(VstatsVm) other = NULL;

    g_assert_false(full);
    g_assert_false(vm->fresh);
    g_assert_cmpint(vm->age_ms, ==, 7);
    /* The same record, the block group not asked for: fresh. */
    other = annotated(keys, STATS_USED & ~VIR_DOMAIN_STATS_BLOCK, &full);
    g_assert_true(full);
    g_assert_true(other->fresh);
}

/* VIR_DOMAIN_CONTROL_ERROR (time 0): QEMU out of reach, unresponsive for
 * as long as its values are old. */
static void
test_deadline_control_error(void)
{
    const Key keys[] = {
        I("state.state", 1), I("state.fresh", 1), U("state.age", 0),
        I("state.control.state", 3), I("state.control.details", 1),
        U("state.control.time", 0),
        I("balloon.fresh", 0), U("balloon.age", 9000),
        { NULL, 0, 0 },
    };
    gboolean full = FALSE;
    g_autoptr(VstatsVm) vm = annotated(keys, STATS_USED, &full);

    g_assert_true(full);
    g_assert_false(vm->fresh);
    g_assert_cmpint(vm->monitor_unresponsive_ms, ==, 9000);
}

/* A shut off domain has no QEMU to wait for; a record without the
 * series' keys (a call without Params) is left alone. */
static void
test_deadline_odd(void)
{
    const Key shutoff[] = {
        I("state.state", 5), I("state.fresh", 1), U("state.age", 0),
        I("block.count", 1), I("block.fresh", 0),
        { NULL, 0, 0 },
    };
    const Key plain[] = {
        I("state.state", 1), U("cpu.time", 5), I("state.control.state", 2),
        U("state.control.time", 100),
        /* a prefix vstats does not know, and a bogus value */
        I("perf.fresh", 0), { "cpu.fresh", VIR_TYPED_PARAM_ULLONG, G_MAXUINT64 },
        { NULL, 0, 0 },
    };
    gboolean full = FALSE;
    g_autoptr(VstatsVm) off = annotated(shutoff, STATS_USED, &full);
    g_autoptr(VstatsVm) vm = NULL;

    g_assert_true(full);
    g_assert_true(off->fresh);
    g_assert_true(off->has_daemon_freshness);

    vm = annotated(plain, STATS_USED, &full);
    g_assert_true(full);
    g_assert_false(vm->has_daemon_freshness);
    g_assert_true(vm->fresh);
    g_assert_cmpint(vm->sample_time_us, ==, RECV_US);
    g_assert_cmpint(vm->monitor_unresponsive_ms, ==, 0);
}

static void
test_control(void)
{
    const struct {
        Key keys[3];
        gboolean has;
        gint64 ms;
    } cases[] = {
        { { U("cpu.time", 1), { NULL, 0, 0 } }, FALSE, 0 },
        { { I("state.control.state", 0), U("state.control.time", 0), { NULL, 0, 0 } }, TRUE, 0 },
        /* a background job: the monitor answers */
        { { I("state.control.state", 1), U("state.control.time", 5000), { NULL, 0, 0 } }, TRUE, 0 },
        { { U("state.control.time", 4210), I("state.control.state", 2), { NULL, 0, 0 } }, TRUE, 4210 },
        { { I("state.control.state", 3), U("state.control.time", 0), { NULL, 0, 0 } }, TRUE, -1 },
        /* no time: 0 */
        { { I("state.control.state", 2), { NULL, 0, 0 } }, TRUE, 0 },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        virTypedParameter p[4];
        gint64 ms = 12345;
        int n;

        memset(p, 0, sizeof(p));
        n = fixture(p, cases[i].keys);
        g_assert_cmpint(vstats_control_unresponsive_ms(p, n, &ms), ==, cases[i].has);
        if (cases[i].has)
            g_assert_cmpint(ms, ==, cases[i].ms);
    }
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
    g_test_add_func("/series-keys/all-fresh", test_deadline_all_fresh);
    g_test_add_func("/series-keys/cached", test_deadline_cached);
    g_test_add_func("/series-keys/partial", test_deadline_partial);
    g_test_add_func("/series-keys/control-error", test_deadline_control_error);
    g_test_add_func("/series-keys/odd", test_deadline_odd);
    g_test_add_func("/series-keys/control", test_control);
    g_test_add_func("/domain-xml/devices", test_domain_xml);
    g_test_add_func("/parse/domain-xml-bridges", test_domain_xml_bridges);
    return g_test_run();
}
