/*
 * test-http.c: the /metrics endpoint answering real HTTP clients over
 * loopback (raw sockets here, curl too when installed): answers and
 * errors, gzip, collections shared by concurrent and close scrapes, idle,
 * slow and excess clients, and a server freed at once.
 */
#include "vstats.h"
#include "exporter.h"
#include "prom-lint.h"

#include <gio/gio.h>
#include <string.h>

static VstatsConnection *conn;
static VstatsSampler *sampler;
static VstatsServer *server;   /* defaults, but no minimum interval */

static GSocketConnection *
connect_to(guint16 port)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GError) error = NULL;
    GSocketConnection *c;

    g_socket_client_set_timeout(client, 10);
    c = g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, &error);
    g_assert_no_error(error);
    return c;
}

/* Sends @request and reads until the server closes. */
static GBytes *
exchange_bytes(guint16 port, const char *request, gsize len)
{
    g_autoptr(GSocketConnection) c = connect_to(port);
    g_autoptr(GError) error = NULL;
    GByteArray *out = g_byte_array_new();
    guint8 buf[4096];
    gssize n;

    g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(c)),
                              request, len, NULL, NULL, &error);
    g_assert_no_error(error);
    while ((n = g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(c)),
                                    buf, sizeof(buf), NULL, NULL)) > 0)
        g_byte_array_append(out, buf, n);
    return g_byte_array_free_to_bytes(out);
}

static char *
exchange(guint16 port, const char *request, gsize len)
{
    g_autoptr(GBytes) b = exchange_bytes(port, request, len);
    gsize n;
    const char *data = g_bytes_get_data(b, &n);
    return g_strndup(data ? data : "", n);
}

static char *
get(guint16 port, const char *request)
{
    return exchange(port, request, strlen(request));
}

#define SCRAPE "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

static const char *
body_of(const char *response)
{
    const char *sep = strstr(response, "\r\n\r\n");
    g_assert_nonnull(sep);
    return sep + 4;
}

/* The value of the sample named @name (no labels) in @body. */
static double
metric(const char *body, const char *name)
{
    g_autofree char *prefix = g_strdup_printf("\n%s ", name);
    const char *p = strstr(body, prefix);
    g_assert_nonnull(p);
    return g_ascii_strtod(p + strlen(prefix), NULL);
}

static VstatsServer *
server_with(guint min_interval_ms, guint per_ip)
{
    VstatsServerConfig config;
    g_autoptr(GError) error = NULL;
    VstatsServer *s;

    vstats_server_config_init(&config);
    config.listen = "127.0.0.1:0";
    config.min_interval_ms = min_interval_ms;
    if (per_ip)
        config.max_connections_per_ip = per_ip;
    s = vstats_server_new(sampler, &config, &error);
    g_assert_no_error(error);
    return s;
}

static void
test_metrics(void)
{
    g_autofree char *resp = get(vstats_server_get_port(server), SCRAPE);
    g_autofree char *why = NULL;
    const char *body = body_of(resp);
    g_autofree char *length = g_strdup_printf("Content-Length: %" G_GSIZE_FORMAT "\r\n", strlen(body));

    g_assert_true(g_str_has_prefix(resp, "HTTP/1.1 200 OK\r\n"));
    g_assert_nonnull(strstr(resp, "Content-Type: text/plain; version=0.0.4"));
    g_assert_nonnull(strstr(resp, length));
    if (!prom_lint(body, &why))
        g_error("%s", why);
    g_assert_nonnull(strstr(body, "\nlibvirt_up 1\n"));
    g_assert_nonnull(strstr(body, "libvirt_domain_state_code{domain=\"test\""));
}

