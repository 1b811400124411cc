/*
 * domain-xml.c: the legacy strategy needs device names before it can ask
 * for their counters; the bulk calls report names themselves.  A GMarkup
 * pass is enough: we only want <devices>/<disk|interface>/<target dev>.
 */
#include "domain-xml.h"

#include <string.h>

typedef struct {
    GPtrArray *disks, *nets;
    int depth;
    GPtrArray *current; /* list of the device element we are in, or NULL */
    int device_depth;
} Parse;

static void
on_start(GMarkupParseContext *ctx G_GNUC_UNUSED, const char *element,
         const char **names, const char **values, gpointer data,
         GError **error G_GNUC_UNUSED)
{
    Parse *p = data;

    p->depth++;
    /* <domain><devices><disk>: devices are at depth 3. */
    if (p->depth == 3 && (strcmp(element, "disk") == 0 || strcmp(element, "interface") == 0)) {
        p->current = element[0] == 'd' ? p->disks : p->nets;
        p->device_depth = p->depth;
    } else if (p->current && p->depth == p->device_depth + 1 &&
               strcmp(element, "target") == 0) {
        for (int i = 0; names[i]; i++)
            if (strcmp(names[i], "dev") == 0)
                g_ptr_array_add(p->current, g_strdup(values[i]));
    }
}

static void
on_end(GMarkupParseContext *ctx G_GNUC_UNUSED, const char *element G_GNUC_UNUSED,
       gpointer data, GError **error G_GNUC_UNUSED)
{
    Parse *p = data;

    if (p->current && p->depth == p->device_depth)
        p->current = NULL;
    p->depth--;
}

gboolean
vstats_domain_xml_devices(const char *xml, GPtrArray *disks, GPtrArray *nets)
{
    static const GMarkupParser parser = { on_start, on_end, NULL, NULL, NULL };
    Parse p = { .disks = disks, .nets = nets };
    GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, &p, NULL);
    gboolean ok = g_markup_parse_context_parse(ctx, xml, -1, NULL) &&
                  g_markup_parse_context_end_parse(ctx, NULL);

    g_markup_parse_context_free(ctx);
    return ok;
}
