/*
 * bad-input: bad arguments to the deadline calls of the series
 * (virConnectGetAllDomainStatsTimeout, virDomainListGetStatsTimeout,
 * virDomainGetBlockInfoTimeout) against a live daemon.
 *
 *   bad-input URI DOMAIN [DISK]
 *
 * One "PASS: ..." or "FAIL: ..." line per case, saying what the call
 * returned (count, error code and message, time taken); exit status 1 if
 * any case failed.  Built against a libvirt without the calls, it prints a
 * SKIP line and exits 0.
 */
#include "config.h"

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#if defined(HAVE_VIR_CONNECT_GET_ALL_DOMAIN_STATS_TIMEOUT) && \
    defined(HAVE_VIR_DOMAIN_LIST_GET_STATS_TIMEOUT) && \
    defined(HAVE_VIR_DOMAIN_GET_BLOCK_INFO_TIMEOUT)

/* src/remote/remote_protocol.x: the longest domain list one RPC carries.
 * Not in the public headers, so it is repeated here. */
# define REMOTE_DOMAIN_LIST_MAX 16384

/* Not a bit of virConnectGetAllDomainStatsFlags (1 << 0..7 filter the
 * domain list, 29..31 are NOWAIT, BACKING and ENFORCE_STATS). */
# define UNKNOWN_FLAG (1U << 20)
/* Not a group of virDomainStatsTypes (the last one is 1 << 11). */
# define UNKNOWN_STATS (1U << 30)

static int failures;

static void
result(gboolean ok, const char *what, const char *got)
{
    printf("%s: %s: %s\n", ok ? "PASS" : "FAIL", what, got);
    fflush(stdout);
    if (!ok)
        failures++;
}

static const char *
code_name(int code)
{
    switch (code) {
# define CODE(c) case c: return #c
    CODE(VIR_ERR_OK);
    CODE(VIR_ERR_INTERNAL_ERROR);
    CODE(VIR_ERR_NO_SUPPORT);
    CODE(VIR_ERR_INVALID_CONN);
    CODE(VIR_ERR_INVALID_DOMAIN);
    CODE(VIR_ERR_INVALID_ARG);
    CODE(VIR_ERR_OPERATION_FAILED);
    CODE(VIR_ERR_NO_DOMAIN);
    CODE(VIR_ERR_RPC);
    CODE(VIR_ERR_OPERATION_DENIED);
    CODE(VIR_ERR_OPERATION_INVALID);
    CODE(VIR_ERR_ARGUMENT_UNSUPPORTED);
    CODE(VIR_ERR_OPERATION_TIMEOUT);
    CODE(VIR_ERR_OPERATION_UNSUPPORTED);
# undef CODE
    default: return "VIR_ERR_?";
    }
}

/* What a failed call left behind, for the report line. */
static char *
describe_error(void)
{
    virErrorPtr err = virGetLastError();

    if (!err)
        return g_strdup("no error set");
    return g_strdup_printf("%s (%d): %s", code_name(err->code), err->code,
                           err->message ? err->message : "(no message)");
}

/* A call that must fail with @code. */
static void
expect_error(const char *what, int rc, int code)
{
    virErrorPtr err = virGetLastError();
    g_autofree char *desc = describe_error();
    g_autofree char *got = NULL;

    if (rc >= 0)
        got = g_strdup_printf("returned %d, expected %s", rc, code_name(code));
    else
        got = g_strdup_printf("returned %d, %s", rc, desc);
    result(rc < 0 && err && err->code == code, what, got);
}

static gint64
elapsed_ms(gint64 start_us)
{
    return (g_get_monotonic_time() - start_us) / 1000;
}

static gboolean
record_has(virDomainStatsRecordPtr rec, const char *name)
{
    for (int i = 0; i < rec->nparams; i++) {
        if (strcmp(rec->params[i].field, name) == 0)
            return TRUE;
    }
    return FALSE;
}

/* How many records say stats.fresh=true. */
static int
count_fresh(virDomainStatsRecordPtr *recs, int n)
{
    int fresh = 0;

    for (int i = 0; i < n; i++) {
        int val = 0;
        if (virTypedParamsGetBoolean(recs[i]->params, recs[i]->nparams,
                                     "stats.fresh", &val) == 1 && val)
            fresh++;
    }
    return fresh;
}

/* A call that must succeed with @want records (any count if @want < 0),
 * within @max_ms, each record carrying the field @must_have. */
