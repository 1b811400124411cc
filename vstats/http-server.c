/*
 * http-server.c: the Prometheus endpoint.  A socket service hands each
 * connection to a bounded pool of workers; each reads at most 8 KiB of
 * request head within 5 s and gives one answer then "close".  Concurrent
 * scrapes share one collection instead of queueing behind each other, so
 * no scrape waits longer than the deadline.  Accepting runs in a thread
 * of its own, so the server works whatever the caller's loop.
 *
 * Not GThreadedSocketService: when its workers are all busy it stops
 * accepting, and the worker that frees up restarts it with sources in
 * the global default context, which libvirt's event thread iterates;
 * two threads then accept on one service and it crashes.
 */
#include "vstats.h"
#include "http-request.h"
#include "log.h"

#include <gio/gio.h>
#include <string.h>

#define MAX_WORKERS 4
#define MAX_QUEUED 64    /* connections waiting for a worker */
#define IO_TIMEOUT_S 5   /* for the whole request head, and per write */
#define DRAIN_S 1

struct _VstatsServer {
    GSocketService *service;
    GMainContext *context;  /* our own: libvirt's event loop iterates the
                               default one from its thread */
    GMainLoop *loop;
    GThread *thread;
    GThreadPool *workers;   /* of GSocketConnection */
    gint stopping;          /* atomic: queued connections are dropped */
    VstatsSampler *sampler;
    guint16 port;
    guint timeout_ms;

    GMutex lock;
    GCond collected;
    gboolean collecting;
    VstatsReport *latest;
    guint64 generation;
};

/* One collection for everyone who asks while it runs. */
static VstatsReport *
scrape(VstatsServer *s)
{
    VstatsReport *report = NULL;
    gint64 start = g_get_monotonic_time();

    g_mutex_lock(&s->lock);
    if (s->collecting) {
        guint64 gen = s->generation;
        gint64 until = start + (gint64) s->timeout_ms * 1000;
        while (s->collecting && s->generation == gen)
            if (!g_cond_wait_until(&s->collected, &s->lock, until))
                break;
        if (s->latest)
            report = vstats_report_ref(s->latest);
        g_mutex_unlock(&s->lock);
        return report;
    }
    s->collecting = TRUE;
    g_mutex_unlock(&s->lock);

    report = vstats_sampler_collect(s->sampler, NULL);

    g_mutex_lock(&s->lock);
    if (s->latest)
        vstats_report_unref(s->latest);
    s->latest = vstats_report_ref(report);
    s->collecting = FALSE;
    s->generation++;
    g_cond_broadcast(&s->collected);
    g_mutex_unlock(&s->lock);
    return report;
}

/* @extra: more header lines, each ending in CRLF, or "". */
static void
respond(GOutputStream *out, int status, const char *reason, const char *extra,
        const char *content_type, const char *body, gboolean head_only)
{
    gsize len = body ? strlen(body) : 0;
    g_autofree char *head = g_strdup_printf(
        "HTTP/1.1 %d %s\r\n%sContent-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT
        "\r\nConnection: close\r\n\r\n", status, reason, extra, content_type, len);

    if (!g_output_stream_write_all(out, head, strlen(head), NULL, NULL, NULL))
        return;
    if (len && !head_only)
        g_output_stream_write_all(out, body, len, NULL, NULL, NULL);
}

static void
respond_text(GOutputStream *out, int status, const char *reason, const char *text)
{
    respond(out, status, reason, "", "text/plain; charset=utf-8", text, FALSE);
}

static void
dispatch(VstatsServer *s, GOutputStream *out, const char *method, const char *path)
{
    gboolean head = strcmp(method, "HEAD") == 0;

    if (strcmp(method, "GET") != 0 && !head) {
        /* RFC 9110 requires the list of methods we do allow. */
        respond(out, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n",
                "text/plain; charset=utf-8", "only GET and HEAD\n", FALSE);
    } else if (strcmp(path, "/metrics") == 0) {
        g_autoptr(VstatsReport) report = scrape(s);
        g_autofree char *body = NULL;
        if (!report) {
            respond_text(out, 503, "Service Unavailable", "collection still running\n");
            return;
        }
        body = vstats_format_prometheus(report);
        respond(out, 200, "OK", "", "text/plain; version=0.0.4; charset=utf-8", body, head);
    } else if (strcmp(path, "/") == 0) {
        respond(out, 200, "OK", "", "text/html; charset=utf-8",
                "<html><head><title>vstats</title></head><body>"
                "<h1>vstats</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n",
                head);
    } else {
        respond_text(out, 404, "Not Found", "not found; try /metrics\n");
    }
}

