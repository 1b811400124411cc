/*
 * http-server.c: /metrics over libmicrohttpd.  One polling thread serves
 * every connection (idle and slow clients cost a descriptor), with a
 * total and a per-address connection limit, an idle timeout and a memory
 * limit per connection (request heads beyond it are refused).  A scrape
 * suspends its connection until the collector answers, so a collection
 * in progress blocks nobody else.  The body of a report is formatted and
 * compressed once, whatever the number of scrapes that share it.
 */
#include "exporter.h"
#include "collector.h"
#include "gzip.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

/* Request heads beyond this are refused; a scrape's is a few hundred bytes. */
#define CONNECTION_MEMORY 16384
/* How long past its deadline a collection may run before scrapes are
 * answered without it. */
#define GRACE_MS 500

static const char index_page[] =
    "<html><head><title>vstats</title></head><body>"
    "<h1>vstats</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

/* The exposition of one report, formatted on first use. */
typedef struct {
    VstatsReport *report;
    guint64 collections;
    GBytes *plain, *gz;
} Body;

struct _VstatsServer {
    struct MHD_Daemon *mhd;
    VstatsCollector *collector;
    guint16 port;

    GMutex lock;
    gboolean stopping;
    Body body;               /* of the latest report served */
};

/* One request, across the calls libmicrohttpd makes for it. */
typedef struct {
    VstatsServer *server;
    struct MHD_Connection *conn;
    gboolean asked;
    GMutex lock;
    gboolean ready;
    VstatsScrape scrape;
} Request;

static void
body_clear(Body *b)
{
    g_clear_pointer(&b->report, vstats_report_unref);
    g_clear_pointer(&b->plain, g_bytes_unref);
    g_clear_pointer(&b->gz, g_bytes_unref);
}

/* The body for @scrape: shared while the report is the same, made anew for
 * a late answer (its ages grow with the clock).  *@gzip is cleared when
 * compressing failed. */
static GBytes *
body_for(VstatsServer *s, const VstatsScrape *scrape, gboolean *gzip)
{
    GBytes *out;

    if (scrape->late) {
        char *text = vstats_metrics_format(scrape, g_get_real_time());
        g_autoptr(GBytes) plain = g_bytes_new_take(text, strlen(text));
        out = *gzip ? vstats_gzip(text, strlen(text)) : NULL;
        *gzip = out != NULL;
        return out ? out : g_bytes_ref(plain);
    }
    g_mutex_lock(&s->lock);
    if (s->body.report != scrape->report || s->body.collections != scrape->collections) {
        char *text = vstats_metrics_format(scrape, g_get_real_time());
        body_clear(&s->body);
        s->body.report = vstats_report_ref(scrape->report);
        s->body.collections = scrape->collections;
        s->body.plain = g_bytes_new_take(text, strlen(text));
    }
    if (*gzip && !s->body.gz) {
        gsize len;
        const char *text = g_bytes_get_data(s->body.plain, &len);
        s->body.gz = vstats_gzip(text, len);
    }
    *gzip = *gzip && s->body.gz;
    out = g_bytes_ref(*gzip ? s->body.gz : s->body.plain);
    g_mutex_unlock(&s->lock);
    return out;
}

static enum MHD_Result
respond(struct MHD_Connection *conn, unsigned int status, const char *type,
        GBytes *body, const char *encoding, gboolean head)
{
    gsize len = 0;
    const void *data = body ? g_bytes_get_data(body, &len) : NULL;
    struct MHD_Response *resp;
    enum MHD_Result rc;

    /* HEAD: the length of the body, without it. */
    resp = MHD_create_response_from_buffer_with_free_callback_cls(
        head ? 0 : len, (void *) data, (MHD_ContentReaderFreeCallback) g_bytes_unref,
        body ? g_bytes_ref(body) : NULL);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (encoding)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, encoding);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result
respond_text(struct MHD_Connection *conn, unsigned int status, const char *text)
{
    g_autoptr(GBytes) body = g_bytes_new_static(text, strlen(text));
    return respond(conn, status, "text/plain; charset=utf-8", body, NULL, FALSE);
}

/* From the collector (any thread): the scrape's answer is there. */
static void
on_scrape(VstatsScrape *scrape, gpointer data)
{
    Request *req = data;

    g_mutex_lock(&req->lock);
    req->scrape = *scrape;
    req->scrape.report = scrape->report ? vstats_report_ref(scrape->report) : NULL;
    req->ready = TRUE;
    g_mutex_unlock(&req->lock);
    MHD_resume_connection(req->conn);
}