static void
expect_records(const char *what, int rc, virDomainStatsRecordPtr *recs,
               int want, gint64 ms, gint64 max_ms, const char *must_have)
{
    g_autofree char *got = NULL;
    gboolean ok = rc >= 0 && (want < 0 || rc == want) && ms < max_ms;
    int with_field = 0;

    if (rc < 0) {
        g_autofree char *desc = describe_error();
        got = g_strdup_printf("returned -1 in %" G_GINT64_FORMAT " ms, %s", ms, desc);
        result(FALSE, what, got);
        return;
    }
    for (int i = 0; i < rc; i++)
        with_field += record_has(recs[i], must_have);
    ok = ok && with_field == rc;
    got = g_strdup_printf("%d records (expected %d) in %" G_GINT64_FORMAT
                          " ms (limit %" G_GINT64_FORMAT "), %d with %s, %d fresh",
                          rc, want, ms, max_ms, with_field, must_have,
                          count_fresh(recs, rc));
    result(ok, what, got);
}

/* Stats of all domains through the connection call. */
static void
case_all(virConnectPtr conn, const char *what, unsigned int stats, int timeout,
         unsigned int flags, int want, gint64 max_ms, const char *must_have)
{
    virDomainStatsRecordPtr *recs = NULL;
    gint64 start = g_get_monotonic_time();
    int rc = virConnectGetAllDomainStatsTimeout(conn, stats, timeout, &recs, flags);

    expect_records(what, rc, recs, want, elapsed_ms(start), max_ms, must_have);
    if (rc >= 0)
        virDomainStatsRecordListFree(recs);
}

/* Stats of one domain through the list call. */
static void
case_list(virDomainPtr dom, const char *what, unsigned int stats, int timeout,
          unsigned int flags, gint64 max_ms, const char *must_have)
{
    virDomainPtr doms[] = { dom, NULL };
    virDomainStatsRecordPtr *recs = NULL;
    gint64 start = g_get_monotonic_time();
    int rc = virDomainListGetStatsTimeout(doms, stats, timeout, &recs, flags);

    expect_records(what, rc, recs, 1, elapsed_ms(start), max_ms, must_have);
    if (rc >= 0)
        virDomainStatsRecordListFree(recs);
}

static int
all_error(virConnectPtr conn, unsigned int stats, int timeout, unsigned int flags)
{
    virDomainStatsRecordPtr *recs = NULL;
    int rc = virConnectGetAllDomainStatsTimeout(conn, stats, timeout, &recs, flags);

    if (rc >= 0)
        virDomainStatsRecordListFree(recs);
    return rc;
}

static int
list_error(virDomainPtr *doms, unsigned int stats, int timeout, unsigned int flags)
{
    virDomainStatsRecordPtr *recs = NULL;
    int rc = virDomainListGetStatsTimeout(doms, stats, timeout, &recs, flags);

    if (rc >= 0)
        virDomainStatsRecordListFree(recs);
    return rc;
}

static void
stats_timeouts(virConnectPtr conn, virDomainPtr dom, int ndomains)
{
    virDomainPtr one[] = { dom, NULL };

    expect_error("all domains, timeout -1: VIR_ERR_INVALID_ARG",
                 all_error(conn, 0, -1, 0), VIR_ERR_INVALID_ARG);
    expect_error("domain list, timeout -1: VIR_ERR_INVALID_ARG",
                 list_error(one, 0, -1, 0), VIR_ERR_INVALID_ARG);
    expect_error("all domains, timeout INT_MIN: VIR_ERR_INVALID_ARG",
                 all_error(conn, 0, INT_MIN, 0), VIR_ERR_INVALID_ARG);

    /* 0: no waiting for QEMU or a job, a record per domain at once. */
    case_all(conn, "all domains, timeout 0: every record, at once", 0, 0, 0,
             ndomains, 1000, "stats.fresh");
    case_list(dom, "domain list, timeout 0: the record, at once", 0, 0, 0,
              1000, "stats.fresh");

    /* A deadline far away costs nothing when every domain answers: the
     * call returns when the collections are done, not at the deadline. */
    case_all(conn, "all domains, timeout INT_MAX, healthy domains: returns without waiting",
             0, INT_MAX, 0, ndomains, 5000, "stats.fresh");
    case_list(dom, "domain list, timeout INT_MAX, healthy domain: returns without waiting",
              0, INT_MAX, 0, 5000, "stats.fresh");
}