/* Waits until @sock is readable or @deadline (monotonic us) passes.  A
 * per-read timeout alone would let a client that trickles a byte at a
 * time hold a worker for ever. */
static gboolean
wait_readable(GSocket *sock, gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    /* A negative timeout would mean no timeout at all. */
    return left > 0 && g_socket_condition_timed_wait(sock, G_IO_IN, left, NULL, NULL);
}

/* Closing with unread input makes the kernel send a reset, which can
 * destroy our answer before the client reads it: finish sending, then
 * swallow a bounded amount of what the client still sends, for at most
 * DRAIN_S. */
static void
drain(GSocketConnection *conn, GInputStream *in)
{
    GSocket *sock = g_socket_connection_get_socket(conn);
    gint64 deadline = g_get_monotonic_time() + DRAIN_S * G_USEC_PER_SEC;
    char buf[4096];
    gsize total = 0;
    gssize n;

    g_socket_shutdown(sock, FALSE, TRUE, NULL);
    while (total < 64 * 1024 && wait_readable(sock, deadline) &&
           (n = g_input_stream_read(in, buf, sizeof(buf), NULL, NULL)) > 0)
        total += (gsize) n;
}

static void
handle_connection(VstatsServer *s, GSocketConnection *conn)
{
    GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
    g_autofree char *buf = g_malloc(VSTATS_HTTP_MAX_REQUEST + 1);
    g_autofree char *method = NULL, *path = NULL;
    GSocket *sock = g_socket_connection_get_socket(conn);
    gint64 deadline = g_get_monotonic_time() + IO_TIMEOUT_S * G_USEC_PER_SEC;
    gsize len = 0;

    /* A silent or slow client must not hold a worker forever. */
    g_socket_set_timeout(sock, IO_TIMEOUT_S);
    for (;;) {
        VstatsHttpParse rc = vstats_http_parse_request(buf, len, &method, &path);
        gssize n;

        if (rc == VSTATS_HTTP_OK) {
            dispatch(s, out, method, path);
            break;
        }
        if (rc == VSTATS_HTTP_BAD) {
            respond_text(out, 400, "Bad Request", "malformed request\n");
            break;
        }
        if (rc == VSTATS_HTTP_TOO_LARGE) {
            respond_text(out, 431, "Request Header Fields Too Large",
                         "request head over 8 KiB\n");
            break;
        }
        if (!wait_readable(sock, deadline)) {
            if (len > 0)
                respond_text(out, 408, "Request Timeout", "request head not received in time\n");
            break;
        }
        n = g_input_stream_read(in, buf + len, VSTATS_HTTP_MAX_REQUEST - len, NULL, NULL);
        if (n <= 0) {
            if (len > 0) /* half a request then EOF */
                respond_text(out, 400, "Bad Request", "incomplete request\n");
            break;
        }
        len += (gsize) n;
    }
    drain(conn, in);
    g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
}

/* Worker thread. */
static void
work(gpointer item, gpointer data)
{
    g_autoptr(GSocketConnection) conn = item;
    VstatsServer *s = data;

    if (!g_atomic_int_get(&s->stopping))
        handle_connection(s, conn);
}

/* Accept thread: never blocks on a client. */
static gboolean
on_incoming(GSocketService *service G_GNUC_UNUSED, GSocketConnection *conn,
            GObject *source G_GNUC_UNUSED, gpointer data)
{
    VstatsServer *s = data;

    /* Bounded memory and descriptors under a connection flood: beyond the
     * queue, a connection is closed (on unref) unanswered. */
    if (g_thread_pool_unprocessed(s->workers) >= MAX_QUEUED)
        return TRUE;
    g_thread_pool_push(s->workers, g_object_ref(conn), NULL);
    return TRUE;
}

