/*
 * errors.c: mapping libvirt errors to VstatsErrorCode by their error
 * number and, for system errors, errno: the message text is translated
 * and must never decide anything.  Hints say what a human can check.
 */
#include "vstats.h"
#include "errors.h"

#include <errno.h>

G_DEFINE_QUARK(vstats-error-quark, vstats_error)

static void
ignore_error(void *data G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

void
vstats_errors_silence_default(void)
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
    /* The remote driver reports a dead socket (EOF, "socket is closed")
     * from its RPC layer; a refused or missing socket is a system error
     * of the remote driver instead, classified below. */
    return err->domain == VIR_FROM_RPC && err->code != VIR_ERR_AUTH_FAILED &&
           err->code != VIR_ERR_AUTH_CANCELLED && err->code != VIR_ERR_AUTH_UNAVAILABLE;
}

static const char *const hint_permission =
    "check that you may use the daemon socket (group, polkit), "
    "or try a read-only or qemu:///session URI";
static const char *const hint_connect =
    "is libvirtd (or virtqemud) running, and is the socket path right?";

VstatsErrorCode
vstats_error_code_from_virt(virErrorPtr err, const char **hint)
{
    const char *unused;

    if (!hint)
        hint = &unused;
    *hint = NULL;
    if (!err)
        return VSTATS_ERROR_FAILED;
    switch (err->code) {
    case VIR_ERR_NO_SUPPORT:
        return VSTATS_ERROR_UNSUPPORTED;
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
    case VIR_ERR_ACCESS_DENIED:
    case VIR_ERR_OPERATION_DENIED:
        *hint = hint_permission;
        return VSTATS_ERROR_PERMISSION;
    case VIR_ERR_SYSTEM_ERROR:
        /* int1 carries errno for system errors. */
        switch (err->int1) {
        case EACCES:
        case EPERM:
            *hint = hint_permission;
            return VSTATS_ERROR_PERMISSION;
        case ENOENT:
        case ECONNREFUSED:
        case ENOTSOCK:
        case ENOTDIR:
        case EHOSTUNREACH:
        case ENETUNREACH:
        case ETIMEDOUT:
            *hint = hint_connect;
            return VSTATS_ERROR_CONNECT;
        default:
            break;
        }
        break;
    default:
        break;
    }
    if (err->code == VIR_ERR_NO_CONNECT || err->code == VIR_ERR_INVALID_ARG) {
        *hint = hint_connect;
        return VSTATS_ERROR_CONNECT;
    }
    if (vstats_virt_error_is_disconnect(err))
        return VSTATS_ERROR_DISCONNECTED;
    return VSTATS_ERROR_FAILED;
}

void
vstats_error_from_virt(GError **error, virErrorPtr err, const char *context)
{
    const char *hint;
    VstatsErrorCode code;

    if (!err)
        err = virGetLastError();
    code = vstats_error_code_from_virt(err, &hint);
    g_set_error(error, VSTATS_ERROR, code, "%s: %s%s%s%s", context,
                err && err->message ? err->message : "unknown libvirt error",
                hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}
