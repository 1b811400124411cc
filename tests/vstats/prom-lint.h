/* prom-lint.h: a checker for the Prometheus text format, for tests. */
#pragma once
#include <glib.h>

/* TRUE if @text is well-formed exposition text; else @why says where. */
gboolean prom_lint(const char *text, char **why);