static gpointer
accept_thread(gpointer data)
{
    VstatsServer *s = data;

    g_main_context_push_thread_default(s->context);
    g_main_loop_run(s->loop);
    g_main_context_pop_thread_default(s->context);
    return NULL;
}

static GInetAddress *
parse_host(const char *host)
{
    if (strcmp(host, "localhost") == 0)
        return g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    return g_inet_address_new_from_string(host);
}

static GSocketAddress *
parse_listen(const char *listen, GError **error)
{
    const char *colon;
    g_autofree char *host = NULL;
    g_autoptr(GInetAddress) addr = NULL;
    guint64 port;

    if (!listen)
        listen = VSTATS_DEFAULT_LISTEN;
    colon = strrchr(listen, ':');
    if (!colon || !g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL)) {
        g_set_error(error, VSTATS_ERROR, VSTATS_ERROR_INVALID,
                    "bad listen address '%s': expected HOST:PORT", listen);
        return NULL;
    }
    host = g_strndup(listen, colon - listen);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        char *inner = g_strndup(host + 1, strlen(host) - 2);
        g_free(host);
        host = inner;
    }
    addr = parse_host(host);
    if (!addr) {
        g_set_error(error, VSTATS_ERROR, VSTATS_ERROR_INVALID,
                    "bad listen address '%s': the host must be an IP address", listen);
        return NULL;
    }
    return g_inet_socket_address_new(addr, (guint16) port);
}

gboolean
vstats_server_check_listen(const char *listen, GError **error)
{
    g_autoptr(GSocketAddress) addr = parse_listen(listen, error);

    return addr != NULL;
}

VstatsServer *
vstats_server_new(VstatsSampler *sampler, const char *listen, GError **error)
{
    g_autoptr(GSocketAddress) addr = NULL;
    g_autoptr(GSocketAddress) effective = NULL;
    VstatsServer *s;

    if (!listen)
        listen = VSTATS_DEFAULT_LISTEN;
    addr = parse_listen(listen, error);
    if (!addr)
        return NULL;
    if (!g_inet_address_get_is_loopback(
            g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(addr))))
        vstats_log(G_LOG_LEVEL_WARNING, "listening on %s: metrics are not "
                   "authenticated, anyone who can reach it can read them", listen);
    s = g_new0(VstatsServer, 1);
    s->sampler = sampler;
    s->timeout_ms = vstats_sampler_get_timeout_ms(sampler);
    g_mutex_init(&s->lock);
    g_cond_init(&s->collected);
    s->context = g_main_context_new();
    s->loop = g_main_loop_new(s->context, FALSE);
    g_main_context_push_thread_default(s->context);
    s->workers = g_thread_pool_new(work, s, MAX_WORKERS, FALSE, NULL);
    s->service = g_socket_service_new();
    g_socket_service_stop(s->service); /* until the handler is connected */
    if (!g_socket_listener_add_address(G_SOCKET_LISTENER(s->service), addr,
                                       G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                       NULL, &effective, error)) {
        g_main_context_pop_thread_default(s->context);
        g_prefix_error(error, "cannot listen on %s: ", listen);
        vstats_server_free(s);
        return NULL;
    }
    s->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
    g_signal_connect(s->service, "incoming", G_CALLBACK(on_incoming), s);
    g_socket_service_start(s->service);
    g_main_context_pop_thread_default(s->context);
    s->thread = g_thread_new("vstats-http", accept_thread, s);
    return s;
}

guint16
vstats_server_get_port(VstatsServer *s)
{
    return s->port;
}

void
vstats_server_free(VstatsServer *s)
{
    if (!s)
        return;
    if (s->thread) {
        g_main_loop_quit(s->loop);
        g_thread_join(s->thread);
    }
    if (s->service) {
        g_socket_service_stop(s->service);
        g_socket_listener_close(G_SOCKET_LISTENER(s->service));
        g_object_unref(s->service);
    }
    /* Answers in progress finish (they use the sampler); queued ones are
     * closed unanswered. */
    g_atomic_int_set(&s->stopping, 1);
    g_thread_pool_free(s->workers, FALSE, TRUE);
    g_main_loop_unref(s->loop);
    g_main_context_unref(s->context);
    if (s->latest)
        vstats_report_unref(s->latest);
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->collected);
    g_free(s);
}
