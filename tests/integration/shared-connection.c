/*
 * shared-connection: a call on a connection whose I/O is held by a stuck call
 * must go out at once (libvirt's RPC client, src/rpc/virnetclient.c).
 *
 *   shared-connection [--no-keepalive] [--rounds N] [--bound-ms MS]
 *              [--give-up-ms MS] URI STUCK OTHER
 *
 * Thread A calls virConnectGetAllDomainStats, which the stopped QEMU of
 * domain STUCK (kill -STOP by the caller) keeps from returning; A then holds
 * the connection's I/O (the "buck" of virNetClientIO).  Thread B, on the
 * same connection, times ROUNDS rounds of virConnectGetLibVersion,
 * virDomainLookupByName(OTHER) and virDomainGetInfo.  Each round must
 * return within the bound (default 2000 ms) while A is still stuck.
 *
 * With keepalive (the default) an event loop runs in a thread and the
 * connection has virConnectSetKeepAlive(5, 3): the daemon then pings the
 * client every 5 s, which wakes the thread holding the buck.  With
 * --no-keepalive no event loop is registered, so nothing but the calls
 * themselves can wake it.
 *
 * One "PASS: ..." or "FAIL: ..." line per round and one for the stuck
 * call; a round that has not returned after --give-up-ms (default 30000)
 * is a FAIL and ends the program.  Exit status 1 if anything failed.  The
 * program ends with _exit() while A is still stuck: continue the QEMU
 * afterwards.
 */
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static virConnectPtr conn;
static const char *other_name;

static GMutex lock;
static GCond cond;
static gboolean a_done;
static int a_ret;
static int b_round_done = -1;  /* last round B finished */
static int b_round_ok;         /* whether that round's calls succeeded */
static double b_ms[3];         /* that round: libversion, lookup, info */
static int b_go = -1;          /* round B is allowed to start */

static int failures;