static enum MHD_Result
serve_metrics(VstatsServer *s, Request *req, gboolean head)
{
    const char *accept;
    gboolean gzip, ready, stopping;
    g_autoptr(GBytes) body = NULL;

    if (!req->asked) {
        req->asked = TRUE;
        g_mutex_lock(&s->lock);
        stopping = s->stopping;
        if (!stopping) {
            /* Suspended first: the answer may come before request() returns. */
            MHD_suspend_connection(req->conn);
            vstats_collector_request(s->collector, on_scrape, req);
        }
        g_mutex_unlock(&s->lock);
        return stopping ? respond_text(req->conn, MHD_HTTP_SERVICE_UNAVAILABLE, "stopping\n")
                        : MHD_YES;
    }
    g_mutex_lock(&req->lock);
    ready = req->ready;
    g_mutex_unlock(&req->lock);
    if (!ready)
        return MHD_YES;
    accept = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                         MHD_HTTP_HEADER_ACCEPT_ENCODING);
    gzip = vstats_gzip_accepted(accept);
    body = body_for(s, &req->scrape, &gzip);
    return respond(req->conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
                   body, gzip ? "gzip" : NULL, head);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version G_GNUC_UNUSED, const char *upload_data G_GNUC_UNUSED,
           size_t *upload_data_size, void **con_cls)
{
    VstatsServer *s = cls;
    Request *req = *con_cls;
    gboolean head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

    if (!req) {
        req = g_new0(Request, 1);
        req->server = s;
        req->conn = conn;
        g_mutex_init(&req->lock);
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0; /* a body is not for us: skipped */
        return MHD_YES;
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && !head)
        return respond_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    if (strcmp(url, "/metrics") == 0)
        return serve_metrics(s, req, head);
    if (strcmp(url, "/") == 0) {
        g_autoptr(GBytes) body = g_bytes_new_static(index_page, sizeof(index_page) - 1);
        return respond(conn, MHD_HTTP_OK, "text/html; charset=utf-8", body, NULL, head);
    }
    return respond_text(conn, MHD_HTTP_NOT_FOUND, "not found; try /metrics\n");
}

static void
on_completed(void *cls G_GNUC_UNUSED, struct MHD_Connection *conn G_GNUC_UNUSED,
             void **con_cls, enum MHD_RequestTerminationCode code G_GNUC_UNUSED)
{
    Request *req = *con_cls;

    if (!req)
        return;
    vstats_scrape_clear(&req->scrape);
    g_mutex_clear(&req->lock);
    g_free(req);
    *con_cls = NULL;
}

static void
on_mhd_log(void *cls G_GNUC_UNUSED, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    vstats_log(G_LOG_LEVEL_DEBUG, "http: %s", g_strchomp(msg));
}

void
vstats_server_config_init(VstatsServerConfig *config)
{
    *config = (VstatsServerConfig) {
        .listen = VSTATS_DEFAULT_LISTEN,
        .min_interval_ms = VSTATS_DEFAULT_MIN_INTERVAL_MS,
        .max_connections = VSTATS_DEFAULT_MAX_CONNECTIONS,
        .max_connections_per_ip = VSTATS_DEFAULT_MAX_CONNECTIONS_PER_IP,
        .idle_timeout_s = VSTATS_DEFAULT_IDLE_TIMEOUT_S,
    };
}

gboolean
vstats_server_check_listen(const char *listen, GError **error)
{
    VstatsListen l;
    return vstats_listen_parse(listen ? listen : VSTATS_DEFAULT_LISTEN, &l, error);
}

/* Our own socket, so a failure to bind says why. */
static int
listen_socket(const char *where, const VstatsListen *l, guint16 *port, GError **error)
{
    struct sockaddr_storage bound;
    socklen_t len = sizeof(bound);
    int one = 1;
    int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (const struct sockaddr *) &l->addr, l->len) < 0 ||
        listen(fd, 128) < 0 ||
        getsockname(fd, (struct sockaddr *) &bound, &len) < 0) {
        int err = errno;
        g_set_error(error, VSTATS_ERROR, VSTATS_ERROR_FAILED, "cannot listen on %s: %s",
                    where, g_strerror(err));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = g_ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &bound)->sin6_port
                                                : ((struct sockaddr_in *) &bound)->sin_port);
    return fd;
}

VstatsServer *
vstats_server_new(VstatsSampler *sampler, const VstatsServerConfig *config, GError **error)
{
    VstatsServerConfig defaults;
    const char *listen;
    VstatsListen l;
    VstatsServer *s;
    int fd;

    vstats_server_config_init(&defaults);
    if (!config)
        config = &defaults;
    listen = config->listen ? config->listen : VSTATS_DEFAULT_LISTEN;
    if (!vstats_listen_parse(listen, &l, error))
        return NULL;
    if (!l.loopback)
        vstats_log(G_LOG_LEVEL_WARNING, "listening on %s: metrics are not "
                   "authenticated, anyone who can reach it can read them", listen);
    s = g_new0(VstatsServer, 1);
    g_mutex_init(&s->lock);
    fd = listen_socket(listen, &l, &s->port, error);
    if (fd < 0) {
        vstats_server_free(s);
        return NULL;
    }
    s->collector = vstats_collector_new(sampler, config->min_interval_ms, GRACE_MS);
    s->mhd = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
            (l.addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
        0, NULL, NULL, on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int) (config->max_connections ? config->max_connections
                                                : VSTATS_DEFAULT_MAX_CONNECTIONS),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned int) (config->max_connections_per_ip ? config->max_connections_per_ip
                                                       : VSTATS_DEFAULT_MAX_CONNECTIONS_PER_IP),
        MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int) (config->idle_timeout_s ? config->idle_timeout_s
                                               : VSTATS_DEFAULT_IDLE_TIMEOUT_S),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) CONNECTION_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (!s->mhd) {
        close(fd);
        g_set_error(error, VSTATS_ERROR, VSTATS_ERROR_FAILED,
                    "cannot start the HTTP server on %s", listen);
        vstats_server_free(s);
        return NULL;
    }
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
    g_mutex_lock(&s->lock);
    s->stopping = TRUE;
    g_mutex_unlock(&s->lock);
    /* Answers every suspended scrape (resuming it) before libmicrohttpd
     * stops: it must not be stopped with connections suspended. */
    g_clear_pointer(&s->collector, vstats_collector_free);
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    body_clear(&s->body);
    g_mutex_clear(&s->lock);
    g_free(s);
}
