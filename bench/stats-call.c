/*
 * stats-call: time the bulk statistics call alone, inside the client, so
 * that neither a process start nor printing is counted (virsh counts
 * both).  Prints one line per call: milliseconds, records, fresh records.
 *
 *   stats-call URI TIMEOUT_MS [N [STATS]]
 *
 * TIMEOUT_MS < 0 calls virConnectGetAllDomainStats (no deadline);
 * otherwise virConnectGetAllDomainStatsTimeout.  STATS is the group
 * bitmask, 0 (all groups) by default.  Calls are 1 s apart.
 */
#include <config.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
count_fresh(virDomainStatsRecordPtr *recs, int n)
{
    int fresh = 0;

    for (int i = 0; i < n; i++) {
        int value = 0;

        if (virTypedParamsGetBoolean(recs[i]->params, recs[i]->nparams,
                                     "stats.fresh", &value) == 1 && value)
            fresh++;
    }
    return fresh;
}

int
main(int argc, char **argv)
{
    virConnectPtr conn;
    int timeout, n, rc = 0;
    unsigned int stats;

    if (argc < 3) {
        fprintf(stderr, "usage: stats-call URI TIMEOUT_MS [N [STATS]]\n");
        return 2;
    }
    timeout = atoi(argv[2]);
    n = argc > 3 ? atoi(argv[3]) : 5;
    stats = argc > 4 ? (unsigned int) strtoul(argv[4], NULL, 0) : 0;

    if (!(conn = virConnectOpen(argv[1]))) {
        fprintf(stderr, "stats-call: cannot connect to %s: %s\n", argv[1],
                virGetLastErrorMessage());
        return 1;
    }
    for (int i = 0; i < n; i++) {
        virDomainStatsRecordPtr *recs = NULL;
        gint64 t0 = g_get_monotonic_time();
        int got;

        if (timeout < 0) {
            got = virConnectGetAllDomainStats(conn, stats, &recs, 0);
        } else {
#ifdef HAVE_VIR_CONNECT_GET_ALL_DOMAIN_STATS_TIMEOUT
            got = virConnectGetAllDomainStatsTimeout(conn, stats, timeout, &recs, 0);
#else
            fprintf(stderr, "stats-call: built without the deadline call\n");
            got = -1;
#endif
        }
        if (got < 0) {
            fprintf(stderr, "stats-call: %s\n", virGetLastErrorMessage());
            rc = 1;
            break;
        }
        printf("%.1f %d %d\n", (g_get_monotonic_time() - t0) / 1000.0, got,
               count_fresh(recs, got));
        fflush(stdout);
        virDomainStatsRecordListFree(recs);
        if (i + 1 < n)
            g_usleep(G_USEC_PER_SEC);
    }
    virConnectClose(conn);
    return rc;
}
