/*
 * stats-call: time the bulk statistics call alone, inside the client, so
 * that neither a process start nor printing is counted (virsh counts
 * both).  Prints one line per call: milliseconds, records, fresh records.
 *
 *   stats-call URI TIMEOUT_MS [N [STATS]]
 *
 * TIMEOUT_MS < 0 calls virConnectGetAllDomainStats (no deadline);
 * otherwise virConnectGetAllDomainStatsParams with that
 * VIR_DOMAIN_STATS_PARAM_TIMEOUT.  STATS is the group bitmask, 0 (all
 * groups) by default.  Calls are 1 s apart.  A record is fresh when every
 * group in it says <prefix>.fresh=1.
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
        int groups = 0, stale = 0;

        for (int j = 0; j < recs[i]->nparams; j++) {
            virTypedParameterPtr p = &recs[i]->params[j];

            if (!g_str_has_suffix(p->field, ".fresh"))
                continue;
            groups++;
            if (p->type != VIR_TYPED_PARAM_INT || p->value.i != 1)
                stale++;
        }
        if (groups > 0 && stale == 0)
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
#ifdef HAVE_VIR_CONNECT_GET_ALL_DOMAIN_STATS_PARAMS
            virTypedParameterPtr params = NULL;
            int nparams = 0, maxparams = 0;

            if (virTypedParamsAddULLong(&params, &nparams, &maxparams,
                                        VIR_DOMAIN_STATS_PARAM_TIMEOUT,
                                        (unsigned long long) timeout) < 0)
                got = -1;
            else
                got = virConnectGetAllDomainStatsParams(conn, stats, params, nparams,
                                                        &recs, 0);
            virTypedParamsFree(params, nparams);
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
