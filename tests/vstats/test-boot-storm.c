/*
 * test-boot-storm.c: the boot storm engine against libvirt's in-process
 * test driver.  Each test opens its own test:///default, whose domains
 * exist only within that connection, so counts are checked on it.
 */
#include "vstats.h"
#include "boot-storm.h"
#include "boot-template.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#define TEMPLATE \
    "<domain type='test'><name>@NAME@</name><uuid>@UUID@</uuid>" \
    "<memory unit='MiB'>32</memory><vcpu>1</vcpu>" \
    "<os><type arch='x86_64'>hvm</type></os></domain>"

static guint
count_prefixed(virConnectPtr conn, const char *prefix)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    guint found = 0;

    g_assert_cmpint(n, >=, 0);
    for (int i = 0; i < n; i++) {
        if (g_str_has_prefix(virDomainGetName(doms[i]), prefix))
            found++;
        virDomainFree(doms[i]);
    }
    free(doms);
    return found;
}

typedef struct {
    gint in_flight, max_in_flight, calls;
} Counter;

/* Counts creations in flight; the sleep makes them overlap. */
static virDomainPtr
counting_create(virConnectPtr conn, const char *xml, unsigned int flags, gpointer data)
{
    Counter *c = data;
    gint now = g_atomic_int_add(&c->in_flight, 1) + 1;
    gint seen;
    virDomainPtr dom;

    while ((seen = g_atomic_int_get(&c->max_in_flight)) < now &&
           !g_atomic_int_compare_and_exchange(&c->max_in_flight, seen, now))
        ;
    g_atomic_int_inc(&c->calls);
    g_usleep(2000);
    dom = virDomainCreateXML(conn, xml, flags);
    g_atomic_int_add(&c->in_flight, -1);
    return dom;
}

static VstatsBootStorm *
storm_new(virConnectPtr conn, guint count, guint k, const char *template_xml,
          Counter *counter)
{
    VstatsBootStormConfig config = {
        .count = count, .concurrency = k, .prefix = "bs-", .template_xml = template_xml,
        .create = counter ? counting_create : NULL, .create_data = counter,
    };
    return vstats_boot_storm_new(conn, &config);
}

static void
test_creates_exactly_n(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    VstatsBootStorm *storm = storm_new(conn, 25, 5, TEMPLATE, NULL);
    const VstatsBootStats *st;

    g_assert_true(vstats_boot_storm_run(storm));
    st = vstats_boot_storm_get_stats(storm);
    g_assert_cmpuint(st->succeeded, ==, 25);
    g_assert_cmpuint(st->failed, ==, 0);
    g_assert_cmpfloat(st->p50_ms, <=, st->p95_ms);
    g_assert_cmpfloat(st->p95_ms, <=, st->max_ms);
    g_assert_cmpstr(vstats_boot_storm_get_vm(storm, 24)->name, ==, "bs-0025");
    /* Kept: they outlive the storm... */
    vstats_boot_storm_release(storm);
    vstats_boot_storm_free(storm);
    g_assert_cmpuint(count_prefixed(conn, "bs-"), ==, 25);
    /* ...and without keeping, freeing the storm destroys them. */
    for (guint i = 1; i <= 25; i++) {
        g_autofree char *name = g_strdup_printf("bs-%04u", i);
        virDomainPtr dom = virDomainLookupByName(conn, name);
        g_assert_nonnull(dom);
        virDomainDestroy(dom);
        virDomainFree(dom);
    }
    storm = storm_new(conn, 10, 3, TEMPLATE, NULL);
    g_assert_true(vstats_boot_storm_run(storm));
    g_assert_cmpuint(count_prefixed(conn, "bs-"), ==, 10);
    vstats_boot_storm_free(storm);
    g_assert_cmpuint(count_prefixed(conn, "bs-"), ==, 0);
    virConnectClose(conn);
}

/* A template broken for some VMs only: those fail with libvirt's message,
 * and destroying afterwards leaves nothing of the storm behind. */
static void
test_failure_leaves_nothing(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    g_autofree char *broken = NULL;
    VstatsBootStorm *storm;
    const VstatsBootStats *st;
    guint failed = 0;

    broken = g_strdup("<domain type='test'><name>@NAME@</name><uuid>@UUID@</uuid>"
                      "<memory unit='MiB'>32</memory><vcpu>1</vcpu>"
                      "<os><type arch='x86_64'>hvm</type></os><devices>"
                      "<disk type='bogus'/></devices></domain>");
    storm = storm_new(conn, 8, 4, broken, NULL);
    g_assert_false(vstats_boot_storm_run(storm));
    st = vstats_boot_storm_get_stats(storm);
    g_assert_cmpuint(st->failed, ==, 8);
    for (guint i = 0; i < 8; i++) {
        const VstatsBootVm *vm = vstats_boot_storm_get_vm(storm, i);
        g_assert_false(vm->ok);
        g_assert_nonnull(vm->error);
        g_assert_nonnull(strstr(vm->error, "bogus"));
        failed++;
    }
    g_assert_cmpuint(failed, ==, 8);
    vstats_boot_storm_free(storm);

    /* Mixed: a name already taken fails that VM only; the rest were
     * created and must all go when the storm is destroyed.  The domain
     * that was there before is not ours and stays. */
    {
        g_autofree char *xml = vstats_boot_template_expand(TEMPLATE, "bs-0003",
                                                           "11111111-2222-3333-4444-555555555555", 3);
        virDomainPtr other = virDomainCreateXML(conn, xml, 0);
        g_assert_nonnull(other);
        storm = storm_new(conn, 6, 2, TEMPLATE, NULL);
        g_assert_false(vstats_boot_storm_run(storm));
        st = vstats_boot_storm_get_stats(storm);
        g_assert_cmpuint(st->failed, ==, 1);
        g_assert_false(vstats_boot_storm_get_vm(storm, 2)->ok);
        g_assert_cmpuint(count_prefixed(conn, "bs-"), ==, 6);
        g_assert_cmpuint(vstats_boot_storm_destroy_all(storm), ==, 0);
        g_assert_cmpuint(count_prefixed(conn, "bs-"), ==, 1);
        vstats_boot_storm_free(storm);
        virDomainDestroy(other);
        virDomainFree(other);
    }
    virConnectClose(conn);
}

