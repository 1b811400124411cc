/*
 * boot-storm.c: the boot storm engine.  The calling thread dispatches:
 * it hands VMs to a thread pool while fewer than the limit are in flight
 * and waits for completions otherwise, so the limit holds exactly (the
 * pool itself is unbounded and never queues).
 */
#include "boot-storm.h"
#include "boot-template.h"
#include "errors.h"
#include "log.h"

#include <math.h>
#include <string.h>

/* How often the dispatcher looks at the cancel flag, which a signal
 * handler sets without being able to wake it. */
#define CANCEL_POLL_US (100 * 1000)
#define DESTROY_THREADS 16

struct VstatsBootStorm {
    virConnectPtr conn;
    guint count;
    guint fixed_limit;          /* 0: auto */
    unsigned int flags;
    char *template_xml;
    VstatsBootCreateFunc create;
    gpointer create_data;

    VstatsBootVm *vms;
    gint cancelled;             /* atomic */

    GMutex lock;                /* guards what follows */
    GCond done;
    gint64 origin_us;
    guint in_flight;
    guint limit;
    VstatsConcurrencyAuto *controller;

    VstatsBootStats stats;
};

static virDomainPtr
create_with_libvirt(virConnectPtr conn, const char *xml, unsigned int flags,
                    gpointer data G_GNUC_UNUSED)
{
    return virDomainCreateXML(conn, xml, flags);
}

VstatsBootStorm *
vstats_boot_storm_new(virConnectPtr conn, const VstatsBootStormConfig *config)
{
    VstatsBootStorm *s = g_new0(VstatsBootStorm, 1);

    s->conn = conn;
    virConnectRef(conn);
    s->count = config->count;
    s->fixed_limit = config->concurrency;
    s->flags = config->paused ? VIR_DOMAIN_START_PAUSED : 0;
    s->template_xml = g_strdup(config->template_xml);
    s->create = config->create ? config->create : create_with_libvirt;
    s->create_data = config->create_data;
    s->vms = g_new0(VstatsBootVm, s->count);
    for (guint i = 0; i < s->count; i++) {
        VstatsBootVm *vm = &s->vms[i];
        g_autofree char *uuid = g_uuid_string_random();
        vm->index = i + 1;
        vm->name = g_strdup_printf("%s%04u", config->prefix, vm->index);
        g_strlcpy(vm->uuid, uuid, sizeof(vm->uuid));
    }
    g_mutex_init(&s->lock);
    g_cond_init(&s->done);
    s->stats.requested = s->count;
    return s;
}

void
vstats_boot_storm_free(VstatsBootStorm *s)
{
    if (!s)
        return;
    vstats_boot_storm_destroy_all(s);
    for (guint i = 0; i < s->count; i++) {
        g_free(s->vms[i].name);
        g_free(s->vms[i].error);
    }
    g_free(s->vms);
    g_free(s->template_xml);
    if (s->controller)
        vstats_concurrency_auto_free(s->controller);
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->done);
    virConnectClose(s->conn);
    g_free(s);
}

void
vstats_boot_storm_cancel(VstatsBootStorm *s)
{
    g_atomic_int_set(&s->cancelled, 1);
}

/* A failed create may still have left the domain behind (the reply was
 * lost, not the request).  Ours only if the UUID is the one we asked for:
 * a clashing name belongs to someone else. */
static virDomainPtr
find_leftover(VstatsBootStorm *s, const VstatsBootVm *vm)
{
    virDomainPtr dom = virDomainLookupByName(s->conn, vm->name);
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (dom && virDomainGetUUIDString(dom, uuid) == 0 && strcmp(uuid, vm->uuid) == 0)
        return dom;
    if (dom)
        virDomainFree(dom);
    virResetLastError();
    return NULL;
}

static void
create_one(gpointer data, gpointer user_data)
{
    VstatsBootVm *vm = data;
    VstatsBootStorm *s = user_data;
    g_autofree char *xml = vstats_boot_template_expand(s->template_xml, vm->name,
                                                       vm->uuid, vm->index);
    gint64 start = g_get_monotonic_time();
    virDomainPtr dom = s->create(s->conn, xml, s->flags, s->create_data);
    gint64 end = g_get_monotonic_time();
    char *error = NULL;

    if (!dom) {
        const char *msg = virGetLastErrorMessage();
        error = g_strdup(msg && *msg ? msg : "unknown libvirt error");
        dom = find_leftover(s, vm);
    }

    g_mutex_lock(&s->lock);
    vm->start_us = start - s->origin_us;
    vm->end_us = end - s->origin_us;
    vm->ok = error == NULL;
    vm->error = error;
    vm->dom = dom;
    s->in_flight--;
    if (s->controller)
        s->limit = vstats_concurrency_auto_observe(s->controller, vm->start_us,
                                                   vm->end_us, vm->inflight_at_start);
    g_cond_signal(&s->done);
    g_mutex_unlock(&s->lock);
}

static int
compare_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v. */
static double
percentile(const double *v, guint n, double p)
{
    guint rank = (guint) ceil(p * n);
    return v[CLAMP(rank, 1, n) - 1];
}

