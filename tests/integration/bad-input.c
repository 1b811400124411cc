/*
 * bad-input: bad arguments to the calls of the series
 * (virConnectGetAllDomainStatsParams, virDomainListGetStatsParams,
 * virDomainGetBlockInfoParams) against a live daemon, and a check after
 * each kind of bad input that the connection still answers with every
 * record: bad input gets a clear error and loses nothing.
 *
 *   bad-input URI DOMAIN [DISK [ADMIN_URI VIRT_ADMIN]]
 *
 * With ADMIN_URI (the daemon's admin socket) and the virt-admin program,
 * a connection is also closed by the daemon (virt-admin client-disconnect)
 * and the calls on it must fail cleanly.
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
#include <signal.h>
#include <stdio.h>
#include <string.h>

#if defined(HAVE_VIR_CONNECT_GET_ALL_DOMAIN_STATS_PARAMS) && \
    defined(HAVE_VIR_DOMAIN_LIST_GET_STATS_PARAMS) && \
    defined(HAVE_VIR_DOMAIN_GET_BLOCK_INFO_PARAMS)

/* src/remote/remote_protocol.x: the longest domain list one RPC carries,
 * and the most typed parameters a stats call carries.  Not in the public
 * headers, so they are repeated here. */
# define REMOTE_DOMAIN_LIST_MAX 16384
# define REMOTE_DOMAIN_STATS_PARAMS_MAX 64

/* Not a bit of virConnectGetAllDomainStatsFlags (1 << 0..7 filter the
 * domain list, 28..31 are CACHED, NOWAIT, BACKING and ENFORCE_STATS). */
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
    CODE(VIR_ERR_SYSTEM_ERROR);
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

/* A call that must fail with @code and a message. */
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
    result(rc < 0 && err && err->code == code && err->message, what, got);
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

/* A record is fresh when it has <prefix>.fresh keys and all are 1. */
static gboolean
record_fresh(virDomainStatsRecordPtr rec)
{
    int seen = 0;

    for (int i = 0; i < rec->nparams; i++) {
        virTypedParameterPtr p = &rec->params[i];
        if (!g_str_has_suffix(p->field, ".fresh"))
            continue;
        if (p->type != VIR_TYPED_PARAM_INT || p->value.i != 1)
            return FALSE;
        seen++;
    }
    return seen > 0;
}

static int
count_fresh(virDomainStatsRecordPtr *recs, int n)
{
    int fresh = 0;

    for (int i = 0; i < n; i++)
        fresh += record_fresh(recs[i]);
    return fresh;
}

/* Typed parameters of a call, built and freed by the helpers below. */
typedef struct {
    virTypedParameterPtr params;
    int n;
    int max;
} Params;

static void
params_clear(Params *p)
{
    virTypedParamsFree(p->params, p->n);
    memset(p, 0, sizeof(*p));
}

static Params
timeout_ms(unsigned long long ms)
{
    Params p = { 0 };

    if (virTypedParamsAddULLong(&p.params, &p.n, &p.max,
                                VIR_DOMAIN_STATS_PARAM_TIMEOUT, ms) < 0)
        g_error("virTypedParamsAddULLong: %s", virGetLastErrorMessage());
    return p;
}

/* Stats of all domains through the connection call: one record each
 * (@want, any count if < 0) within @max_ms, each carrying @must_have;
 * with @want_fresh >= 0, that many records fresh. */
static void
case_all(virConnectPtr conn, const char *what, unsigned int stats,
         Params *p, unsigned int flags, int want, int want_fresh,
         gint64 max_ms, const char *must_have)
{
    virDomainStatsRecordPtr *recs = NULL;
    gint64 start = g_get_monotonic_time();
    int rc = virConnectGetAllDomainStatsParams(conn, stats, p->params, p->n,
                                               &recs, flags);
    gint64 ms = elapsed_ms(start);
    g_autofree char *got = NULL;
    int with_field = 0;
    int fresh;

    if (rc < 0) {
        g_autofree char *desc = describe_error();
        got = g_strdup_printf("returned -1 in %" G_GINT64_FORMAT " ms, %s", ms, desc);
        result(FALSE, what, got);
        return;
    }
    for (int i = 0; i < rc; i++)
        with_field += record_has(recs[i], must_have);
    fresh = count_fresh(recs, rc);
    got = g_strdup_printf("%d records (expected %d) in %" G_GINT64_FORMAT
                          " ms (limit %" G_GINT64_FORMAT "), %d with %s, %d fresh",
                          rc, want, ms, max_ms, with_field, must_have, fresh);
    result((want < 0 || rc == want) && ms < max_ms && with_field == rc &&
           (want_fresh < 0 || fresh == want_fresh), what, got);
    virDomainStatsRecordListFree(recs);
}

