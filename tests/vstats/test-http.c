/*
 * test-http.c: the /metrics endpoint answering a real HTTP client over
 * loopback (GSocketClient here, curl too when installed).
 */
#include "vstats.h"
#include "prom-lint.h"

#include <gio/gio.h>
#include <string.h>

/* A plain blocking client: the server accepts in its own thread. */
static char *
exchange(guint16 port, const char *request, gsize len)
{
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketConnection) conn = NULL;
    g_autoptr(GError) error = NULL;
    GString *out = g_string_new(NULL);
    char buf[4096];
    gssize n;

    g_socket_client_set_timeout(client, 10);
    conn = g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, &error);
    g_assert_no_error(error);
    g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)),
                              request, len, NULL, NULL, &error);
    g_assert_no_error(error);
    while ((n = g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(conn)),
                                    buf, sizeof(buf), NULL, NULL)) > 0)
        g_string_append_len(out, buf, n);
    return g_string_free(out, FALSE);
}

static char *
get(guint16 port, const char *request)
{
    return exchange(port, request, strlen(request));
}

static const char *
body_of(const char *response)
{
    const char *sep = strstr(response, "\r\n\r\n");
    g_assert_nonnull(sep);
    return sep + 4;
}

static VstatsConnection *conn;
static VstatsSampler *sampler;
static VstatsServer *server;

static void
test_metrics(void)
{
    g_autofree char *resp = get(vstats_server_get_port(server),
                                "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
    g_autofree char *why = NULL;
    const char *body = body_of(resp);
    g_autofree char *length = g_strdup_printf("Content-Length: %" G_GSIZE_FORMAT "\r\n", strlen(body));

    g_assert_true(g_str_has_prefix(resp, "HTTP/1.1 200 OK\r\n"));
    g_assert_nonnull(strstr(resp, "Content-Type: text/plain; version=0.0.4"));
    g_assert_nonnull(strstr(resp, length));
    if (!prom_lint(body, &why))
        g_error("%s", why);
    g_assert_nonnull(strstr(body, "vstats_up 1\n"));
    g_assert_nonnull(strstr(body, "libvirt_domain_info{domain=\"test\""));
}

static void
test_errors(void)
{
    guint16 port = vstats_server_get_port(server);
    g_autofree char *garbage = get(port, "hello there\r\n\r\n");
    g_autofree char *binary = exchange(port, "\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n", 12);
    g_autofree char *missing = get(port, "GET /nope HTTP/1.1\r\n\r\n");
    g_autofree char *post = get(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    g_autofree char *index = get(port, "GET / HTTP/1.0\r\n\r\n");
    g_autofree char *head = get(port, "HEAD /metrics HTTP/1.1\r\n\r\n");
    g_autofree char *big = g_strnfill(9000, 'A');
    g_autofree char *oversized = NULL;

    g_assert_true(g_str_has_prefix(garbage, "HTTP/1.1 400 "));
    g_assert_true(g_str_has_prefix(binary, "HTTP/1.1 400 "));
    g_assert_true(g_str_has_prefix(missing, "HTTP/1.1 404 "));
    g_assert_true(g_str_has_prefix(post, "HTTP/1.1 405 "));
    g_assert_nonnull(strstr(post, "\r\nAllow: GET, HEAD\r\n"));
    g_assert_true(g_str_has_prefix(index, "HTTP/1.1 200 "));
    g_assert_true(g_str_has_prefix(head, "HTTP/1.1 200 "));
    g_assert_cmpstr(body_of(head), ==, "");
    memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
    oversized = exchange(port, big, strlen(big));
    g_assert_true(g_str_has_prefix(oversized, "HTTP/1.1 431 "));
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
    proc = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, curl, "-sf",
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
    conn = vstats_connection_open("test:///default", &error);
    g_assert_no_error(error);
    sampler = vstats_sampler_new(conn, VSTATS_MODE_AUTO, 2000);
    server = vstats_server_new(sampler, "127.0.0.1:0", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(vstats_server_get_port(server), >, 0);

    g_test_add_func("/http/metrics", test_metrics);
    g_test_add_func("/http/errors", test_errors);
    g_test_add_func("/http/curl", test_curl);
    rc = g_test_run();
    vstats_server_free(server);
    vstats_sampler_free(sampler);
    vstats_connection_free(conn);
    return rc;
}