static void
test_limit_respected(void)
{
    const guint limits[] = { 1, 3, 7 };

    for (guint i = 0; i < G_N_ELEMENTS(limits); i++) {
        virConnectPtr conn = virConnectOpen("test:///default");
        Counter counter = { 0 };
        VstatsBootStorm *storm = storm_new(conn, 30, limits[i], TEMPLATE, &counter);

        g_assert_true(vstats_boot_storm_run(storm));
        g_assert_cmpint(counter.calls, ==, 30);
        g_assert_cmpint(counter.max_in_flight, <=, (gint) limits[i]);
        g_assert_cmpuint(vstats_boot_storm_get_stats(storm)->max_in_flight, <=, limits[i]);
        vstats_boot_storm_free(storm);
        g_assert_cmpuint(count_prefixed(conn, "bs-"), ==, 0);
        virConnectClose(conn);
    }
}

/* Auto starts from the host's CPUs (the test driver has 16: 32, capped
 * at the count); the storm reports the limits it used. */
static void
test_auto_trajectory(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    Counter counter = { 0 };
    VstatsBootStorm *storm = storm_new(conn, 60, 0, TEMPLATE, &counter);
    const GArray *traj;

    g_assert_true(vstats_boot_storm_run(storm));
    traj = vstats_boot_storm_get_trajectory(storm);
    g_assert_nonnull(traj);
    g_assert_cmpuint(traj->len, >=, 1);
    g_assert_cmpuint(g_array_index(traj, VstatsConcurrencyStep, 0).limit, ==,
                     MIN(vstats_concurrency_auto_initial_limit(16), 60));
    g_assert_cmpint(counter.calls, ==, 60);
    vstats_boot_storm_free(storm);
    g_assert_cmpuint(count_prefixed(conn, "bs-"), ==, 0);
    virConnectClose(conn);
}

/* Cancelled before it starts: nothing is created. */
static void
test_cancel(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    VstatsBootStorm *storm = storm_new(conn, 10, 2, TEMPLATE, NULL);

    vstats_boot_storm_cancel(storm);
    g_assert_false(vstats_boot_storm_run(storm));
    g_assert_true(vstats_boot_storm_get_stats(storm)->cancelled);
    g_assert_cmpuint(vstats_boot_storm_get_stats(storm)->attempted, ==, 0);
    vstats_boot_storm_free(storm);
    g_assert_cmpuint(count_prefixed(conn, "bs-"), ==, 0);
    virConnectClose(conn);
}

static void
test_template(void)
{
    g_autofree char *xml = vstats_boot_template_expand("<n>@NAME@</n><u>@UUID@</u><i>@INDEX@</i>@NAME@",
                                                       "a&b", "u-1", 7);
    g_autofree char *th = vstats_boot_template_testhost("/tmp/x", FALSE);
    g_autofree char *dir = g_dir_make_tmp("boot-storm-XXXXXX", NULL);
    g_autofree char *img = g_build_filename(dir, "t.img", NULL);
    g_autofree char *data = NULL;
    gsize len;

    g_assert_cmpstr(xml, ==, "<n>a&amp;b</n><u>u-1</u><i>7</i>a&amp;b");
    g_assert_nonnull(strstr(th, "<domain type='qemu'>"));
    g_assert_nonnull(strstr(th, "/tmp/x/@NAME@.img"));
    g_assert_nonnull(strstr(th, "<memory unit='MiB'>32</memory>"));
    g_assert_true(vstats_boot_image_write(img, NULL));
    g_assert_true(g_file_get_contents(img, &data, &len, NULL));
    g_assert_cmpuint(len, ==, 1024 * 1024);
    g_assert_cmpint((unsigned char) data[0], ==, 0xfa);
    g_assert_cmpint((unsigned char) data[510], ==, 0x55);
    g_assert_cmpint((unsigned char) data[511], ==, 0xaa);
    g_unlink(img);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_true(vstats_init(VSTATS_INIT_ERROR_HANDLER, NULL));
    g_test_add_func("/boot-storm/creates-exactly-n", test_creates_exactly_n);
    g_test_add_func("/boot-storm/failure-leaves-nothing", test_failure_leaves_nothing);
    g_test_add_func("/boot-storm/limit-respected", test_limit_respected);
    g_test_add_func("/boot-storm/auto-trajectory", test_auto_trajectory);
    g_test_add_func("/boot-storm/cancel", test_cancel);
    g_test_add_func("/boot-storm/template", test_template);
    return g_test_run();
}