/* Stats of one domain through the list call. */
static void
case_list(virDomainPtr dom, const char *what, unsigned int stats,
          Params *p, unsigned int flags, gint64 max_ms, const char *must_have)
{
    virDomainPtr doms[] = { dom, NULL };
    virDomainStatsRecordPtr *recs = NULL;
    gint64 start = g_get_monotonic_time();
    int rc = virDomainListGetStatsParams(doms, stats, p->params, p->n, &recs, flags);
    gint64 ms = elapsed_ms(start);
    g_autofree char *got = NULL;

    if (rc < 0) {
        g_autofree char *desc = describe_error();
        got = g_strdup_printf("returned -1 in %" G_GINT64_FORMAT " ms, %s", ms, desc);
        result(FALSE, what, got);
        return;
    }
    got = g_strdup_printf("%d records in %" G_GINT64_FORMAT " ms (limit %"
                          G_GINT64_FORMAT "), %s %s", rc, ms, max_ms,
                          rc == 1 && record_has(recs[0], must_have) ? "with" : "without",
                          must_have);
    result(rc == 1 && ms < max_ms && record_has(recs[0], must_have), what, got);
    virDomainStatsRecordListFree(recs);
}

static int
all_rc(virConnectPtr conn, unsigned int stats, Params *p, unsigned int flags)
{
    virDomainStatsRecordPtr *recs = NULL;
    int rc = virConnectGetAllDomainStatsParams(conn, stats, p->params, p->n,
                                               &recs, flags);

    if (rc >= 0)
        virDomainStatsRecordListFree(recs);
    return rc;
}

static int
list_rc(virDomainPtr *doms, unsigned int stats, Params *p, unsigned int flags)
{
    virDomainStatsRecordPtr *recs = NULL;
    int rc = virDomainListGetStatsParams(doms, stats, p->params, p->n, &recs, flags);

    if (rc >= 0)
        virDomainStatsRecordListFree(recs);
    return rc;
}

/* Nothing lost: the connection still answers a deadline call with every
 * record, all fresh. */
static void
still_answers(virConnectPtr conn, const char *after, int ndomains)
{
    Params p = timeout_ms(5000);
    g_autofree char *what = g_strdup_printf("after %s: every record, all fresh", after);

    case_all(conn, what, 0, &p, 0, ndomains, ndomains, 10000, "state.fresh");
    params_clear(&p);
}

