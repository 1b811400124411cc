/*
 * test-errors.c: libvirt errors are classified by error number and errno,
 * never by their (translated) text.
 */
#include "errors.h"

#include <errno.h>
#include <string.h>

/* An error as a libvirt in another language would report it. */
static virError
error_of(int code, int domain, int errno_value, const char *message)
{
    virError e = { 0 };
    e.code = code;
    e.domain = domain;
    e.int1 = errno_value;
    e.message = (char *) message;
    return e;
}

static void
test_by_number(void)
{
    static const struct {
        int code, domain, errno_value;
        VstatsErrorCode want;
    } cases[] = {
        { VIR_ERR_AUTH_UNAVAILABLE, VIR_FROM_AUTH, 0, VSTATS_ERROR_PERMISSION },
        { VIR_ERR_AUTH_FAILED, VIR_FROM_RPC, 0, VSTATS_ERROR_PERMISSION },
        { VIR_ERR_AUTH_CANCELLED, VIR_FROM_AUTH, 0, VSTATS_ERROR_PERMISSION },
        { VIR_ERR_ACCESS_DENIED, VIR_FROM_ACCESS, 0, VSTATS_ERROR_PERMISSION },
        { VIR_ERR_OPERATION_DENIED, VIR_FROM_REMOTE, 0, VSTATS_ERROR_PERMISSION },
        { VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, EACCES, VSTATS_ERROR_PERMISSION },
        { VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, ENOENT, VSTATS_ERROR_CONNECT },
        { VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, ECONNREFUSED, VSTATS_ERROR_CONNECT },
        { VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, 0, VSTATS_ERROR_DISCONNECTED },
        { VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC, 0, VSTATS_ERROR_DISCONNECTED },
        { VIR_ERR_NO_CONNECT, VIR_FROM_NONE, 0, VSTATS_ERROR_CONNECT },
        { VIR_ERR_NO_SUPPORT, VIR_FROM_QEMU, 0, VSTATS_ERROR_UNSUPPORTED },
        { VIR_ERR_INTERNAL_ERROR, VIR_FROM_QEMU, 0, VSTATS_ERROR_FAILED },
        { VIR_ERR_SYSTEM_ERROR, VIR_FROM_QEMU, EIO, VSTATS_ERROR_FAILED },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        /* French, and English words that used to be matched where they
         * mean nothing: only the numbers may count. */
        virError e = error_of(cases[i].code, cases[i].domain, cases[i].errno_value,
                              i % 2 ? "Permission refusée" : "No such file: Permission denied");
        const char *hint = NULL;

        g_test_message("case %" G_GSIZE_FORMAT, i);
        g_assert_cmpint(vstats_error_code_from_virt(&e, &hint), ==, cases[i].want);
        if (cases[i].want == VSTATS_ERROR_PERMISSION || cases[i].want == VSTATS_ERROR_CONNECT)
            g_assert_nonnull(hint);
    }
    g_assert_cmpint(vstats_error_code_from_virt(NULL, NULL), ==, VSTATS_ERROR_FAILED);
}

static void
test_gerror_names_context(void)
{
    g_autoptr(GError) error = NULL;
    virError e = error_of(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, ENOENT,
                          "Échec de connexion au socket");

    vstats_error_from_virt(&error, &e, "cannot open 'qemu:///x'");
    g_assert_error(error, VSTATS_ERROR, VSTATS_ERROR_CONNECT);
    g_assert_true(g_str_has_prefix(error->message, "cannot open 'qemu:///x': Échec"));
    g_assert_nonnull(strstr(error->message, "running"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/errors/by-number", test_by_number);
    g_test_add_func("/errors/gerror-names-context", test_gerror_names_context);
    return g_test_run();
}
