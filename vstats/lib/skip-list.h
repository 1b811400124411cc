/* skip-list.h: domains left out of bulk calls because their monitor was
 * busy; entries expire so a VM is retried.  Pure: time is passed in. */
#pragma once
#include <glib.h>

#define VSTATS_SKIP_TTL_MS 40000

typedef struct _VstatsSkipList VstatsSkipList;

VstatsSkipList *vstats_skip_list_new(gint64 ttl_ms);
void vstats_skip_list_free(VstatsSkipList *s);
void vstats_skip_list_add(VstatsSkipList *s, const char *uuid, gint64 now_us);
gboolean vstats_skip_list_contains(VstatsSkipList *s, const char *uuid);
guint vstats_skip_list_size(VstatsSkipList *s);
/* Removes entries older than the TTL and returns their UUIDs (caller frees
 * with g_strfreev), so the caller may probe them again. */
char **vstats_skip_list_expire(VstatsSkipList *s, gint64 now_us);