static void
stats_params(virConnectPtr conn, virDomainPtr dom, int ndomains)
{
    virDomainPtr one[] = { dom, NULL };
    Params p = { 0 };

    /* An unknown parameter, a known one of the wrong type, twice the
     * same, and more than the RPC carries. */
    virTypedParamsAddULLong(&p.params, &p.n, &p.max, "no-such-param", 5);
    expect_error("all domains, unknown typed param 'no-such-param': VIR_ERR_ARGUMENT_UNSUPPORTED",
                 all_rc(conn, 0, &p, 0), VIR_ERR_ARGUMENT_UNSUPPORTED);
    expect_error("domain list, unknown typed param 'no-such-param': VIR_ERR_ARGUMENT_UNSUPPORTED",
                 list_rc(one, 0, &p, 0), VIR_ERR_ARGUMENT_UNSUPPORTED);
    params_clear(&p);

    virTypedParamsAddInt(&p.params, &p.n, &p.max, VIR_DOMAIN_STATS_PARAM_TIMEOUT, 500);
    expect_error("all domains, 'timeout' as an int: VIR_ERR_INVALID_ARG",
                 all_rc(conn, 0, &p, 0), VIR_ERR_INVALID_ARG);
    expect_error("domain list, 'timeout' as an int: VIR_ERR_INVALID_ARG",
                 list_rc(one, 0, &p, 0), VIR_ERR_INVALID_ARG);
    params_clear(&p);

    virTypedParamsAddString(&p.params, &p.n, &p.max, VIR_DOMAIN_STATS_PARAM_TIMEOUT, "500");
    expect_error("all domains, 'timeout' as a string: VIR_ERR_INVALID_ARG",
                 all_rc(conn, 0, &p, 0), VIR_ERR_INVALID_ARG);
    params_clear(&p);

    p = timeout_ms(500);
    virTypedParamsAddULLong(&p.params, &p.n, &p.max, VIR_DOMAIN_STATS_PARAM_TIMEOUT, 600);
    expect_error("all domains, 'timeout' twice: VIR_ERR_INVALID_ARG",
                 all_rc(conn, 0, &p, 0), VIR_ERR_INVALID_ARG);
    params_clear(&p);

    for (int i = 0; i <= REMOTE_DOMAIN_STATS_PARAMS_MAX; i++) {
        g_autofree char *name = g_strdup_printf("param%d", i);
        virTypedParamsAddULLong(&p.params, &p.n, &p.max, name, i);
    }
    expect_error("all domains, 65 typed params (over REMOTE_DOMAIN_STATS_PARAMS_MAX): VIR_ERR_RPC",
                 all_rc(conn, 0, &p, 0), VIR_ERR_RPC);
    params_clear(&p);

    p = timeout_ms((unsigned long long) UINT_MAX + 1);
    expect_error("all domains, timeout UINT_MAX + 1 ms: VIR_ERR_INVALID_ARG",
                 all_rc(conn, 0, &p, 0), VIR_ERR_INVALID_ARG);
    params_clear(&p);

    /* NOWAIT bounds the wait as well: not together with a timeout. */
    p = timeout_ms(1000);
    expect_error("all domains, NOWAIT with a timeout: VIR_ERR_INVALID_ARG",
                 all_rc(conn, 0, &p, VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT),
                 VIR_ERR_INVALID_ARG);
    expect_error("domain list, NOWAIT with a timeout: VIR_ERR_INVALID_ARG",
                 list_rc(one, 0, &p, VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT),
                 VIR_ERR_INVALID_ARG);
    params_clear(&p);

    /* The array arguments. */
    {
        virDomainStatsRecordPtr *recs = NULL;
        Params t = timeout_ms(1000);

        expect_error("all domains, nparams -1: VIR_ERR_INVALID_ARG",
                     virConnectGetAllDomainStatsParams(conn, 0, t.params, -1, &recs, 0),
                     VIR_ERR_INVALID_ARG);
        expect_error("domain list, nparams -1: VIR_ERR_INVALID_ARG",
                     virDomainListGetStatsParams(one, 0, t.params, -1, &recs, 0),
                     VIR_ERR_INVALID_ARG);
        expect_error("all domains, params NULL with nparams 1: VIR_ERR_INVALID_ARG",
                     virConnectGetAllDomainStatsParams(conn, 0, NULL, 1, &recs, 0),
                     VIR_ERR_INVALID_ARG);
        expect_error("all domains, retStats NULL: VIR_ERR_INVALID_ARG",
                     virConnectGetAllDomainStatsParams(conn, 0, t.params, t.n, NULL, 0),
                     VIR_ERR_INVALID_ARG);
        expect_error("domain list, retStats NULL: VIR_ERR_INVALID_ARG",
                     virDomainListGetStatsParams(one, 0, t.params, t.n, NULL, 0),
                     VIR_ERR_INVALID_ARG);
        params_clear(&t);
    }

    /* What is fine. */
    case_all(conn, "all domains, no params at all: like virConnectGetAllDomainStats, with freshness keys",
             0, &p, 0, ndomains, ndomains, 10000, "state.fresh");
    case_all(conn, "all domains, no params, NOWAIT: allowed", 0, &p,
             VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT, ndomains, -1, 10000, "state.fresh");
    p = timeout_ms(0);
    case_all(conn, "all domains, timeout 0: every record, at once", 0, &p, 0,
             ndomains, -1, 2000, "state.fresh");
    case_list(dom, "domain list, timeout 0: the record, at once", 0, &p, 0,
              2000, "state.fresh");
    params_clear(&p);
    /* A deadline far away costs nothing when every domain answers: the
     * call returns when the collections are done, not at the deadline. */
    p = timeout_ms(UINT_MAX);
    case_all(conn, "all domains, timeout UINT_MAX ms, healthy domains: returns without waiting",
             0, &p, 0, ndomains, ndomains, 10000, "state.fresh");
    case_list(dom, "domain list, timeout UINT_MAX ms, healthy domain: returns without waiting",
              0, &p, 0, 10000, "state.fresh");
    params_clear(&p);

    still_answers(conn, "bad typed params", ndomains);
}