static void
result(gboolean ok, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
result(gboolean ok, const char *fmt, ...)
{
    va_list ap;

    printf("%s: ", ok ? "PASS" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!ok)
        failures++;
}

static double
ms_since(gint64 t0)
{
    return (g_get_monotonic_time() - t0) / 1000.0;
}

static gpointer
event_loop(gpointer opaque G_GNUC_UNUSED)
{
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

static gpointer
stuck_call(gpointer opaque G_GNUC_UNUSED)
{
    virDomainStatsRecordPtr *recs = NULL;
    int n = virConnectGetAllDomainStats(conn, 0, &recs, 0);

    if (n >= 0)
        virDomainStatsRecordListFree(recs);
    g_mutex_lock(&lock);
    a_ret = n;
    a_done = TRUE;
    g_cond_broadcast(&cond);
    g_mutex_unlock(&lock);
    return NULL;
}

static gpointer
second_caller(gpointer opaque G_GNUC_UNUSED)
{
    int round;

    for (round = 0; ; round++) {
        unsigned long libver = 0;
        virDomainPtr dom = NULL;
        virDomainInfo info;
        double ms[3] = { 0 };
        gint64 t0;
        int ok = 0;

        g_mutex_lock(&lock);
        while (b_go < round)
            g_cond_wait(&cond, &lock);
        g_mutex_unlock(&lock);

        t0 = g_get_monotonic_time();
        if (virConnectGetLibVersion(conn, &libver) < 0)
            goto done;
        ms[0] = ms_since(t0);
        t0 = g_get_monotonic_time();
        if (!(dom = virDomainLookupByName(conn, other_name)))
            goto done;
        ms[1] = ms_since(t0);
        t0 = g_get_monotonic_time();
        if (virDomainGetInfo(dom, &info) < 0)
            goto done;
        ms[2] = ms_since(t0);
        ok = 1;

     done:
        if (!ok)
            fprintf(stderr, "round %d: %s\n", round + 1,
                    virGetLastErrorMessage());
        if (dom)
            virDomainFree(dom);
        g_mutex_lock(&lock);
        memcpy(b_ms, ms, sizeof(ms));
        b_round_ok = ok;
        b_round_done = round;
        g_cond_broadcast(&cond);
        g_mutex_unlock(&lock);
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    gboolean no_keepalive = FALSE;
    int rounds = 4;
    int bound_ms = 2000;
    int give_up_ms = 30000;
    const char *uri;
    const char *stuck_name;
    virDomainPtr stuck;
    int state = -1;
    int reason = -1;
    int round;
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--no-keepalive") == 0) {
            no_keepalive = TRUE;
        } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            rounds = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--bound-ms") == 0 && i + 1 < argc) {
            bound_ms = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--give-up-ms") == 0 && i + 1 < argc) {
            give_up_ms = atoi(argv[++i]);
        } else {
            break;
        }
    }
    if (argc - i != 3 || rounds < 1 || bound_ms < 1 || give_up_ms < bound_ms) {
        fprintf(stderr,
                "usage: %s [--no-keepalive] [--rounds N] [--bound-ms MS] "
                "[--give-up-ms MS] URI STUCK OTHER\n", argv[0]);
        return 2;
    }
    uri = argv[i];
    stuck_name = argv[i + 1];
    other_name = argv[i + 2];

    if (!no_keepalive) {
        if (virEventRegisterDefaultImpl() < 0) {
            fprintf(stderr, "virEventRegisterDefaultImpl: %s\n",
                    virGetLastErrorMessage());
            return 2;
        }
        g_thread_unref(g_thread_new("event-loop", event_loop, NULL));
    }

    if (!(conn = virConnectOpen(uri))) {
        fprintf(stderr, "cannot open %s: %s\n", uri, virGetLastErrorMessage());
        return 2;
    }
    if (!no_keepalive && virConnectSetKeepAlive(conn, 5, 3) < 0) {
        fprintf(stderr, "virConnectSetKeepAlive: %s\n", virGetLastErrorMessage());
        return 2;
    }
    /* Job-free, so it answers even with the QEMU stopped. */
    if (!(stuck = virDomainLookupByName(conn, stuck_name)) ||
        virDomainGetState(stuck, &state, &reason, 0) < 0) {
        fprintf(stderr, "%s: %s\n", stuck_name, virGetLastErrorMessage());
        return 2;
    }
    virDomainFree(stuck);

    printf("client library %s, keepalive %s\n",
           getenv("LD_LIBRARY_PATH") ? getenv("LD_LIBRARY_PATH") : "(default)",
           no_keepalive ? "off (no event loop)" : "on (5 s, 3)");

    g_thread_unref(g_thread_new("stuck-call", stuck_call, NULL));
    /* Let the stats call reach the stopped QEMU and the client's poll. */
    g_usleep(500 * 1000);
    g_mutex_lock(&lock);
    if (a_done) {
        g_mutex_unlock(&lock);
        result(FALSE, "virConnectGetAllDomainStats returned (%d) with %s "
               "stopped: is its QEMU stopped (kill -STOP)?", a_ret, stuck_name);
        fflush(stdout);
        _exit(1);
    }
    g_mutex_unlock(&lock);

    g_thread_unref(g_thread_new("second-caller", second_caller, NULL));
    for (round = 0; round < rounds; round++) {
        gint64 t0 = g_get_monotonic_time();
        gint64 deadline = t0 + give_up_ms * G_TIME_SPAN_MILLISECOND;
        gboolean answered = TRUE;
        double ms;

        g_mutex_lock(&lock);
        b_go = round;
        g_cond_broadcast(&cond);
        while (b_round_done < round) {
            if (!g_cond_wait_until(&cond, &lock, deadline)) {
                answered = b_round_done >= round;
                break;
            }
        }
        ms = ms_since(t0);
        if (!answered) {
            g_mutex_unlock(&lock);
            result(FALSE, "round %d: no answer after %.0f ms (second thread "
                   "still waiting while the stuck call holds the connection)",
                   round + 1, ms);
            fflush(stdout);
            _exit(1);
        }
        result(b_round_ok && ms < bound_ms,
               "round %d: GetLibVersion + LookupByName + GetInfo from a second "
               "thread in %.1f ms (bound %d ms; %.1f + %.1f + %.1f ms)%s",
               round + 1, ms, bound_ms, b_ms[0], b_ms[1], b_ms[2],
               b_round_ok ? "" : ", a call failed");
        g_mutex_unlock(&lock);
    }

    g_mutex_lock(&lock);
    result(!a_done, "virConnectGetAllDomainStats still stuck on %s meanwhile",
           stuck_name);
    g_mutex_unlock(&lock);

    fflush(stdout);
    _exit(failures > 0);
}
