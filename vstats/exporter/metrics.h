/*
 * metrics.h: the Prometheus text exposition (format 0.0.4) of a report.
 * By default the families of Debian's prometheus-libvirt-exporter (0.2.0),
 * with its names, types and labels, then vstats' own as vstats_* families
 * (see docs/vstats.md for the mapping).
 */
#pragma once
#include "collector.h"

/* The body for @scrape; @now_us (real time) ages a late report. */
char *vstats_metrics_format(const VstatsScrape *scrape, gint64 now_us);