static void
stats_groups(virConnectPtr conn, virDomainPtr dom, int ndomains)
{
    virDomainPtr one[] = { dom, NULL };
    unsigned int stats = VIR_DOMAIN_STATS_STATE | UNKNOWN_STATS;
    Params p = timeout_ms(2000);

    /* Unknown groups are dropped, known ones still answered. */
    case_all(conn, "all domains, unknown stats bit 1<<30 without ENFORCE_STATS: ignored",
             stats, &p, 0, ndomains, ndomains, 10000, "state.state");
    case_list(dom, "domain list, unknown stats bit 1<<30 without ENFORCE_STATS: ignored",
              stats, &p, 0, 10000, "state.state");
    expect_error("all domains, unknown stats bit 1<<30 with ENFORCE_STATS: VIR_ERR_ARGUMENT_UNSUPPORTED",
                 all_rc(conn, stats, &p, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS),
                 VIR_ERR_ARGUMENT_UNSUPPORTED);
    expect_error("domain list, unknown stats bit 1<<30 with ENFORCE_STATS: VIR_ERR_ARGUMENT_UNSUPPORTED",
                 list_rc(one, stats, &p, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS),
                 VIR_ERR_ARGUMENT_UNSUPPORTED);

    expect_error("all domains, unknown flag 1<<20: VIR_ERR_INVALID_ARG",
                 all_rc(conn, 0, &p, UNKNOWN_FLAG), VIR_ERR_INVALID_ARG);
    expect_error("domain list, unknown flag 1<<20: VIR_ERR_INVALID_ARG",
                 list_rc(one, 0, &p, UNKNOWN_FLAG), VIR_ERR_INVALID_ARG);
    expect_error("all domains, unknown flag 1<<27 with CACHED: VIR_ERR_INVALID_ARG",
                 all_rc(conn, 0, &p, (1U << 27) | VIR_CONNECT_GET_ALL_DOMAINS_STATS_CACHED),
                 VIR_ERR_INVALID_ARG);
    params_clear(&p);

    still_answers(conn, "unknown stats and flags", ndomains);
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
    Params p = timeout_ms(1000);
    gint64 start;
    gint64 ms;
    int rc;

    expect_error("domain list NULL: VIR_ERR_INVALID_ARG",
                 list_rc(NULL, 0, &p, 0), VIR_ERR_INVALID_ARG);
    expect_error("empty domain list: VIR_ERR_INVALID_ARG",
                 list_rc(empty, 0, &p, 0), VIR_ERR_INVALID_ARG);

    if (!(other = virConnectOpen(uri)) ||
        !(dom2 = virDomainLookupByName(other, virDomainGetName(dom)))) {
        desc = describe_error();
        result(FALSE, "second connection for the mixed list", desc);
    } else {
        virDomainPtr mixed[] = { dom, dom2, NULL };
        expect_error("domains of two connections in one list: VIR_ERR_INVALID_ARG",
                     list_rc(mixed, 0, &p, 0), VIR_ERR_INVALID_ARG);
    }
    if (dom2)
        virDomainFree(dom2);
    if (other)
        virConnectClose(other);

    /* One past what the RPC carries: the same domain, many times. The
     * client refuses it before encoding it. */
    many = g_new0(virDomainPtr, REMOTE_DOMAIN_LIST_MAX + 2);
    for (size_t i = 0; i < REMOTE_DOMAIN_LIST_MAX + 1; i++)
        many[i] = dom;
    start = g_get_monotonic_time();
    rc = list_rc(many, VIR_DOMAIN_STATS_STATE, &p, 0);
    ms = elapsed_ms(start);
    g_free(desc);
    desc = describe_error();
    got = g_strdup_printf("returned %d in %" G_GINT64_FORMAT " ms, %s", rc, ms, desc);
    result(rc < 0 && virGetLastError() && virGetLastError()->code == VIR_ERR_RPC &&
           virGetLastError()->message && strstr(virGetLastError()->message, "16385"),
           "domain list of REMOTE_DOMAIN_LIST_MAX + 1 (16385): VIR_ERR_RPC naming the count", got);
    result(virConnectIsAlive(conn) == 1,
           "... the connection is still alive afterwards", "virConnectIsAlive");
    params_clear(&p);

    still_answers(conn, "bad domain lists", ndomains);
}