static void
test_errors(void)
{
    guint16 port = vstats_server_get_port(server);
    g_autofree char *garbage = get(port, "hello there\r\n\r\n");
    g_autofree char *binary = exchange(port, "\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n", 12);
    g_autofree char *missing = get(port, "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    g_autofree char *post = get(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                "Connection: close\r\n\r\nabc");
    g_autofree char *index = get(port, "GET / HTTP/1.0\r\n\r\n");
    g_autofree char *head = get(port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    g_autofree char *big = g_strnfill(40000, 'A');
    g_autofree char *oversized = NULL;

    g_assert_true(g_str_has_prefix(garbage, "HTTP/1.1 400 "));
    /* Not HTTP at all: refused, or closed without a word. */
    g_assert_true(g_str_has_prefix(binary, "HTTP/1.1 400 ") || !*binary);
    g_assert_true(g_str_has_prefix(missing, "HTTP/1.1 404 "));
    g_assert_true(g_str_has_prefix(post, "HTTP/1.1 405 "));
    g_assert_nonnull(strstr(post, "\r\nAllow: GET, HEAD\r\n"));
    g_assert_true(g_str_has_prefix(index, "HTTP/1.0 200 ") || g_str_has_prefix(index, "HTTP/1.1 200 "));
    g_assert_true(g_str_has_prefix(head, "HTTP/1.1 200 "));
    g_assert_cmpstr(body_of(head), ==, "");
    /* A request head beyond the memory limit is refused, not buffered. */
    memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
    memcpy(big + 40000 - 4, "\r\n\r\n", 4);
    oversized = exchange(port, big, strlen(big));
    g_assert_true(g_str_has_prefix(oversized, "HTTP/1.1 431 ") ||
                  g_str_has_prefix(oversized, "HTTP/1.1 413 "));
}

static void
test_gzip(void)
{
    guint16 port = vstats_server_get_port(server);
    static const char request[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                                  "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n";
    g_autoptr(GBytes) resp = exchange_bytes(port, request, sizeof(request) - 1);
    g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
    g_autoptr(GInputStream) raw = NULL;
    g_autoptr(GInputStream) in = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *why = NULL;
    char text[1 << 16];
    gsize len, n = 0;
    const char *data = g_bytes_get_data(resp, &len);
    const char *sep = g_strstr_len(data, len, "\r\n\r\n");

    g_assert_nonnull(sep);
    g_assert_nonnull(g_strstr_len(data, sep - data, "\r\nContent-Encoding: gzip\r\n"));
    raw = g_memory_input_stream_new_from_data(sep + 4, len - (sep + 4 - data), NULL);
    in = g_converter_input_stream_new(raw, G_CONVERTER(gunzip));
    g_input_stream_read_all(in, text, sizeof(text) - 1, &n, NULL, &error);
    g_assert_no_error(error);
    text[n] = '\0';
    if (!prom_lint(text, &why))
        g_error("%s", why);
    g_assert_nonnull(strstr(text, "libvirt_domain_state_code{domain=\"test\""));
    g_assert_cmpuint(len - (sep + 4 - data), <, n);
}

/* Scrapes at once from threads: one collection for all. */
typedef struct {
    guint16 port;
    char *body;
} Scraper;

static gpointer
scrape_thread(gpointer data)
{
    Scraper *sc = data;
    g_autofree char *resp = get(sc->port, SCRAPE);
    sc->body = g_strdup(body_of(resp));
    return NULL;
}

static void
test_concurrent_scrapes_share(void)
{
    /* A minimum interval of a minute: every scrape of this test shares. */
    g_autoptr(VstatsServer) s = server_with(60000, 0);
    Scraper scrapers[8];
    GThread *threads[8];

    for (guint i = 0; i < G_N_ELEMENTS(scrapers); i++) {
        scrapers[i] = (Scraper) { vstats_server_get_port(s), NULL };
        threads[i] = g_thread_new("scraper", scrape_thread, &scrapers[i]);
    }
    for (guint i = 0; i < G_N_ELEMENTS(scrapers); i++) {
        g_thread_join(threads[i]);
        g_assert_cmpfloat(metric(scrapers[i].body, "vstats_collections_total"), ==, 1);
        g_assert_cmpfloat(metric(scrapers[i].body, "libvirt_up"), ==, 1);
        g_free(scrapers[i].body);
    }
}

static void
test_min_interval(void)
{
    g_autoptr(VstatsServer) shared = server_with(60000, 0);
    g_autoptr(VstatsServer) each = server_with(0, 0);

    for (int i = 1; i <= 3; i++) {
        g_autofree char *a = get(vstats_server_get_port(shared), SCRAPE);
        g_autofree char *b = get(vstats_server_get_port(each), SCRAPE);
        g_assert_cmpfloat(metric(body_of(a), "vstats_collections_total"), ==, 1);
        g_assert_cmpfloat(metric(body_of(b), "vstats_collections_total"), ==, i);
    }
}

/* Connections that send nothing, and one that trickles its request, cost
 * a descriptor each and delay nobody. */
static void
test_idle_and_slow_clients(void)
{
    g_autoptr(VstatsServer) s = server_with(0, 0);
    guint16 port = vstats_server_get_port(s);
    g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func(g_object_unref);
    g_autoptr(GSocketConnection) slow = connect_to(port);
    GOutputStream *slow_out = g_io_stream_get_output_stream(G_IO_STREAM(slow));
    gint64 t0;

    for (int i = 0; i < 20; i++)
        g_ptr_array_add(idle, connect_to(port));
    g_output_stream_write_all(slow_out, "GET /metrics HTTP/1.1\r\nX-Slow: ", 31, NULL, NULL, NULL);
    for (int i = 0; i < 3; i++) {
        g_autofree char *resp = NULL;

        g_output_stream_write_all(slow_out, "x", 1, NULL, NULL, NULL);
        t0 = g_get_monotonic_time();
        resp = get(port, SCRAPE);
        /* Generous: the collection itself takes milliseconds here. */
        g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
        g_assert_true(g_str_has_prefix(resp, "HTTP/1.1 200 "));
    }
}

/* Beyond the per-address limit a connection is closed unanswered, and
 * the server serves again once the others go. */
static void
test_connection_limit(void)
{
    g_autoptr(VstatsServer) s = server_with(0, 4);
    guint16 port = vstats_server_get_port(s);
    g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func(g_object_unref);
    g_autofree char *refused = NULL;
    g_autofree char *served = NULL;

    for (int i = 0; i < 4; i++)
        g_ptr_array_add(idle, connect_to(port));
    /* The server accepts in its thread: let it see all four. */
    for (int i = 0; i < 100; i++) {
        g_autofree char *resp = get(port, SCRAPE);
        if (!*resp) {
            refused = g_steal_pointer(&resp);
            break;
        }
        g_usleep(10000);
    }
    g_assert_nonnull(refused);
    g_ptr_array_set_size(idle, 0);
    for (int i = 0; i < 200 && !(served && *served); i++) {
        g_free(served);
        served = get(port, SCRAPE);
        g_usleep(10000);
    }
    g_assert_true(g_str_has_prefix(served, "HTTP/1.1 200 "));
}

/* new then free at once, and free with a scrape waiting: never hangs
 * (meson's timeout would catch it), never leaks (valgrind would). */
static void
test_new_then_free(void)
{
    for (int i = 0; i < 50; i++) {
        VstatsServer *s = server_with(0, 0);
        vstats_server_free(s);
    }
    for (int i = 0; i < 5; i++) {
        VstatsServer *s = server_with(0, 0);
        g_autoptr(GSocketConnection) c = connect_to(vstats_server_get_port(s));
        g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(c)),
                                  SCRAPE, strlen(SCRAPE), NULL, NULL, NULL);
        vstats_server_free(s);
    }
}

/* Prometheus' own linter on the exposition (promtool comes with Debian's
 * prometheus; tools/deps installs it). */
static void
test_promtool(void)
{
    g_autofree char *promtool = g_find_program_in_path("promtool");
    g_autofree char *resp = get(vstats_server_get_port(server), SCRAPE);
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) error = NULL;

    if (!promtool) {
        g_test_fail_printf("promtool not installed (tools/deps installs prometheus)");
        return;
    }
    proc = g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_MERGE, &error, promtool, "check",
                            "metrics", NULL);
    g_assert_no_error(error);
    g_subprocess_communicate_utf8(proc, body_of(resp), NULL, &out, &err, &error);
    g_assert_no_error(error);
    if (!g_subprocess_get_successful(proc))
        g_error("promtool check metrics: %s", out);
}

