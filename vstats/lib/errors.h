/* errors.h: libvirt errors turned into GErrors with a helpful hint. */
#pragma once
#include "vstats.h"
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* Silences libvirt's default printing of errors to stderr, process-wide:
 * only when the caller of vstats_init() allows it. */
void vstats_errors_silence_default(void);

/* The class of @err, by error number and errno alone; @hint (may be
 * NULL) gets advice for a human, or NULL. */
VstatsErrorCode vstats_error_code_from_virt(virErrorPtr err, const char **hint);

/* Sets @error from @err (or the thread's last libvirt error when NULL),
 * prefixed by @context. */
void vstats_error_from_virt(GError **error, virErrorPtr err,
                            const char *context);

/* TRUE when @err means the connection to the daemon is gone. */
gboolean vstats_virt_error_is_disconnect(virErrorPtr err);
