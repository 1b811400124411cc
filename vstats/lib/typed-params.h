/* typed-params.h: a virDomainStatsRecord's typed parameters -> VstatsVm. */
#pragma once
#include "vstats-private.h"
#include <libvirt/libvirt.h>

/* Numeric value of any integer/boolean/double typed parameter. */
gboolean vstats_param_to_int64(const virTypedParameter *p, gint64 *out);

/* Fills @vm from @params.  Unknown names are ignored; devices are keyed by
 * their "block.N.name"/"net.N.name", and a device without a name gets
 * "#N" so it is at least stable within one daemon run. */
void vstats_vm_fill_from_params(VstatsVm *vm, const virTypedParameter *params,
                                int nparams);

/* A VstatsVm for one record, stamped with @recv_us (monotonic time the
 * call returned). */
VstatsVm *vstats_vm_from_record(virDomainStatsRecordPtr rec, gint64 recv_us);
