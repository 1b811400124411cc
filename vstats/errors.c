/*
 * errors.c: mapping libvirt errors to VstatsErrorCode, with hints a human
 * can act on (is the daemon running? is the socket readable?).
 */
#include "vstats.h"
#include "errors.h"

#include <string.h>

G_DEFINE_QUARK(vstats-error-quark, vstats_error)

static void
ignore_error(void *data G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

void
vstats_errors_init(void)
{
    virSetErrorFunc(NULL, ignore_error);
}

gboolean
vstats_virt_error_is_disconnect(virErrorPtr err)
{
    if (!err)
        return FALSE;
    if (err->code == VIR_ERR_NO_CONNECT || err->code == VIR_ERR_INVALID_CONN)
        return TRUE;
    /* The remote driver reports a dead socket as an internal/RPC error. */
    return err->domain == VIR_FROM_RPC ||
           (err->message && (strstr(err->message, "client socket is closed") ||
                             strstr(err->message, "End of file while reading")));
}

static VstatsErrorCode
classify(virErrorPtr err, const char **hint)
{
    const char *msg = err && err->message ? err->message : "";

    *hint = NULL;
    if (!err)
        return VSTATS_ERROR_FAILED;
    if (err->code == VIR_ERR_NO_SUPPORT)
        return VSTATS_ERROR_UNSUPPORTED;
    if (err->code == VIR_ERR_AUTH_FAILED || err->code == VIR_ERR_AUTH_CANCELLED ||
        err->code == VIR_ERR_ACCESS_DENIED || err->code == VIR_ERR_OPERATION_DENIED ||
        strstr(msg, "Permission denied") || strstr(msg, "authentication")) {
        *hint = "check that you may use the daemon socket (group, polkit), "
                "or try a read-only or qemu:///session URI";
        return VSTATS_ERROR_PERMISSION;
    }
    if (strstr(msg, "No such file") || strstr(msg, "Connection refused") ||
        strstr(msg, "Failed to connect socket")) {
        *hint = "is libvirtd (or virtqemud) running, and is the socket path right?";
        return VSTATS_ERROR_CONNECT;
    }
    if (vstats_virt_error_is_disconnect(err))
        return VSTATS_ERROR_DISCONNECTED;
    if (err->code == VIR_ERR_INVALID_ARG || err->code == VIR_ERR_NO_CONNECT)
        return VSTATS_ERROR_CONNECT;
    return VSTATS_ERROR_FAILED;
}

void
vstats_error_from_virt(GError **error, virErrorPtr err, const char *context)
{
    const char *hint;
    VstatsErrorCode code;

    if (!err)
        err = virGetLastError();
    code = classify(err, &hint);
    g_set_error(error, VSTATS_ERROR, code, "%s: %s%s%s%s", context,
                err && err->message ? err->message : "unknown libvirt error",
                hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}