static void
block_info(virConnectPtr conn, virDomainPtr dom, const char *disk, int ndomains)
{
    virDomainBlockInfo info;
    virDomainBlockInfo plain;
    g_autofree char *got = NULL;
    g_autofree char *desc = NULL;
    Params p = timeout_ms(2000);
    Params bad = { 0 };
    int rc;

    rc = virDomainGetBlockInfoParams(dom, "vdz", p.params, p.n, &info, 0);
    desc = describe_error();
    got = g_strdup_printf("returned %d, %s", rc, desc);
    result(rc < 0 && virGetLastError() && virGetLastError()->message &&
           strstr(virGetLastError()->message, "vdz"),
           "block info of an unknown disk vdz: an error naming it", got);

    expect_error("block info, disk NULL: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoParams(dom, NULL, p.params, p.n, &info, 0),
                 VIR_ERR_INVALID_ARG);
    expect_error("block info, disk \"\": VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoParams(dom, "", p.params, p.n, &info, 0),
                 VIR_ERR_INVALID_ARG);
    expect_error("block info, info NULL: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoParams(dom, disk, p.params, p.n, NULL, 0),
                 VIR_ERR_INVALID_ARG);
    expect_error("block info, nparams -1: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoParams(dom, disk, p.params, -1, &info, 0),
                 VIR_ERR_INVALID_ARG);
    expect_error("block info, unknown flag 1: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoParams(dom, disk, p.params, p.n, &info, 1),
                 VIR_ERR_INVALID_ARG);

    virTypedParamsAddULLong(&bad.params, &bad.n, &bad.max, "no-such-param", 5);
    expect_error("block info, unknown typed param: VIR_ERR_ARGUMENT_UNSUPPORTED",
                 virDomainGetBlockInfoParams(dom, disk, bad.params, bad.n, &info, 0),
                 VIR_ERR_ARGUMENT_UNSUPPORTED);
    params_clear(&bad);
    virTypedParamsAddInt(&bad.params, &bad.n, &bad.max, VIR_DOMAIN_BLOCK_INFO_PARAM_TIMEOUT, 500);
    expect_error("block info, 'timeout' as an int: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoParams(dom, disk, bad.params, bad.n, &info, 0),
                 VIR_ERR_INVALID_ARG);
    params_clear(&bad);
    bad = timeout_ms((unsigned long long) UINT_MAX + 1);
    expect_error("block info, timeout UINT_MAX + 1 ms: VIR_ERR_INVALID_ARG",
                 virDomainGetBlockInfoParams(dom, disk, bad.params, bad.n, &info, 0),
                 VIR_ERR_INVALID_ARG);
    params_clear(&bad);

    /* The good calls: with a timeout and without parameters, as
     * virDomainGetBlockInfo says. */
    memset(&plain, 0, sizeof(plain));
    if (virDomainGetBlockInfo(dom, disk, &plain, 0) < 0) {
        desc = describe_error();
        result(FALSE, "virDomainGetBlockInfo of a healthy disk", desc);
    }
    rc = virDomainGetBlockInfoParams(dom, disk, p.params, p.n, &info, 0);
    g_free(got);
    g_free(desc);
    desc = describe_error();
    got = rc < 0 ? g_strdup_printf("returned %d, %s", rc, desc) :
        g_strdup_printf("capacity %llu, allocation %llu, physical %llu",
                        info.capacity, info.allocation, info.physical);
    result(rc == 0 && info.capacity > 0 && memcmp(&info, &plain, sizeof(info)) == 0,
           "block info of a healthy disk, timeout 2000: as virDomainGetBlockInfo", got);
    rc = virDomainGetBlockInfoParams(dom, disk, NULL, 0, &info, 0);
    g_free(got);
    g_free(desc);
    desc = describe_error();
    got = rc < 0 ? g_strdup_printf("returned %d, %s", rc, desc) :
        g_strdup_printf("capacity %llu", info.capacity);
    result(rc == 0 && memcmp(&info, &plain, sizeof(info)) == 0,
           "block info without params: as virDomainGetBlockInfo", got);
    params_clear(&p);

    still_answers(conn, "bad block info calls", ndomains);
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
    Params p = timeout_ms(2000);
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

    case_all(ro, "read-only: all domains, timeout 2000", 0, &p, 0,
             ndomains, ndomains, 10000, "state.fresh");
    case_list(dom, "read-only: domain list, timeout 2000", 0, &p, 0,
              10000, "state.fresh");
    rc = virDomainGetBlockInfoParams(dom, disk, p.params, p.n, &info, 0);
    desc = describe_error();
    got = rc < 0 ? g_strdup_printf("returned %d, %s", rc, desc) :
        g_strdup_printf("capacity %llu", info.capacity);
    result(rc == 0, "read-only: block info, timeout 2000", got);

 cleanup:
    params_clear(&p);
    if (dom)
        virDomainFree(dom);
    if (ro)
        virConnectClose(ro);
}

