/*
 * rtt: what one round trip costs, for the performance report's open
 * questions.  Times N calls each of
 *   - virConnectGetLibVersion: an RPC the daemon answers without looking
 *     at any domain (the cost of crossing the UNIX socket and back);
 *   - virDomainGetState: an RPC that looks one domain up, still no QEMU;
 * and prints the median and mean of each, in microseconds, as
 * "name median_us mean_us" lines.  (The QMP round trip itself is timed
 * from the daemon's monitor log by tools/bench: a monitor command
 * passed through also takes a job and writes a taint to the domain's
 * log, which would be counted here.)
 *
 *   rtt URI DOMAIN [N]
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

typedef gboolean (*RoundTrip)(virConnectPtr conn, virDomainPtr dom);

static gboolean
noop_rpc(virConnectPtr conn, virDomainPtr dom G_GNUC_UNUSED)
{
    unsigned long version;

    return virConnectGetLibVersion(conn, &version) == 0;
}

static gboolean
domain_rpc(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom)
{
    int state, reason;

    return virDomainGetState(dom, &state, &reason, 0) == 0;
}

static int
compare_gint64(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

    return (x > y) - (x < y);
}

static gboolean
time_round_trips(const char *name, RoundTrip fn, virConnectPtr conn,
                 virDomainPtr dom, int n)
{
    g_autofree gint64 *us = g_new(gint64, n);
    gint64 sum = 0;

    for (int i = 0; i < n; i++) {
        gint64 t0 = g_get_monotonic_time();

        if (!fn(conn, dom)) {
            fprintf(stderr, "rtt: %s failed: %s\n", name,
                    virGetLastErrorMessage());
            return FALSE;
        }
        us[i] = g_get_monotonic_time() - t0;
        sum += us[i];
    }
    qsort(us, n, sizeof(*us), compare_gint64);
    printf("%s %" G_GINT64_FORMAT " %.1f\n", name, us[n / 2], (double) sum / n);
    return TRUE;
}

int
main(int argc, char **argv)
{
    virConnectPtr conn;
    virDomainPtr dom;
    int n = argc > 3 ? atoi(argv[3]) : 1000;
    gboolean ok;

    if (argc < 3 || n <= 0) {
        fprintf(stderr, "usage: rtt URI DOMAIN [N]\n");
        return 2;
    }
    if (!(conn = virConnectOpen(argv[1]))) {
        fprintf(stderr, "rtt: cannot connect to %s: %s\n", argv[1],
                virGetLastErrorMessage());
        return 1;
    }
    if (!(dom = virDomainLookupByName(conn, argv[2]))) {
        fprintf(stderr, "rtt: no domain %s: %s\n", argv[2],
                virGetLastErrorMessage());
        virConnectClose(conn);
        return 1;
    }
    ok = time_round_trips("noop-rpc", noop_rpc, conn, dom, n) &&
         time_round_trips("domain-rpc", domain_rpc, conn, dom, n);
    virDomainFree(dom);
    virConnectClose(conn);
    return ok ? 0 : 1;
}
