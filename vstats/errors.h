/* errors.h: libvirt errors turned into GErrors with a helpful hint. */
#pragma once
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* Silences libvirt's default printing of errors to stderr; we report
 * them ourselves, once, with context. */
void vstats_errors_init(void);

/* Sets @error from @err (or the thread's last libvirt error when NULL),
 * prefixed by @context. */
void vstats_error_from_virt(GError **error, virErrorPtr err,
                            const char *context);

/* TRUE when @err means the connection to the daemon is gone. */
gboolean vstats_virt_error_is_disconnect(virErrorPtr err);
