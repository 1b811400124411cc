/*
 * process-cpu.h: CPU time of other processes from /proc, to charge a
 * boot storm's cost to the daemon and to the QEMUs it started.
 */
#pragma once
#include <glib.h>
#include <sys/types.h>

/* utime + stime of @pid in seconds, or a negative value if unreadable. */
double vstats_process_cpu_seconds(pid_t pid);

/* The one process named libvirtd or virtqemud; 0 when there is none or
 * more than one (which daemon would we charge?). */
pid_t vstats_find_daemon_pid(void);

/* PIDs (int) of the QEMU processes whose command line
 * names one of @guest_names (a set of strings) as "guest=NAME,". */
GArray *vstats_find_guest_pids(GHashTable *guest_names);