static void
stats_groups(virConnectPtr conn, virDomainPtr dom, int ndomains)
{
    virDomainPtr one[] = { dom, NULL };
    unsigned int stats = VIR_DOMAIN_STATS_STATE | UNKNOWN_STATS;

    /* Unknown groups are dropped, known ones still answered. */
    case_all(conn, "all domains, unknown stats bit 1<<30 without ENFORCE_STATS: ignored",
             stats, 2000, 0, ndomains, 5000, "state.state");
    case_list(dom, "domain list, unknown stats bit 1<<30 without ENFORCE_STATS: ignored",
              stats, 2000, 0, 5000, "state.state");
    expect_error("all domains, unknown stats bit 1<<30 with ENFORCE_STATS: VIR_ERR_ARGUMENT_UNSUPPORTED",
                 all_error(conn, stats, 2000, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS),
                 VIR_ERR_ARGUMENT_UNSUPPORTED);
    expect_error("domain list, unknown stats bit 1<<30 with ENFORCE_STATS: VIR_ERR_ARGUMENT_UNSUPPORTED",
                 list_error(one, stats, 2000, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS),
                 VIR_ERR_ARGUMENT_UNSUPPORTED);

    expect_error("all domains, unknown flag 1<<20: VIR_ERR_INVALID_ARG",
                 all_error(conn, 0, 1000, UNKNOWN_FLAG), VIR_ERR_INVALID_ARG);
    expect_error("domain list, unknown flag 1<<20: VIR_ERR_INVALID_ARG",
                 list_error(one, 0, 1000, UNKNOWN_FLAG), VIR_ERR_INVALID_ARG);
}

static void
stats_lists(const char *uri, virConnectPtr conn, virDomainPtr dom, int ndomains)
{
    virDomainPtr empty[] = { NULL };
    virConnectPtr other = NULL;
    virDomainPtr dom2 = NULL;
    g_autofree virDomainPtr *many = NULL;
    g_autofree char *got = NULL;
    g_autofree char *desc = NULL;
    int rc;

    expect_error("domain list NULL: VIR_ERR_INVALID_ARG",
                 list_error(NULL, 0, 1000, 0), VIR_ERR_INVALID_ARG);
    expect_error("empty domain list: VIR_ERR_INVALID_ARG",
                 list_error(empty, 0, 1000, 0), VIR_ERR_INVALID_ARG);

    if (!(other = virConnectOpen(uri)) ||
        !(dom2 = virDomainLookupByName(other, virDomainGetName(dom)))) {
        desc = describe_error();
        result(FALSE, "second connection for the mixed list", desc);
    } else {
        virDomainPtr mixed[] = { dom, dom2, NULL };
        expect_error("domains of two connections in one list: VIR_ERR_INVALID_ARG",
                     list_error(mixed, 0, 1000, 0), VIR_ERR_INVALID_ARG);
    }
    if (dom2)
        virDomainFree(dom2);
    if (other)
        virConnectClose(other);

    /* One past what the RPC carries: the same domain, many times. */
    many = g_new0(virDomainPtr, REMOTE_DOMAIN_LIST_MAX + 2);
    for (size_t i = 0; i < REMOTE_DOMAIN_LIST_MAX + 1; i++)
        many[i] = dom;
    rc = list_error(many, VIR_DOMAIN_STATS_STATE, 1000, 0);
    g_free(desc);
    desc = describe_error();
    got = g_strdup_printf("returned %d, %s", rc, desc);
    result(rc < 0 && virGetLastError() && virGetLastError()->message,
           "domain list of REMOTE_DOMAIN_LIST_MAX + 1 (16385): a clean error", got);
    result(virConnectIsAlive(conn) == 1,
           "... the connection is still alive afterwards", "virConnectIsAlive");
    case_all(conn, "... and still answers the deadline call", 0, 2000, 0,
             ndomains, 5000, "stats.fresh");
}

