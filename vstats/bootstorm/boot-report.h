/*
 * boot-report.h: a boot storm's results as a table or as one JSON object.
 */
#pragma once
#include "boot-storm.h"

/* What the engine does not know: how it was asked for and what the
 * storm cost the host. */
typedef struct {
    const char *uri;
    const char *concurrency;    /* as given: "8", "unbounded", "auto" */
    const char *source;         /* template path or "testhost:DIR" */
    const char *prefix;
    gboolean paused;
    int daemon_pid;             /* 0: not known */
    double daemon_cpu_s;        /* NAN: not known */
    guint qemu_processes;
    double qemu_cpu_s;          /* NAN: no QEMU found */
} VstatsBootReportContext;

char *vstats_boot_report_table(VstatsBootStorm *storm, const VstatsBootReportContext *ctx);
char *vstats_boot_report_json(VstatsBootStorm *storm, const VstatsBootReportContext *ctx);