/* The ids of the daemon's clients, from `virt-admin srv-clients-list`
 * (libvirt-admin can't share a process with libvirt: both register the
 * same object types), as a set; NULL if virt-admin failed. */
static GHashTable *
client_ids(const char *virt_admin, const char *admin_uri)
{
    const char *argv[] = { virt_admin, "-q", "-c", admin_uri,
                           "srv-clients-list", "libvirtd", NULL };
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    GHashTable *ids;
    int status = -1;

    if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &out, NULL, &status, NULL) ||
        !g_spawn_check_exit_status(status, NULL))
        return NULL;

    ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    lines = g_strsplit(out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[i]), " \t", 2);
        if (words[0] && *words[0] && g_ascii_isdigit(*words[0]))
            g_hash_table_add(ids, g_strdup(words[0]));
    }
    return ids;
}

/* A connection the daemon closed (virt-admin client-disconnect): the
 * calls on it fail at once with an error, and nothing else is affected. */
static void
dead_connection(const char *uri, const char *admin_uri, const char *virt_admin,
                const char *domain, const char *disk, virConnectPtr conn,
                int ndomains)
{
    virConnectPtr dead = NULL;
    virDomainPtr dom = NULL;
    g_autoptr(GHashTable) before = NULL;
    g_autoptr(GHashTable) after = NULL;
    virDomainBlockInfo info;
    Params p = timeout_ms(2000);
    GHashTableIter iter;
    gpointer id;
    int closed = 0;

    if (!(before = client_ids(virt_admin, admin_uri))) {
        result(FALSE, "virt-admin srv-clients-list to find our connection", virt_admin);
        goto cleanup;
    }
    if (!(dead = virConnectOpen(uri)) || !(dom = virDomainLookupByName(dead, domain))) {
        g_autofree char *desc = describe_error();
        result(FALSE, "connection to be closed by the daemon", desc);
        goto cleanup;
    }
    /* The new client is ours: close it from the daemon's side. */
    if (!(after = client_ids(virt_admin, admin_uri))) {
        result(FALSE, "virt-admin srv-clients-list to find our connection", virt_admin);
        goto cleanup;
    }
    g_hash_table_iter_init(&iter, after);
    while (g_hash_table_iter_next(&iter, &id, NULL)) {
        const char *argv[] = { virt_admin, "-q", "-c", admin_uri,
                               "client-disconnect", "libvirtd", id, NULL };
        int status = -1;

        if (g_hash_table_contains(before, id))
            continue;
        if (g_spawn_sync(NULL, (char **) argv, NULL,
                         G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                         NULL, NULL, NULL, NULL, &status, NULL) &&
            g_spawn_check_exit_status(status, NULL))
            closed++;
    }
    result(closed == 1, "the daemon closes our new connection (virt-admin client-disconnect)",
           closed == 1 ? "1 client closed" : "not exactly one new client closed");
    /* Let the client's event loop see the EOF. */
    for (int i = 0; i < 50 && virConnectIsAlive(dead) == 1; i++)
        g_usleep(100 * 1000);

    {
        virDomainPtr one[] = { dom, NULL };
        virDomainStatsRecordPtr *recs = NULL;
        gint64 start = g_get_monotonic_time();
        int rc = virConnectGetAllDomainStatsParams(dead, 0, p.params, p.n, &recs, 0);
        gint64 ms = elapsed_ms(start);
        g_autofree char *desc = describe_error();
        g_autofree char *got = g_strdup_printf("returned %d in %" G_GINT64_FORMAT " ms, %s", rc, ms, desc);

        result(rc < 0 && ms < 5000 && virGetLastError() && virGetLastError()->message,
               "closed connection: all domains call fails at once with an error", got);
        if (rc >= 0)
            virDomainStatsRecordListFree(recs);

        start = g_get_monotonic_time();
        rc = virDomainListGetStatsParams(one, 0, p.params, p.n, &recs, 0);
        ms = elapsed_ms(start);
        g_free(desc);
        g_free(got);
        desc = describe_error();
        got = g_strdup_printf("returned %d in %" G_GINT64_FORMAT " ms, %s", rc, ms, desc);
        result(rc < 0 && ms < 5000 && virGetLastError() && virGetLastError()->message,
               "closed connection: domain list call fails at once with an error", got);
        if (rc >= 0)
            virDomainStatsRecordListFree(recs);

        start = g_get_monotonic_time();
        rc = virDomainGetBlockInfoParams(dom, disk, p.params, p.n, &info, 0);
        ms = elapsed_ms(start);
        g_free(desc);
        g_free(got);
        desc = describe_error();
        got = g_strdup_printf("returned %d in %" G_GINT64_FORMAT " ms, %s", rc, ms, desc);
        result(rc < 0 && ms < 5000 && virGetLastError() && virGetLastError()->message,
               "closed connection: block info fails at once with an error", got);
    }
    result(virConnectIsAlive(dead) == 0, "closed connection: virConnectIsAlive says 0", "virConnectIsAlive");
    result(virConnectIsAlive(conn) == 1, "the other connection is still alive", "virConnectIsAlive");
    still_answers(conn, "a connection closed by the daemon", ndomains);

 cleanup:
    params_clear(&p);
    if (dom)
        virDomainFree(dom);
    if (dead)
        virConnectClose(dead);
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
    const char *admin_uri = NULL;
    const char *virt_admin = NULL;
    virConnectPtr conn = NULL;
    virDomainPtr dom = NULL;
    virDomainPtr *all = NULL;
    int ndomains;

    if (argc < 3 || argc == 5 || argc > 6) {
        fprintf(stderr, "usage: %s URI DOMAIN [DISK [ADMIN_URI VIRT_ADMIN]]\n", argv[0]);
        return 2;
    }
    uri = argv[1];
    domain = argv[2];
    if (argc >= 4)
        disk = argv[3];
    if (argc == 6) {
        admin_uri = argv[4];
        virt_admin = argv[5];
    }

    virSetErrorFunc(NULL, quiet);
    /* As libvirt asks of its clients: a write to a connection the daemon
     * closed must be an error, not the end of the process. */
    signal(SIGPIPE, SIG_IGN);

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

    stats_params(conn, dom, ndomains);
    stats_groups(conn, dom, ndomains);
    stats_lists(uri, conn, dom, ndomains);
    block_info(conn, dom, disk, ndomains);
    read_only(uri, domain, disk, ndomains);
    if (admin_uri)
        dead_connection(uri, admin_uri, virt_admin, domain, disk, conn, ndomains);
    else
        printf("SKIP: a connection closed by the daemon (no ADMIN_URI and VIRT_ADMIN)\n");

    virDomainFree(dom);
    virConnectClose(conn);
    printf("bad-input: %d failed\n", failures);
    return failures > 0;
}

#else /* the libvirt built against lacks the series */

int
main(void)
{
    printf("SKIP: bad-input: libvirt without the *Params calls of the series\n");
    return 0;
}

#endif