static void
block_info(virDomainPtr dom, const char *disk)
{
    virDomainBlockInfo info;
    g_autofree char *got = NULL;
    g_autofree char *desc = NULL;
    int rc;

    rc = virDomainGetBlockInfoTimeout(dom, "vdz", &info, 2000, 0);
    desc = describe_error();
    got = g_strdup_printf("returned %d, %s", rc, desc);
    result(rc < 0 && virGetLastError() && virGetLastError()->message &&
           strstr(virGetLastError()->message, "vdz"),
           "block info of an unknown disk vdz: an error naming it", got);

    expect_error("block info, timeout 0: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoTimeout(dom, disk, &info, 0, 0),
                 VIR_ERR_INVALID_ARG);
    expect_error("block info, timeout -5: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoTimeout(dom, disk, &info, -5, 0),
                 VIR_ERR_INVALID_ARG);
    expect_error("block info, unknown flag 1: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoTimeout(dom, disk, &info, 2000, 1),
                 VIR_ERR_INVALID_ARG);
    expect_error("block info, disk NULL: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoTimeout(dom, NULL, &info, 2000, 0),
                 VIR_ERR_INVALID_ARG);

    rc = virDomainGetBlockInfoTimeout(dom, disk, &info, 5000, 0);
    g_free(got);
    g_free(desc);
    desc = describe_error();
    got = rc < 0 ? g_strdup_printf("returned %d, %s", rc, desc) :
        g_strdup_printf("capacity %llu, allocation %llu, physical %llu",
                        info.capacity, info.allocation, info.physical);
    result(rc == 0 && info.capacity > 0, "block info of a healthy disk, timeout 5000", got);
}

/* Statistics need no write access, neither do the new calls. */
static void
read_only(const char *uri, const char *domain, const char *disk, int ndomains)
{
    virConnectPtr ro = virConnectOpenReadOnly(uri);
    virDomainPtr dom = NULL;
    virDomainBlockInfo info;
    g_autofree char *desc = NULL;
    g_autofree char *got = NULL;
    int autostart = 0;
    int rc;

    if (!ro || !(dom = virDomainLookupByName(ro, domain))) {
        desc = describe_error();
        result(FALSE, "read-only connection", desc);
        goto cleanup;
    }

    /* Make sure the connection really is read-only: a write (setting
     * autostart to what it is) must be denied. */
    if (virDomainGetAutostart(dom, &autostart) == 0) {
        expect_error("read-only connection refuses a write (set autostart)",
                     virDomainSetAutostart(dom, autostart), VIR_ERR_OPERATION_DENIED);
    }

    case_all(ro, "read-only: all domains, timeout 2000", 0, 2000, 0,
             ndomains, 5000, "stats.fresh");
    case_list(dom, "read-only: domain list, timeout 2000", 0, 2000, 0,
              5000, "stats.fresh");
    rc = virDomainGetBlockInfoTimeout(dom, disk, &info, 5000, 0);
    desc = describe_error();
    got = rc < 0 ? g_strdup_printf("returned %d, %s", rc, desc) :
        g_strdup_printf("capacity %llu", info.capacity);
    result(rc == 0, "read-only: block info, timeout 5000", got);

 cleanup:
    if (dom)
        virDomainFree(dom);
    if (ro)
        virConnectClose(ro);
}

/* The library's default handler prints every error on stderr; the
 * report lines already say what happened. */
static void
quiet(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

int
main(int argc, char **argv)
{
    const char *uri;
    const char *domain;
    const char *disk = "vda";
    virConnectPtr conn = NULL;
    virDomainPtr dom = NULL;
    virDomainPtr *all = NULL;
    int ndomains;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s URI DOMAIN [DISK]\n", argv[0]);
        return 2;
    }
    uri = argv[1];
    domain = argv[2];
    if (argc == 4)
        disk = argv[3];

    virSetErrorFunc(NULL, quiet);

    if (!(conn = virConnectOpen(uri))) {
        g_autofree char *desc = describe_error();
        fprintf(stderr, "bad-input: cannot connect to %s: %s\n", uri, desc);
        return 1;
    }
    if (!(dom = virDomainLookupByName(conn, domain))) {
        g_autofree char *desc = describe_error();
        fprintf(stderr, "bad-input: no domain %s: %s\n", domain, desc);
        virConnectClose(conn);
        return 1;
    }
    /* The calls without flags report every domain, active or not. */
    if ((ndomains = virConnectListAllDomains(conn, &all, 0)) < 0) {
        g_autofree char *desc = describe_error();
        fprintf(stderr, "bad-input: cannot list domains: %s\n", desc);
        return 1;
    }
    for (int i = 0; i < ndomains; i++)
        virDomainFree(all[i]);
    g_free(all);

    stats_timeouts(conn, dom, ndomains);
    stats_groups(conn, dom, ndomains);
    stats_lists(uri, conn, dom, ndomains);
    block_info(dom, disk);
    read_only(uri, domain, disk, ndomains);

    virDomainFree(dom);
    virConnectClose(conn);
    printf("bad-input: %d failed\n", failures);
    return failures > 0;
}

#else /* the libvirt built against lacks the series */

int
main(void)
{
    printf("SKIP: bad-input: libvirt without the deadline calls of the series\n");
    return 0;
}

#endif