static void
compute_stats(VstatsBootStorm *s)
{
    VstatsBootStats *st = &s->stats;
    g_autofree double *ms = g_new(double, MAX(s->count, 1));
    gint64 first = G_MAXINT64, last = 0;
    double sum = 0;
    guint n = 0;

    for (guint i = 0; i < s->count; i++) {
        const VstatsBootVm *vm = &s->vms[i];
        if (!vm->attempted)
            continue;
        st->attempted++;
        first = MIN(first, vm->start_us);
        if (!vm->ok) {
            st->failed++;
            continue;
        }
        ms[n] = (vm->end_us - vm->start_us) / 1000.0;
        sum += ms[n++];
        last = MAX(last, vm->end_us);
    }
    st->succeeded = n;
    st->mean_ms = st->p50_ms = st->p95_ms = st->max_ms = NAN;
    st->makespan_ms = 0;
    st->throughput = 0;
    if (n == 0)
        return;
    qsort(ms, n, sizeof(double), compare_double);
    st->mean_ms = sum / n;
    st->p50_ms = percentile(ms, n, 0.50);
    st->p95_ms = percentile(ms, n, 0.95);
    st->max_ms = ms[n - 1];
    st->makespan_ms = (last - first) / 1000.0;
    if (last > first)
        st->throughput = n / ((last - first) / (double) G_USEC_PER_SEC);
}

/* Auto starts from the CPUs of the host that runs the domains, which is
 * not this one when the URI is remote. */
static guint
host_cpus(virConnectPtr conn)
{
    virNodeInfo info;

    if (virNodeGetInfo(conn, &info) == 0 && info.cpus > 0)
        return info.cpus;
    virResetLastError();
    return g_get_num_processors();
}

gboolean
vstats_boot_storm_run(VstatsBootStorm *s)
{
    /* Unbounded and not exclusive: a thread per VM in flight, no queue,
     * so in flight means in a create call. */
    GThreadPool *pool = g_thread_pool_new(create_one, s, -1, FALSE, NULL);
    guint next = 0;

    g_mutex_lock(&s->lock);
    if (s->fixed_limit) {
        s->limit = s->fixed_limit;
    } else {
        s->controller = vstats_concurrency_auto_new_for_cpus(MAX(s->count, 1),
                                                             host_cpus(s->conn));
        s->limit = vstats_concurrency_auto_get_limit(s->controller);
    }
    s->origin_us = g_get_monotonic_time();
    for (;;) {
        gboolean cancelled = g_atomic_int_get(&s->cancelled);
        while (!cancelled && next < s->count && s->in_flight < s->limit) {
            VstatsBootVm *vm = &s->vms[next++];
            vm->attempted = TRUE;
            vm->inflight_at_start = ++s->in_flight;
            s->stats.max_in_flight = MAX(s->stats.max_in_flight, s->in_flight);
            g_thread_pool_push(pool, vm, NULL);
        }
        if (s->in_flight == 0 && (cancelled || next >= s->count))
            break;
        g_cond_wait_until(&s->done, &s->lock, g_get_monotonic_time() + CANCEL_POLL_US);
    }
    s->stats.cancelled = g_atomic_int_get(&s->cancelled) && next < s->count;
    g_mutex_unlock(&s->lock);
    g_thread_pool_free(pool, FALSE, TRUE);

    compute_stats(s);
    return !s->stats.cancelled && s->stats.failed == 0;
}

static void
destroy_one(gpointer data, gpointer user_data)
{
    VstatsBootVm *vm = data;
    guint *failures = user_data;

    if (virDomainDestroy(vm->dom) < 0) {
        virErrorPtr err = virGetLastError();
        /* Already gone (it crashed, or someone else destroyed it) is fine. */
        if (!err || (err->code != VIR_ERR_NO_DOMAIN && err->code != VIR_ERR_OPERATION_INVALID)) {
            vstats_log(G_LOG_LEVEL_WARNING, "cannot destroy %s: %s", vm->name,
                       err && err->message ? err->message : "unknown libvirt error");
            g_atomic_int_inc((gint *) failures);
        }
    }
    virDomainFree(vm->dom);
    vm->dom = NULL;
}

guint
vstats_boot_storm_destroy_all(VstatsBootStorm *s)
{
    guint failures = 0;
    GThreadPool *pool = NULL;

    for (guint i = 0; i < s->count; i++) {
        if (!s->vms[i].dom)
            continue;
        if (!pool)
            pool = g_thread_pool_new(destroy_one, &failures, DESTROY_THREADS, FALSE, NULL);
        g_thread_pool_push(pool, &s->vms[i], NULL);
    }
    if (pool)
        g_thread_pool_free(pool, FALSE, TRUE);
    return failures;
}

void
vstats_boot_storm_release(VstatsBootStorm *s)
{
    for (guint i = 0; i < s->count; i++) {
        if (s->vms[i].dom) {
            virDomainFree(s->vms[i].dom);
            s->vms[i].dom = NULL;
        }
    }
}

const VstatsBootStats *
vstats_boot_storm_get_stats(VstatsBootStorm *s)
{
    return &s->stats;
}

guint
vstats_boot_storm_get_n_vms(VstatsBootStorm *s)
{
    return s->count;
}

const VstatsBootVm *
vstats_boot_storm_get_vm(VstatsBootStorm *s, guint i)
{
    g_return_val_if_fail(i < s->count, NULL);
    return &s->vms[i];
}

const GArray *
vstats_boot_storm_get_trajectory(VstatsBootStorm *s)
{
    return s->controller ? vstats_concurrency_auto_get_trajectory(s->controller) : NULL;
}