static void
test_curl(void)
{
    g_autofree char *curl = g_find_program_in_path("curl");
    g_autofree char *url = NULL;
    g_autofree char *out = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *why = NULL;

    if (!curl) {
        g_test_skip("curl not installed");
        return;
    }
    url = g_strdup_printf("http://127.0.0.1:%u/metrics", vstats_server_get_port(server));
    proc = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, curl, "-sf", "--compressed",
                            "--max-time", "10", url, NULL);
    g_assert_no_error(error);
    g_subprocess_communicate_utf8(proc, NULL, NULL, &out, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(g_subprocess_get_successful(proc));
    if (!prom_lint(out, &why))
        g_error("%s", why);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    g_assert_true(vstats_init(VSTATS_INIT_DEFAULT, NULL));
    conn = vstats_connection_open("test:///default", &error);
    g_assert_no_error(error);
    sampler = vstats_sampler_new(conn, VSTATS_MODE_AUTO, 2000);
    server = server_with(0, 0);
    g_assert_cmpuint(vstats_server_get_port(server), >, 0);

    g_test_add_func("/http/metrics", test_metrics);
    g_test_add_func("/http/errors", test_errors);
    g_test_add_func("/http/gzip", test_gzip);
    g_test_add_func("/http/concurrent-scrapes-share", test_concurrent_scrapes_share);
    g_test_add_func("/http/min-interval", test_min_interval);
    g_test_add_func("/http/idle-and-slow-clients", test_idle_and_slow_clients);
    g_test_add_func("/http/connection-limit", test_connection_limit);
    g_test_add_func("/http/new-then-free", test_new_then_free);
    g_test_add_func("/http/curl", test_curl);
    g_test_add_func("/http/promtool-check-metrics", test_promtool);
    rc = g_test_run();
    vstats_server_free(server);
    vstats_sampler_free(sampler);
    vstats_connection_free(conn);
    return rc;
}
