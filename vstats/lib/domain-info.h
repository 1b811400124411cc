/* domain-info.h: CPU time, memory and vCPUs from virDomainGetInfo, which
 * the daemon answers from cgroups and the definition: one call per
 * domain, and no QEMU monitor command (VSTATS_GROUP_INFO). */
#pragma once
#include "connection-private.h"

typedef struct _VstatsDomainInfo VstatsDomainInfo;

VstatsDomainInfo *vstats_domain_info_new(void);
void vstats_domain_info_free(VstatsDomainInfo *di);
/* Fills what is missing (VSTATS_MISSING) of cpu_time_ns, balloon current
 * and maximum, vcpu_current in the VMs of @vms (VstatsVm*), on @conn's
 * side connection, in a job bounded by @deadline_us: on time or not at
 * all, and never two jobs at once. */
void vstats_domain_info_fill(VstatsDomainInfo *di, VstatsConnection *conn, GPtrArray *vms,
                             gint64 deadline_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VstatsDomainInfo, vstats_domain_info_free)
