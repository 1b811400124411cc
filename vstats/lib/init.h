/* init.h: whether vstats_init() has run. */
#pragma once
#include <glib.h>

gboolean vstats_initialized(void);
